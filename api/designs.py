"""/api/v1/projects/{id}/designs: save a design as the project's next revision (If-Match), list the
revisions, read one, and compare two."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Request, Response

from api.contract import ETAG_HEADER, Envelope, errors
from api.deps import ActorDep, ServicesDep
from api.envelope import envelope
from api.projects import IfMatch, Limit, Offset
from domain.designs.schemas import (
    MAX_REVISION,
    DesignDiff,
    DesignRequest,
    DesignRevisionOut,
    DesignSummary,
)
from domain.engineering.examples import SIGN_EXAMPLE
from domain.paging import Page
from domain.projects.revisions import quote

router = APIRouter(prefix="/v1/projects", tags=["designs"])

EXAMPLE = {"module": "signage.single_pole.direct_burial", "input": SIGN_EXAMPLE, "note": "First layout"}
Request_ = Annotated[
    DesignRequest, Body(openapi_examples={"example": {"summary": "Reference case", "value": EXAMPLE}})
]
Revision = Annotated[int, Path(ge=1, le=MAX_REVISION, description=f"Revision number, 1 to {MAX_REVISION}.")]
SAVE_DESCRIPTION = (
    "Runs the `sign` calculation on `input`, prices it on the default price list and stores both as the "
    "project's next revision (1, 2, 3...): 201. A design identical to one already saved (same sha256 "
    "of module + input) returns that revision instead: 200, and nothing changes. A save is a project "
    "change: it needs `If-Match` (428 missing, 412 stale), gives the project a new ETag (in the `ETag` "
    "header) and writes a `design.saved` event. Only the owner, a manager or an admin may save; accepted "
    "and rejected projects are read-only (409). The module must agree with `input.supports` (count and "
    "mount); that and designs the engine cannot size are 422 naming the field (engine fields prefixed "
    "`input.`)."
)
SAVED = {"model": Envelope[DesignRevisionOut], "headers": ETAG_HEADER}


def _location(project_id: str, revision: int) -> str:
    return f"/api/v1/projects/{project_id}/designs/{revision}"


@router.post(
    "/{project_id}/designs",
    status_code=201,
    summary="Save a design as a new revision (If-Match required)",
    description=SAVE_DESCRIPTION,
    responses={
        200: {**SAVED, "description": "Identical to a saved revision: that revision, nothing changed."},
        201: {
            **SAVED,
            "description": "Saved as a new revision.",
            "headers": {
                **ETAG_HEADER,
                "Location": {"description": "The revision's URL.", "schema": {"type": "string"}},
            },
        },
        **errors(400, 403, 404, 409, 412, 413, 428),
    },
)
async def save_design(
    request: Request,
    project_id: str,
    body: Request_,
    actor: ActorDep,
    services: ServicesDep,
    if_match: IfMatch = None,
) -> Response:
    saved = await services.designs.save(
        actor, project_id, body, if_match=if_match, request_id=request.state.request_id
    )
    revision = saved.revision
    headers = {"ETag": quote(saved.etag), "Location": _location(revision.project_id, revision.revision)}
    return envelope(request, revision, status_code=201 if saved.created else 200, headers=headers)


@router.get(
    "/{project_id}/designs",
    summary="The project's design revisions, newest first",
    description="Summaries (who, when, note, headline results); read one revision for its input, "
    "engine result and estimate.",
    responses={200: {"model": Envelope[Page[DesignSummary]]}, **errors(404)},
)
async def list_designs(
    request: Request,
    project_id: str,
    actor: ActorDep,
    services: ServicesDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    return envelope(request, await services.designs.list(project_id, limit=limit, offset=offset))


@router.get(
    "/{project_id}/designs/{revision}",
    summary="Read a design revision",
    responses={
        200: {"model": Envelope[DesignRevisionOut]},
        **errors(404, m404="No such project, or no such revision of it."),
    },
)
async def get_design(
    request: Request, project_id: str, revision: Revision, actor: ActorDep, services: ServicesDep
) -> Response:
    return envelope(request, await services.designs.get(project_id, revision))


@router.get(
    "/{project_id}/designs/{a}/diff/{b}",
    summary="Compare two design revisions",
    description="`inputs`: every input leaf that differs, `{path, a, b}` (on the engine's normalised "
    "inputs, module included); `results`: the headline results of both side by side.",
    responses={
        200: {"model": Envelope[DesignDiff]},
        **errors(404, m404="No such project, or no such revision of it."),
    },
)
async def diff_designs(
    request: Request, project_id: str, a: Revision, b: Revision, actor: ActorDep, services: ServicesDep
) -> Response:
    return envelope(request, await services.designs.diff(project_id, a, b))
