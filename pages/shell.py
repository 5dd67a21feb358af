"""The frame of a signed-in page, filled in for the actor: who is signed in, how logging out
works, and the theme they chose (kept per account, ``pages.preferences``). Every signed-in page
opens its content with ``with page_frame(title, actor):``."""

from __future__ import annotations

from contextlib import AbstractContextManager

from nicegui import ui

from components.frame import frame
from domain.users.schemas import Actor
from pages import preferences
from pages.session import sign_out


def page_frame(title: str, actor: Actor, *, wide: bool = False) -> AbstractContextManager[ui.element]:
    user_id = actor.user_id
    return frame(
        title,
        user_email=actor.email,
        user_role=actor.role,
        on_logout=sign_out,
        wide=wide,
        theme=preferences.theme(user_id),
        on_theme=lambda chosen: preferences.set_theme(user_id, chosen),
    )
