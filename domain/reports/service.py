"""Generating and finding calculation reports: the use case a report job runs.

``generate`` reads the project and the revision through their services, renders the PDF in a
worker thread (CPU work, never on the event loop), stores it content-addressed through the
BlobStore and records it in ``reports``. It is idempotent: the rendering is named before it is made
by the fingerprint of what the PDF would show (``ReportInput.fingerprint``), so a second request
with nothing changed finds the stored row and blob and renders nothing; a job retried after a
worker died midway renders again and stores the same bytes under the same key (the blob write is
atomic, the row insert keeps the first).
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Callable

from domain.designs.service import DesignService
from domain.errors import NotFound
from domain.orm import utcnow
from domain.ports import BlobStore, UnitOfWork
from domain.projects.service import ProjectService
from domain.reports import repository as repo
from domain.reports.layout import render_calc_report
from domain.reports.models import Report
from domain.reports.schemas import ReportDesign, ReportInput, ReportProject, ReportRef, blob_key
from domain.users.service import UserService

Progress = Callable[[int, str], None]
MAX_LISTED = 200


def _ref(row: Report, *, rendered: bool) -> ReportRef:
    return ReportRef(
        project_id=str(row.project_id),
        revision=row.revision,
        sha256=row.sha256,
        size=row.size,
        input_sha256=row.input_sha256,
        created_at=row.created_at,
        rendered=rendered,
    )


class ReportService:
    def __init__(
        self,
        db: UnitOfWork,
        projects: ProjectService,
        designs: DesignService,
        blobs: BlobStore,
        users: UserService | None = None,
        *,
        timezone: str = "UTC",
    ) -> None:
        self.db = db
        self.projects = projects
        self.designs = designs
        self.blobs = blobs
        self.users = users
        self.timezone = timezone

    async def report_input(
        self, project_id: str, revision: int, *, prepared_by: str | None = None
    ) -> ReportInput:
        """What the report of this revision shows, read now (``NotFound`` for an unknown project or
        revision). ``prepared_by`` defaults to the revision's author."""
        project = await self.projects.get(project_id)
        design = await self.designs.get(project_id, revision)
        author = design.created_by_email
        if self.users is not None:
            actor = await self.users.get_actor(design.created_by)
            if actor is not None and actor.name:
                author = actor.name
        return ReportInput(
            project=ReportProject(
                project_id=project.project_id,
                name=project.name,
                customer=project.customer,
                account_id=project.account_id,
                site_address=project.site_address,
            ),
            design=ReportDesign(
                revision=design.revision,
                module=design.module,
                sha256=design.sha256,
                input=design.input,
                result=design.result,
                trace=design.trace,
                estimate=design.estimate,
                created_at=design.created_at,
                created_by=author,
                note=design.note,
            ),
            prepared_by=prepared_by or author,
            timezone=self.timezone,
        )

    async def generate(
        self,
        project_id: str,
        revision: int,
        *,
        prepared_by: str | None = None,
        on_progress: Progress | None = None,
    ) -> ReportRef:
        """The stored report of ``revision``, rendering and storing it first when it is not.

        ``on_progress(percent, message)`` is called on the event loop's thread (the rendering
        thread hands each call over), so it may touch loop-bound objects; keep it quick."""
        progress: Progress = on_progress or (lambda _pct, _msg: None)
        report = await self.report_input(project_id, revision, prepared_by=prepared_by)
        fingerprint = report.fingerprint()
        pid = uuid.UUID(report.project.project_id)
        async with self.db() as tx:
            session = tx.session
            row = await repo.find(session, pid, revision, fingerprint)
        if row is not None and await self.blobs.exists(blob_key(row.sha256)):
            progress(100, "Report already rendered")
            return _ref(row, rendered=False)

        loop = asyncio.get_running_loop()

        def from_thread(pct: int, message: str) -> None:
            loop.call_soon_threadsafe(progress, min(pct, 95), message)

        pdf = await asyncio.to_thread(render_calc_report, report, on_progress=from_thread)
        sha256 = hashlib.sha256(pdf).hexdigest()
        progress(96, "Storing the PDF")
        await self.blobs.put(blob_key(sha256), pdf, "application/pdf")
        async with self.db() as tx:
            session = tx.session
            row = await repo.add(
                session,
                project_id=pid,
                revision=revision,
                input_sha256=fingerprint,
                sha256=sha256,
                size=len(pdf),
                created_at=utcnow(),
            )
            ref = _ref(row, rendered=True)
        progress(100, "Report ready")
        return ref

    async def list(self, project_id: str, *, limit: int = 50) -> list[ReportRef]:
        """The project's stored reports, newest first (the project is asked for only when it has
        none listed)."""
        limit = max(1, min(limit, MAX_LISTED))
        async with self.db() as tx:
            session = tx.session
            rows = await repo.for_project(session, self.projects.parse_id(project_id), limit=limit)
            if not rows:
                await self.projects.require(session, project_id)
        return [_ref(r, rendered=False) for r in rows]

    async def pdf(self, project_id: str, sha256: str) -> tuple[ReportRef, bytes]:
        """A stored report of the project and its bytes (``NotFound`` otherwise)."""
        async with self.db() as tx:
            session = tx.session
            pid = await self.projects.require(session, project_id)
            row = await repo.by_sha256(session, pid, sha256.lower()) if len(sha256) == 64 else None
        if row is None:
            raise NotFound(f"Project {project_id!r} has no report {sha256!r}.")
        try:
            data = await self.blobs.get(blob_key(row.sha256))
        except KeyError:
            raise NotFound(f"The PDF of report {sha256!r} is no longer stored; generate it again.") from None
        return _ref(row, rendered=False), data
