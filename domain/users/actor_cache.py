"""The actors of recently used API keys, kept briefly in this process so an API request does not
look its key up in the database every time.

Safe because every change that could alter what a key may do (revoking keys, deactivating, a new
role, a password reset) is an audited account change: the unit of work reports the users it
changed after its commit, this process forgets them at once, and the other processes are told
through Redis (``infra.actor_invalidation``). The short lifetime is the backstop should such a
message be lost (Redis briefly unreachable): a stale entry lives ``ttl_seconds`` at most.
Writes never rely on it: the unit of work re-reads the acting user inside every write."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from domain.users.schemas import Actor


class ActorCache:
    def __init__(
        self,
        ttl_seconds: float = 10.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: OrderedDict[str, tuple[float, Actor]] = OrderedDict()
        # Used only while this process hears about user changes (set by the listener).
        self.active = False

    def get(self, key_hash: str) -> Actor | None:
        if not self.active:
            return None
        entry = self._entries.get(key_hash)
        if entry is None:
            return None
        expires, actor = entry
        if self.clock() >= expires:
            del self._entries[key_hash]
            return None
        return actor

    def put(self, key_hash: str, actor: Actor) -> None:
        if not self.active or self.ttl <= 0:
            return
        self._entries[key_hash] = (self.clock() + self.ttl, actor)
        self._entries.move_to_end(key_hash)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget(self, user_ids: Iterable[str]) -> None:
        """Drop every key of these users."""
        gone = set(user_ids)
        if gone:
            for key in [k for k, (_, actor) in self._entries.items() if actor.user_id in gone]:
                del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
