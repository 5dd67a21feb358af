"""CSV downloads for the signed-in browser, streamed (``domain.csv_export.csv_chunks``):

- ``GET /projects.csv``: every project of the list's filters and sort (``?q=&status=&sort=``, the
  list's own query string; the page and page size are ignored), the columns of the search export.
- ``GET /projects/{project_id}/history.csv``: a project's whole history, oldest first, each event
  with its time (UTC, ISO 8601), who, what, and the same readable lines the page shows.

Behind the login gate like every page; the session is re-checked here (a deactivated user's old
cookie gets nothing).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from nicegui import app

from components.timeline import describe, event_title
from domain.csv_export import csv_chunks, safe_cell
from domain.errors import NotFound
from domain.projects.schemas import EventOut
from pages.listing import ListView
from pages.session import current_actor, services, to_login

LIST_PATH = "/projects.csv"
HISTORY_PATH = "/projects/{project_id}/history.csv"
HISTORY_HEADER = ["event_id", "time_utc", "actor", "event", "details", "request_id"]


def history_href(project_id: str) -> str:
    return f"/projects/{project_id}/history.csv"


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


async def export_list(request: Request) -> Response:
    if await current_actor() is None:
        return to_login(request)
    query = ListView.from_query(request.query_params).service_query()
    return StreamingResponse(
        csv_chunks(services().projects.export(query)),
        media_type="text/csv; charset=utf-8",
        headers=_attachment("projects.csv"),
    )


async def history_rows(events: AsyncIterator[EventOut]) -> AsyncIterator[list[str]]:
    yield list(HISTORY_HEADER)
    async for event in events:
        shape = event.model_dump()
        yield [
            str(event.event_id),
            event.created_at.isoformat(),
            safe_cell(event.actor),
            event_title(event.event_type),
            safe_cell("; ".join(describe(shape))),
            event.request_id or "",
        ]


async def export_history(request: Request, project_id: str) -> Response:
    if await current_actor() is None:
        return to_login(request)
    svc = services()
    try:
        project = await svc.projects.get(project_id)
    except NotFound as exc:
        return Response(exc.message, status_code=404, media_type="text/plain; charset=utf-8")
    slug = re.sub(r"[^A-Za-z0-9]+", "-", project.name).strip("-")[:60] or "project"
    return StreamingResponse(
        csv_chunks(history_rows(svc.projects.all_events(project.project_id))),
        media_type="text/csv; charset=utf-8",
        headers=_attachment(f"{slug}-history.csv"),
    )


def add_export_routes() -> None:
    """Once per app (the composition may run again, as in the page tests)."""
    known = {getattr(r, "path", None) for r in app.routes}
    if LIST_PATH not in known:
        app.add_api_route(LIST_PATH, export_list, methods=["GET"], include_in_schema=False)
    if HISTORY_PATH not in known:
        app.add_api_route(HISTORY_PATH, export_history, methods=["GET"], include_in_schema=False)
