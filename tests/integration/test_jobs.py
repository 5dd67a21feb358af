"""The jobs service on the real database: requests with their outbox row, the worker's execute,
cancel and retry rules, roles, and the queue's view of it (relayed to the real Redis)."""

from __future__ import annotations

import asyncio
import json

import pytest
import redis
from sqlalchemy import text

from domain.errors import Conflict, Forbidden, NotFound
from domain.jobs.schemas import REPORT, JobQuery, JobRequest, JobStatus
from domain.jobs.service import Outcome, RetryableJobError
from domain.projects.schemas import ProjectCreate
from tests.designs import save_passing_design

NEW = ProjectCreate(name="Elm St Pylon", account_id="ACME-01", customer="Acme", site_address="1 Elm St")


async def actor(services, email, role):
    creds = await services.users.create(email, role)
    return await services.users.authenticate_api_key(creds.api_key)


@pytest.fixture
async def people(services):
    return {
        role: await actor(services, f"{role}@example.com", role)
        for role in ("estimator", "manager", "ops", "admin")
    }


@pytest.fixture
async def revision(services, people):
    project = await services.projects.create(people["estimator"], NEW)
    await save_passing_design(services, people["estimator"], project)
    return project.project_id, 1


async def request_report(services, who, revision, **kw):
    project_id, number = revision
    return await services.jobs.request(
        who,
        kind=REPORT,
        project_id=project_id,
        revision=number,
        payload={"project_id": project_id, "revision": number},
        **kw,
    )


async def table(services, sql):
    async with services.jobs.uow() as tx:
        return [tuple(r) for r in await tx.session.execute(text(sql))]


async def succeed(payload, progress):
    await progress(50, "half way")
    return {"sha256": "ab" * 32, "echo": payload["revision"]}


async def test_a_request_writes_the_job_and_its_outbox_row_together(services, people, revision):
    job = await request_report(services, people["estimator"], revision)
    assert (job.status, job.progress, job.attempts, job.project_id) == ("queued", 0, 0, revision[0])
    assert await table(
        services, "SELECT kind, payload->>'job_id', (payload->>'attempt')::int FROM outbox"
    ) == [("job.enqueue", job.job_id, 1)]
    assert await services.jobs.queue_depth() == 1


async def test_a_rolled_back_request_leaves_no_job_and_no_outbox_row(services, people, revision):
    with pytest.raises(NotFound):  # no such revision: refused inside the transaction
        await request_report(services, people["estimator"], (revision[0], 7))

    class Crash(Exception):
        pass

    with pytest.raises(Crash):
        async with services.jobs.uow(people["estimator"].user_id) as tx:
            await services.jobs._request(
                tx,
                JobRequest(kind=REPORT, project_id=revision[0], revision=1, payload={}),
                None,
            )
            raise Crash("the request fails after the job was written")
    assert await table(services, "SELECT count(*) FROM jobs") == [(0,)]
    assert await table(services, "SELECT count(*) FROM outbox") == [(0,)]


async def test_an_idempotency_key_gives_the_same_job(services, people, revision):
    first = await request_report(services, people["estimator"], revision, idempotency_key="k-1")
    again = await request_report(services, people["estimator"], revision, idempotency_key="k-1")
    other = await request_report(services, people["estimator"], revision, idempotency_key="k-2")
    assert again.job_id == first.job_id != other.job_id
    assert await table(services, "SELECT count(*) FROM jobs") == [(2,)]
    assert await table(services, "SELECT count(*) FROM outbox") == [(2,)]


async def test_execute_runs_the_handler_once_and_records_the_result(services, people, revision):
    job = await request_report(services, people["estimator"], revision)
    outcome = await services.jobs.execute(job.job_id, worker="w1:1", handlers={REPORT: succeed})
    assert outcome is Outcome.SUCCEEDED
    done = await services.jobs.get(job.job_id)
    assert (done.status, done.progress, done.attempts, done.worker) == ("succeeded", 100, 1, "w1:1")
    assert done.result == {"sha256": "ab" * 32, "echo": 1} and done.finished_at >= done.started_at

    # A redelivered message: nothing runs a second time.
    calls = []

    async def count(payload, progress):
        calls.append(payload)
        return {}

    assert await services.jobs.execute(job.job_id, worker="w2:1", handlers={REPORT: count}) is Outcome.SKIPPED
    assert calls == [] and (await services.jobs.get(job.job_id)).attempts == 1


async def test_a_failing_handler_fails_the_job_and_a_retryable_one_is_left_to_the_policy(
    services, people, revision
):
    job = await request_report(services, people["estimator"], revision)

    async def broken(payload, progress):
        raise ValueError("bad geometry")

    assert await services.jobs.execute(job.job_id, worker="w", handlers={REPORT: broken}) is Outcome.FAILED
    failed = await services.jobs.get(job.job_id)
    assert failed.status == "failed" and failed.error == "ValueError: bad geometry"

    second = await request_report(services, people["estimator"], revision)

    async def flaky(payload, progress):
        raise ConnectionResetError("redis went away")

    with pytest.raises(RetryableJobError):
        await services.jobs.execute(second.job_id, worker="w", handlers={REPORT: flaky})
    await services.jobs.mark_retrying(second.job_id, "ConnectionResetError: redis went away", 1)
    assert (await services.jobs.get(second.job_id)).status == "retrying"
    assert (
        await services.jobs.execute(second.job_id, worker="w", handlers={REPORT: succeed})
        is Outcome.SUCCEEDED
    )
    assert (await services.jobs.get(second.job_id)).attempts == 2


async def test_a_queued_job_cancelled_before_it_starts_never_runs(services, people, revision):
    job = await request_report(services, people["estimator"], revision)
    cancelled = await services.jobs.cancel(people["ops"], job.job_id)
    assert cancelled.status == "cancelled"
    revoke = await table(services, "SELECT payload->>'terminate' FROM outbox WHERE kind = 'job.revoke'")
    assert revoke == [("false",)]
    calls = []

    async def count(payload, progress):
        calls.append(1)
        return {}

    assert await services.jobs.execute(job.job_id, worker="w", handlers={REPORT: count}) is Outcome.SKIPPED
    assert calls == []
    with pytest.raises(Conflict):
        await services.jobs.cancel(people["admin"], job.job_id)  # already cancelled


async def test_a_running_job_is_cancelled_revoked_and_its_result_not_recorded(services, people, revision):
    job = await request_report(services, people["estimator"], revision)
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(payload, progress):
        started.set()
        await release.wait()
        await progress(90, "almost")  # notices the cancellation here
        return {"sha256": "never"}

    run = asyncio.create_task(services.jobs.execute(job.job_id, worker="w", handlers={REPORT: slow}))
    await started.wait()
    assert (await services.jobs.get(job.job_id)).status == "running"
    await services.jobs.cancel(people["admin"], job.job_id)
    revoke = await table(
        services, "SELECT payload->>'attempt', payload->>'terminate' FROM outbox WHERE kind = 'job.revoke'"
    )
    assert revoke == [("1", "true")]
    release.set()
    assert await run is Outcome.CANCELLED
    final = await services.jobs.get(job.job_id)
    assert final.status == "cancelled" and final.result is None


async def test_retry_queues_a_failed_job_again_as_a_new_attempt(services, people, revision):
    job = await request_report(services, people["estimator"], revision)
    await services.jobs.mark_failed(job.job_id, "boom")
    with pytest.raises(Conflict):
        await services.jobs.cancel(people["ops"], job.job_id)  # finished

    retried = await services.jobs.retry(people["ops"], job.job_id)
    assert retried.status == "queued" and retried.job_id == job.job_id
    enqueues = await table(
        services, "SELECT (payload->>'attempt')::int FROM outbox WHERE kind = 'job.enqueue' ORDER BY id"
    )
    assert enqueues == [(1,), (2,)]  # a new task id for the new attempt
    assert (
        await services.jobs.execute(job.job_id, worker="w", handlers={REPORT: succeed}) is Outcome.SUCCEEDED
    )
    with pytest.raises(Conflict):
        await services.jobs.retry(people["ops"], job.job_id)  # succeeded: nothing to retry


async def test_only_ops_and_admins_retry_and_cancel(services, people, revision):
    job = await request_report(services, people["estimator"], revision)
    for role in ("estimator", "manager"):
        with pytest.raises(Forbidden):
            await services.jobs.cancel(people[role], job.job_id)
    await services.jobs.mark_failed(job.job_id, "boom")
    with pytest.raises(Forbidden):
        await services.jobs.retry(people["estimator"], job.job_id)
    # An ops user demoted elsewhere loses the power at once.
    await services.users.set_role(people["admin"], people["ops"].user_id, "estimator")
    with pytest.raises(Forbidden):
        await services.jobs.retry(people["ops"], job.job_id)
    assert (await services.jobs.retry(people["admin"], job.job_id)).status == "queued"


async def test_the_list_filters_and_pages_with_a_true_total(services, people, revision):
    jobs = [await request_report(services, people["estimator"], revision) for _ in range(5)]
    await services.jobs.mark_failed(jobs[0].job_id, "boom")
    page = await services.jobs.list(JobQuery(limit=2, offset=0))
    assert page.total == 5 and [j.job_id for j in page.items] == [jobs[4].job_id, jobs[3].job_id]
    queued = await services.jobs.list(JobQuery(status=JobStatus.queued, limit=2, offset=2))
    assert queued.total == 4 and len(queued.items) == 2
    mine = await services.jobs.list(JobQuery(project_id=revision[0], kind=REPORT))
    assert mine.total == 5
    other = await services.projects.create(people["estimator"], NEW)
    assert (await services.jobs.list(JobQuery(project_id=other.project_id))).total == 0


async def test_heartbeats_live_workers_and_abandoned_jobs(services, people, revision):
    job = await request_report(services, people["estimator"], revision)
    await services.jobs.heartbeat("host:1", jobs_done=3)
    assert [(w.name, w.jobs_done) for w in await services.jobs.live_workers(30)] == [("host:1", 3)]

    started = asyncio.Event()

    async def stuck(payload, progress):
        started.set()
        await asyncio.sleep(3600)

    run = asyncio.create_task(services.jobs.execute(job.job_id, worker="host:2", handlers={REPORT: stuck}))
    await started.wait()
    # host:2 never beat: its job is taken back as the next attempt.
    assert await services.jobs.reclaim_abandoned(max_heartbeat_age_seconds=30, max_attempts=3) == [job.job_id]
    assert (await services.jobs.get(job.job_id)).status == "retrying"
    run.cancel()
    enqueues = await table(services, "SELECT (payload->>'attempt')::int FROM outbox WHERE kind='job.enqueue'")
    assert sorted(enqueues) == [(1,), (2,)]


async def test_requested_jobs_reach_the_broker_only_through_the_relay(services, servers, people, revision):
    await services.start()  # the relay, as the server runs it
    job = await request_report(services, people["estimator"], revision)
    client = redis.Redis.from_url(servers["redis_url"])
    try:
        for _ in range(200):
            # On the queue of its kind (domain/jobs/queues.py), where the report workers listen.
            ids = [json.loads(m)["headers"]["id"] for m in client.lrange("reports", 0, -1)]
            if ids:
                break
            await asyncio.sleep(0.01)
        assert ids == [f"{job.job_id}:1"]
        assert client.llen("celery") == 0
    finally:
        client.close()
