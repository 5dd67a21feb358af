"""The outbox relay on the real database and the real Redis broker: at least once, never before
the commit, never twice at once, woken by a commit rather than by its sweep."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import redis
from sqlalchemy import text

from domain.outbox.models import JOB_ENQUEUE
from infra.celery_queue import CeleryJobQueue
from infra.db import Database
from infra.relay import OutboxRelay
from infra.uow import SqlUnitOfWork


def broker_task_ids(redis_url: str) -> list[str]:
    """Task ids of the messages waiting in Celery's default queue."""
    client = redis.Redis.from_url(redis_url)
    try:
        return [json.loads(raw)["headers"]["id"] for raw in client.lrange("celery", 0, -1)]
    finally:
        client.close()


def closed_port_url() -> str:
    """A Redis URL on a loopback port where nothing listens (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


async def outbox_rows(db: Database) -> list[tuple]:
    async with db.sessions() as session:
        result = await session.execute(
            text(
                "SELECT payload->>'job_id', published_at IS NOT NULL, attempts, last_error "
                "FROM outbox ORDER BY id"
            )
        )
        return [tuple(r) for r in result]


async def until(check, seconds: float = 5.0) -> float:
    started = time.perf_counter()
    while not await check():
        if time.perf_counter() - started > seconds:
            raise AssertionError("timed out")
        await asyncio.sleep(0.005)
    return time.perf_counter() - started


async def test_a_publish_failure_after_commit_is_relayed_later(servers):
    db = Database(servers["database_url"], pool_size=2)
    down, up = CeleryJobQueue(closed_port_url(), timeout_seconds=0.5), CeleryJobQueue(servers["redis_url"])
    try:
        async with SqlUnitOfWork(db)() as tx:
            tx.outbox.add(JOB_ENQUEUE, {"job_id": "job-1", "attempt": 1})

        assert await OutboxRelay(db, down, listen=False).relay_once() == (0, 1)
        ((job, published, attempts, error),) = await outbox_rows(db)
        assert (job, published, attempts) == ("job-1", False, 1)
        assert "OperationalError" in error or "Connection" in error
        assert broker_task_ids(servers["redis_url"]) == []

        # The broker is back; the row is retried once its backoff (1 s) has passed.
        relay = OutboxRelay(db, up, listen=False)
        assert await relay.relay_once() == (0, 0)  # still backing off
        await until(lambda: _published(relay), seconds=3)
        assert broker_task_ids(servers["redis_url"]) == ["job-1:1"]
        assert [r[1] for r in await outbox_rows(db)] == [True]
    finally:
        await down.aclose()
        await up.aclose()
        await db.dispose()


async def _published(relay: OutboxRelay) -> bool:
    await relay.drain()
    return relay.published > 0


async def test_nothing_is_published_before_the_commit(servers):
    db = Database(servers["database_url"], pool_size=3)
    queue = CeleryJobQueue(servers["redis_url"])
    relay = OutboxRelay(db, queue, listen=False)
    try:
        async with SqlUnitOfWork(db)() as tx:
            tx.outbox.add(JOB_ENQUEUE, {"job_id": "job-2", "attempt": 1})
            await tx.session.flush()
            assert await relay.drain() == 0  # the row is not there for anyone else yet
            assert broker_task_ids(servers["redis_url"]) == []
        assert await relay.drain() == 1
        assert broker_task_ids(servers["redis_url"]) == ["job-2:1"]
    finally:
        await queue.aclose()
        await db.dispose()


async def test_two_relays_do_not_publish_the_same_row(servers):
    writer = Database(servers["database_url"], pool_size=1)
    dbs = [Database(servers["database_url"], pool_size=2) for _ in range(2)]
    queues = [CeleryJobQueue(servers["redis_url"]) for _ in range(2)]
    relays = [OutboxRelay(db, q, batch=10, listen=False) for db, q in zip(dbs, queues, strict=True)]
    try:
        async with SqlUnitOfWork(writer)() as tx:
            for i in range(200):
                tx.outbox.add(JOB_ENQUEUE, {"job_id": f"job-{i}", "attempt": 1})

        await asyncio.gather(*(r.drain() for r in relays))

        ids = broker_task_ids(servers["redis_url"])
        assert len(ids) == 200 and len(set(ids)) == 200
        assert sum(r.published for r in relays) == 200
        assert all(r.published > 0 for r in relays)  # both took part: the rows were shared out
        assert all(published for _, published, _, _ in await outbox_rows(writer))
    finally:
        for q in queues:
            await q.aclose()
        for db in [writer, *dbs]:
            await db.dispose()


async def test_a_commit_wakes_the_relay_long_before_its_sweep(servers):
    db = Database(servers["database_url"], pool_size=3)
    other_process = Database(servers["database_url"], pool_size=1)
    queue = CeleryJobQueue(servers["redis_url"])
    relay = OutboxRelay(db, queue, sweep_seconds=30)
    await relay.start()
    try:
        await asyncio.sleep(0.2)  # the first sweep has run; the next is 30 s away

        # In this process: the unit of work hands the rows to the relay after the commit.
        async with SqlUnitOfWork(db, after_commit=relay.wake)() as tx:
            tx.outbox.add(JOB_ENQUEUE, {"job_id": "near", "attempt": 1})
        in_process = await until(lambda: _queued(servers["redis_url"], 1))

        # From another process (another engine, no wake-up call): PostgreSQL's NOTIFY wakes it.
        async with SqlUnitOfWork(other_process)() as tx:
            tx.outbox.add(JOB_ENQUEUE, {"job_id": "far", "attempt": 1})
        by_notify = await until(lambda: _queued(servers["redis_url"], 2))

        assert sorted(broker_task_ids(servers["redis_url"])) == ["far:1", "near:1"]
        print(
            f"enqueued after the commit: in process {in_process * 1000:.1f} ms, "
            f"by NOTIFY {by_notify * 1000:.1f} ms"
        )
        assert in_process < 1.0 and by_notify < 1.0, (in_process, by_notify)
    finally:
        started = time.perf_counter()
        await relay.stop()
        assert time.perf_counter() - started < 2  # stops cleanly, at once
        await queue.aclose()
        await db.dispose()
        await other_process.dispose()


async def _queued(redis_url: str, n: int) -> bool:
    return len(broker_task_ids(redis_url)) >= n
