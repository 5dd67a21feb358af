"""/api/v1/jobs and the report requests: queue a report (202 + the job's Location), list, read,
retry and cancel jobs. Routes parse, call one service verb, render."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from api.contract import Envelope, errors
from api.deps import ActorDep, ServicesDep
from api.envelope import envelope, envelope_body, idempotent, replayable_response
from domain.idempotency.service import StoredResponse
from domain.jobs.schemas import KINDS, REPORT, JobOut, JobQuery, JobRequest, JobStatus
from domain.paging import MAX_LIMIT, MAX_OFFSET, Page
from domain.reports.schemas import ReportRef, report_file_name

router = APIRouter(prefix="/v1", tags=["jobs"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1 to {MAX_LIMIT}.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"Rows to skip, 0 to {MAX_OFFSET}.")]
JOB = {"model": Envelope[JobOut]}
LOCATION = {"Location": {"description": "The job's URL: poll it for progress.", "schema": {"type": "string"}}}
JOB_404 = "No such job (or project)."
KIND_PATTERN = "^(" + "|".join(k.replace(".", r"\.") for k in KINDS) + ")$"


class ReportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=1, le=1_000_000, description="The saved design revision to report on.")


class ReportListed(BaseModel):
    """A stored report as the API lists it."""

    revision: int
    sha256: str
    size: int = Field(description="Bytes.")
    created_at: datetime
    url: str = Field(description="The authenticated PDF download.")

    @classmethod
    def of(cls, ref: ReportRef) -> ReportListed:
        url = f"/api/v1/projects/{ref.project_id}/reports/{ref.sha256}"
        return cls(
            revision=ref.revision, sha256=ref.sha256, size=ref.size, created_at=ref.created_at, url=url
        )


def job_location(job_id: str) -> str:
    return f"/api/v1/jobs/{job_id}"


@router.post(
    "/projects/{project_id}/reports",
    status_code=202,
    summary="Queue a calculation report of a saved design revision",
    description="Answers 202 at once with the queued job and its `Location`; poll the job for progress "
    "and its `result` (`sha256`, `url` of the PDF). With `Idempotency-Key` a retry with the same key and "
    "body replays the first answer (`Idempotent-Replayed: true`, the same job); the same key with another "
    "body is 422, and while the first request runs 409.",
    responses={
        202: {"model": Envelope[JobOut], "headers": LOCATION},
        **errors(
            400,
            403,
            404,
            409,
            413,
            m404="No such project, or it has no such saved design revision.",
            m409="The same Idempotency-Key is still being processed; retry shortly.",
        ),
    },
)
async def request_report(
    request: Request,
    project_id: str,
    body: ReportRequest,
    actor: ActorDep,
    services: ServicesDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=200,
            description="Retry-safe key (1-200 characters): the same key and body replay the first "
            "answer, the same job (kept 24 h).",
        ),
    ] = None,
) -> Response:
    def respond(job: JobOut) -> StoredResponse:
        body = jsonable_encoder(envelope_body(request, job))
        return StoredResponse(202, {"Location": job_location(job.job_id)}, body)

    job_request = JobRequest(
        kind=REPORT,
        project_id=project_id,
        revision=body.revision,
        payload={"project_id": project_id, "revision": body.revision},
    )
    idempotency = idempotent(f"POST /api/v1/projects/{project_id}/reports", idempotency_key, respond)
    outcome = await services.jobs.request_replayable(actor, job_request, idempotency=idempotency)
    return replayable_response(outcome, respond)


@router.get(
    "/jobs",
    summary="List jobs, newest first (filters: kind, status, project)",
    responses={200: {"model": Envelope[Page[JobOut]]}, **errors()},
)
async def list_jobs(
    request: Request,
    actor: ActorDep,
    services: ServicesDep,
    kind: Annotated[str | None, Query(pattern=KIND_PATTERN, description="A job kind.")] = None,
    status: JobStatus | None = None,
    project: Annotated[
        str | None,
        Query(
            pattern="^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
            description="A project id: only its jobs.",
        ),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Response:
    query = JobQuery(kind=kind, status=status, project_id=project, limit=limit, offset=offset)
    return envelope(request, await services.jobs.list(query))


@router.get("/jobs/{job_id}", summary="Read a job", responses={200: JOB, **errors(404, m404=JOB_404)})
async def get_job(request: Request, job_id: str, actor: ActorDep, services: ServicesDep) -> Response:
    return envelope(request, await services.jobs.get(job_id))


@router.post(
    "/jobs/{job_id}/retry",
    status_code=202,
    summary="Queue a failed or cancelled job again (ops, admin)",
    description="A new attempt of the same job. A job that is queued, running or succeeded is 409.",
    responses={202: {"model": Envelope[JobOut], "headers": LOCATION}, **errors(403, 404, 409, m404=JOB_404)},
)
async def retry_job(request: Request, job_id: str, actor: ActorDep, services: ServicesDep) -> Response:
    job = await services.jobs.retry(actor, job_id)
    return envelope(request, job, status_code=202, headers={"Location": job_location(job.job_id)})


@router.post(
    "/jobs/{job_id}/cancel",
    summary="Cancel a queued or running job (ops, admin)",
    description="A queued job never starts; a running one is stopped (its worker is signalled) and its "
    "result is not recorded. A finished job is 409.",
    responses={200: JOB, **errors(403, 404, 409, m404=JOB_404)},
)
async def cancel_job(request: Request, job_id: str, actor: ActorDep, services: ServicesDep) -> Response:
    return envelope(request, await services.jobs.cancel(actor, job_id))


@router.get(
    "/projects/{project_id}/reports",
    summary="The project's stored calculation reports, newest first",
    description="Each report names its design revision, the PDF's `sha256` (its strong ETag) and `url`, "
    "the authenticated download.",
    responses={200: {"model": Envelope[list[ReportListed]]}, **errors(404, m404="No such project.")},
)
async def list_reports(
    request: Request, project_id: str, actor: ActorDep, services: ServicesDep, limit: Limit = 50
) -> JSONResponse:
    refs = await services.reports.list(project_id, limit=limit)
    return envelope(request, [ReportListed.of(ref) for ref in refs])


@router.get(
    "/projects/{project_id}/reports/{sha256}",
    summary="Download a stored calculation report (PDF)",
    description="The PDF as an attachment named after the project and revision, with a strong ETag (the "
    "SHA-256 of the bytes, which never change under this URL); `If-None-Match` with it answers 304.",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The PDF."},
        304: {"description": "Not modified (the ETag matched)."},
        **errors(404, m404="No such project, or it has no such stored report."),
    },
)
async def download_report(
    request: Request,
    project_id: str,
    sha256: Annotated[str, Path(pattern="^[0-9a-fA-F]{64}$", description="The report's SHA-256.")],
    actor: ActorDep,
    services: ServicesDep,
) -> Response:
    project = await services.projects.get(project_id)
    ref, data = await services.reports.pdf(project_id, sha256)
    etag = f'"{ref.sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = f'attachment; filename="{report_file_name(project.name, ref.revision)}"'
    return Response(data, media_type="application/pdf", headers=headers)
