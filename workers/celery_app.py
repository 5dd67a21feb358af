"""The one Celery app, configured from the same Settings as the server.

Reliability comes from the settings below and from the jobs table, not from Celery's result
backend (none is kept):

- ``acks_late`` + ``reject_on_worker_lost``: a message is acknowledged only after its task
  returned, and a pool process that dies mid-task puts the message back on the queue.
- prefetch 1: a worker holds at most the message it runs, so a dead worker strands no others.
- the broker's visibility timeout outlasts the hard time limit (Settings refuses otherwise), so
  Redis never hands a running task to a second worker. A worker killed as a whole is recovered
  sooner than that by the jobs' heartbeat check (see ``workers/root.py``).
- soft and hard time limits; retries with bounded exponential backoff and full jitter.
- every task is idempotent: ``JobService.execute`` claims the job in a transaction and skips a
  job that already succeeded or was cancelled, so a second delivery has no second effect.
"""

from __future__ import annotations

import random
from contextlib import AbstractContextManager
from typing import Any

from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded

from domain.jobs.queues import DEFAULT as DEFAULT_QUEUE
from infra import tracing
from infra.settings import Settings
from workers import root

TASK_NAME = "signx.jobs.run"

app = Celery("signx", set_as_current=False)
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    # Fetch a message only when a pool process is free to run it: a worker holds no message it
    # has not started, so a killed worker strands nothing but what it was running.
    worker_disable_prefetch=True,
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,  # the jobs table is the source of truth
    worker_hijack_root_logger=False,
    worker_redirect_stdouts=False,
    worker_send_task_events=False,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,  # keep reconnecting while Redis restarts
    # Jobs are routed to a queue by kind (domain/jobs/queues.py, at publish time); the default
    # queue keeps Celery's own name, where messages published before queues existed wait.
    task_default_queue=DEFAULT_QUEUE,
    task_create_missing_queues=True,
    worker_cancel_long_running_tasks_on_connection_loss=False,
    enable_utc=True,
)


def configure(settings: Settings, broker_url: str) -> Celery:
    """Point the app at the broker and apply the settings' limits (before the worker starts)."""
    app.conf.update(
        broker_url=broker_url,
        worker_concurrency=settings.worker_concurrency,
        worker_prefetch_multiplier=settings.worker_prefetch_multiplier,
        # With 1, a message is fetched only when a pool process is free to run it.
        worker_disable_prefetch=settings.worker_prefetch_multiplier == 1,
        task_soft_time_limit=settings.job_soft_time_limit_seconds,
        task_time_limit=settings.job_hard_time_limit_seconds,
        broker_transport_options={
            "visibility_timeout": settings.broker_visibility_timeout_seconds,
            # A restarted worker puts back (at once) what a dead one took and never acknowledged
            # once it is older than the visibility timeout.
            "unacked_restore_limit": 100,
        },
    )
    return app


def retry_delay(attempt: int, *, cap_seconds: float, base_seconds: float = 1.0, rng: Any = random) -> float:
    """Seconds before attempt ``attempt + 1``: full jitter over an exponential ceiling,
    uniform in [0, min(cap, base * 2**(attempt-1))] (AWS architecture blog, "Exponential
    Backoff and Jitter": spreads the retries of many jobs that failed together)."""
    ceiling = min(cap_seconds, base_seconds * 2 ** max(0, attempt - 1))
    return float(rng.uniform(0, ceiling))


def attempt_of(task_id: str | None) -> int:
    """The attempt number in a task id ``"<job_id>:<attempt>"`` (1 when absent or malformed)."""
    try:
        return max(1, int((task_id or "").rsplit(":", 1)[1]))
    except (IndexError, ValueError):
        return 1


def trace_context(request: Any) -> dict[str, str]:
    """The W3C trace context a task's message carries (the relay's publish span, in the
    message's headers; a retry's message copies them)."""
    headers = getattr(request, "headers", None) or {}
    found = {}
    for name in ("traceparent", "tracestate"):
        value = getattr(request, name, None) or headers.get(name)
        if isinstance(value, str) and value:
            found[name] = value
    return found


def _attempt_span(task: Task, job_id: str) -> AbstractContextManager[object]:
    if not tracing.enabled():
        return tracing.NULL
    return tracing.span(
        "job.run",
        kind="consumer",
        parent=trace_context(task.request),
        attributes={"signx.job.id": job_id, "signx.job.attempt": attempt_of(task.request.id)},
    )


@app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)
def run(self: Task, job_id: str) -> str:
    """Run one attempt of a job: re-read it, run its handler, record the outcome."""
    runtime = root.runtime()
    with _attempt_span(self, job_id):
        try:
            return runtime.execute(job_id)
        except SoftTimeLimitExceeded:
            return runtime.timed_out(job_id)
        except root.RETRYABLE as exc:
            raise runtime.retry_or_fail(self, job_id, exc) from exc
