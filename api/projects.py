"""/api/v1/projects: create (idempotent), list, read (conditional), update and transition (If-Match)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse

from api.deps import ActorDep, ServicesDep
from api.envelope import envelope
from domain.idempotency.service import StoredResponse, request_fingerprint
from domain.projects.lifecycle import Status
from domain.projects.revisions import matches, quote
from domain.projects.schemas import ProjectCreate, ProjectOut, ProjectQuery, ProjectUpdate, TransitionRequest

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

router = APIRouter(prefix="/v1/projects", tags=["projects"])

IfMatch = Annotated[
    str | None, Header(description="The project's current ETag (required; 428 without, 412 when stale).")
]


def _location(project_id: str) -> str:
    return f"/api/v1/projects/{project_id}"


@router.post("", status_code=201, summary="Create a project")
async def create_project(
    request: Request,
    body: ProjectCreate,
    actor: ActorDep,
    services: ServicesDep,
    idempotency_key: Annotated[
        str | None,
        Header(description="Retry-safe key: the same key and body replay the first response (kept 24 h)."),
    ] = None,
) -> Response:
    endpoint = "POST /api/v1/projects"
    if idempotency_key is not None:
        stored = await services.idempotency.claim(
            actor.user_id, endpoint, idempotency_key, request_fingerprint(body.model_dump(mode="json"))
        )
        if stored is not None:
            return _replay(stored)

    def respond(project: ProjectOut) -> JSONResponse:
        headers = {"Location": _location(project.project_id), "ETag": quote(project.etag)}
        return envelope(request, project, status_code=201, headers=headers)

    responses: list[JSONResponse] = []

    async def remember(session: AsyncSession, project: ProjectOut) -> None:
        # Stored with the project, in its transaction: a retry after any failure either finds
        # this response or finds no project (and the key released).
        response = respond(project)
        responses.append(response)
        assert idempotency_key is not None
        stored = StoredResponse(201, _header_dict(response), json.loads(response.body))
        await services.idempotency.complete(session, actor.user_id, endpoint, idempotency_key, stored)

    try:
        project = await services.projects.create(
            actor,
            body,
            request_id=request.state.request_id,
            also=remember if idempotency_key is not None else None,
        )
    except BaseException:
        if idempotency_key is not None:
            await services.idempotency.release(actor.user_id, endpoint, idempotency_key)
        raise
    return responses[0] if responses else respond(project)


def _header_dict(response: Response) -> dict[str, str]:
    return {k: response.headers[k] for k in ("location", "etag") if k in response.headers}


def _replay(stored: StoredResponse) -> Response:
    return JSONResponse(
        stored.body, status_code=stored.status, headers={**stored.headers, "Idempotent-Replayed": "true"}
    )


@router.get("", summary="Search and list projects (newest first)")
async def list_projects(
    request: Request,
    actor: ActorDep,
    services: ServicesDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Words in name, customer, account, address")
    ] = None,
    status: Status | None = None,
    account_id: Annotated[str | None, Query(max_length=64)] = None,
    sort: Annotated[
        str,
        Query(
            pattern=r"^-?(created_at|updated_at|name|status|customer|account_id)$",
            description="'-' = descending",
        ),
    ] = "-created_at",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    page = await services.projects.search(
        ProjectQuery(q=q, status=status, account_id=account_id, sort=sort, limit=limit, offset=offset)
    )
    return envelope(request, page)


@router.get("/{project_id}", summary="Read a project (ETag; If-None-Match -> 304)")
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


@router.patch("/{project_id}", summary="Change a project's fields (If-Match required)")
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


@router.post("/{project_id}/transitions", summary="Move a project to another status (If-Match required)")
async def transition_project(
    request: Request,
    project_id: str,
    body: TransitionRequest,
    actor: ActorDep,
    services: ServicesDep,
    if_match: IfMatch = None,
) -> Response:
    project = await services.projects.transition(
        actor, project_id, body.to, if_match=if_match, request_id=request.state.request_id
    )
    return envelope(request, project, headers={"ETag": quote(project.etag)})


@router.get("/{project_id}/events", summary="The project's audit trail, newest first")
async def project_events(
    request: Request,
    project_id: str,
    actor: ActorDep,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    return envelope(request, await services.projects.events(project_id, limit=limit, offset=offset))
