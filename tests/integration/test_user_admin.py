"""Admins manage users: each verb on the real database, who may call it, and the last-admin guard."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.users.schemas import Actor
from domain.users.service import LoginThrottled


async def _user(services: Any, email: str, role: str) -> tuple[Actor, str, str]:
    """A user of ``role``: the actor, the password and the first API key."""
    creds = await services.users.create(email, role, email.split("@")[0].title())
    actor = await services.users.authenticate_password(email, creds.password)
    assert actor is not None
    return actor, creds.password, creds.api_key


@pytest.fixture
async def admin(services: Any) -> Actor:
    actor, _, _ = await _user(services, "root@example.com", "admin")
    return actor


async def test_an_admin_adds_a_user_whose_password_and_key_work_at_once(services, admin):
    creds = await services.users.add_user(
        admin, email=" Ann@Example.com", role="estimator", name="  Ann  Lee "
    )

    assert creds.email == "ann@example.com" and creds.role == "estimator"
    actor = await services.users.authenticate_password("ann@example.com", creds.password)
    assert actor is not None and actor.name == "Ann Lee" and actor.role == "estimator"
    assert (await services.users.authenticate_api_key(creds.api_key)).email == "ann@example.com"


async def test_adding_refuses_bad_input_naming_the_field(services, admin):
    await services.users.add_user(admin, email="ann@example.com", role="ops")
    cases = [
        ({"email": "ann@example.com", "role": "ops"}, Conflict, "email"),
        ({"email": "not-an-email", "role": "ops"}, InvalidInput, "email"),
        ({"email": "bob@example.com", "role": "boss"}, InvalidInput, "role"),
        ({"email": "bob@example.com", "role": "ops", "name": "x" * 201}, InvalidInput, "name"),
    ]
    for kwargs, error, field in cases:
        with pytest.raises(error) as refused:
            await services.users.add_user(admin, **kwargs)
        assert refused.value.fields[0]["field"] == field, kwargs
    assert [u.email for u in await services.users.list()] == ["ann@example.com", "root@example.com"]


async def test_search_pages_through_users_by_email_and_filters_by_email_or_name(services, admin):
    for i in range(5):
        await services.users.add_user(admin, email=f"user{i}@example.com", role="ops", name=f"Person {i}")
    await services.users.add_user(admin, email="zed@example.com", role="ops", name="100% Sign_Maker")

    page = await services.users.search(admin, limit=3, offset=3)
    assert page.total == 7
    assert [u.email for u in page.items] == ["user2@example.com", "user3@example.com", "user4@example.com"]
    assert [u.email for u in (await services.users.search(admin, q="PERSON 3")).items] == [
        "user3@example.com"
    ]
    # Wildcards typed by a person are plain characters.
    assert [u.email for u in (await services.users.search(admin, q="0% sign_")).items] == ["zed@example.com"]
    assert (await services.users.search(admin, q="%")).total == 1


async def test_only_admins_may_manage_users(services, admin):
    target, _, _ = await _user(services, "eve@example.com", "estimator")
    for role in ("estimator", "manager", "ops"):
        actor, _, _ = await _user(services, f"{role}-actor@example.com", role)
        calls = [
            services.users.search(actor),
            services.users.add_user(actor, email="new@example.com", role="admin"),
            services.users.set_active(actor, target.user_id, False),
            services.users.set_role(actor, target.user_id, "admin"),
            services.users.reset_password(actor, target.user_id),
            services.users.new_api_key(actor, target.user_id),
            services.users.revoke_api_keys(actor, target.user_id),
        ]
        for call in calls:
            with pytest.raises(Forbidden, match="Only admins manage users"):
                await call
    assert (await services.users.get_actor(target.user_id)).role == "estimator"
    assert "new@example.com" not in [u.email for u in await services.users.list()]


async def test_an_admin_demoted_meanwhile_loses_the_powers_of_an_open_page(services, admin):
    other, _, _ = await _user(services, "other-admin@example.com", "admin")
    await services.users.set_role(admin, other.user_id, "manager")

    # ``other`` still carries role=admin from the session it read before the demotion.
    with pytest.raises(Forbidden):
        await services.users.set_role(other, admin.user_id, "ops")
    with pytest.raises(Forbidden):
        await services.users.add_user(other, email="sneaky@example.com", role="admin")


async def test_deactivating_stops_password_and_api_key_and_reactivating_restores_them(services, admin):
    eve, password, api_key = await _user(services, "eve@example.com", "estimator")

    out = await services.users.set_active(admin, eve.user_id, False)

    assert out.email == "eve@example.com" and out.is_active is False
    assert await services.users.authenticate_password("eve@example.com", password) is None
    assert await services.users.authenticate_api_key(api_key) is None
    assert await services.users.get_actor(eve.user_id) is None  # an open browser session ends too

    assert (await services.users.set_active(admin, eve.user_id, True)).is_active is True
    assert await services.users.authenticate_password("eve@example.com", password) is not None
    assert await services.users.authenticate_api_key(api_key) is not None


async def test_changing_the_role_takes_effect_for_the_next_request(services, admin):
    eve, _, api_key = await _user(services, "eve@example.com", "estimator")

    out = await services.users.set_role(admin, eve.user_id, "manager")

    assert out.role == "manager"
    assert (await services.users.authenticate_api_key(api_key)).role == "manager"
    assert (await services.users.get_actor(eve.user_id)).role == "manager"
    with pytest.raises(InvalidInput) as bad:
        await services.users.set_role(admin, eve.user_id, "boss")
    assert bad.value.fields == [{"field": "role", "message": "unknown role"}]


async def test_an_admin_may_not_deactivate_or_demote_themselves(services, admin):
    await _user(services, "second-admin@example.com", "admin")  # not the last admin: still refused

    with pytest.raises(Conflict, match="cannot deactivate your own account") as deactivate:
        await services.users.set_active(admin, admin.user_id, False)
    assert deactivate.value.fields[0]["field"] == "is_active"
    with pytest.raises(Conflict, match="cannot take away your own admin role") as demote:
        await services.users.set_role(admin, admin.user_id, "manager")
    assert demote.value.fields[0]["field"] == "role"

    me = await services.users.get_actor(admin.user_id)
    assert me is not None and me.role == "admin"
    # Harmless no-ops on oneself are fine.
    assert (await services.users.set_role(admin, admin.user_id, "admin")).role == "admin"
    assert (await services.users.set_active(admin, admin.user_id, True)).is_active is True


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(services, admin):
    other, _, _ = await _user(services, "other-admin@example.com", "admin")

    results = await asyncio.gather(
        services.users.set_role(admin, other.user_id, "manager"),
        services.users.set_role(other, admin.user_id, "manager"),
        return_exceptions=True,
    )

    assert sum(1 for r in results if isinstance(r, Forbidden)) == 1, results
    admins = [u for u in await services.users.list() if u.role == "admin" and u.is_active]
    assert len(admins) == 1


async def test_two_admins_deactivating_each_other_at_once_leave_one_admin(services, admin):
    other, _, _ = await _user(services, "other-admin@example.com", "admin")

    results = await asyncio.gather(
        services.users.set_active(admin, other.user_id, False),
        services.users.set_active(other, admin.user_id, False),
        return_exceptions=True,
    )

    assert sum(1 for r in results if isinstance(r, Forbidden)) == 1, results
    admins = [u for u in await services.users.list() if u.role == "admin" and u.is_active]
    assert len(admins) == 1


async def test_demoting_or_deactivating_another_admin_works_while_one_remains(services, admin):
    other, _, _ = await _user(services, "other-admin@example.com", "admin")
    third, _, _ = await _user(services, "third-admin@example.com", "admin")

    assert (await services.users.set_role(admin, other.user_id, "ops")).role == "ops"
    assert (await services.users.set_active(admin, third.user_id, False)).is_active is False
    # An inactive admin may be demoted: it never counted as one who can manage users.
    assert (await services.users.set_role(admin, third.user_id, "estimator")).role == "estimator"


async def test_reset_password_replaces_the_old_one_and_lifts_a_lock_out(services, admin):
    eve, old, _ = await _user(services, "eve@example.com", "estimator")
    for _ in range(5):
        await services.users.authenticate_password("eve@example.com", "guess")
    with pytest.raises(LoginThrottled):
        await services.users.authenticate_password("eve@example.com", old)

    new = await services.users.reset_password(admin, eve.user_id)

    assert new != old and len(new) >= 16
    assert await services.users.authenticate_password("eve@example.com", old) is None
    assert (await services.users.authenticate_password("eve@example.com", new)).email == "eve@example.com"


async def test_new_api_key_adds_a_key_and_revoking_ends_all_of_them(services, admin):
    eve, password, first = await _user(services, "eve@example.com", "estimator")

    second = await services.users.new_api_key(admin, eve.user_id)

    assert second != first
    assert (await services.users.authenticate_api_key(first)).email == "eve@example.com"
    assert (await services.users.authenticate_api_key(second)).email == "eve@example.com"

    assert await services.users.revoke_api_keys(admin, eve.user_id) == 2

    assert await services.users.authenticate_api_key(first) is None
    assert await services.users.authenticate_api_key(second) is None
    assert await services.users.revoke_api_keys(admin, eve.user_id) == 0
    # The password is not affected; a key issued afterwards works.
    assert await services.users.authenticate_password("eve@example.com", password) is not None
    third = await services.users.new_api_key(admin, eve.user_id)
    assert (await services.users.authenticate_api_key(third)).email == "eve@example.com"


async def test_no_new_api_key_for_a_deactivated_user(services, admin):
    eve, _, _ = await _user(services, "eve@example.com", "estimator")
    await services.users.set_active(admin, eve.user_id, False)

    with pytest.raises(Conflict, match="deactivated") as refused:
        await services.users.new_api_key(admin, eve.user_id)
    assert refused.value.fields[0]["field"] == "is_active"


async def test_an_unknown_user_id_is_not_found_naming_the_field(services, admin):
    for user_id in (str(uuid.uuid4()), "not-a-uuid"):
        calls = [
            services.users.set_active(admin, user_id, False),
            services.users.set_role(admin, user_id, "ops"),
            services.users.reset_password(admin, user_id),
            services.users.new_api_key(admin, user_id),
            services.users.revoke_api_keys(admin, user_id),
        ]
        for call in calls:
            with pytest.raises(NotFound) as missing:
                await call
            assert missing.value.fields[0]["field"] == "user_id"
