"""Claiming an idempotency key is one statement: it purges what has outlived its time (expired
keys, claims abandoned in flight) and claims the key, taking over its own row when that row has
outlived its time."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from domain.errors import Conflict, InvalidInput


async def _rows(services) -> dict[str, tuple[str, str, object]]:
    async with services.projects.uow() as tx:
        rows = await tx.session.execute(
            text("SELECT key, state, request_sha256, result FROM idempotency_keys")
        )
        return {r.key: (r.state, r.request_sha256, r.result) for r in rows}


async def _set(services, sql: str, **params) -> None:
    async with services.projects.uow() as tx:
        await tx.session.execute(text(sql), params)


async def test_a_live_key_replays_or_refuses_and_an_outlived_one_is_claimed_afresh(services, estimator):
    actor = await services.users.authenticate_api_key(estimator["X-API-Key"])
    keys = services.projects.idempotency
    uid = actor.user_id
    assert await keys.claim(uid, "POST /x", "k1", "f1") is None
    with pytest.raises(Conflict):  # still in flight
        await keys.claim(uid, "POST /x", "k1", "f1")
    with pytest.raises(InvalidInput):  # another body
        await keys.claim(uid, "POST /x", "k1", "f2")
    await _set(services, "UPDATE idempotency_keys SET state = 'done', result = '{\"n\": 1}'")
    stored = await keys.claim(uid, "POST /x", "k1", "f1")
    assert stored is not None and stored.result == {"n": 1}

    # Expired: the key is new again (another body is no longer a 422), its old result gone.
    await _set(services, "UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
    assert await keys.claim(uid, "POST /x", "k1", "f2") is None
    assert (await _rows(services))["k1"] == ("in_flight", "f2", None)

    # A claim abandoned in flight (its process died) is taken over; a fresh one is not.
    await _set(services, "UPDATE idempotency_keys SET created_at = now() - interval '3 minutes'")
    assert await keys.claim(uid, "POST /x", "k1", "f3") is None
    assert (await _rows(services))["k1"] == ("in_flight", "f3", None)
    with pytest.raises(InvalidInput):
        await keys.claim(uid, "POST /x", "k1", "f4")


async def test_claiming_a_key_purges_the_outlived_keys_of_everyone(services, estimator, estimator2):
    eve = await services.users.authenticate_api_key(estimator["X-API-Key"])
    other = await services.users.authenticate_api_key(estimator2["X-API-Key"])
    keys = services.projects.idempotency
    for key in ("expired", "abandoned", "live"):
        assert await keys.claim(other.user_id, "POST /x", key, "f") is None
    await _set(
        services, "UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'expired'"
    )
    await _set(
        services,
        "UPDATE idempotency_keys SET created_at = now() - interval '3 minutes' WHERE key = 'abandoned'",
    )
    assert await keys.claim(eve.user_id, "POST /x", "mine", "f") is None
    assert sorted(await _rows(services)) == ["live", "mine"]
