"""Who is signed in, for the pages: the login gate, the services handle, sign-in and sign-out.

The browser session is NiceGUI's ``app.storage.user``: server-side, keyed by the session id in
a signed cookie. It holds only the user id and the account's session epoch at sign-in. Every
page load re-reads the actor from the database, so a deactivated user or a changed role takes
effect on the next page, and a session signed in under an older epoch (password set or reset,
deactivation, promotion since) has ended.

The session id changes at sign-in and at sign-out, so an id planted in a browser before login
(session fixation) or kept after logout never names a signed-in session. Logging in runs over
the websocket, which cannot set a cookie: the login form leaves a short-lived one-time token in
the (anonymous) session and sends the browser to ``/login/complete``, an HTTP route that checks
it, moves the sign-in to a fresh session id and redirects to the page asked for.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.services import Services
from domain.users.schemas import Actor
from infra import tracing
from infra.metrics import PAGE_ACTIONS

USER_ID = "user_id"
EPOCH = "session_epoch"
PENDING = "pending_login"
HOME = "/projects"
LOGIN = "/login"
LOGIN_COMPLETE = "/login/complete"
LOGOUT = "/logout"
# How long the browser has to follow the login form to LOGIN_COMPLETE.
PENDING_SECONDS = 60

# Paths that answer without a browser login: the login page and its completion, logout, NiceGUI's
# assets and websocket, the API (API keys), the probes and the metrics.
OPEN_PATHS = ("/login", "/logout", "/api", "/health", "/ready", "/metrics", "/favicon.ico")


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
    if parts.path in {LOGIN, LOGOUT} or parts.path.startswith(LOGIN + "/"):
        return HOME
    return target


def login_url(next_path: str | None = None) -> str:
    target = safe_redirect(next_path)
    return LOGIN if target == HOME else f"{LOGIN}?{urlencode({'redirect_to': target})}"


class LoginRequired:
    """Sends every page request without a signed-in user to the login page (pure ASGI).

    Runs inside NiceGUI's session middleware, which has made ``app.storage.user`` available.
    """

    def __init__(self, inner: ASGIApp) -> None:
        self.inner = inner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_open_path(scope["path"]) or app.storage.user.get(USER_ID):
            await self.inner(scope, receive, send)
            return
        await to_login(Request(scope))(scope, receive, send)


@contextmanager
def page_action(name: str, *, kind: str | None = None) -> Iterator[None]:
    """One user action over the websocket: its server time in ``signx_page_action_duration_seconds``
    (by ``kind``, default ``name``: a label of few values), and a span (``SIGNX_OTLP_ENDPOINT``):
    there is no HTTP request to trace, and what the action queues through the outbox continues
    this trace to the worker's task. The span is free when tracing is off."""
    started = time.perf_counter()
    try:
        with tracing.span(f"page: {name}", kind="server"):
            yield
    finally:
        PAGE_ACTIONS.labels(kind or name).observe(time.perf_counter() - started)


def action_id() -> str:
    """A request id for one user action over the websocket (there is no HTTP request to take it from),
    recorded with the audit event it causes."""
    return f"ui-{uuid.uuid4().hex}"


def services() -> Services:
    services: Services = app.state.services
    return services


async def current_actor() -> Actor | None:
    """The signed-in actor, freshly read; ends the session when the user is gone or inactive, or
    the account's sessions were ended since this one signed in."""
    storage = app.storage.user
    user_id = storage.get(USER_ID)
    if not user_id:
        return None
    actor = await services().users.get_actor(str(user_id))
    if actor is None or actor.session_epoch != storage.get(EPOCH):
        storage.clear()
        return None
    return actor


def begin_sign_in(actor: Actor, target: str) -> str:
    """Called by the login form (over the websocket) for verified credentials: leaves a one-time
    token in this browser's session and returns the URL that completes the sign-in.

    The token is bound to this session and useless without its cookie; the cookie is useless
    without the token, which only this browser saw. Nothing is signed in until the browser
    follows the URL, and then under a new session id.
    """
    token = secrets.token_urlsafe(32)
    storage = app.storage.user
    storage.clear()
    storage[PENDING] = {
        "token": token,
        "user_id": actor.user_id,
        "epoch": actor.session_epoch,
        "target": safe_redirect(target),
        "expires": time.time() + PENDING_SECONDS,
    }
    return f"{LOGIN_COMPLETE}?{urlencode({'token': token})}"


async def complete_sign_in(request: Request, token: str = "") -> RedirectResponse:
    """``GET /login/complete``: sign in under a fresh session id, then on to the page asked for."""
    storage = app.storage.user
    pending: Any = storage.get(PENDING)
    if (
        not isinstance(pending, dict)
        or not token
        or not secrets.compare_digest(str(pending.get("token")), token)
    ):
        # A stale or foreign link: the session is left as it was (a third party cannot wipe it).
        return RedirectResponse(LOGIN, status_code=303)
    storage.clear()  # the pre-login session id names nothing from now on
    if float(pending.get("expires", 0)) < time.time():
        return RedirectResponse(LOGIN, status_code=303)
    fresh = await _new_session_id(request)
    fresh[USER_ID] = pending["user_id"]
    fresh[EPOCH] = pending["epoch"]
    return RedirectResponse(safe_redirect(pending.get("target")), status_code=303)


def sign_out() -> None:
    """The Logout button: end the session now, then let the HTTP route give the browser a new id."""
    app.storage.user.clear()
    ui.navigate.to(LOGOUT)


async def logout(request: Request) -> RedirectResponse:
    """``GET /logout``: clear the session and replace its id, so the old cookie names nothing."""
    app.storage.user.clear()
    await _new_session_id(request)
    return RedirectResponse(LOGIN, status_code=303)


async def _new_session_id(request: Request) -> Any:
    """Give this browser a new session id (the session cookie is re-sent with the response) and
    return its empty storage.

    NiceGUI creates a session's storage when a request first carries its id; a new id set in
    mid-request needs its storage made here, the same way.
    """
    session_id = str(uuid.uuid4())
    request.session["id"] = session_id
    await app.storage._create_user_storage(session_id)  # noqa: SLF001
    return app.storage.user


def add_session_routes() -> None:
    app.add_api_route(LOGIN_COMPLETE, complete_sign_in, methods=["GET"], include_in_schema=False)
    app.add_api_route(LOGOUT, logout, methods=["GET"], include_in_schema=False)


def to_login(request: Request) -> RedirectResponse:
    """The response for a page whose session no longer names an active user."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(login_url(here), status_code=303)
