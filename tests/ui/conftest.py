"""Fixtures for the page tests (NiceGUI ``user`` fixture on the real services and test database).

Every test asks for ``services`` before ``user``: that starts the servers, empties the tables
and puts the database URLs in the environment before ``user`` runs app.py.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from nicegui.testing import User
from ui_helpers import new_user, submit_login

from domain.users.schemas import Actor
from pages.search_state import PAINTED_JS

Login = Callable[..., Awaitable[Actor]]


@pytest.fixture(autouse=True)
def _pages_built_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """The page tests look at a page as soon as ``user.open`` returns, so the page goes out whole:
    a busy test machine must not turn it into a skeleton filled in later (``pages.loading``; that
    path is covered in real Chromium, tests/browser/test_drafts_browser.py)."""
    from pages import loading

    monkeypatch.setattr(loading, "FIRST_PAINT_S", 10.0)


@pytest.fixture
def login(services: Any, user: User) -> Login:
    """``await login('manager')``: create a user of that role and log in through the form."""

    # The simulated browser has painted at once when the search page asks (PAINTED_JS).
    user.javascript_rules[re.compile(re.escape(PAINTED_JS))] = lambda _: None

    async def _login(role: str = "estimator", email: str | None = None) -> Actor:
        actor, password = await new_user(services, role, email)
        await user.open("/login")
        await submit_login(user, actor.email, password)
        await user.should_see(marker="logout", retries=40)
        return actor

    return _login
