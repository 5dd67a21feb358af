"""The worker's composition root: what each worker process runs its tasks with.

Celery tasks are synchronous and the domain services are async. Each pool process gets, when
it starts (``worker_process_init``), ONE event loop running in a thread of its own, ONE database
engine bound to that loop and one set of services; a task hands its coroutine to that loop and
waits for the answer. So connections are pooled across tasks (no ``asyncio.run`` per task, no
engine made at import time and shared across a fork), and the same loop also runs the
heartbeat, which keeps beating while a task is busy.

The main process only resolves the settings and URLs (:func:`configure`) before the pool forks.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from celery import Task
from celery.signals import worker_process_init, worker_process_shutdown
from sqlalchemy.exc import DBAPIError, OperationalError

from domain.errors import NotFound
from domain.jobs.schemas import FINISHED, JobStatus
from domain.jobs.service import Handler, JobCancelled, ProgressFn, RetryableJobError
from infra import tracing
from infra.settings import Settings

log = logging.getLogger("signx.worker")

T = TypeVar("T")

# Failures worth another attempt: the job service's own, and the database or network going away
# (also while claiming the job, before the handler runs).
RETRYABLE: tuple[type[BaseException], ...] = (RetryableJobError, OSError, OperationalError, DBAPIError)


@dataclass(frozen=True)
class WorkerConfig:
    settings: Settings
    database_url: str
    redis_url: str


_config: WorkerConfig | None = None
_runtime: WorkerRuntime | None = None


def configure(settings: Settings, database_url: str, redis_url: str) -> None:
    """Called in the worker's main process, before the pool processes are forked."""
    global _config
    _config = WorkerConfig(settings, database_url, redis_url)


def runtime() -> WorkerRuntime:
    if _runtime is None:
        raise RuntimeError("the worker process was not initialised (worker_process_init)")
    return _runtime


@worker_process_init.connect
def _init_process(**_: object) -> None:
    global _runtime
    if _config is None:
        raise RuntimeError("workers.root.configure() was not called before the worker started")
    _runtime = WorkerRuntime(_config)


@worker_process_shutdown.connect
def _shutdown_process(**_: object) -> None:
    global _runtime
    if _runtime is not None:
        _runtime.close()
        _runtime = None
    from infra.metrics import mark_process_dead

    mark_process_dead(os.getpid())


def timed(kind: str, handler: Handler) -> Handler:
    """``handler`` with its run time in ``signx_job_duration_seconds{kind, outcome}``: succeeded,
    cancelled, failed (the job fails) or error (the attempt is retried)."""
    from infra.metrics import JOB_DURATION

    async def run(payload: dict[str, Any], progress: ProgressFn) -> dict[str, Any]:
        started = time.perf_counter()
        outcome = "failed"
        try:
            result = await handler(payload, progress)
            outcome = "succeeded"
            return result
        except (JobCancelled, asyncio.CancelledError):
            outcome = "cancelled"
            raise
        except RETRYABLE:
            outcome = "error"
            raise
        finally:
            JOB_DURATION.labels(kind, outcome).observe(time.perf_counter() - started)

    return run


class WorkerRuntime:
    """One worker process's loop, engine, services and heartbeat."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self.settings = config.settings
        # In each pool process, after the fork: the exporter's thread is this process's own.
        tracing.configure(self.settings, "signx-worker")
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self.jobs_done = 0
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="signx-loop", daemon=True)
        self._thread.start()
        self.services, self._release = compose(config)
        self.handlers: Mapping[str, Handler] = {
            kind: timed(kind, handler) for kind, handler in handlers(self.services).items()
        }
        self._beat: concurrent.futures.Future[None] = asyncio.run_coroutine_threadsafe(
            self._heartbeat(), self.loop
        )
        log.info("worker process ready", extra={"worker": self.name})

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on this process's loop and wait for it. If the wait is interrupted (the
        soft time limit raises in this thread), the coroutine is cancelled too. It runs in a copy
        of this thread's context (``run_coroutine_threadsafe`` schedules it so): the task's trace
        span is current there, and what the job queues continues its trace."""
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    # -- the task's verbs ------------------------------------------------------------------
    def execute(self, job_id: str) -> str:
        outcome = self.call(self.services.jobs.execute(job_id, worker=self.name, handlers=self.handlers))
        self.jobs_done += 1
        return str(getattr(outcome, "value", outcome))

    def timed_out(self, job_id: str) -> str:
        limit = self.settings.job_soft_time_limit_seconds
        self.call(self.services.jobs.mark_failed(job_id, f"timed out after {limit} s"))
        return "failed"

    def retry_or_fail(self, task: Task, job_id: str, exc: BaseException) -> BaseException:
        """The exception the task raises: Celery's Retry for a later attempt (bounded backoff
        with jitter, as the next attempt's task id), or the error itself once the job is failed."""
        from workers.celery_app import attempt_of, retry_delay

        attempt = attempt_of(task.request.id)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        jobs = self.services.jobs
        try:
            if attempt >= self.settings.job_max_attempts:
                self.call(jobs.mark_failed(job_id, error))
                log.error("job failed", extra={"job_id": job_id, "attempt": attempt, "error": error})
                return exc
            self.call(jobs.mark_retrying(job_id, error, attempt))
        except RETRYABLE:
            # The database is away too: the retry is still sent, and its claim records the attempt.
            log.warning("job state not recorded before retrying", exc_info=True, extra={"job_id": job_id})
        delay = retry_delay(attempt, cap_seconds=self.settings.job_retry_backoff_max_seconds)
        # A handler that knows when another attempt can help (an open circuit breaker) is waited
        # for, up to the longest backoff (a longer countdown would look stranded: _restore_stranded).
        wait = getattr(exc, "retry_after", None)
        if isinstance(wait, int | float) and wait > delay:
            delay = min(float(wait), float(self.settings.job_retry_backoff_max_seconds))
        log.warning("job will be retried", extra={"job_id": job_id, "attempt": attempt, "in_seconds": delay})
        return task.retry(
            exc=exc, countdown=delay, max_retries=None, task_id=f"{job_id}:{attempt + 1}", throw=False
        )

    # -- heartbeat ---------------------------------------------------------------------------
    @property
    def lost_after_seconds(self) -> float:
        """A worker not heard from this long is taken for dead: three missed beats, plus slack
        for a beat that a loaded machine delays (a live worker's job must not be taken away)."""
        return 3 * self.settings.worker_heartbeat_seconds + 3

    async def _heartbeat(self) -> None:
        """Tell the jobs table this process is alive, and take back the jobs of workers that
        stopped beating (a worker killed as a whole never returns its messages before the
        broker's visibility timeout). Beats at a fixed rate, however long a beat's work took."""
        period = self.settings.worker_heartbeat_seconds
        next_beat = self.loop.time()
        while True:
            try:
                jobs = self.services.jobs
                await jobs.heartbeat(self.name, jobs_done=self.jobs_done)
                await jobs.reclaim_abandoned(
                    max_heartbeat_age_seconds=self.lost_after_seconds,
                    max_attempts=self.settings.job_max_attempts,
                )
                await self._restore_stranded()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("heartbeat failed", exc_info=True, extra={"worker": self.name})
            next_beat = max(next_beat + period, self.loop.time())
            await asyncio.sleep(next_beat - self.loop.time())

    @property
    def stranded_after_seconds(self) -> float:
        """A message unacknowledged this long whose job was never claimed is stranded. A live
        worker claims a message at once (it fetches only with a free process), except a retry
        it holds until its countdown: so longer than the longest backoff, plus a margin."""
        return self.settings.job_retry_backoff_max_seconds + self.lost_after_seconds + 10

    async def _restore_stranded(self) -> None:
        """Put back the messages a dead worker took and never started (see infra/broker_recovery)."""
        from infra.broker_recovery import restore, stale_deliveries
        from workers.celery_app import attempt_of

        url = self.config.redis_url
        stale = await asyncio.to_thread(stale_deliveries, url, older_than_seconds=self.stranded_after_seconds)
        tags = []
        for delivery in stale:
            job_id = delivery.task_id.rsplit(":", 1)[0]
            try:
                job = await self.services.jobs.get(job_id)
            except NotFound:
                tags.append(delivery.tag)  # redelivered, it is skipped and acknowledged
                continue
            waiting = job.status in (JobStatus.queued, JobStatus.retrying)
            if (waiting and job.attempts < attempt_of(delivery.task_id)) or job.status in FINISHED:
                tags.append(delivery.tag)
        if tags:
            await asyncio.to_thread(restore, url, tags)
            log.warning("put back unacknowledged task messages of lost workers", extra={"count": len(tags)})

    def close(self) -> None:
        self._beat.cancel()
        try:
            asyncio.run_coroutine_threadsafe(_awaited(self._release()), self.loop).result(timeout=5)
        except Exception:
            log.warning("releasing the worker's connections failed", exc_info=True)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        tracing.shutdown()  # sends the spans still queued


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable


def compose(config: WorkerConfig) -> tuple[Any, Callable[[], Awaitable[None]]]:
    """The services a worker needs, on this process's engine, and their release."""
    from bootstrap import wire

    return wire(config.settings, config.database_url, config.redis_url)


def handlers(services: Any) -> Mapping[str, Handler]:
    """Job kind -> handler (payload, progress) -> result."""
    reports = services.reports

    async def generate_report(payload: dict[str, Any], progress: ProgressFn) -> dict[str, Any]:
        project_id, revision = str(payload["project_id"]), int(payload["revision"])
        relay = ProgressRelay(progress)
        ref = await reports.generate(project_id, revision, on_progress=relay.report)
        await relay.flush()  # raises JobCancelled when the job stopped being this attempt's
        return {
            "sha256": ref.sha256,
            "url": report_url(project_id, ref.sha256),
            "revision": ref.revision,
            "size": ref.size,
            "rendered": ref.rendered,
        }

    async def send_email(payload: dict[str, Any], _progress: ProgressFn) -> dict[str, Any]:
        result: dict[str, Any] = await services.notifications.send(payload)
        return result

    return {
        "projects.report.generate": generate_report,
        "projects.submit.dispatch": services.submissions.dispatch,
        "projects.email.send": send_email,
    }


def report_url(project_id: str, sha256: str) -> str:
    """The authenticated download path of a stored report."""
    return f"/api/v1/projects/{project_id}/reports/{sha256}"


class ProgressRelay:
    """Hands the report service's synchronous progress calls to the job's async progress writer
    without piling up writes: one write at a time, and while one runs only the newest value
    waits (a render reports dozens of steps; the jobs table needs the latest)."""

    def __init__(self, write: ProgressFn) -> None:
        self._write = write
        self._latest: tuple[int, str] | None = None
        self._task: asyncio.Task[None] | None = None
        self.cancelled: JobCancelled | None = None

    def report(self, percent: int, message: str) -> None:
        if self.cancelled is not None:
            return
        self._latest = (percent, message)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._latest is not None:
            percent, message = self._latest
            self._latest = None
            try:
                await self._write(percent, message)
            except JobCancelled as exc:
                # Cancelled, or taken back meanwhile: the result will not be recorded.
                self.cancelled, self._latest = exc, None
            except Exception:
                log.warning("job progress not recorded", exc_info=True)

    async def flush(self) -> None:
        if self._task is not None:
            await self._task
        if self.cancelled is not None:
            raise self.cancelled
