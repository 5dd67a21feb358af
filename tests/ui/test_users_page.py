"""/users: admins manage accounts; everyone else is refused. As a person sees it."""

from __future__ import annotations

import json
import re

from nicegui import ui
from nicegui.testing import User
from ui_helpers import capture_urls, new_user, submit_login


def shown_secret(user: User, key: str) -> str:
    (label,) = user.find(marker=f"secret-{key}").elements
    assert isinstance(label, ui.label)
    return label.text


def record_clipboard(user: User) -> list[str]:
    """What the copy buttons put on the clipboard (the simulated browser has none)."""
    copied: list[str] = []

    def copy(match: re.Match) -> bool:  # type: ignore[type-arg]
        copied.append(json.loads(match.group(1)))
        return True

    user.javascript_rules[re.compile(r"\(async \(text\) =>.*\}\)\((\".*\")\)$", re.S)] = copy
    return copied


def role_shown(user: User, email: str) -> str:
    with user.scope(marker=f"user-row-{email}"):
        (select,) = user.find(marker="role").elements
    assert isinstance(select, ui.select)
    return str(select.options[select.value])  # type: ignore[index]


async def open_users(user: User) -> None:
    user.find(marker="nav-users").click()
    await user.should_see(marker="users-table", retries=40)


async def test_an_admin_adds_a_user_and_sees_the_password_and_key_once(services, user: User, login):
    await login("admin")
    await open_users(user)
    copied = record_clipboard(user)

    user.find(marker="add-user").click()
    with user.scope(marker="add-user-dialog"):
        user.find(marker="add-email").type("Nina@SignX.test")
        user.find(marker="add-name").type("Nina Novak")
        user.find(marker="add-role").click()
        user.find("Manager").click()
        await user.should_see("Edits all projects; accepts, rejects and reopens them.")
        user.find(marker="add-submit").click()

    await user.should_see("nina@signx.test was added", retries=40)
    await user.should_see("Copy them now: they will not be shown again. Only hashes of them are stored.")
    password, api_key = shown_secret(user, "password"), shown_secret(user, "api-key")
    assert (await services.users.authenticate_password("nina@signx.test", password)).role == "manager"
    assert (await services.users.authenticate_api_key(api_key)).email == "nina@signx.test"

    user.find(marker="copy-password").click()
    await user.should_see("Copied to the clipboard.", retries=20)
    assert copied == [password]

    user.find(marker="shown-once-close").click()
    await user.should_not_see(password, retries=20)
    await user.should_not_see(api_key)
    with user.scope(marker="user-row-nina@signx.test"):
        await user.should_see("Nina Novak")
        await user.should_see(marker="active-state", content="Active")
    assert role_shown(user, "nina@signx.test") == "Manager"
    await user.should_see("2 users")

    # Nowhere to be found again, also not after a reload.
    await user.open("/users")
    await user.should_see("nina@signx.test")
    await user.should_not_see(password)


async def test_add_user_shows_problems_next_to_the_fields(services, user: User, login):
    await login("admin")
    await new_user(services, "estimator", "taken@signx.test")
    await user.open("/users")

    user.find(marker="add-user").click()
    user.find(marker="add-submit").click()
    await user.should_see(marker="add-email", content="Required")

    user.find(marker="add-email").type("not an email")
    user.find(marker="add-submit").click()
    await user.should_see(marker="add-email", content="Not a valid email address.", retries=40)

    user.find(marker="add-email").clear().type("TAKEN@signx.test")
    user.find(marker="add-submit").click()
    await user.should_see(marker="add-email", content="A user taken@signx.test already exists.", retries=40)
    await user.should_not_see(marker="shown-once-dialog")
    assert len(await services.users.list()) == 2


async def test_people_who_are_not_admins_see_no_users_link_and_are_refused(services, user: User, login):
    await login("manager")
    await user.should_see(marker="nav-projects")
    await user.should_not_see(marker="nav-users")
    await user.should_not_see("Users")

    await user.open("/users")

    with user.scope(marker="users-refused"):
        await user.should_see("Only admins manage users")
        await user.should_see("You are signed in as manager.")
    await user.should_not_see(marker="add-user")
    await user.should_not_see(marker="users-table")
    await user.should_not_see("admin@signx.test")


async def test_a_deactivated_user_can_no_longer_log_in(services, user: User, login):
    await login("admin")
    _, password = await new_user(services, "estimator", "eve@signx.test")
    await open_users(user)

    with user.scope(marker="user-row-eve@signx.test"):
        user.find(marker="deactivate").click()
    await user.should_see("Deactivate eve@signx.test?")
    user.find(marker="confirm-ok").click()

    await user.should_see("eve@signx.test is deactivated.", retries=40)
    with user.scope(marker="user-row-eve@signx.test"):
        await user.should_see(marker="active-state", content="Deactivated")
        await user.should_see(marker="activate")

    user.find(marker="logout").click()
    await user.should_see("Log in with your work email.", retries=20)
    await submit_login(user, "eve@signx.test", password)
    await user.should_see("Wrong email or password.", retries=40)
    await user.should_not_see(marker="logout")


async def test_cancelling_the_confirmation_changes_nothing(services, user: User, login):
    await login("admin")
    eve, password = await new_user(services, "estimator", "eve@signx.test")
    await user.open("/users")

    with user.scope(marker="user-row-eve@signx.test"):
        user.find(marker="deactivate").click()
    user.find(marker="confirm-cancel").click()
    with user.scope(marker="user-row-eve@signx.test"):
        user.find(marker="reset-password").click()
    user.find(marker="confirm-cancel").click()

    await user.should_not_see(marker="confirm-dialog", retries=20)
    with user.scope(marker="user-row-eve@signx.test"):
        await user.should_see(marker="active-state", content="Active")
    assert await services.users.authenticate_password(eve.email, password) is not None


async def test_an_admin_changes_a_role(services, user: User, login):
    await login("admin")
    eve, _ = await new_user(services, "estimator", "eve@signx.test")
    await open_users(user)

    with user.scope(marker="user-row-eve@signx.test"):
        user.find(marker="role").click()
        user.find("Ops").click()

    await user.should_see("eve@signx.test is now ops.", retries=40)
    assert (await services.users.get_actor(eve.user_id)).role == "ops"
    await user.open("/users")
    assert role_shown(user, "eve@signx.test") == "Ops"


async def test_an_admin_cannot_demote_or_deactivate_themselves_here(services, user: User, login):
    me = await login("admin")
    await user.open("/users")

    with user.scope(marker=f"user-row-{me.email}"):
        await user.should_see("you")
        (role,) = user.find(marker="role").elements
        (deactivate,) = user.find(marker="deactivate").elements
    assert not role.enabled and not deactivate.enabled


async def test_a_refusal_is_shown_next_to_what_it_concerns(services, user: User, login):
    me = await login("admin")
    eve, _ = await new_user(services, "estimator", "eve@signx.test")
    await user.open("/users")
    await services.users.set_active(me, eve.user_id, False)  # meanwhile, in another tab

    with user.scope(marker="user-row-eve@signx.test"):
        user.find(marker="new-api-key").click()  # the page still shows eve as active

    message = "eve@signx.test is deactivated: activate the account first, or the key would not work."
    await user.should_see(marker="active-error", content=message, retries=40)
    with user.scope(marker="user-row-eve@signx.test"):
        await user.should_see(marker="active-state", content="Deactivated")  # the list was re-read
    await user.should_not_see(marker="shown-once-dialog")


async def test_reset_password_shows_the_new_password_once(services, user: User, login):
    await login("admin")
    eve, old = await new_user(services, "estimator", "eve@signx.test")
    await user.open("/users")

    with user.scope(marker="user-row-eve@signx.test"):
        user.find(marker="reset-password").click()
    await user.should_see("Their current password stops working at once.")
    user.find(marker="confirm-ok").click()

    await user.should_see(marker="shown-once-title", content="New password", retries=40)
    await user.should_see("Copy it now: it will not be shown again. Only a hash of it is stored.")
    new = shown_secret(user, "password")
    assert await services.users.authenticate_password(eve.email, old) is None
    assert await services.users.authenticate_password(eve.email, new) is not None
    user.find(marker="shown-once-close").click()
    await user.should_not_see(new, retries=20)


async def test_new_api_key_is_shown_once_and_revoking_ends_every_key(services, user: User, login):
    await login("admin")
    creds = await services.users.create("bot@signx.test", "ops", "Bot")
    await user.open("/users")

    with user.scope(marker="user-row-bot@signx.test"):
        user.find(marker="new-api-key").click()
    await user.should_see(marker="shown-once-title", content="New API key", retries=40)
    key = shown_secret(user, "api-key")
    assert (await services.users.authenticate_api_key(key)).email == "bot@signx.test"
    user.find(marker="shown-once-close").click()
    await user.should_not_see(key, retries=20)

    with user.scope(marker="user-row-bot@signx.test"):
        user.find(marker="revoke-api-keys").click()
    await user.should_see("Revoke every API key of bot@signx.test?")
    user.find(marker="confirm-ok").click()

    await user.should_see("Revoked 2 API keys of bot@signx.test.", retries=40)
    assert await services.users.authenticate_api_key(key) is None
    assert await services.users.authenticate_api_key(creds.api_key) is None


async def test_the_search_narrows_the_list_and_is_kept_in_the_url(services, user: User, login):
    await login("admin")
    for name in ("Anna", "Bert", "Carla"):
        await new_user(services, "estimator", f"{name.lower()}@signx.test")
    await user.open("/users")
    urls = capture_urls(user)
    await user.should_see("4 users")

    user.find(marker="user-search").type("carl")

    await user.should_see("1 user", retries=40)
    await user.should_see("carla@signx.test")
    await user.should_not_see("anna@signx.test")
    assert urls[-1] == "/users?q=carl"
    await user.open(urls[-1])
    await user.should_see("1 user")
    await user.should_see("carla@signx.test")


async def test_the_list_is_paged_on_the_server_and_the_page_kept_in_the_url(services, user: User, login):
    await login("admin")
    for i in range(26):
        await services.users.create(f"person{i:02d}@signx.test", "estimator")
    await user.open("/users")
    urls = capture_urls(user)
    await user.should_see("27 users")
    await user.should_see("person23@signx.test")
    await user.should_not_see("person24@signx.test")  # admin@ sorts first: 25 rows end with person23

    (pages,) = user.find(marker="user-pages").elements
    with user:
        pages.value = 2

    await user.should_see("person25@signx.test", retries=40)
    await user.should_not_see("person23@signx.test")
    assert urls[-1] == "/users?page=2"
    await user.open(urls[-1])
    await user.should_see("person24@signx.test")
    await user.should_not_see(marker="user-email-cell", content="admin@signx.test")


async def test_an_admin_demoted_meanwhile_is_refused_by_the_open_page(services, user: User, login):
    me = await login("admin")
    other, _ = await new_user(services, "admin", "other-admin@signx.test")
    eve, _ = await new_user(services, "estimator", "eve@signx.test")
    await user.open("/users")

    await services.users.set_role(other, me.user_id, "manager")  # another admin, elsewhere
    with user.scope(marker="user-row-eve@signx.test"):
        user.find(marker="role").click()
        user.find("Admin").click()

    await user.should_see(marker="users-refused", retries=40)
    with user.scope(marker="users-refused"):
        await user.should_see("Only admins manage users")
        await user.should_see("You are signed in as manager.")
    assert (await services.users.get_actor(eve.user_id)).role == "estimator"


async def test_an_admin_reads_the_history_of_an_account(services, user: User, login):
    await login("admin")
    eve, _ = await new_user(services, "estimator", "eve@signx.test")
    await open_users(user)
    with user.scope(marker="user-row-eve@signx.test"):
        user.find(marker="role").click()
        user.find("Ops").click()
    await user.should_see("eve@signx.test is now ops.", retries=40)

    with user.scope(marker="user-row-eve@signx.test"):
        user.find(marker="history").click()
    await user.should_see(marker="history-dialog", retries=40)
    await user.should_see("History of eve@signx.test")
    await user.should_see("Role changed")
    await user.should_see("Role: Estimator → Ops")  # labels people read, not the stored keys
    await user.should_not_see("Role: “estimator” → “ops”")
    await user.should_see("Role: Estimator")  # the account's creation, with its first role
    await user.should_not_see("role: “estimator”")
    await user.should_see("Account created")
