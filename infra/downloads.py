"""A project file as an HTTP download, for the API route and the pages' session route alike:
streamed from the blob store (never read whole), checked against its SHA-256 on the way, with a
strong ETag (the SHA-256: the bytes under a file id never change) and 304 to a matching
``If-None-Match``, as an attachment under its name (``Content-Disposition`` safe whatever the
name holds)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from domain.files.names import content_disposition
from domain.files.schemas import FileOut
from domain.files.service import FileService
from domain.ports import BlobIntegrityError
from domain.projects.revisions import matches, quote

log = logging.getLogger(__name__)


async def file_response(request: Request, files: FileService, project_id: str, file_id: str) -> Response:
    """``NotFound`` (a domain error) for an unknown project or file, for the caller to render."""
    file = await files.get(project_id, file_id)
    headers = {"ETag": quote(file.sha256), "Cache-Control": "private, no-cache"}
    if matches(request.headers.get("if-none-match"), file.sha256, strong=False):
        return Response(status_code=304, headers=headers)
    file, chunks = await files.open(project_id, file_id)
    headers["Content-Disposition"] = content_disposition(file.name)
    headers["Content-Length"] = str(file.size)
    return StreamingResponse(_logged(chunks, file), media_type=file.content_type, headers=headers)


async def _logged(chunks: AsyncIterator[bytes], file: FileOut) -> AsyncIterator[bytes]:
    """A damaged blob ends the download short (the client sees a failed transfer); say why here."""
    try:
        async for chunk in chunks:
            yield chunk
    except BlobIntegrityError:
        log.error("stored file is damaged", extra={"file_id": file.file_id, "sha256": file.sha256})
        raise
