"""``GET /search/export.csv``: the search page's CSV export for the signed-in browser (the API's
``/api/v1/search/export.csv`` is the same for API keys). Every matching row, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from nicegui import app
from pydantic import ValidationError

from pages.search_state import SearchView
from pages.session import current_actor, services, to_login

BATCH = 500


async def export_csv(request: Request) -> Response:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    try:
        query = SearchView.from_query(request.query_params).query(facets=False)
    except ValidationError:  # from_query drops what it cannot read; nothing should be left
        return JSONResponse({"error": "Invalid search."}, status_code=422)
    search = services().search

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        async for n, row in _numbered(search.export(actor, query)):
            writer.writerow(row)
            if n % BATCH == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="projects.csv"'},
    )


async def _numbered(rows: AsyncIterator[list[str]]) -> AsyncIterator[tuple[int, list[str]]]:
    n = 0
    async for row in rows:
        n += 1
        yield n, row


def add_export_route() -> None:
    app.add_api_route("/search/export.csv", export_csv, methods=["GET"], include_in_schema=False)
