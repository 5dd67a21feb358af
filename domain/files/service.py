"""Project files: upload (streamed into the blob store), list, download, soft delete.

An upload is checked while it streams, before anything is recorded: the name first (a path is
cut to its last part, control characters are refused), then the bytes as they pass on their way
to the blob store (more than the size limit: 413 at the first byte over; not a kind that could be
allowed: 415 from the first 64 KiB), and at the end the kind told from the first and last bytes
(415 unless PDF, PNG, JPEG, DXF, DWG, CSV or XLSX) and emptiness (422). A refusal raised inside
the stream makes the blob store drop what it had staged, so a refused or interrupted upload
leaves no blob and no row. Only then is the row written, with its ``file.uploaded`` event, in one
transaction with the project row locked.

The same content uploaded twice to a project is stored once: the second upload returns the first
file (``created`` False, no new row or event). The bytes are one blob per distinct content
(``files/<sha256>``) whatever the number of projects or rows naming them.

Deleting is soft and audited (``file.deleted``), and needs ``If-Match`` with the file's ETag, its
SHA-256: a file is immutable, so the ETag names exactly the bytes the caller means to delete
(rather than the project's ETag, which every edit of the project changes and which would make
people reload before removing a photo). A file something relies on (``keep``: a submission, a
design revision) is not deleted: 409 naming what relies on it.

Who may: everybody who may view the project lists and downloads its files; uploading and
deleting follow the project's edit rights (owner, manager, admin) and are refused on an accepted
or rejected project (409), like every project change.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    PreconditionRequired,
    UnsupportedMediaType,
)
from domain.files import repository as repo
from domain.files.models import ProjectFile
from domain.files.names import FIELD, file_name
from domain.files.schemas import BLOB_PREFIX, FileOut, UploadedFile, blob_key
from domain.files.sniffing import ALLOWED_NAMES, BY_CONTENT_TYPE, HEAD_BYTES, TAIL_BYTES, could_be, sniff
from domain.orm import utcnow
from domain.paging import MAX_LIMIT, Page
from domain.ports import BlobStore, StoredBlob, UnitOfWork
from domain.projects.revisions import is_wildcard, matches, parse_etags
from domain.projects.service import ProjectService
from domain.users.schemas import Actor

log = logging.getLogger(__name__)

ReferenceSource = Callable[[AsyncSession, uuid.UUID], Awaitable[Mapping[uuid.UUID, Sequence[str]]]]
"""Given a transaction's session and a project, the files something relies on (file id -> who),
for a module that keeps such facts in its own tables instead of calling :meth:`FileService.keep`."""


def _out(row: ProjectFile, email: str) -> FileOut:
    kind = BY_CONTENT_TYPE.get(row.content_type)
    return FileOut(
        file_id=str(row.file_id),
        project_id=str(row.project_id),
        name=row.name,
        size=row.size,
        content_type=row.content_type,
        kind=kind.name if kind else row.content_type,
        sha256=row.sha256,
        uploaded_by=str(row.uploaded_by),
        uploaded_by_email=email,
        uploaded_at=row.uploaded_at,
    )


def _file_id(file_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(file_id))
    except ValueError:
        raise NotFound(f"No file {file_id!r}.") from None


def _describe(row: ProjectFile) -> dict[str, object]:
    return {
        "file_id": str(row.file_id),
        "name": row.name,
        "size": row.size,
        "content_type": row.content_type,
        "sha256": row.sha256,
    }


class UploadInspection:
    """Watches an upload's bytes on their way to the blob store: the size against the limit, the
    first and last bytes for the kind. Holds at most ``HEAD_BYTES`` + 2 x ``TAIL_BYTES``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.head = bytearray()
        self.tail = bytearray()
        self.content_type = ""  # told from the bytes once they have all passed
        self._head_judged = False

    def _too_large(self) -> PayloadTooLarge:
        mb = self.max_bytes / (1024 * 1024)
        return PayloadTooLarge(
            f"The file is larger than {mb:g} MB, the largest a project file may be.",
            fields=[{"field": FIELD, "message": f"larger than {mb:g} MB"}],
            max_bytes=self.max_bytes,
        )

    def _judge_head(self) -> None:
        self._head_judged = True
        if not could_be(bytes(self.head)):
            raise _unsupported()

    async def watch(self, chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
        async for chunk in chunks:
            if not chunk:
                continue
            self.size += len(chunk)
            if self.size > self.max_bytes:
                raise self._too_large()
            if len(self.head) < HEAD_BYTES:
                self.head += chunk[: HEAD_BYTES - len(self.head)]
                if len(self.head) >= HEAD_BYTES:
                    self._judge_head()
            self.tail += chunk
            if len(self.tail) > 2 * TAIL_BYTES:
                del self.tail[:-TAIL_BYTES]
            yield chunk
        if self.size == 0:
            raise InvalidInput(
                "The file is empty.", fields=[{"field": FIELD, "message": "the file is empty"}]
            )
        if not self._head_judged:
            self._judge_head()
        # csv.Sniffer and the ZIP directory walk: small, but CPU work, so off the event loop.
        kind = await asyncio.to_thread(sniff, bytes(self.head), bytes(self.tail[-TAIL_BYTES:]))
        if kind is None:
            raise _unsupported()
        self.content_type = kind.content_type


def _unsupported() -> UnsupportedMediaType:
    message = (
        f"not an allowed kind of file ({ALLOWED_NAMES}); the kind is told from the content, not the name"
    )
    return UnsupportedMediaType(
        f"The file's content is {message}.",
        fields=[{"field": FIELD, "message": message}],
        allowed=ALLOWED_NAMES,
    )


class FileService:
    def __init__(
        self,
        uow: UnitOfWork,
        projects: ProjectService,
        blobs: BlobStore,
        *,
        max_bytes: int,
        reference_sources: Sequence[ReferenceSource] = (),
    ) -> None:
        self.uow = uow
        self.projects = projects
        self.blobs = blobs
        self.max_bytes = max_bytes
        self.reference_sources = list(reference_sources)

    # --- writing --------------------------------------------------------------------------------
    async def upload(
        self,
        actor: Actor,
        project_id: str,
        *,
        name: str | None,
        chunks: AsyncIterable[bytes],
        request_id: str | None = None,
    ) -> UploadedFile:
        """Store the file ``chunks`` streams under ``name`` on the project (see the module's doc)."""
        clean = file_name(name)
        async with self.uow(actor.user_id) as tx:
            # Refused before a byte is stored: unknown project, not the owner, read-only.
            await self.projects.lock_for_attachment(tx.session, tx.actor, project_id)
        inspection = UploadInspection(self.max_bytes)
        stored = await self.blobs.put_stream(BLOB_PREFIX, inspection.watch(chunks))
        try:
            async with self.uow(actor.user_id) as tx:
                session, actor = tx.session, tx.actor
                project = await self.projects.lock_for_attachment(session, actor, project_id)
                row = await repo.add(
                    session,
                    project_id=project.project_id,
                    name=clean,
                    size=stored.size,
                    content_type=inspection.content_type,
                    sha256=stored.sha256,
                    uploaded_by=uuid.UUID(actor.user_id),
                    uploaded_at=utcnow(),
                )
                if row is None:
                    existing = await repo.live_by_sha256(session, project.project_id, stored.sha256)
                    assert existing is not None
                    return UploadedFile(_out(*existing), created=False)
                await self.projects.record_event(
                    session, actor, project, "file.uploaded", _describe(row), request_id=request_id
                )
                out = _out(row, actor.email)
        except BaseException:
            if stored.created:
                await asyncio.shield(self._forget(stored))
            raise
        return UploadedFile(out, created=True)

    async def _forget(self, stored: StoredBlob) -> None:
        """A blob this upload created but could not record: removed unless a row names it meanwhile
        (another upload of the same bytes)."""
        try:
            async with self.uow() as tx:
                in_use = await repo.sha256_in_use(tx.session, stored.sha256)
            if not in_use:
                await self.blobs.delete(stored.key)
        except Exception:
            log.warning(
                "an unrecorded upload's blob was not removed", exc_info=True, extra={"key": stored.key}
            )

    async def delete(
        self,
        actor: Actor,
        project_id: str,
        file_id: str,
        *,
        if_match: str | None,
        request_id: str | None = None,
    ) -> FileOut:
        """Soft-delete a file; ``if_match`` is the file's ETag (its SHA-256)."""
        if if_match is None or not parse_etags(if_match, strong=False):
            raise PreconditionRequired("Deleting a file needs If-Match with the file's ETag (its sha256).")
        if is_wildcard(if_match):
            raise PreconditionRequired("If-Match: * is not accepted; send the file's ETag (its sha256).")
        fid = _file_id(file_id)
        async with self.uow(actor.user_id) as tx:
            session, actor = tx.session, tx.actor
            project = await self.projects.lock_for_attachment(session, actor, project_id)
            found = await repo.get(session, project.project_id, fid, for_update=True)
            if found is None:
                raise NotFound(f"Project {project_id!r} has no file {file_id!r}.")
            row, email = found
            if not matches(if_match, row.sha256):
                raise PreconditionFailed("This is not the file your If-Match names.", current_etag=row.sha256)
            relied_on = (await self._references(session, project.project_id)).get(fid)
            if relied_on:
                raise Conflict(
                    f"“{row.name}” is kept: {', '.join(relied_on)} relies on it.", referenced_by=relied_on
                )
            row.deleted_at = utcnow()
            row.deleted_by = uuid.UUID(actor.user_id)
            await self.projects.record_event(
                session, actor, project, "file.deleted", _describe(row), request_id=request_id
            )
            await session.flush()
            out = _out(row, email)
        return out

    # --- what relies on a file ------------------------------------------------------------------
    async def keep(
        self, session: AsyncSession, project_id: uuid.UUID, file_ids: Iterable[str], *, by: str
    ) -> None:
        """Record, in the caller's transaction, that ``by`` (``submission:<id>``) relies on these
        files of the project: they can no longer be deleted. ``NotFound`` for a file that is not
        a live file of the project."""
        wanted = {_file_id(f) for f in file_ids}
        live = await repo.live_ids(session, project_id, wanted)
        if wanted - live:
            raise NotFound(f"Project {project_id} has no file {sorted(str(f) for f in wanted - live)[0]!r}.")
        await repo.add_references(session, sorted(wanted), by[:100], utcnow())

    async def keep_all(
        self, session: AsyncSession, project_id: uuid.UUID, *, by: str
    ) -> list[dict[str, Any]]:
        """In the caller's transaction (a submission's): every live file of the project, kept from
        now on for ``by``; their references (file id, name, size, type, SHA-256) to send on."""
        rows, _ = await repo.page(session, project_id, limit=MAX_LIMIT, offset=0)
        refs = [_out(row, email).model_dump(mode="json") for row, email in rows]
        if refs:
            await self.keep(session, project_id, [r["file_id"] for r in refs], by=by)
        return refs

    async def _references(self, session: AsyncSession, project_id: uuid.UUID) -> dict[uuid.UUID, list[str]]:
        found = await repo.references(session, project_id)
        for source in self.reference_sources:
            for fid, names in (await source(session, project_id)).items():
                found.setdefault(fid, []).extend(n for n in names if n not in found[fid])
        return found

    async def referenced_file_ids(self, project_id: str) -> dict[str, list[str]]:
        """The project's files that something relies on (file id -> who), which are kept."""
        async with self.uow() as tx:
            pid = await self.projects.require(tx.session, project_id)
            found = await self._references(tx.session, pid)
        return {str(f): by for f, by in found.items()}

    # --- reading --------------------------------------------------------------------------------
    async def list(self, project_id: str, *, limit: int = 50, offset: int = 0) -> Page[FileOut]:
        """The project's files, newest first (deleted ones are not listed). One statement (the
        page and its total) unless the page is empty; no transaction is held around them."""
        limit = max(1, min(limit, MAX_LIMIT))
        async with self.uow.read() as tx:
            pid = self.projects.parse_id(project_id)
            rows, total = await repo.page(tx.session, pid, limit=limit, offset=offset)
            if not rows:
                await self.projects.require(tx.session, project_id)  # nothing listed: is there a project?
        return Page[FileOut](items=[_out(*r) for r in rows], total=total, limit=limit, offset=offset)

    async def get(self, project_id: str, file_id: str) -> FileOut:
        fid = _file_id(file_id)
        async with self.uow() as tx:
            pid = await self.projects.require(tx.session, project_id)
            found = await repo.get(tx.session, pid, fid)
        if found is None:
            raise NotFound(f"Project {project_id!r} has no file {file_id!r}.")
        return _out(*found)

    async def open(self, project_id: str, file_id: str) -> tuple[FileOut, AsyncIterator[bytes]]:
        """A file and its bytes as a stream, checked against its SHA-256 as they pass (a damaged
        blob ends the stream with ``BlobIntegrityError`` before its last chunk)."""
        found = await self.get(project_id, file_id)
        key = blob_key(found.sha256)
        if not await self.blobs.exists(key):
            raise NotFound(f"The bytes of file {file_id!r} are no longer stored.")
        return found, self.blobs.stream(key, sha256=found.sha256)
