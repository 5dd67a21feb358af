"""The browser's routes for project files, signed in by the session (the API's take an API key):

- ``POST /projects/{project_id}/files``: where the Files tab's uploader sends each file (one
  request per file, field ``file``), streamed into the file service like the API's upload (not
  NiceGUI's own upload route, which reads the whole form to a temporary file before anyone can
  refuse it). Answers JSON: ``{"file": {...}, "created": bool}``, or ``{"error": {...}}`` with
  the status of the refusal.
- ``GET /projects/{project_id}/files/{file_id}``: the download, streamed.

Both re-check the session (a deactivated user's old cookie gets nothing). Uploads also refuse a
request whose ``Origin`` is another site: the session cookie is ``SameSite=Lax`` and so never
sent with another site's POST, and this says so again where it matters. A declared body over the
file limit is refused before it is read.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from nicegui import app

from domain.errors import DomainError
from infra.downloads import file_response
from infra.upload_stream import MultipartUpload
from pages.session import current_actor, services, to_login

UPLOAD_PATH = "/projects/{project_id}/files"
DOWNLOAD_PATH = "/projects/{project_id}/files/{file_id}"
FORM_ROOM = 256 * 1024  # the form around the file


def upload_href(project_id: str) -> str:
    return f"/projects/{project_id}/files"


def file_href(project_id: str, file_id: str) -> str:
    return f"/projects/{project_id}/files/{file_id}"


def _error(status: int, code: str, message: str, fields: list[dict[str, str]] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or []}}
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


def _foreign_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


async def upload_file(request: Request, project_id: str) -> Response:
    actor = await current_actor()
    if actor is None:
        return _error(401, "unauthenticated", "Your session has ended; log in again.")
    if _foreign_origin(request):
        return _error(403, "forbidden", "Uploads are taken from this site's own pages only.")
    files = services().files
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > files.max_bytes + FORM_ROOM:
        mb = files.max_bytes / (1024 * 1024)
        message = f"The file is larger than {mb:g} MB, the largest a project file may be."
        response = _error(
            413, "payload_too_large", message, [{"field": "file", "message": f"larger than {mb:g} MB"}]
        )
        response.headers["Connection"] = "close"
        return response
    upload: MultipartUpload | None = None
    try:
        upload = MultipartUpload(request.headers.get("content-type"), request.stream())
        name = await upload.start()
        request_id = getattr(request.state, "request_id", None)
        uploaded = await files.upload(
            actor, project_id, name=name, chunks=upload.chunks(), request_id=request_id
        )
    except DomainError as exc:
        if upload is not None:
            await upload.discard_rest()
        return _error(exc.status, exc.code, exc.message, exc.fields)
    body: dict[str, Any] = {"file": jsonable_encoder(uploaded.file), "created": uploaded.created}
    return JSONResponse(body, status_code=201 if uploaded.created else 200)


async def download_file(request: Request, project_id: str, file_id: str) -> Response:
    if await current_actor() is None:
        return to_login(request)
    try:
        return await file_response(request, services().files, project_id, file_id)
    except DomainError as exc:
        return Response(exc.message, status_code=exc.status, media_type="text/plain; charset=utf-8")


def add_file_routes() -> None:
    """Once per app (the composition may run again, as in the page tests)."""
    paths = {getattr(r, "path", None) for r in app.routes}
    if UPLOAD_PATH not in paths:
        app.add_api_route(UPLOAD_PATH, upload_file, methods=["POST"], include_in_schema=False)
    if DOWNLOAD_PATH not in paths:
        app.add_api_route(DOWNLOAD_PATH, download_file, methods=["GET"], include_in_schema=False)
