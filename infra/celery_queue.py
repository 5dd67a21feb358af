"""The ``JobQueue`` port on Celery: the relay sends tasks by name, so the web process needs none
of the worker's code.

kombu is synchronous: every call runs in a worker thread, never on the event loop. Publishing
does not wait long for a broker that is down (a couple of quick retries, short socket timeouts):
the relay keeps the outbox row and tries again later, which is the durable retry.
"""

from __future__ import annotations

import asyncio

from celery import Celery

from domain.jobs.queues import queue_for
from infra import tracing

TASK = "signx.jobs.run"


def task_id(job_id: str, attempt: int) -> str:
    return f"{job_id}:{attempt}"


class CeleryJobQueue:
    def __init__(self, broker_url: str, *, timeout_seconds: float = 3.0) -> None:
        self.app = Celery("signx-relay", broker=broker_url, set_as_current=False)
        self.app.conf.update(
            broker_connection_retry_on_startup=False,
            broker_connection_max_retries=1,
            broker_connection_timeout=timeout_seconds,
            broker_transport_options={
                "socket_connect_timeout": timeout_seconds,
                "socket_timeout": timeout_seconds,
            },
        )
        self._retry_policy = {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        }

    def _send(self, job_id: str, attempt: int, queue: str) -> None:
        self.app.send_task(
            TASK,
            args=[job_id],
            task_id=task_id(job_id, attempt),
            queue=queue,
            retry=True,
            retry_policy=self._retry_policy,
            # The publishing span's trace context (the thread runs in the caller's context): the
            # worker's task continues the trace. None (no headers) when tracing is off.
            headers=tracing.carrier(),
        )

    async def enqueue(self, job_id: str, attempt: int, *, kind: str | None = None) -> None:
        """Publish to the queue of the job's kind (workers consume queues by kind)."""
        await asyncio.to_thread(self._send, job_id, attempt, queue_for(kind))

    async def revoke(self, job_id: str, attempt: int, *, terminate: bool) -> None:
        """Workers skip the task if it has not started; with ``terminate`` the one running it is
        signalled (SIGTERM) to stop."""
        await asyncio.to_thread(
            self.app.control.revoke, task_id(job_id, attempt), terminate=terminate, signal="SIGTERM"
        )

    async def aclose(self) -> None:
        await asyncio.to_thread(self.app.close)
