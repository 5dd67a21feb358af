"""``GET /search/export.csv``: the search page's CSV export for the signed-in browser (the API's
``/api/v1/search/export.csv`` is the same for API keys). Every matching row, streamed."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from nicegui import app
from pydantic import ValidationError

from domain.csv_export import csv_chunks
from pages.search_state import SearchView
from pages.session import current_actor, services, to_login


async def export_csv(request: Request) -> Response:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    try:
        query = SearchView.from_query(request.query_params).query(facets=False)
    except ValidationError:  # from_query drops what it cannot read; nothing should be left
        return JSONResponse({"error": "Invalid search."}, status_code=422)
    return StreamingResponse(
        csv_chunks(services().search.export(actor, query)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="projects.csv"'},
    )


def add_export_route() -> None:
    app.add_api_route("/search/export.csv", export_csv, methods=["GET"], include_in_schema=False)
