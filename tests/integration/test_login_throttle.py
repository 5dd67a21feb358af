"""Login throttling: per account and client address, with a slower limit per account overall.

Nobody can lock an account out from one address; guessing spread over many addresses is still
bounded. Small limits here, the real ones come from the settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from domain.users.service import LoginThrottled, UserService
from infra.db import Database
from infra.passwords import Argon2Hasher
from infra.throttle import RedisFailureLimiter
from infra.uow import SqlUnitOfWork

PER_ADDRESS, PER_ACCOUNT = 3, 7


@pytest.fixture
async def users(servers: dict[str, str]) -> AsyncIterator[UserService]:
    db = Database(servers["database_url"], pool_size=2)
    per_address = RedisFailureLimiter(
        servers["redis_url"], max_failures=PER_ADDRESS, window_seconds=600, namespace="login"
    )
    per_account = RedisFailureLimiter(
        servers["redis_url"], max_failures=PER_ACCOUNT, window_seconds=3600, namespace="login-account"
    )
    hasher = Argon2Hasher(time_cost=1, memory_kib=8, parallelism=1)
    yield UserService(SqlUnitOfWork(db), hasher, per_address=per_address, per_account=per_account)
    await per_address.aclose()
    await per_account.aclose()
    await db.dispose()


async def fail(users: UserService, address: str, times: int) -> None:
    for _ in range(times):
        assert await users.authenticate_password("eve@example.com", "a-wrong-guess", address=address) is None


async def test_failures_from_one_address_do_not_lock_out_another(users: UserService):
    password = (await users.create("eve@example.com", "estimator")).password
    await fail(users, "203.0.113.1", PER_ADDRESS)
    with pytest.raises(LoginThrottled):  # even the right password, from that address
        await users.authenticate_password("eve@example.com", password, address="203.0.113.1")

    actor = await users.authenticate_password("eve@example.com", password, address="198.51.100.7")
    assert actor is not None and actor.email == "eve@example.com"


async def test_the_account_limit_stops_guessing_spread_over_many_addresses(users: UserService):
    password = (await users.create("eve@example.com", "estimator")).password
    await fail(users, "203.0.113.1", PER_ADDRESS)
    await fail(users, "203.0.113.2", PER_ADDRESS)
    await fail(users, "203.0.113.3", PER_ACCOUNT - 2 * PER_ADDRESS)

    with pytest.raises(LoginThrottled):
        await users.authenticate_password("eve@example.com", password, address="198.51.100.7")
    # Other accounts are not affected.
    other = (await users.create("bob@example.com", "estimator")).password
    assert await users.authenticate_password("bob@example.com", other, address="203.0.113.1") is not None


async def test_a_password_reset_lifts_every_lock_out_of_the_account(users: UserService):
    admin = await users.authenticate_api_key((await users.create("root@example.com", "admin")).api_key)
    assert admin is not None
    eve = await users.create("eve@example.com", "estimator")
    await fail(users, "203.0.113.1", PER_ADDRESS)
    await fail(users, "203.0.113.2", PER_ADDRESS)
    await fail(users, "203.0.113.3", PER_ACCOUNT - 2 * PER_ADDRESS)
    for address in ("203.0.113.1", "198.51.100.7"):  # locked per address, and for the account
        with pytest.raises(LoginThrottled):
            await users.authenticate_password("eve@example.com", eve.password, address=address)

    eve_id = (await users.authenticate_api_key(eve.api_key)).user_id  # type: ignore[union-attr]
    new = await users.reset_password(admin, eve_id)

    # The guesses were against the old password: both counts start afresh.
    assert await users.authenticate_password("eve@example.com", new, address="203.0.113.1") is not None
    assert await users.authenticate_password("eve@example.com", new, address="198.51.100.7") is not None
