"""A person's small display choices: the colour theme and the project list's page size.

Kept per account, not per browser session: NiceGUI's ``app.storage.user`` is emptied at every
sign-in and sign-out (the session id changes then, see ``pages.session``), so a choice kept there
would be forgotten at the next login. ``app.storage.general`` is the server's own small JSON store
(no database table needed for two settings); it is keyed here by user id. Values read back are
checked like any input: an unknown theme or page size is the default.
"""

from __future__ import annotations

from typing import Any

from nicegui import app

THEMES = ("auto", "light", "dark")
THEME_DEFAULT = "auto"
STORE = "preferences"


def _key(user_id: str) -> str:
    return f"{STORE}:{user_id}"


def _of(user_id: str) -> dict[str, Any]:
    mine = app.storage.general.get(_key(user_id))
    return dict(mine) if isinstance(mine, dict) else {}


def _set(user_id: str, key: str, value: Any) -> None:
    mine = _of(user_id)
    if mine.get(key) != value:
        app.storage.general[_key(user_id)] = {**mine, key: value}


def theme(user_id: str) -> str:
    value = _of(user_id).get("theme")
    return value if value in THEMES else THEME_DEFAULT


def set_theme(user_id: str, value: str) -> None:
    if value in THEMES:
        _set(user_id, "theme", value)


def per_page(user_id: str, allowed: tuple[int, ...], default: int) -> int:
    value = _of(user_id).get("per_page")
    return value if isinstance(value, int) and value in allowed else default


def set_per_page(user_id: str, value: int) -> None:
    _set(user_id, "per_page", int(value))
