"""The API-key actor cache: entries live their lifetime and no longer, are forgotten per user,
are bounded in number, and are neither kept nor served while the process cannot hear of user
changes."""

from domain.users.actor_cache import ActorCache
from domain.users.schemas import Actor


def actor(user_id: str) -> Actor:
    return Actor(user_id=user_id, email=f"{user_id}@example.com", role="estimator", name="", session_epoch=0)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_lives_its_lifetime_and_no_longer():
    clock = Clock()
    cache = ActorCache(ttl_seconds=10, clock=clock)
    cache.active = True
    cache.put("k1", actor("u1"))
    clock.now += 9.99
    assert cache.get("k1") == actor("u1")
    clock.now += 0.01
    assert cache.get("k1") is None and len(cache) == 0


def test_forgetting_a_user_drops_all_their_keys_only():
    cache = ActorCache()
    cache.active = True
    cache.put("k1", actor("u1"))
    cache.put("k2", actor("u1"))
    cache.put("k3", actor("u2"))
    cache.forget(["u1"])
    assert cache.get("k1") is None and cache.get("k2") is None and cache.get("k3") == actor("u2")


def test_the_oldest_entries_go_beyond_the_bound():
    cache = ActorCache(max_entries=2)
    cache.active = True
    for i in range(3):
        cache.put(f"k{i}", actor(f"u{i}"))
    assert cache.get("k0") is None and cache.get("k1") is not None and len(cache) == 2


def test_nothing_is_kept_or_served_while_not_listening():
    cache = ActorCache()
    cache.put("k1", actor("u1"))
    assert len(cache) == 0
    cache.active = True
    cache.put("k1", actor("u1"))
    cache.active = False
    assert cache.get("k1") is None
