"""What a person sees when an address leads nowhere or a page fails: the app's own pages, never
NiceGUI's bare error page with the exception's class, message or SQL in it.

A failing page is logged here with its traceback and the request id (which the structured log
lines carry too); the person gets only that id, to quote when they report it.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from nicegui import Client, app, ui
from starlette.exceptions import HTTPException
from starlette.responses import Response

from components.frame import APP_NAME
from pages.session import HOME, LOGIN, current_actor
from pages.shell import page_frame

log = logging.getLogger("signx.pages")

NOT_FOUND_TITLE = "Page not found"
FAILED_TITLE = "Something went wrong"


def request_id_of(request: Request | None) -> str:
    """The id RequestMiddleware gave this request (also in the response's ``X-Request-ID``)."""
    if request is None:
        return "unknown"
    return str(request.scope.get("state", {}).get("request_id") or "unknown")


def not_found_content(*, signed_in: bool) -> None:
    with ui.card().classes("w-full items-start").mark("page-not-found"):
        ui.label(NOT_FOUND_TITLE).classes("text-2xl font-bold")
        ui.label("There is nothing at this address. The link may be old or mistyped.")
        if signed_in:
            ui.link("Back to projects", HOME)
        else:
            ui.link("Log in", LOGIN)


def failed_content(request_id: str) -> None:
    with (
        ui.column().classes("w-full max-w-2xl mx-auto p-8 gap-3"),
        ui.card().classes("w-full items-start").mark("page-failed"),
    ):
        ui.label(FAILED_TITLE).classes("text-2xl font-bold")
        ui.label(
            "This page could not be shown. It was not your fault, and the problem has been logged. "
            "Try again in a moment; if it keeps happening, tell an admin this reference:"
        )
        ui.label(request_id).classes("font-mono select-all bg-grey-2 rounded px-2 py-1").mark("request-id")
        ui.link("Back to projects", HOME)


async def not_found(request: Request, exc: Exception) -> Response:
    """Unknown addresses get the app's frame (signed in) or a plain page; a route that is not a
    page (the API, the probes) answering 404 keeps its JSON answer."""
    if request.scope.get("endpoint") is not None and not request.scope.get("nicegui_page_path"):
        assert isinstance(exc, HTTPException)
        return await http_exception_handler(request, exc)
    actor = await current_actor()
    with Client(ui.page(""), request=request) as client:
        if actor is None:
            ui.page_title(f"{NOT_FOUND_TITLE} · {APP_NAME}")
            with ui.column().classes("w-full max-w-2xl mx-auto p-8"):
                not_found_content(signed_in=False)
        else:
            with page_frame(NOT_FOUND_TITLE, actor):
                not_found_content(signed_in=True)
    return client.build_response(request, 404)


def page_failed(exc: Exception) -> None:
    """Builds the error page NiceGUI serves (status 500) when a page function raises."""
    request = ui.context.client.request
    request_id = request_id_of(request)
    log.error(
        "page failed",
        exc_info=exc,
        extra={"path": request.url.path if request else None, "failed_request_id": request_id},
    )
    ui.page_title(f"{FAILED_TITLE} · {APP_NAME}")
    failed_content(request_id)


def install() -> None:
    app.exception_handler(404)(not_found)
    app.on_page_exception(page_failed)
