"""/api/v1/projects: create (idempotent), list, read (conditional), update and transition (If-Match)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from api.contract import ETAG_HEADER, Envelope, errors
from api.deps import ActorDep, ServicesDep
from api.envelope import envelope, envelope_body, idempotent, replayable_response
from domain.idempotency.service import StoredResponse
from domain.paging import CURSOR_PATTERN, MAX_CURSOR, MAX_LIMIT, MAX_OFFSET, KeysetPage, Page
from domain.projects.lifecycle import Status
from domain.projects.revisions import matches, quote
from domain.projects.schemas import (
    EventOut,
    ProjectCreate,
    ProjectOut,
    ProjectQuery,
    ProjectUpdate,
    TransitionRequest,
)
from domain.text import Line

router = APIRouter(prefix="/v1/projects", tags=["projects"])

# Optional to the parser so a missing header is our 428 (not a generic 422); the OpenAPI document
# marks it required (api.app), which is what it is.
IfMatch = Annotated[
    str | None,
    Header(
        description="The project's ETag as read from GET (or your last write). Required: missing or `*` "
        "-> 428, stale -> 412 with the current ETag."
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
Offset = Annotated[
    int,
    Query(ge=0, le=MAX_OFFSET, description=f"Rows to skip, 0 to {MAX_OFFSET} (narrow the search for more)."),
]
PROJECT = {"model": Envelope[ProjectOut], "headers": ETAG_HEADER}


def _location(project_id: str) -> str:
    return f"/api/v1/projects/{project_id}"


@router.post(
    "",
    status_code=201,
    summary="Create a project",
    description="Creates a draft owned by the caller (estimators, managers, admins). With `Idempotency-Key` "
    "a retry with the same key and body replays the first response (`Idempotent-Replayed: true`); the same "
    "key with another body is 422, and while the first request runs 409. Keys are kept 24 h per caller.",
    responses={
        201: {
            "model": Envelope[ProjectOut],
            "headers": {
                **ETAG_HEADER,
                "Location": {"description": "The project's URL.", "schema": {"type": "string"}},
            },
        },
        **errors(
            400, 403, 409, 413, m409="The same Idempotency-Key is still being processed; retry shortly."
        ),
    },
)
async def create_project(
    request: Request,
    body: ProjectCreate,
    actor: ActorDep,
    services: ServicesDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=200,
            description="Retry-safe key (1-200 characters): the same key and body replay the first "
            "response (kept 24 h).",
        ),
    ] = None,
) -> Response:
    def respond(project: ProjectOut) -> StoredResponse:
        headers = {"Location": _location(project.project_id), "ETag": quote(project.etag)}
        # envelope_body is JSON already (the result dumped in JSON mode): not walked again.
        return StoredResponse(201, headers, envelope_body(request, project))

    idempotency = idempotent("POST /api/v1/projects", idempotency_key, respond)
    outcome = await services.projects.create_replayable(
        actor, body, idempotency=idempotency, request_id=request.state.request_id
    )
    return replayable_response(outcome, respond)


@router.get(
    "",
    summary="Search and list projects (newest first)",
    description="A page and its true `total` (exact up to 10,000, `total_exact: false` beyond). `next` "
    "is the `after` of the following page (null on the last): read by key, it costs what the first "
    "page does however deep it is, where `offset` (up to 100,000) skips rows one by one.",
    responses={200: {"model": Envelope[KeysetPage[ProjectOut]]}, **errors()},
)
async def list_projects(
    request: Request,
    actor: ActorDep,
    services: ServicesDep,
    q: Annotated[
        Line | None,
        Query(
            max_length=200, description="Words in name, customer, account, address (no control characters)"
        ),
    ] = None,
    status: Status | None = None,
    account_id: Annotated[Line | None, Query(max_length=64)] = None,
    sort: Annotated[
        str,
        Query(
            pattern=r"^-?(created_at|updated_at|name|status|customer|account_id)$",
            description="'-' = descending",
        ),
    ] = "-created_at",
    limit: Limit = 50,
    offset: Offset = 0,
    after: Annotated[
        str | None,
        Query(
            max_length=MAX_CURSOR,
            pattern=CURSOR_PATTERN,
            description="Continue after the previous page: its `next` (same `q`, filters and `sort`; "
            "no `offset`).",
        ),
    ] = None,
) -> Response:
    page = await services.projects.search(
        ProjectQuery(
            q=q, status=status, account_id=account_id, sort=sort, limit=limit, offset=offset, after=after
        )
    )
    return envelope(request, page)


@router.get(
    "/{project_id}",
    summary="Read a project (ETag; If-None-Match -> 304)",
    responses={
        200: PROJECT,
        304: {"description": "Not modified: `If-None-Match` names the current ETag.", "headers": ETAG_HEADER},
        **errors(404),
    },
)
async def get_project(
    request: Request,
    project_id: str,
    actor: ActorDep,
    services: ServicesDep,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    project = await services.projects.get(project_id)
    etag = quote(project.etag)
    if if_none_match is not None and matches(if_none_match, project.etag, strong=False):
        return Response(status_code=304, headers={"ETag": etag})
    return envelope(request, project, headers={"ETag": etag})


@router.patch(
    "/{project_id}",
    summary="Change a project's fields (If-Match required)",
    description="Only the fields present change; an explicit null is 422. Estimators may edit their own "
    "projects in draft or estimating; managers and admins any open project. Accepted and rejected "
    "projects are read-only (409).",
    responses={200: PROJECT, **errors(400, 403, 404, 409, 412, 413, 428)},
)
async def update_project(
    request: Request,
    project_id: str,
    body: ProjectUpdate,
    actor: ActorDep,
    services: ServicesDep,
    if_match: IfMatch = None,
) -> Response:
    project = await services.projects.update(
        actor, project_id, body, if_match=if_match, request_id=request.state.request_id
    )
    return envelope(request, project, headers={"ETag": quote(project.etag)})


@router.post(
    "/{project_id}/transitions",
    summary="Move a project to another status (If-Match required)",
    description="Moves: draft -> estimating -> submitted -> accepted | rejected, estimating -> draft, "
    "rejected -> draft. Accepting, rejecting and reopening are for managers and admins. A move the "
    "state machine or your role does not allow is 409 with `details.allowed`. Rejecting needs a `reason` "
    "(422 naming the field without one); it is kept in the history and e-mailed to the owner. Moves to "
    "submitted, accepted and rejected e-mail the owner and the users who asked for every project. Moving "
    "to `submitted` is a submission (its dispatch to the PM system is queued): see "
    "`POST /v1/projects/{project_id}/submit`.",
    responses={200: PROJECT, **errors(400, 403, 404, 409, 412, 413, 428)},
)
async def transition_project(
    request: Request,
    project_id: str,
    body: TransitionRequest,
    actor: ActorDep,
    services: ServicesDep,
    if_match: IfMatch = None,
) -> Response:
    project = await services.projects.transition(
        actor,
        project_id,
        body.to,
        if_match=if_match,
        reason=body.reason,
        request_id=request.state.request_id,
    )
    return envelope(request, project, headers={"ETag": quote(project.etag)})


@router.get(
    "/{project_id}/events",
    summary="The project's audit trail, newest first",
    responses={200: {"model": Envelope[Page[EventOut]]}, **errors(404)},
)
async def project_events(
    request: Request,
    project_id: str,
    actor: ActorDep,
    services: ServicesDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    return envelope(request, await services.projects.events(project_id, limit=limit, offset=offset))
