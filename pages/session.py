"""Who is signed in, for the pages: the login gate, the services handle, sign-in and sign-out.

The browser session (``app.storage.user``, server-side, keyed by a signed cookie) holds only the
user id. Every page load re-reads the actor from the database, so a deactivated user or a
changed role takes effect on the next page without a new login.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from domain.services import Services
from domain.users.schemas import Actor

USER_ID = "user_id"
HOME = "/projects"
LOGIN = "/login"

# Paths that answer without a browser login: the login page itself, NiceGUI's assets and
# websocket, the API (API keys), the probes and the metrics.
OPEN_PATHS = ("/login", "/api", "/health", "/ready", "/metrics", "/favicon.ico")


def is_open_path(path: str) -> bool:
    if path.startswith("/_nicegui"):  # /_nicegui/... assets and /_nicegui_ws socket.io
        return True
    return any(path == p or path.startswith(p + "/") for p in OPEN_PATHS)


def safe_redirect(target: str | None) -> str:
    """Only same-site paths: ``//evil.example`` or ``https://...`` would make us an open redirect.

    Browsers drop tabs and line breaks from URLs (``/\t/evil.example`` becomes
    ``//evil.example``), so any control character disqualifies the target too.
    """
    if (
        not target
        or not target.startswith("/")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)
    ):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    if target == LOGIN or target.startswith(LOGIN + "?"):
        return HOME
    return target


def login_url(next_path: str | None = None) -> str:
    target = safe_redirect(next_path)
    return LOGIN if target == HOME else f"{LOGIN}?{urlencode({'redirect_to': target})}"


class LoginRequired(BaseHTTPMiddleware):
    """Sends every page request without a signed-in user to the login page."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if not is_open_path(request.url.path) and not app.storage.user.get(USER_ID):
            here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(login_url(here), status_code=303)
        return await call_next(request)


def action_id() -> str:
    """A request id for one user action over the websocket (there is no HTTP request to take it from),
    recorded with the audit event it causes."""
    return f"ui-{uuid.uuid4().hex}"


def services() -> Services:
    services: Services = app.state.services
    return services


async def current_actor() -> Actor | None:
    """The signed-in actor, freshly read; clears the session when the user is gone or inactive."""
    user_id = app.storage.user.get(USER_ID)
    if not user_id:
        return None
    actor = await services().users.get_actor(str(user_id))
    if actor is None:
        app.storage.user.clear()
    return actor


def sign_in(actor: Actor) -> None:
    app.storage.user.clear()
    app.storage.user[USER_ID] = actor.user_id


def sign_out() -> None:
    app.storage.user.clear()
    ui.navigate.to(LOGIN)


def to_login(request: Request) -> RedirectResponse:
    """The response for a page whose session no longer names an active user."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(login_url(here), status_code=303)
