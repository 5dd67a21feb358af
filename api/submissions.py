"""/api/v1/projects/{id}/submit: submit a project to the PM system (If-Match, Idempotency-Key).
Routes parse, call one service verb, render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api.contract import ETAG_HEADER, Envelope, errors
from api.deps import ActorDep, ServicesDep
from api.envelope import envelope_body
from api.jobs import job_location
from api.projects import IfMatch
from domain.idempotency.service import IdempotencyRequest, StoredResponse
from domain.projects.revisions import quote
from domain.submissions.service import SubmissionOut

router = APIRouter(prefix="/v1/projects", tags=["projects"])


@router.post(
    "/{project_id}/submit",
    status_code=202,
    summary="Submit a project to the PM system (If-Match required)",
    description="Moves an `estimating` project whose latest saved design passes every check to "
    "`submitted` and, in the same transaction, queues the dispatch job that sends it to the PM system "
    "(or records it locally when none is configured). Answers 202 with the project and the job; the "
    "job's `Location` can be polled, and the project's `pm_dispatch` / `pm_reference` say how the "
    "dispatch went. A project already submitted (or accepted, rejected) is 409 with "
    "`details.reason: already_submitted`, before the ETag is compared. With `Idempotency-Key` a repeat "
    "replays the first answer (`Idempotent-Replayed: true`): one dispatch, however often it is sent.",
    responses={
        202: {
            "model": Envelope[SubmissionOut],
            "headers": {
                **ETAG_HEADER,
                "Location": {"description": "The dispatch job's URL.", "schema": {"type": "string"}},
            },
        },
        **errors(
            400,
            403,
            404,
            409,
            412,
            413,
            428,
            m409="Already submitted (`details.reason: already_submitted`), not in `estimating`, no passing "
            "saved design (`details.reasons`), or the same Idempotency-Key still being processed.",
        ),
    },
)
async def submit_project(
    request: Request,
    project_id: str,
    actor: ActorDep,
    services: ServicesDep,
    if_match: IfMatch = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=200,
            description="Retry-safe key (1-200 characters): a repeat replays the first answer (kept 24 h).",
        ),
    ] = None,
) -> Response:
    assert services.submissions is not None, "the composition root wires the submissions"

    def respond(out: SubmissionOut) -> StoredResponse:
        headers = {"Location": job_location(out.job.job_id), "ETag": quote(out.project.etag)}
        return StoredResponse(202, headers, jsonable_encoder(envelope_body(request, out)))

    idempotency = (
        IdempotencyRequest(f"POST /api/v1/projects/{project_id}/submit", idempotency_key, respond)
        if idempotency_key is not None
        else None
    )
    outcome = await services.submissions.submit(
        actor, project_id, if_match=if_match, idempotency=idempotency, request_id=request.state.request_id
    )
    response = outcome.response or respond(outcome.value)
    headers = {**response.headers, **({"Idempotent-Replayed": "true"} if outcome.replayed else {})}
    return JSONResponse(response.body, status_code=response.status, headers=headers)
