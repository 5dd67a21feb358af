"""Shared helpers for the page tests: users, projects, and reading what the page shows."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from domain.projects.schemas import ProjectCreate, ProjectOut
from domain.users.schemas import Actor
from tests.waiting import eventually

__all__ = ["eventually"]


async def new_user(services: Any, role: str, email: str | None = None) -> tuple[Actor, str]:
    """A user of ``role``; returns the actor (for service calls) and the password."""
    email = email or f"{role}@signx.test"
    creds = await services.users.create(email, role, role.title())
    actor = await services.users.authenticate_password(email, creds.password)
    assert actor is not None
    return actor, creds.password


async def submit_login(user: User, email: str, password: str) -> None:
    user.find(marker="email").clear().type(email)
    user.find(marker="password").clear().type(password)
    user.find(marker="login-button").click()


async def make_project(services: Any, actor: Actor, name: str, **fields: str) -> ProjectOut:
    data = {"account_id": "ACME-01", "customer": "Acme Fuel", "site_address": "1 Main St", **fields}
    return await services.projects.create(actor, ProjectCreate(name=name, **data))


def table_rows(user: User) -> list[dict[str, Any]]:
    # Also when hidden (the page hides an empty table and says so instead).
    (table,) = [e for e in user.current_layout.descendants() if "projects-table" in e._markers]
    assert isinstance(table, ui.table)
    return table.rows


def names(user: User) -> list[str]:
    return [row["name"] for row in table_rows(user)]


class _RecordedHistory:
    def __init__(self) -> None:
        self.urls: list[str] = []

    def push(self, url: str) -> None:
        self.urls.append(url)

    def replace(self, url: str) -> None:
        self.urls.append(url)


def capture_urls(user: User) -> list[str]:
    """The URLs the page writes into the address bar (``ui.navigate.history``), in order.

    The simulated browser has no address bar; this records what a real one would show.
    """
    history = _RecordedHistory()
    user.navigate.history = history  # type: ignore[assignment]
    return history.urls


def page_event(user: User, event: str) -> None:
    """A page-wide event as the shared script sends it (``emitEvent``): ``signx_save`` for
    Ctrl/Cmd+S, ``signx_shortcuts`` for ``?`` (components/everyday.js)."""
    UserInteraction(user, {user.current_layout}, None).trigger(event)
