"""/api/v1/projects/{id}/files: upload (multipart, streamed), list, download (streamed, ETag = the
SHA-256), delete (If-Match with that ETag). Routes parse, call one service verb, render."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from api.contract import Envelope, errors
from api.deps import ActorDep, ServicesDep
from api.envelope import envelope
from api.projects import Limit, Offset
from domain.errors import DomainError
from domain.files.schemas import FileOut
from domain.files.sniffing import ALLOWED, ALLOWED_NAMES
from domain.paging import Page
from domain.projects.revisions import quote
from infra.downloads import file_response
from infra.upload_stream import MultipartUpload

router = APIRouter(prefix="/v1/projects", tags=["files"])

UPLOAD_PATH = r"/v1/projects/[^/]+/files/?"
"""The upload route, for the API guard's larger body cap."""

MULTIPART_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "The file."}
                    },
                }
            }
        },
    }
}
FILE_ETAG = {"ETag": {"description": "The file's SHA-256 (quoted).", "schema": {"type": "string"}}}
UPLOAD_DESCRIPTION = (
    "Multipart form with the file in the field `file`, streamed to storage as it arrives. The kind is told "
    f"from the content, not the name: {ALLOWED_NAMES} (415 otherwise, e.g. an executable renamed `.pdf`). "
    "Larger than `SIGNX_MAX_UPLOAD_MB` (50 MB by default): 413. Empty: 422. A name with control "
    "characters: 422; a path in the name is cut to its last part (`../../x.pdf` is stored as `x.pdf`). "
    "An upload cut short: 400. Nothing is kept of a refused upload. The same content uploaded to the "
    "project again returns the file stored first (200); a new file is 201 with its `Location`. Only the "
    "project's owner, a manager or an admin may upload; accepted and rejected projects are read-only (409)."
)


def _location(project_id: str, file_id: str) -> str:
    return f"/api/v1/projects/{project_id}/files/{file_id}"


@router.post(
    "/{project_id}/files",
    status_code=201,
    summary="Upload a file to the project (multipart, field `file`)",
    description=UPLOAD_DESCRIPTION,
    openapi_extra=MULTIPART_BODY,
    responses={
        200: {"model": Envelope[FileOut], "headers": FILE_ETAG, "description": "Already stored: that file."},
        201: {
            "model": Envelope[FileOut],
            "description": "Stored.",
            "headers": {
                **FILE_ETAG,
                "Location": {"description": "The file's download URL.", "schema": {"type": "string"}},
            },
        },
        **errors(
            400,
            403,
            404,
            409,
            413,
            415,
            m400="The upload was cut short, or the multipart body is malformed.",
            m413="The file is larger than the limit (SIGNX_MAX_UPLOAD_MB).",
            m415=f"Not multipart/form-data, or the file's content is not one of {ALLOWED_NAMES}.",
        ),
    },
)
async def upload_file(request: Request, project_id: str, actor: ActorDep, services: ServicesDep) -> Response:
    upload = MultipartUpload(request.headers.get("content-type"), request.stream())
    try:
        name = await upload.start()
        uploaded = await services.files.upload(
            actor, project_id, name=name, chunks=upload.chunks(), request_id=request.state.request_id
        )
    except DomainError:
        await upload.discard_rest()
        raise
    file = uploaded.file
    headers = {"ETag": quote(file.sha256)}
    if uploaded.created:
        headers["Location"] = _location(file.project_id, file.file_id)
    return envelope(request, file, status_code=201 if uploaded.created else 200, headers=headers)


@router.get(
    "/{project_id}/files",
    summary="The project's files, newest first",
    description="Deleted files are not listed. Each has its `sha256` (its ETag) and `content_type`, told "
    "from the content.",
    responses={200: {"model": Envelope[Page[FileOut]]}, **errors(404)},
)
async def list_files(
    request: Request,
    project_id: str,
    actor: ActorDep,
    services: ServicesDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> JSONResponse:
    return envelope(request, await services.files.list(project_id, limit=limit, offset=offset))


@router.get(
    "/{project_id}/files/{file_id}",
    summary="Download a file",
    description="The bytes as an attachment under the file's name, streamed and checked against the "
    "stored SHA-256 on the way (a damaged file never arrives whole). Strong `ETag` = the SHA-256; "
    "`If-None-Match` with it answers 304.",
    response_class=Response,
    responses={
        200: {
            "content": {k.content_type: {"schema": {"type": "string", "format": "binary"}} for k in ALLOWED},
            "description": "The file, as its kind's content type.",
            "headers": FILE_ETAG,
        },
        304: {"description": "Not modified (the ETag matched)."},
        **errors(404, m404="No such project, or it has no such file (or it was deleted)."),
    },
)
async def download_file(
    request: Request, project_id: str, file_id: str, actor: ActorDep, services: ServicesDep
) -> Response:
    return await file_response(request, services.files, project_id, file_id)


@router.delete(
    "/{project_id}/files/{file_id}",
    summary="Delete a file (If-Match: the file's ETag)",
    description="Soft delete, audited (`file.deleted` in the project's events): the file leaves the list. "
    "`If-Match` must name the file's ETag, its SHA-256 (428 missing or `*`, 412 another). A file a "
    "submission or a design revision relies on is kept (409, `details.referenced_by`). Only the project's "
    "owner, a manager or an admin may delete; accepted and rejected projects are read-only (409).",
    responses={
        200: {"model": Envelope[FileOut], "description": "Deleted; the file as it was."},
        **errors(
            403,
            404,
            409,
            412,
            428,
            m412="`If-Match` names another ETag than the file's; `ETag` carries the file's.",
            m428="`If-Match` missing, or `*`: send the file's ETag (its sha256).",
        ),
    },
)
async def delete_file(
    request: Request,
    project_id: str,
    file_id: str,
    actor: ActorDep,
    services: ServicesDep,
    if_match: Annotated[
        str | None,
        Header(description="The file's ETag (its SHA-256) as GET or the upload gave it. Required."),
    ] = None,
) -> JSONResponse:
    deleted = await services.files.delete(
        actor, project_id, file_id, if_match=if_match, request_id=request.state.request_id
    )
    return envelope(request, deleted)
