"""The outbox relay: publishes outbox rows after their transaction committed.

Woken at once by a commit (``wake()`` from the unit of work in this process, and PostgreSQL
``LISTEN`` on the outbox channel for commits in other processes, e.g. a worker), and sweeping
every ``sweep_seconds`` for anything missed (a lost notification, a restart, a publish that
failed). Each sweep takes a batch of due rows with ``SELECT ... FOR UPDATE SKIP LOCKED``: several
relays (several server processes) never publish the same row at once, and a row is marked
published in the transaction that locked it. A failed publish leaves the row with ``attempts``,
``last_error`` and a backoff; the next sweep tries again. Delivery is therefore at least once (a
crash after the publish and before the mark republishes it): consumers are idempotent (the job
task id is ``job_id:attempt``, and the job's execute skips a finished job).

A relay takes only the kinds it can deliver (``deliver``'s keys): the jobs' relay publishes to the
job queue, and search indexing (``search.index``, when OpenSearch is configured) has a relay of
its own, so a search engine that is down never holds up a job's publish.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from contextlib import suppress
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.orm import utcnow
from domain.outbox.models import CHANNEL, JOB_ENQUEUE, JOB_REVOKE, TRACE, OutboxMessage
from domain.ports import JobQueue
from infra import tracing
from infra.db import Database
from infra.metrics import OUTBOX_PUBLISHED

log = logging.getLogger(__name__)

Deliver = Callable[[Mapping[str, Any]], Awaitable[None]]

# Published rows are kept this long (to see what was sent), then deleted by a sweep.
KEEP_PUBLISHED = timedelta(days=7)


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s ... capped at 5 minutes."""
    return timedelta(seconds=min(2 ** max(attempts - 1, 0), 300))


def deliveries(queue: JobQueue) -> dict[str, Deliver]:
    async def enqueue(payload: Mapping[str, Any]) -> None:
        kind = payload.get("kind")  # rows written before queues by kind have none: default queue
        await queue.enqueue(str(payload["job_id"]), int(payload["attempt"]), kind=str(kind) if kind else None)

    async def revoke(payload: Mapping[str, Any]) -> None:
        await queue.revoke(
            str(payload["job_id"]), int(payload["attempt"]), terminate=bool(payload.get("terminate"))
        )

    return {JOB_ENQUEUE: enqueue, JOB_REVOKE: revoke}


class OutboxRelay:
    def __init__(
        self,
        db: Database,
        queue: JobQueue | None = None,
        *,
        deliver: Mapping[str, Deliver] | None = None,
        sweep_seconds: float = 5.0,
        batch: int = 100,
        listen: bool = True,
    ) -> None:
        self.db = db
        if deliver is None:
            if queue is None:
                raise ValueError("an outbox relay needs a job queue or its own deliveries")
            deliver = deliveries(queue)
        self.deliver = dict(deliver)
        self.sweep_seconds = sweep_seconds
        self.batch = batch
        self.listen = listen
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._listener: AsyncConnection | None = None
        self._last_purge = utcnow() - KEEP_PUBLISHED
        self.published = 0  # rows this relay published (for tests and the metrics)

    # -- waking ---------------------------------------------------------------------------------

    def wake(self, _messages: Sequence[OutboxMessage] = ()) -> None:
        """Publish now (called after a commit wrote outbox rows; safe from any thread)."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if threading.get_ident() == self._loop_thread:
            self._wake.set()
        else:
            loop.call_soon_threadsafe(self._wake.set)

    def _on_notify(self, *_args: Any) -> None:
        self._wake.set()

    async def _ensure_listening(self) -> None:
        if not self.listen:
            return
        raw = None
        if self._listener is not None:
            raw = (await self._listener.get_raw_connection()).driver_connection
            if raw is not None and not raw.is_closed():
                return
            await self._close_listener()
        conn = None
        try:
            conn = await self.db.engine.connect()
            raw = (await conn.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.add_listener(CHANNEL, self._on_notify)
            self._listener = conn
        except Exception:
            log.warning("outbox relay cannot LISTEN; sweeping only until it can", exc_info=True)
            if conn is not None:
                with suppress(Exception):
                    await conn.close()

    async def _close_listener(self) -> None:
        conn, self._listener = self._listener, None
        if conn is None:
            return
        with suppress(Exception):
            raw = (await conn.get_raw_connection()).driver_connection
            if raw is not None and not raw.is_closed():
                await raw.remove_listener(CHANNEL, self._on_notify)
        with suppress(Exception):
            await conn.close()

    # -- running --------------------------------------------------------------------------------

    async def start(self) -> None:
        """Start relaying in the running loop. The task is created at once (it connects for LISTEN
        itself), so a ``stop`` that follows at any moment finds it and nothing outlives it."""
        if self._task is not None or self._stopping:
            return
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        """Finish the publish in progress, then stop; rows not yet published wait in the table.
        A relay once stopped does not start again."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, timeout=30)
            except TimeoutError:
                log.warning("outbox relay did not stop within 30 s; cancelled")
        await self._close_listener()
        self._loop = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            await self._ensure_listening()
            try:
                await self.drain()
                await self._purge()
            except Exception:
                log.exception("outbox relay sweep failed")
            if self._stopping:
                break
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.sweep_seconds)

    async def drain(self) -> int:
        """Publish every due row (batch after batch); returns how many were published."""
        total = 0
        while True:
            published, taken = await self.relay_once()
            total += published
            if taken < self.batch or published < taken or self._stopping:
                return total

    async def relay_once(self) -> tuple[int, int]:
        """One batch: (rows published, rows taken). Rows another relay holds are skipped. After a
        failed publish the batch ends (the broker is most likely down): the rest stay for the next
        sweep, untouched."""
        published = 0
        async with self.db.sessions() as session, session.begin():
            now = utcnow()
            rows = (
                (
                    await session.execute(
                        select(OutboxMessage)
                        .where(
                            OutboxMessage.published_at.is_(None),
                            OutboxMessage.available_at <= now,
                            OutboxMessage.kind.in_(list(self.deliver)),
                        )
                        .order_by(OutboxMessage.available_at, OutboxMessage.id)
                        .limit(self.batch)
                        .with_for_update(skip_locked=True)
                    )
                )
                .scalars()
                .all()
            )
            for row in rows:
                try:
                    deliver = self.deliver.get(row.kind)
                    if deliver is None:
                        raise LookupError(f"no delivery for outbox kind {row.kind!r}")
                    # Child of the span that wrote the row (its request's, or a job's); what the
                    # delivery sends on (a job's message) carries this span's context.
                    with tracing.span(
                        "outbox.publish",
                        kind="producer",
                        parent=row.payload.get(TRACE),
                        attributes={"signx.outbox.id": row.id, "signx.outbox.kind": row.kind},
                    ):
                        await deliver(row.payload)
                except Exception as exc:
                    row.attempts += 1
                    row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                    row.available_at = utcnow() + backoff(row.attempts)
                    log.warning(
                        "outbox publish failed; retrying later",
                        extra={"outbox_id": row.id, "kind": row.kind, "attempts": row.attempts},
                    )
                    break
                row.published_at = utcnow()
                published += 1
        self.published += published
        if published:
            OUTBOX_PUBLISHED.inc(published)
        return published, len(rows)

    async def _purge(self) -> None:
        now = utcnow()
        if now - self._last_purge < timedelta(hours=1):
            return
        self._last_purge = now
        async with self.db.sessions() as session, session.begin():
            await session.execute(
                delete(OutboxMessage).where(OutboxMessage.published_at < now - KEEP_PUBLISHED)
            )
