"""/api/v1/search: the search page's search as JSON, and its CSV export (every matching row)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from api.contract import Envelope, errors
from api.deps import ActorDep, ServicesDep
from api.envelope import envelope
from domain.csv_export import csv_chunks
from domain.search.schemas import SearchQuery, SearchResult

router = APIRouter(prefix="/v1/search", tags=["search"])

SearchParams = Annotated[SearchQuery, Query()]


@router.get(
    "",
    summary="Search projects: ranked, highlighted, with facets",
    description="Words match name, customer, account, site address, description and the latest design's "
    "headline (section, cabinet sizes), accents and case ignored, the last word as a prefix; when they "
    "match nothing, similar words are tried (`fuzzy: true`, `suggestion`). Ranked name > customer > "
    "address > description. `total` is exact up to 10,000 (`total_exact: false` beyond: facet counts "
    "are then over the first 10,000 matches); `offset` 0 to 10,000, or `after` = the previous page's `next` "
    "(read by key: a deep page costs what the first does). Highlights are plain-text "
    "segments (`match: true` for matched words): escape them when rendering. Each facet bucket "
    "carries the query parameters that select it.",
    responses={200: {"model": Envelope[SearchResult]}, **errors()},
)
async def search(request: Request, actor: ActorDep, services: ServicesDep, query: SearchParams) -> Response:
    return envelope(request, await services.search.search(actor, query))


@router.get(
    "/export.csv",
    summary="Every project the search matches, as CSV",
    description="The same parameters as the search (`limit`, `offset`, `after` and `facets` are "
    "ignored): all matching rows, streamed, in the search's order. Cells a spreadsheet would run as a "
    "formula start with an apostrophe.",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}, **errors()},
)
async def export(actor: ActorDep, services: ServicesDep, query: SearchParams) -> StreamingResponse:
    return StreamingResponse(
        csv_chunks(services.search.export(actor, query)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="projects.csv"'},
    )
