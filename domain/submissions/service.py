"""Submitting a project: it moves to ``submitted`` and its dispatch to the PM system is queued in
the same transaction; the dispatch job then sends it (or records it locally) and stores the PM's
reference on the project.

The move itself is the project lifecycle's (``ProjectService.move``: state machine, role, the
design guard, the status-change audit event and whatever else hangs on a status change), so a
submit through ``POST /submit`` and a transition to ``submitted`` are the same thing; the
lifecycle calls back :meth:`SubmissionService.queue_dispatch` for the job. A project that is
already submitted is refused (409) before its ETag is compared, and the submit takes an
idempotency key: however often it is repeated, one dispatch job exists per submission.

The dispatch job (:meth:`SubmissionService.dispatch`, kind ``projects.submit.dispatch``) re-reads
the project, sends the payload of ``domain.submissions.payload`` through the ``PMClient`` port with
the submission's Idempotency-Key, and records the outcome in one transaction: PM unavailable ->
``RetryableJobError`` (the job machinery retries with backoff and jitter; an open breaker says
when), PM refusal -> the job fails and is not retried (ops retry it by hand after the fix).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from domain.designs.service import DesignService
from domain.errors import Conflict
from domain.idempotency.service import IdempotencyRequest, IdempotencyService, Replay
from domain.jobs.schemas import SUBMIT_DISPATCH, JobOut, JobRequest
from domain.jobs.service import JobService, ProgressFn, RetryableJobError
from domain.orm import utcnow
from domain.ports import PMCircuit, PMClient, PMUnavailable, Transaction, UnitOfWork
from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectOut
from domain.projects.service import ProjectService, Submission
from domain.reports.schemas import ReportRef
from domain.reports.service import ReportService
from domain.submissions.payload import dispatch_payload, submission_key
from domain.users.schemas import Actor

KeepFiles = Callable[[Transaction, uuid.UUID, str], Awaitable[list[dict[str, Any]]]]
"""In the submit's transaction: the project's files, kept from now on for the submission named
(``submission:<key>``), as references ``[{file_id, name, size, content_type, sha256}]``."""


async def keep_no_files(_tx: Transaction, _project_id: uuid.UUID, _by: str) -> list[dict[str, Any]]:
    return []


FileRefs = Callable[[str, int], Awaitable[list[dict[str, Any]]]]
"""The files a submission lists (project id, design revision) -> ``[{file_id, name, size,
content_type, sha256}]``. The extension point for the project files (issue #10, "Project files"):
the composition root wires the files module's answer here; until then a dispatch lists none."""


async def no_files(_project_id: str, _design_revision: int) -> list[dict[str, Any]]:
    return []


class SubmissionOut(BaseModel):
    """A submit's answer: the project, now submitted, and its dispatch job."""

    project: ProjectOut
    job: JobOut


class SubmitRequest(BaseModel):
    """What a submit is, for its idempotency key (the ETag is left out: a retry after the first
    submit changed it is still the same submit)."""

    project_id: str


class PMStatus(BaseModel):
    """Where dispatches go and the breaker in front of them, for the job monitor."""

    mode: str  # "http" | "local"
    target: str
    circuit: dict[str, Any]


class SubmissionService:
    def __init__(
        self,
        uow: UnitOfWork,
        projects: ProjectService,
        designs: DesignService,
        jobs: JobService,
        reports: ReportService,
        pm: PMClient,
        *,
        idempotency: IdempotencyService | None = None,
        file_refs: FileRefs = no_files,
        keep_files: KeepFiles = keep_no_files,
    ) -> None:
        self.uow = uow
        self.projects = projects
        self.designs = designs
        self.jobs = jobs
        self.reports = reports
        self.pm = pm
        self.idempotency = idempotency or IdempotencyService(uow)
        self.file_refs = file_refs
        self.keep_files = keep_files

    # -- submitting (a person) ----------------------------------------------------------------------

    async def submit(
        self,
        actor: Actor,
        project_id: str,
        *,
        if_match: str | None,
        idempotency: IdempotencyRequest | None = None,
        request_id: str | None = None,
    ) -> Replay[SubmissionOut]:
        """Move the project to ``submitted`` and queue its dispatch, in one transaction. With an
        idempotency key, a repeat gives the first answer (no second job)."""

        async def work(tx: Transaction) -> SubmissionOut:
            moved = await self.projects.move(
                tx, project_id, Status.submitted, if_match=if_match, request_id=request_id
            )
            if moved.submission is None:  # the composition root wires queue_dispatch: never here
                raise RuntimeError("submitting needs ProjectService(on_submit=...)")
            job = await self.jobs.read(tx, moved.submission.job_id)
            return SubmissionOut(project=moved.project, job=job)

        replay = await self.idempotency.run(
            actor.user_id, idempotency, SubmitRequest(project_id=project_id), SubmissionOut, work
        )
        if not replay.replayed:
            self.projects.observe("transition")
        return replay

    async def queue_dispatch(
        self, tx: Transaction, project_id: uuid.UUID, project_revision: int
    ) -> Submission:
        """The lifecycle's ``on_submit``: the dispatch job of the latest design revision, queued in
        the submit's transaction (the design guard has just passed it)."""
        design_revision = await self.designs.latest_revision(tx.session, project_id)
        if design_revision is None:  # the guard refuses this first; kept for a miswired guard
            raise Conflict("No saved design to submit.", reason="guard_failed")
        key = submission_key(str(project_id), project_revision)
        # The files go with the submission, and are kept (no delete) from now on.
        files = await self.keep_files(tx, project_id, f"submission:{key}")
        job = await self.jobs.request_in(
            tx,
            JobRequest(
                kind=SUBMIT_DISPATCH,
                project_id=str(project_id),
                revision=design_revision,
                payload={
                    "project_id": str(project_id),
                    "design_revision": design_revision,
                    "key": key,
                    "submitted_by": tx.actor.email,
                    "submitted_at": utcnow().isoformat(),
                    "files": files,
                },
            ),
        )
        return Submission(design_revision=design_revision, key=key, job_id=job.job_id)

    # -- dispatching (the worker) -------------------------------------------------------------------

    async def dispatch(self, job: dict[str, Any], progress: ProgressFn) -> dict[str, Any]:
        """The ``projects.submit.dispatch`` handler: send the submission, record the outcome."""
        project_id, key = str(job["project_id"]), str(job["key"])
        design_revision = int(job["design_revision"])
        project = await self.projects.get(project_id)
        if project.pm_submission_key != key:
            raise SupersededSubmission(
                f"The project was submitted again since this dispatch was queued ({key}); it is not sent."
            )
        if project.pm_dispatch in ("sent", "recorded_locally"):  # a retry after the record: done
            return self._result(key, project.pm_dispatch, project.pm_reference, None, design_revision)
        await progress(10, "Reading the submitted design")
        design = await self.designs.get(project_id, design_revision)
        report = await self._latest_report(project_id, design_revision)
        # The files kept at the submit (older jobs, queued before files went with them: asked now).
        files = job["files"] if "files" in job else await self.file_refs(project_id, design_revision)
        body = dispatch_payload(
            key=key,
            project=project,
            design=design,
            report=report,
            files=files,
            submitted_at=datetime.fromisoformat(str(job["submitted_at"])),
            submitted_by=str(job.get("submitted_by") or ""),
        )
        local = self.pm.mode == "local"
        await progress(40, "Recording the submission locally" if local else "Sending to the PM system")
        try:
            receipt = await self.pm.submit(body, idempotency_key=key)
        except PMUnavailable as exc:
            # Many jobs held by one open breaker should not all try again at the same instant.
            wait = exc.retry_after + random.uniform(0, 2) if exc.retry_after is not None else None
            raise RetryableJobError(str(exc), retry_after=wait) from exc
        # A PMRefused propagates: the job fails with its message and is not retried.
        file_name = receipt.location.rsplit("/", 1)[-1] if receipt.location else None
        details: dict[str, Any] = {"design_revision": design_revision}
        if file_name:
            details["file"] = file_name
        async with self.uow() as tx:
            await self.projects.record_dispatch(
                tx.session,
                project_id,
                key=key,
                reference=receipt.reference,
                recorded_locally=receipt.recorded_locally,
                details=details,
            )
        mode = "recorded_locally" if receipt.recorded_locally else "sent"
        await progress(
            100, f"Sent: PM reference {receipt.reference}" if receipt.reference else "Recorded locally"
        )
        return self._result(key, mode, receipt.reference, file_name, design_revision)

    @staticmethod
    def _result(
        key: str, mode: str | None, reference: str | None, file_name: str | None, design_revision: int
    ) -> dict[str, Any]:
        return {
            "pm_dispatch": mode,
            "pm_reference": reference,
            "idempotency_key": key,
            "design_revision": design_revision,
            **({"file": file_name} if file_name else {}),
        }

    async def _latest_report(self, project_id: str, design_revision: int) -> ReportRef | None:
        """The newest stored report of the submitted revision, if one was made."""
        refs = await self.reports.list(project_id, limit=200)
        return next((r for r in refs if r.revision == design_revision), None)

    # -- watching -----------------------------------------------------------------------------------

    @property
    def pm_mode(self) -> str:
        """ "http" (dispatches are sent to the PM system) or "local" (recorded, not sent)."""
        return self.pm.mode

    @property
    def pm_target(self) -> str:
        return self.pm.target

    async def pm_status(self) -> PMStatus:
        circuit: PMCircuit = await self.pm.circuit()
        return PMStatus(mode=self.pm.mode, target=self.pm.target, circuit=asdict(circuit))


class SupersededSubmission(Exception):
    """The dispatch job of a submission that a later one replaced: not sent, the job fails."""
