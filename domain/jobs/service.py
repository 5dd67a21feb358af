"""Background jobs: requested in the caller's transaction, run by workers, watched by people.

The ``jobs`` row is the source of truth (the broker only carries ids). A request writes the job
and an outbox ``job.enqueue`` row in one transaction: the relay sends it to the queue only after
the commit, so a task never runs before its row exists, and a rolled-back request leaves no job.
Delivery is at least once, so :meth:`JobService.execute` is idempotent: a job that finished is
skipped, and each claim counts an attempt.

Cancel: a queued job is cancelled before it starts (execute then skips it); a running one is
marked cancelled and revoked (its worker is signalled), and a handler that reports progress
notices at once. Retry: a failed or cancelled job is queued again, as a new attempt of the same
job. Both are for ops and admins.
"""

from __future__ import annotations

import builtins
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError, OperationalError

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.idempotency.service import IdempotencyRequest, IdempotencyService, Replay
from domain.jobs.models import Job
from domain.jobs.schemas import (
    CLAIMABLE,
    EMAIL,
    FINISHED,
    KINDS,
    REPORT,
    JobListed,
    JobOut,
    JobQuery,
    JobRequest,
    JobsOverview,
    JobStatus,
    MinuteCount,
    WorkerOut,
)
from domain.orm import utcnow
from domain.outbox.models import JOB_ENQUEUE, JOB_REVOKE
from domain.paging import Page
from domain.ports import Transaction, UnitOfWork
from domain.users.roles import can_manage_jobs, can_request_reports
from domain.users.schemas import Actor

if TYPE_CHECKING:
    from domain.designs.service import DesignService

log = logging.getLogger("signx.jobs")

ProgressFn = Callable[[int, str], Awaitable[None]]
Handler = Callable[[dict[str, Any], ProgressFn], Awaitable[dict[str, Any]]]
SuccessHook = Callable[[Transaction, JobOut], Awaitable[Any]]
"""Runs in the transaction that records a job of its kind as succeeded (e.g. the report-ready
e-mail): what it writes commits with the success or not at all."""


class Outcome(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"  # cancelled while it ran: its result is not recorded
    SKIPPED = "skipped"  # unknown, finished or cancelled before it started: nothing was run


class RetryableJobError(Exception):
    """A failure worth another attempt (the database or a server went away): the task's retry
    policy decides (``mark_retrying`` or, at the last attempt, ``mark_failed``). ``retry_after``
    (seconds) asks the policy to wait at least that long (a circuit breaker that is open)."""

    def __init__(self, message: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class JobCancelled(Exception):
    """Raised from a handler's progress report when the job was cancelled meanwhile."""


def _parse_id(job_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(job_id))
    except ValueError:
        raise NotFound(f"No job {job_id!r}.") from None


def job_out(job: Job) -> JobOut:
    return JobOut(
        job_id=str(job.job_id),
        kind=job.kind,
        status=JobStatus(job.status),
        progress=job.progress,
        message=job.message,
        attempts=job.attempts,
        error=job.last_error,
        project_id=str(job.project_id) if job.project_id else None,
        revision=job.design_revision,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        result=job.result,
        worker=job.worker,
        requested_by=str(job.requested_by) if job.requested_by else None,
    )


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


class JobService:
    def __init__(
        self,
        uow: UnitOfWork,
        *,
        designs: DesignService | None = None,
        idempotency: IdempotencyService | None = None,
    ) -> None:
        self.uow = uow
        self.designs = designs
        self.idempotency = idempotency or IdempotencyService(uow)
        # Job kind -> what to do in the transaction that records its success (the composition root's).
        self.on_succeeded: dict[str, SuccessHook] = {}

    # -- requesting -----------------------------------------------------------------------------

    async def request(
        self,
        actor: Actor,
        *,
        kind: str,
        project_id: str | None,
        revision: int | None,
        payload: Mapping[str, Any],
        idempotency_key: str | None = None,
    ) -> JobOut:
        """Queue a job; with ``idempotency_key`` a repeat of the same request gives the same job."""
        request = JobRequest(kind=kind, project_id=project_id, revision=revision, payload=dict(payload))
        key = IdempotencyRequest(f"jobs.request {kind}", idempotency_key) if idempotency_key else None
        return (await self.request_replayable(actor, request, idempotency=key)).value

    async def request_replayable(
        self, actor: Actor, request: JobRequest, *, idempotency: IdempotencyRequest | None = None
    ) -> Replay[JobOut]:
        if request.kind not in KINDS:
            raise InvalidInput(
                f"Unknown job kind {request.kind!r}.", fields=[{"field": "kind", "message": "unknown kind"}]
            )
        if request.kind == EMAIL:
            raise InvalidInput(
                "E-mails are sent by the system when something happens; they cannot be requested.",
                fields=[{"field": "kind", "message": "not requestable"}],
            )

        async def work(tx: Transaction) -> JobOut:
            return await self._request(tx, request, idempotency.key if idempotency else None)

        return await self.idempotency.run(actor.user_id, idempotency, request, JobOut, work)

    async def request_in(self, tx: Transaction, request: JobRequest) -> JobOut:
        """Queue a job in the caller's transaction (job + outbox row with the caller's change),
        for a module whose use case queues one (a submission queues its dispatch)."""
        if request.kind not in KINDS:
            raise ValueError(f"unknown job kind {request.kind!r}")
        return await self._request(tx, request, None)

    async def read(self, tx: Transaction, job_id: str) -> JobOut:
        job = await tx.jobs.get(_parse_id(job_id))
        if job is None:
            raise NotFound(f"No job {job_id!r}.")
        return job_out(job)

    async def _request(self, tx: Transaction, request: JobRequest, key: str | None) -> JobOut:
        actor = tx.actor
        project_uuid = None
        if request.kind != REPORT and request.project_id is not None:
            project_uuid = uuid.UUID(request.project_id)  # the requesting module checked it exists
        if request.kind == REPORT:
            if not can_request_reports(actor.role):
                raise Forbidden(f"A user with role '{actor.role}' may not request reports.")
            if request.project_id is None or request.revision is None:
                raise InvalidInput(
                    "A report needs a project and a design revision.",
                    fields=[{"field": "revision", "message": "required"}],
                )
            if self.designs is None:
                raise RuntimeError("reports need the design service")
            project_uuid = await self.designs.require_revision(
                tx.session, request.project_id, request.revision
            )
        return await self.queue_in(
            tx,
            kind=request.kind,
            project_id=project_uuid,
            revision=request.revision,
            payload=request.payload,
            requested_by=actor.user_id,
            idempotency_key=key,
        )

    async def queue_in(
        self,
        tx: Transaction,
        *,
        kind: str,
        project_id: uuid.UUID | None,
        payload: Mapping[str, Any],
        requested_by: str | None,
        revision: int | None = None,
        idempotency_key: str | None = None,
    ) -> JobOut:
        """Write a queued job and its outbox row in ``tx``, the caller's transaction: the job runs
        only if that commits. For jobs the system queues as part of another change (an e-mail in
        a status change); people's requests go through :meth:`request`, which checks them first."""
        job = Job(
            job_id=uuid.uuid4(),
            kind=kind,
            project_id=project_id,
            design_revision=revision,
            payload=dict(payload),
            status=JobStatus.queued.value,
            progress=0,
            message="",
            attempts=0,
            dispatch=1,
            requested_by=uuid.UUID(requested_by) if requested_by else None,
            idempotency_key=idempotency_key,
            created_at=utcnow(),
        )
        tx.jobs.add(job)
        tx.outbox.add(JOB_ENQUEUE, _enqueue_payload(job))
        await tx.session.flush()
        return job_out(job)

    # -- running (the worker's verbs) -------------------------------------------------------------

    async def execute(self, job_id: str, *, worker: str, handlers: Mapping[str, Handler]) -> Outcome:
        """Claim the job, run its handler, record the outcome. Safe to call again for the same job
        (a redelivered message): a finished or cancelled job is skipped."""
        try:
            jid = uuid.UUID(str(job_id))
        except ValueError:
            return Outcome.SKIPPED
        async with self.uow() as tx:
            job = await tx.jobs.get(jid, lock=True)
            if job is None or JobStatus(job.status) not in CLAIMABLE:
                return Outcome.SKIPPED
            job.status = JobStatus.running.value
            job.attempts += 1
            job.dispatch = max(job.dispatch, job.attempts)
            job.started_at = utcnow()
            job.finished_at = None
            job.worker = worker
            job.progress = 0
            kind, payload = job.kind, dict(job.payload)
        handler = handlers.get(kind)
        if handler is None:
            await self.mark_failed(job_id, f"No handler for job kind {kind!r} on worker {worker}.")
            return Outcome.FAILED

        async def progress(percent: int, message: str) -> None:
            await self._progress(jid, percent, message)

        try:
            result = await handler(payload, progress)
        except JobCancelled:
            return Outcome.CANCELLED
        except RetryableJobError:
            raise
        except (OSError, OperationalError, DBAPIError) as exc:
            raise RetryableJobError(_error_text(exc)) from exc
        except Exception as exc:
            await self.mark_failed(job_id, _error_text(exc))
            return Outcome.FAILED
        async with self.uow() as tx:
            job = await tx.jobs.get(jid, lock=True)
            if job is None or job.status != JobStatus.running.value:
                return Outcome.CANCELLED
            job.status = JobStatus.succeeded.value
            job.progress = 100
            job.result = result
            job.last_error = None
            job.finished_at = utcnow()
            hook = self.on_succeeded.get(kind)
            if hook is not None:
                await _after_success(tx, hook, job_out(job))
        return Outcome.SUCCEEDED

    async def _progress(self, job_id: uuid.UUID, percent: int, message: str) -> None:
        async with self.uow() as tx:
            job = await tx.jobs.get(job_id, lock=True)
            if job is None or job.status != JobStatus.running.value:
                raise JobCancelled(str(job_id))
            job.progress = min(max(int(percent), 0), 100)
            job.message = message[:500]

    async def mark_retrying(self, job_id: str, error: str, attempt: int) -> None:
        """Attempt ``attempt`` failed and will be retried as ``attempt + 1`` (the task's policy)."""
        async with self.uow() as tx:
            job = await tx.jobs.get(_parse_id(job_id), lock=True)
            if job is None or JobStatus(job.status) in FINISHED:
                return
            job.status = JobStatus.retrying.value
            job.last_error = error[:2000]
            job.dispatch = max(job.dispatch, attempt + 1)

    async def mark_failed(self, job_id: str, error: str) -> None:
        async with self.uow() as tx:
            job = await tx.jobs.get(_parse_id(job_id), lock=True)
            if job is None or JobStatus(job.status) in FINISHED:
                return
            job.status = JobStatus.failed.value
            job.last_error = error[:2000]
            job.finished_at = utcnow()

    # -- people's verbs ---------------------------------------------------------------------------

    async def cancel(self, actor: Actor, job_id: str) -> JobOut:
        async with self.uow(actor.user_id) as tx:
            job = await _managed_job(tx, job_id)
            status = JobStatus(job.status)
            if status in FINISHED:
                raise Conflict(f"The job is {status.value}; only a queued or running job can be cancelled.")
            job.status = JobStatus.cancelled.value
            job.finished_at = utcnow()
            job.message = f"cancelled by {tx.actor.email}"[:500]
            # After the commit: a queued task is dropped by the workers, a running one is signalled.
            tx.outbox.add(
                JOB_REVOKE,
                {
                    "job_id": str(job.job_id),
                    "attempt": job.dispatch,
                    "terminate": status is JobStatus.running,
                },
            )
            return job_out(job)

    async def retry(self, actor: Actor, job_id: str) -> JobOut:
        async with self.uow(actor.user_id) as tx:
            job = await _managed_job(tx, job_id)
            status = JobStatus(job.status)
            if status not in {JobStatus.failed, JobStatus.cancelled}:
                raise Conflict(f"The job is {status.value}; only a failed or cancelled job can be retried.")
            job.status = JobStatus.queued.value
            job.progress = 0
            job.message = f"retry requested by {tx.actor.email}"[:500]
            job.finished_at = None
            # A new attempt: a task id the broker has not seen for this job.
            job.dispatch = max(job.dispatch, job.attempts) + 1
            tx.outbox.add(JOB_ENQUEUE, _enqueue_payload(job))
            return job_out(job)

    async def get(self, job_id: str) -> JobOut:
        async with self.uow() as tx:
            job = await tx.jobs.get(_parse_id(job_id))
            if job is None:
                raise NotFound(f"No job {job_id!r}.")
            return job_out(job)

    async def list(self, query: JobQuery) -> Page[JobOut]:
        project = None
        if query.project_id is not None:
            try:
                project = uuid.UUID(query.project_id)
            except ValueError:
                raise InvalidInput(
                    "project must be a project id.",
                    fields=[{"field": "project", "message": "not a project id"}],
                ) from None
        async with self.uow() as tx:
            total, rows = await tx.jobs.page(
                kind=query.kind or query.kinds,
                status=query.status.value if query.status else None,
                project_id=project,
                limit=query.limit,
                offset=query.offset,
            )
            items = [job_out(j) for j in rows]
        return Page[JobOut](items=items, total=total, limit=query.limit, offset=query.offset)

    async def list_with_projects(self, query: JobQuery) -> Page[JobListed]:
        """:meth:`list` with each job's project name: what the job monitor shows."""
        project = _project_filter(query.project_id)
        async with self.uow() as tx:
            total, rows = await tx.jobs.page_with_project_names(
                kind=query.kind or query.kinds,
                status=query.status.value if query.status else None,
                project_id=project,
                limit=query.limit,
                offset=query.offset,
            )
            items = [JobListed(**job_out(j).model_dump(), project_name=name) for j, name in rows]
        return Page[JobListed](items=items, total=total, limit=query.limit, offset=query.offset)

    async def overview(self, *, worker_max_age_seconds: float, minutes: int = 60) -> JobsOverview:
        """Queue depth, live workers and jobs per minute by status over the last ``minutes``, in
        one transaction (three statements): the head of the job monitor."""
        minutes = min(max(int(minutes), 1), 24 * 60)
        async with self.uow() as tx:
            now = utcnow()
            depth = await tx.jobs.count_waiting()
            seen = await tx.jobs.workers_seen_since(now - timedelta(seconds=worker_max_age_seconds))
            since = now - timedelta(minutes=minutes)
            counts = await tx.jobs.per_minute(since, created_after=since - timedelta(hours=1))
            return JobsOverview(
                queue_depth=depth,
                workers=[
                    WorkerOut(
                        name=w.name,
                        started_at=w.started_at,
                        last_seen_at=w.last_seen_at,
                        jobs_done=w.jobs_done,
                    )
                    for w in seen
                ],
                per_minute=[
                    MinuteCount(minute=m.replace(tzinfo=UTC), status=JobStatus(s), count=c)
                    for m, s, c in counts
                ],
                read_at=now,
            )

    # -- workers ----------------------------------------------------------------------------------

    async def heartbeat(self, worker: str, *, jobs_done: int) -> None:
        async with self.uow() as tx:
            await tx.jobs.beat(worker[:200], jobs_done, utcnow())

    async def live_workers(self, max_age_seconds: float) -> builtins.list[WorkerOut]:
        async with self.uow() as tx:
            rows = await tx.jobs.workers_seen_since(utcnow() - timedelta(seconds=max_age_seconds))
            return [
                WorkerOut(
                    name=w.name, started_at=w.started_at, last_seen_at=w.last_seen_at, jobs_done=w.jobs_done
                )
                for w in rows
            ]

    async def queue_depth(self) -> int:
        """Jobs waiting for a worker (queued or retrying)."""
        async with self.uow() as tx:
            return await tx.jobs.count_waiting()

    async def reclaim_abandoned(
        self, *, max_heartbeat_age_seconds: float, max_attempts: int
    ) -> builtins.list[str]:
        """Running jobs whose worker stopped beating: queued again as the next attempt (``retrying``),
        or failed once they had ``max_attempts``. A worker killed as a whole leaves its message
        unacknowledged until the broker's visibility timeout; this takes the job back much sooner.
        Returns the ids of the jobs taken back."""
        async with self.uow() as tx:
            since = utcnow() - timedelta(seconds=max_heartbeat_age_seconds)
            alive = {w.name for w in await tx.jobs.workers_seen_since(since)}
            reclaimed = []
            for job in await tx.jobs.running_locked():
                if job.worker in alive:
                    continue
                job.last_error = f"worker {job.worker} lost"
                if job.attempts >= max_attempts:
                    job.status = JobStatus.failed.value
                    job.finished_at = utcnow()
                else:
                    job.status = JobStatus.retrying.value
                    job.dispatch = max(job.dispatch, job.attempts) + 1
                    tx.outbox.add(JOB_ENQUEUE, _enqueue_payload(job))
                reclaimed.append(str(job.job_id))
            return reclaimed


async def _after_success(tx: Transaction, hook: SuccessHook, job: JobOut) -> None:
    """Run ``hook`` in a savepoint: what it writes commits with the success, but its failure rolls
    back only its own writes; the job's success stands (a report is not failed by its e-mail)."""
    try:
        async with tx.session.begin_nested():
            await hook(tx, job)
    except Exception:
        log.exception("what follows a job's success failed; the success stands", extra={"job_id": job.job_id})


def _enqueue_payload(job: Job) -> dict[str, Any]:
    """The relay's message for a job's current attempt; its kind picks the broker queue."""
    return {"job_id": str(job.job_id), "attempt": job.dispatch, "kind": job.kind}


def _project_filter(project_id: str | None) -> uuid.UUID | None:
    if project_id is None:
        return None
    try:
        return uuid.UUID(project_id)
    except ValueError:
        raise InvalidInput(
            "project must be a project id.", fields=[{"field": "project", "message": "not a project id"}]
        ) from None


async def _managed_job(tx: Transaction, job_id: str) -> Job:
    """The job ``job_id``, locked, for an actor who may cancel and retry jobs."""
    _may_manage(tx.actor)
    job = await tx.jobs.get(_parse_id(job_id), lock=True)
    if job is None:
        raise NotFound(f"No job {job_id!r}.")
    return job


def _may_manage(actor: Actor) -> None:
    if not can_manage_jobs(actor.role):
        raise Forbidden(f"A user with role '{actor.role}' may not retry or cancel jobs; ops and admins may.")
