"""Browser sessions: a new session id at login and logout, and sessions ended by account changes.

An attacker who plants a session cookie before the victim logs in (session fixation), or who
keeps a cookie after logout, must hold a session that is signed in as nobody.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from itsdangerous import TimestampSigner
from nicegui import core
from nicegui.testing import User
from ui_helpers import new_user, submit_login

STORAGE_SECRET = "test-session-secret"  # what app.py passes to ui.run under the `user` fixture


def session_id(cookie: str) -> str:
    data = TimestampSigner(STORAGE_SECRET).unsign(cookie.encode())
    return str(json.loads(base64.b64decode(data))["id"])


async def signed_in(cookie: str, path: str = "/projects") -> bool:
    """Whether a browser holding only this cookie gets the page (not the way to the login)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(core.app), base_url="http://test", cookies={"session": cookie}
    ) as browser:
        response = await browser.get(path)
    if response.status_code == 303:
        assert response.headers["location"].startswith("/login")
        return False
    assert response.status_code == 200
    return True


def record_navigation(user: User) -> list[str]:
    urls: list[str] = []
    follow = user.navigate.to

    def to(target: Any, new_tab: bool = False) -> None:
        urls.append(target)
        follow(target, new_tab)

    user.navigate.to = to  # type: ignore[method-assign]
    return urls


async def log_in(user: User, email: str, password: str) -> None:
    await submit_login(user, email, password)
    await user.should_see(marker="logout", retries=40)


async def test_login_issues_a_new_session_id_and_the_planted_one_stays_signed_out(services, user: User):
    _, password = await new_user(services, "admin", "root@signx.test")
    await user.open("/login")
    planted = user.http_client.cookies["session"]  # what an attacker could have set beforehand

    await log_in(user, "root@signx.test", password)

    mine = user.http_client.cookies["session"]
    assert session_id(mine) != session_id(planted)
    assert await signed_in(mine)
    assert not await signed_in(planted)


async def test_the_completion_link_works_once_and_only_with_its_own_session(services, user: User):
    _, password = await new_user(services, "estimator")
    await user.open("/login")
    before = user.http_client.cookies["session"]
    urls = record_navigation(user)

    await log_in(user, "estimator@signx.test", password)

    (link,) = [u for u in urls if u.startswith("/login/complete")]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(core.app), base_url="http://test") as stranger:
        await stranger.get("/login")
        assert (await stranger.get(link)).headers["location"] == "/login"  # another browser
        assert not await signed_in(stranger.cookies["session"])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(core.app), base_url="http://test", cookies={"session": before}
    ) as replay:
        assert (await replay.get(link)).headers["location"] == "/login"  # used already
        assert not await signed_in(replay.cookies.get("session") or before)


async def test_a_guessed_token_does_not_sign_in(services, user: User):
    await user.open("/login")
    cookie = user.http_client.cookies["session"]
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(core.app), base_url="http://test", cookies={"session": cookie}
    ) as browser:
        response = await browser.get("/login/complete?token=guessed")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert not await signed_in(cookie)


async def test_logout_kills_the_session_the_browser_held(services, user: User):
    _, password = await new_user(services, "manager")
    await user.open("/login")
    await log_in(user, "manager@signx.test", password)
    signed_in_cookie = user.http_client.cookies["session"]
    assert await signed_in(signed_in_cookie)

    user.find(marker="logout").click()
    await user.should_see("Log in with your work email.", retries=20)

    assert session_id(user.http_client.cookies["session"]) != session_id(signed_in_cookie)
    assert not await signed_in(signed_in_cookie)


@pytest.mark.parametrize("change", ["reset_password", "deactivate", "promote"])
async def test_an_admin_change_to_an_account_ends_its_open_sessions(services, user: User, change: str):
    admin, _ = await new_user(services, "admin", "root@signx.test")
    eve, password = await new_user(services, "estimator", "eve@signx.test")
    await user.open("/login")
    await log_in(user, eve.email, password)
    eves_cookie = user.http_client.cookies["session"]

    if change == "reset_password":
        password = await services.users.reset_password(admin, eve.user_id)
    elif change == "deactivate":
        await services.users.set_active(admin, eve.user_id, False)
        await services.users.set_active(admin, eve.user_id, True)  # back, but the session stays ended
    else:
        await services.users.set_role(admin, eve.user_id, "manager")

    assert not await signed_in(eves_cookie)
    await user.open("/projects")
    await user.should_see("Log in with your work email.")
    await log_in(user, eve.email, password)  # a new login works as usual
    assert await signed_in(user.http_client.cookies["session"])


async def test_a_demotion_or_an_unrelated_change_leaves_a_session_alone(services, user: User):
    admin, _ = await new_user(services, "admin", "root@signx.test")
    other, _ = await new_user(services, "ops", "olga@signx.test")
    eve, password = await new_user(services, "manager", "eve@signx.test")
    await user.open("/login")
    await log_in(user, eve.email, password)

    await services.users.reset_password(admin, other.user_id)
    await services.users.new_api_key(admin, eve.user_id)
    # Lost powers are gone at the next action anyway (the role is re-read every time).
    await services.users.set_role(admin, eve.user_id, "estimator")

    assert await signed_in(user.http_client.cookies["session"])
