"""The layout every signed-in page shares: header with navigation, who is signed in, logout.

Takes plain data and a callback; knows nothing about sessions or the database, so the pages
decide who the user is and what logging out means.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from nicegui import ui

from domain.users.roles import can_manage_users, can_view_jobs

APP_NAME = "SignX Studio"


@contextmanager
def frame(
    title: str,
    *,
    user_email: str,
    user_role: str,
    on_logout: Callable[[], Any],
    wide: bool = False,
) -> Iterator[ui.column]:
    """Header + a centred content column; the page builds its content inside the ``with`` block.
    ``wide`` for pages whose tables have many columns (the job monitor)."""
    ui.page_title(f"{title} · {APP_NAME}" if title else APP_NAME)
    with ui.header(elevated=True).classes("items-center justify-between px-6 py-2 bg-slate-800"):
        with ui.row().classes("items-center gap-6"):
            link = "text-white no-underline"
            ui.link(APP_NAME, "/projects").classes(f"text-lg font-bold {link}").mark("app-name")
            ui.link("Projects", "/projects").classes(link).mark("nav-projects")
            ui.link("Search", "/search").classes(link).mark("nav-search")
            if can_view_jobs(user_role):
                ui.link("Jobs", "/jobs").classes(link).mark("nav-jobs")
            if can_manage_users(user_role):  # the pure role rule on the role passed in: still plain data
                ui.link("Users", "/users").classes(link).mark("nav-users")
            ui.link("API docs", "/api/docs", new_tab=True).classes(link).mark("nav-api-docs")
        with ui.row().classes("items-center gap-3"):
            with (
                ui.link(target="/profile")
                .classes("row items-center gap-1 text-white no-underline")
                .mark("nav-profile")
                .tooltip("Your profile and e-mail notifications")
            ):
                ui.icon("person")
                ui.label(user_email).mark("user-email")
            ui.badge(user_role, color="blue-grey-4").mark("user-role")
            ui.button("Logout", icon="logout", on_click=on_logout).props("flat color=white").mark("logout")
    width = "max-w-screen-2xl" if wide else "max-w-6xl"
    with ui.column().classes(f"w-full {width} mx-auto p-4 gap-4") as content:
        yield content
