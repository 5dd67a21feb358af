"""Operations metrics on the real database and Redis: the snapshot counts what the tables hold,
/metrics carries it with the dependencies, the pool and the disk, a dead database is reported
rather than failing the scrape, scrapes share one read, and the counters the alerts read move
when their event happens (rate-limit hits, breaker state, job durations)."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from domain.jobs.schemas import REPORT
from domain.jobs.service import JobCancelled
from domain.operations.service import OperationsService
from domain.projects.schemas import ProjectCreate
from infra.db import Database
from infra.embedded import free_port
from infra.metrics import BREAKER_STATE, JOB_DURATION, RATE_LIMIT_HITS, breaker_listener
from infra.ops_metrics import ScrapeMetrics
from infra.settings import Settings
from infra.uow import SqlUnitOfWork
from tests.designs import save_passing_design
from workers.root import timed

NEW = ProjectCreate(name="Oak Ave Monument", account_id="ACME-02", customer="Acme", site_address="9 Oak Ave")


async def actor(services, email, role):
    creds = await services.users.create(email, role)
    return await services.users.authenticate_api_key(creds.api_key)


async def sql(services, statement: str) -> None:
    async with services.jobs.uow() as tx:
        await tx.session.execute(text(statement))


def samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


async def request_report(services, who, project_id):
    return await services.jobs.request(
        who,
        kind=REPORT,
        project_id=project_id,
        revision=1,
        payload={"project_id": project_id, "revision": 1},
    )


async def succeed(payload, progress):
    return {"sha256": "cd" * 32}


@pytest.fixture
async def estate(services):
    """One project with a design, a report job waiting (10 minutes old), one done, a live and a
    long-silent worker, and the two jobs' outbox rows unpublished for 2 minutes (no relay runs
    in the services fixture)."""
    estimator = await actor(services, "est@example.com", "estimator")
    project = await services.projects.create(estimator, NEW)
    await save_passing_design(services, estimator, project)
    waiting = await request_report(services, estimator, project.project_id)
    done = await request_report(services, estimator, project.project_id)
    await services.jobs.execute(done.job_id, worker="w-live", handlers={REPORT: succeed})
    await sql(
        services,
        f"UPDATE jobs SET created_at = now() - interval '10 minutes' WHERE job_id = '{waiting.job_id}'",
    )
    await services.jobs.heartbeat("w-live", jobs_done=1)
    await services.jobs.heartbeat("w-gone", jobs_done=0)
    await sql(services, "UPDATE workers SET last_seen_at = now() - interval '1 hour' WHERE name = 'w-gone'")
    await sql(services, "UPDATE outbox SET created_at = now() - interval '2 minutes'")
    return project


async def test_the_snapshot_counts_jobs_queues_workers_outbox_and_the_business(services, estate):
    snap = await OperationsService(services.jobs.uow, worker_max_age_seconds=18).snapshot()
    assert snap.jobs == {(REPORT, "queued"): 1, (REPORT, "succeeded"): 1}
    assert snap.queues["reports"].waiting == 1
    assert 599 <= snap.queues["reports"].oldest_queued_seconds < 700
    assert all(state.waiting == 0 for queue, state in snap.queues.items() if queue != "reports")
    assert snap.workers_alive == 1  # w-gone is silent for an hour
    assert snap.last_heartbeat_seconds is not None and snap.last_heartbeat_seconds < 30
    assert snap.outbox_pending == 2 and 119 <= snap.outbox_lag_seconds < 200
    assert snap.projects == {"draft": 1}
    assert snap.design_revisions == 1 and snap.reports == 0


async def test_metrics_carry_the_snapshot_the_dependencies_the_pool_and_the_disk(http, estate):
    response = await http.get("/metrics")
    assert response.status_code == 200
    got = samples(response.text)
    assert got[("signx_queue_depth", (("queue", "reports"),))] == 1
    assert got[("signx_queue_depth", (("queue", "mail"),))] == 0
    assert got[("signx_queue_oldest_job_age_seconds", (("queue", "reports"),))] >= 599
    assert got[("signx_jobs", (("kind", REPORT), ("status", "succeeded")))] == 1
    assert got[("signx_workers_alive", ())] == 1
    assert got[("signx_outbox_pending", ())] == 2 and got[("signx_outbox_lag_seconds", ())] >= 119
    assert got[("signx_projects", (("status", "draft"),))] == 1
    assert got[("signx_design_revisions", ())] == 1
    assert got[("signx_dependency_up", (("dependency", "database"),))] == 1
    assert got[("signx_dependency_up", (("dependency", "redis"),))] == 1
    assert got[("signx_operations_snapshot_ok", ())] == 1
    assert got[("signx_db_pool_capacity", ())] == Settings().db_pool_size + Settings().db_max_overflow
    assert got[("signx_db_pool_connections", (("state", "checked_out"),))] >= 0
    assert 0 < got[("signx_data_dir_disk_used_ratio", ())] < 1
    assert ("process_cpu_seconds_total", ()) in got
    # The process's own counters are there too (this very request is counted on the next one).
    assert re.search(
        r'^signx_http_requests_total\{method="GET",route="/metrics",status="200"\}',
        (await http.get("/metrics")).text,
        re.M,
    )


async def test_an_unreachable_database_is_reported_and_the_scrape_still_answers(services):
    gone = Database(f"postgresql+asyncpg://signx@127.0.0.1:{free_port()}/signx", pool_size=1, max_overflow=0)
    try:
        scrape = ScrapeMetrics(
            snapshot=OperationsService(SqlUnitOfWork(gone), worker_max_age_seconds=18).snapshot,
            readiness={"database": gone.ping},
            timeout_seconds=3,
        )
        body, _ = await scrape.exposition()
    finally:
        await gone.dispose()
    got = samples(body.decode())
    assert got[("signx_dependency_up", (("dependency", "database"),))] == 0
    assert got[("signx_operations_snapshot_ok", ())] == 0
    assert ("signx_workers_alive", ()) not in got  # no guess: the series is absent


async def test_scrapes_within_the_cache_window_share_one_read(services, estate):
    scrape = ScrapeMetrics(
        snapshot=OperationsService(services.jobs.uow, worker_max_age_seconds=18).snapshot,
        readiness={},
        cache_seconds=60,
    )
    await asyncio.gather(*(scrape.exposition() for _ in range(5)))
    await scrape.exposition()
    assert scrape.reads == 1
    fresh = ScrapeMetrics(
        snapshot=OperationsService(services.jobs.uow, worker_max_age_seconds=18).snapshot,
        readiness={},
        cache_seconds=0,
    )
    await fresh.exposition()
    await fresh.exposition()
    assert fresh.reads == 2


async def test_a_rate_limit_refusal_is_counted_by_limit(make_app, services):
    creds = await services.users.create("limited@example.com", "estimator")
    before = RATE_LIMIT_HITS.labels("key")._value.get()
    transport = httpx.ASGITransport(make_app(api_rate_per_key="2/minute"), client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        statuses = [
            (await client.get("/api/v1/projects", headers={"X-API-Key": creds.api_key})).status_code
            for _ in range(3)
        ]
    assert statuses == [200, 200, 429]
    assert RATE_LIMIT_HITS.labels("key")._value.get() == before + 1


async def test_a_purgatory_breaker_reports_its_state():
    from purgatory import AsyncCircuitBreakerFactory

    factory = AsyncCircuitBreakerFactory(default_threshold=2, default_ttl=60)
    factory.add_listener(breaker_listener)
    breaker = await factory.get_breaker("test-pm")
    assert BREAKER_STATE.labels("test-pm")._value.get() == 0
    for _ in range(2):
        with pytest.raises(ConnectionError):
            async with breaker:
                raise ConnectionError("PM system down")
    assert BREAKER_STATE.labels("test-pm")._value.get() == 2


async def test_job_durations_are_recorded_by_kind_and_outcome():
    def count(outcome: str) -> float:
        return JOB_DURATION.labels("test.kind", outcome)._sum.get(), sum(
            b.get() for b in JOB_DURATION.labels("test.kind", outcome)._buckets
        )

    async def ok(payload, progress):
        return {}

    async def broken(payload, progress):
        raise ValueError("bad payload")

    async def cancelled(payload, progress):
        raise JobCancelled("gone")

    async def flaky(payload, progress):
        raise ConnectionError("network")

    before = {o: count(o)[1] for o in ("succeeded", "failed", "cancelled", "error")}
    await timed("test.kind", ok)({}, None)
    for handler, error in ((broken, ValueError), (cancelled, JobCancelled), (flaky, ConnectionError)):
        with pytest.raises(error):
            await timed("test.kind", handler)({}, None)
    after = {o: count(o)[1] for o in before}
    assert {o: after[o] - before[o] for o in before} == {
        "succeeded": 1,
        "failed": 1,
        "cancelled": 1,
        "error": 1,
    }
