"""Fixtures for the page tests (NiceGUI ``user`` fixture on the real services and test database).

Every test asks for ``services`` before ``user``: that starts the servers, empties the tables
and puts the database URLs in the environment before ``user`` runs app.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from nicegui.testing import User
from ui_helpers import new_user, submit_login

from domain.users.schemas import Actor

Login = Callable[..., Awaitable[Actor]]


@pytest.fixture
def login(services: Any, user: User) -> Login:
    """``await login('manager')``: create a user of that role and log in through the form."""

    async def _login(role: str = "estimator", email: str | None = None) -> Actor:
        actor, password = await new_user(services, role, email)
        await user.open("/login")
        await submit_login(user, actor.email, password)
        await user.should_see(marker="logout", retries=40)
        return actor

    return _login
