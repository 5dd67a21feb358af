"""Passwords, API keys and login throttling, on the real database and Redis."""

from __future__ import annotations

import asyncio

import pytest

from domain.errors import Conflict, InvalidInput
from domain.users.service import LoginThrottled


async def test_password_login_and_api_keys(services):
    creds = await services.users.create("Ann@Example.com ", "estimator", "Ann")
    actor = await services.users.authenticate_password("ann@example.com", creds.password)
    assert actor is not None and actor.email == "ann@example.com" and actor.role == "estimator"
    assert await services.users.authenticate_password("ann@example.com", "wrong") is None
    assert await services.users.authenticate_password("nobody@example.com", creds.password) is None
    second_key = await services.users.issue_api_key(actor.user_id)
    assert (await services.users.authenticate_api_key(second_key)).user_id == actor.user_id
    assert await services.users.authenticate_api_key(creds.api_key[:-1] + "x") is None


async def test_repeated_failures_lock_the_email_out_even_for_the_right_password(services):
    creds = await services.users.create("bob@example.com", "estimator")
    for _ in range(5):
        assert await services.users.authenticate_password("bob@example.com", "guess") is None
    with pytest.raises(LoginThrottled):
        await services.users.authenticate_password("bob@example.com", creds.password)
    from infra.metrics import REGISTRY

    assert REGISTRY.get_sample_value("signx_login_attempts_total", {"outcome": "throttled"}) >= 1
    # Another account is not affected.
    other = await services.users.create("cat@example.com", "estimator")
    assert await services.users.authenticate_password("cat@example.com", other.password) is not None


async def test_parallel_guesses_cannot_overshoot_the_limit(services):
    await services.users.create("eve@example.com", "estimator")

    async def guess() -> str:
        try:
            result = await services.users.authenticate_password("eve@example.com", "guess")
        except LoginThrottled:
            return "throttled"
        return "checked" if result is None else "in"

    outcomes = await asyncio.gather(*(guess() for _ in range(20)))
    assert outcomes.count("checked") == 5 and outcomes.count("throttled") == 15


async def test_a_success_resets_the_failure_count(services):
    creds = await services.users.create("dan@example.com", "estimator")
    for _ in range(4):
        await services.users.authenticate_password("dan@example.com", "guess")
    assert await services.users.authenticate_password("dan@example.com", creds.password) is not None
    for _ in range(4):
        await services.users.authenticate_password("dan@example.com", "guess")
    assert await services.users.authenticate_password("dan@example.com", creds.password) is not None


async def test_bad_emails_and_roles_name_the_field(services):
    with pytest.raises(InvalidInput) as bad_email:
        await services.users.create("not-an-email", "estimator")
    assert bad_email.value.fields[0]["field"] == "email"
    with pytest.raises(InvalidInput) as nul_email:
        await services.users.create("a\u0000b@example.com", "estimator")
    assert nul_email.value.fields[0]["field"] == "email"
    with pytest.raises(InvalidInput) as nul_name:
        await services.users.create("nul@example.com", "estimator", "A\u0000B")
    assert nul_name.value.fields[0]["field"] == "name"
    with pytest.raises(InvalidInput) as bad_role:
        await services.users.create("eve@example.com", "boss")
    assert bad_role.value.fields[0]["field"] == "role"


async def test_every_account_change_is_audited_in_its_own_transaction(services):
    first = await services.users.create("root@example.com", "admin", by="first start")
    admin = await services.users.authenticate_api_key(first.api_key)
    added = await services.users.add_user(admin, email="new@example.com", role="estimator", name="New")
    target = await services.users.authenticate_api_key(added.api_key)
    await services.users.set_role(admin, target.user_id, "manager")
    await services.users.set_active(admin, target.user_id, False)
    await services.users.set_active(admin, target.user_id, False)  # no change, no event
    await services.users.set_active(admin, target.user_id, True)
    await services.users.reset_password(admin, target.user_id)
    await services.users.new_api_key(admin, target.user_id)
    await services.users.revoke_api_keys(admin, target.user_id)
    await services.users.set_password("new@example.com", "a-long-password-1")

    trail = await services.users.events(admin, target.user_id)
    assert [e.event_type for e in trail.items] == [
        "password_set",
        "api_keys_revoked",
        "api_key_issued",
        "password_reset",
        "user_activated",
        "user_deactivated",
        "role_changed",
        "user_added",
    ]
    assert trail.items[-1].actor == "root@example.com" and trail.items[-1].data == {
        "role": "estimator",
        "name": "New",
    }
    assert trail.items[-2].data == {"before": "estimator", "after": "manager"}
    assert trail.items[1].data == {"count": 2}
    assert trail.items[0].actor == "command line"
    own = await services.users.events(admin, admin.user_id)
    assert [(e.event_type, e.actor) for e in own.items] == [("user_added", "first start")]


async def test_a_refused_change_writes_no_event(services):
    first = await services.users.create("root@example.com", "admin")
    admin = await services.users.authenticate_api_key(first.api_key)
    with pytest.raises(Conflict):
        await services.users.set_role(admin, admin.user_id, "ops")  # may not demote oneself
    trail = await services.users.events(admin, admin.user_id)
    assert [e.event_type for e in trail.items] == ["user_added"]


async def test_a_password_hash_made_with_other_argon2_parameters_is_upgraded_at_login(servers):
    from sqlalchemy import select

    from domain.users.models import User
    from domain.users.service import UserService
    from infra.db import Database
    from infra.passwords import Argon2Hasher
    from infra.uow import SqlUnitOfWork

    db = Database(servers["database_url"], pool_size=1)
    uow = SqlUnitOfWork(db)
    cheap = Argon2Hasher(time_cost=1, memory_kib=8, parallelism=1)
    stronger = Argon2Hasher(time_cost=2, memory_kib=16, parallelism=1)
    try:
        password = (await UserService(uow, cheap).create("ann@example.com", "ops")).password
        assert await UserService(uow, stronger).authenticate_password("ann@example.com", password) is not None
        async with db.transaction() as session:
            stored = (await session.execute(select(User.password_hash))).scalar_one()
        assert not stronger.needs_rehash(stored) and cheap.needs_rehash(stored)
        assert await UserService(uow, stronger).authenticate_password("ann@example.com", password) is not None
    finally:
        await db.dispose()
