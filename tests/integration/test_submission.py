"""Submission to the PM system on the real database and Redis, against a real HTTP peer on
127.0.0.1 (tests/pm_peer.py). Jobs run through ``JobService.execute`` with the worker's real
handlers, retried as the worker's policy does (``mark_retrying``, then the next attempt); one test
in test_submission_worker.py runs them in a real worker process."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from domain.designs.schemas import DesignRequest
from domain.errors import Conflict, DomainError, PreconditionFailed
from domain.idempotency.service import IdempotencyRequest
from domain.jobs.schemas import SUBMIT_DISPATCH
from domain.jobs.service import RetryableJobError
from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectCreate
from domain.submissions.payload import submission_key
from tests import files
from tests.designs import FAILING, save_passing_design
from tests.pm_peer import PMPeer, pm_peer
from tests.submissions import run, schema_errors
from tests.waiting import eventually
from workers.root import handlers

NEW = ProjectCreate(name="Elm St Pylon", account_id="ACME-01", customer="Acme Fuel", site_address="1 Elm St")
TOKEN = "pm-test-token-7f3a"


async def actor(services: Any, email: str, role: str) -> Any:
    creds = await services.users.create(email, role)
    return await services.users.authenticate_api_key(creds.api_key)


async def estimating(services: Any, who: Any, name: str = "Elm St Pylon") -> Any:
    """A project in estimating whose latest design passes: ready to submit."""
    project = await services.projects.create(who, NEW.model_copy(update={"name": name}))
    project = await save_passing_design(services, who, project)
    return await services.projects.transition(
        who, project.project_id, Status.estimating, if_match=project.etag
    )


async def submit(services: Any, who: Any, project: Any, key: str | None = None) -> Any:
    idempotency = IdempotencyRequest(f"test submit {project.project_id}", key) if key else None
    return await services.submissions.submit(
        who, project.project_id, if_match=project.etag, idempotency=idempotency
    )


async def rows(services: Any, sql: str) -> list[tuple[Any, ...]]:
    async with services.jobs.uow() as tx:
        return [tuple(r) for r in await tx.session.execute(text(sql))]


@pytest.fixture
async def people(services: Any) -> dict[str, Any]:
    return {r: await actor(services, f"{r}@example.com", r) for r in ("estimator", "manager", "ops")}


@pytest.fixture
async def peer() -> AsyncIterator[PMPeer]:
    async with pm_peer() as p:
        yield p


@pytest.fixture
async def pm_services(servers: dict[str, str], peer: PMPeer) -> AsyncIterator[Any]:
    """The composed services with the PM system at the peer (breaker: 3 failures, 3 s)."""
    from bootstrap import wire
    from infra.settings import Settings

    settings = Settings(
        pm_url=peer.url,
        pm_token=TOKEN,
        pm_timeout_seconds=0.5,
        pm_breaker_threshold=3,
        pm_breaker_reset_seconds=3,
    )
    svc, release = wire(settings, servers["database_url"], servers["redis_url"])
    yield svc
    await release()


# -- submitting ----------------------------------------------------------------------------------


async def test_a_submit_moves_the_project_and_queues_its_dispatch_in_one_transaction(services, people):
    project = await estimating(services, people["estimator"])
    out = (await submit(services, people["estimator"], project)).value

    assert out.project.status is Status.submitted
    assert (out.project.pm_dispatch, out.project.pm_reference, out.project.submitted_design_revision) == (
        "pending",
        None,
        1,
    )
    assert out.project.pm_submission_key == submission_key(project.project_id, out.project.revision)
    assert (out.job.kind, out.job.status, out.job.project_id, out.job.revision) == (
        SUBMIT_DISPATCH,
        "queued",
        project.project_id,
        1,
    )
    assert await rows(services, "SELECT kind, payload->>'job_id' FROM outbox") == [
        ("job.enqueue", out.job.job_id)
    ]
    # The status change is the lifecycle's: its audit event, with what was submitted.
    event = (await services.projects.events(project.project_id, limit=1)).items[0]
    assert event.event_type == "transition"
    assert event.data == {
        "from": "estimating",
        "to": "submitted",
        "revision": out.project.revision,
        "design_revision": 1,
        "job_id": out.job.job_id,
    }


async def test_a_transition_to_submitted_is_a_submission_too(services, people):
    project = await estimating(services, people["estimator"])
    moved = await services.projects.transition(
        people["estimator"], project.project_id, Status.submitted, if_match=project.etag
    )
    assert moved.pm_dispatch == "pending"
    assert await rows(services, "SELECT kind, project_id::text FROM jobs") == [
        (SUBMIT_DISPATCH, project.project_id)
    ]


async def test_submitting_needs_estimating_and_a_passing_latest_design(services, people):
    who = people["estimator"]
    draft = await services.projects.create(who, NEW)
    draft = await save_passing_design(services, who, draft)
    with pytest.raises(Conflict) as refused:
        await submit(services, who, draft)
    assert refused.value.details["reason"] == "transition_not_allowed"
    assert refused.value.details["allowed"] == ["estimating"]

    project = await estimating(services, who, "Oak Ave Monument")
    failing = await services.designs.save(
        who, project.project_id, DesignRequest.model_validate(FAILING), if_match=project.etag
    )
    with pytest.raises(Conflict) as refused:
        await services.submissions.submit(who, project.project_id, if_match=failing.etag)
    assert refused.value.details["reason"] == "guard_failed"
    assert any("Design revision 2 fails" in r for r in refused.value.details["reasons"])
    assert "must pass every check" in refused.value.message
    assert await rows(services, "SELECT count(*) FROM jobs") == [(0,)]
    assert (await services.projects.get(project.project_id)).status is Status.estimating


async def test_a_second_submit_is_refused_as_already_submitted_whatever_its_etag(services, people):
    who = people["estimator"]
    project = await estimating(services, who)
    first = (await submit(services, who, project)).value
    for etag in (project.etag, first.project.etag):  # the stale one a retry would send, the current one
        with pytest.raises(Conflict) as refused:
            await services.submissions.submit(who, project.project_id, if_match=etag)
        assert refused.value.details["reason"] == "already_submitted"
        assert "already submitted" in refused.value.message
        assert refused.value.details["pm_dispatch"] == "pending"
    assert await rows(services, "SELECT count(*) FROM jobs") == [(1,)]


async def test_one_key_replays_and_concurrent_submits_make_one_dispatch(pm_services, peer, people):
    services = pm_services
    who = await services.users.authenticate_api_key(
        (await services.users.create("eve@example.com", "estimator")).api_key
    )
    # The same key twice: the second is the first's answer, no new job.
    project = await estimating(services, who)
    first = await submit(services, who, project, key="k-1")
    again = await submit(services, who, project, key="k-1")
    assert again.replayed and again.value.job.job_id == first.value.job.job_id

    # Two people clicking Submit at once (one ETag, no key): one submits, the other is told.
    other = await estimating(services, who, "Oak Ave Monument")
    results = await asyncio.gather(
        submit(services, who, other), submit(services, who, other), return_exceptions=True
    )
    done = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(done) == 1 and len(refused) == 1, results
    assert refused[0].details["reason"] == "already_submitted"

    # The same key at once: one runs, the other waits its turn (409) or replays it.
    third = await estimating(services, who, "Pine Rd Pylon")
    same_key = await asyncio.gather(
        submit(services, who, third, key="k-3"),
        submit(services, who, third, key="k-3"),
        return_exceptions=True,
    )
    assert any(not isinstance(r, BaseException) for r in same_key), same_key
    assert all(isinstance(r, Conflict) or not isinstance(r, BaseException) for r in same_key), same_key

    jobs = await rows(services, "SELECT job_id::text FROM jobs ORDER BY created_at")
    assert len(jobs) == 3, "one dispatch job per project"
    for (job_id,) in jobs:
        assert await run(services, job_id) == ["succeeded"]
        assert await run(services, job_id) == ["skipped"]  # delivered twice: not sent twice
    assert len(peer.received) == 3 and len(peer.accepted) == 3


# -- dispatching ---------------------------------------------------------------------------------


async def test_503_twice_then_201_is_one_dispatch_and_the_reference_is_stored(pm_services, peer):
    services = pm_services
    who = await actor(services, "eve@example.com", "estimator")
    peer.script = [503, 503]
    project = await estimating(services, who)
    out = (await submit(services, who, project)).value

    assert await run(services, out.job.job_id) == ["retry", "retry", "succeeded"]

    job = await services.jobs.get(out.job.job_id)
    assert (job.status, job.attempts) == ("succeeded", 3)
    assert job.result["pm_reference"] == "PM-0001" and job.result["pm_dispatch"] == "sent"
    # Three requests reached the peer, one dispatch was recorded there: every attempt carried the
    # submission's key and the bearer token.
    assert len(peer.received) == 3 and peer.accepted == {out.project.pm_submission_key: "PM-0001"}
    for got in peer.received:
        assert got.headers["idempotency-key"] == out.project.pm_submission_key
        assert got.headers["authorization"] == f"Bearer {TOKEN}"
        assert got.headers["content-type"] == "application/json"
    body = peer.received[-1].body
    assert schema_errors(body) == []
    assert body["design"]["revision"] == 1 and body["estimate"]["total"] == 15082.1
    assert body["customer"] == {"name": "Acme Fuel", "account_id": "ACME-01"}
    assert body["report"] is None and body["files"] == []

    stored = await services.projects.get(project.project_id)
    assert (stored.pm_dispatch, stored.pm_reference) == ("sent", "PM-0001")
    assert stored.etag != out.project.etag, "the stored reference is a change: a new ETag"
    event = (await services.projects.events(project.project_id, limit=1)).items[0]
    assert (event.event_type, event.actor) == ("submitted.dispatched", "PM dispatch")
    assert event.data["pm_reference"] == "PM-0001" and event.data["pm_dispatch"] == "sent"
    # The error of the last failed attempt was seen on the way (the job is no longer failed).
    assert job.error is None


async def test_a_400_fails_the_job_without_retry_and_a_retry_by_hand_sends_it(pm_services, peer, people):
    services = pm_services
    who = await actor(services, "eve@example.com", "estimator")
    ops = await actor(services, "olga@example.com", "ops")
    peer.script = [400]
    project = await estimating(services, who)
    out = (await submit(services, who, project)).value

    assert await run(services, out.job.job_id) == ["failed"]
    job = await services.jobs.get(out.job.job_id)
    assert job.status == "failed" and job.attempts == 1
    assert "refused the submission: 400 Bad Request" in job.error and "scripted 400" in job.error
    assert TOKEN not in job.error
    assert len(peer.received) == 1 and peer.accepted == {}
    assert (await services.projects.get(project.project_id)).pm_dispatch == "pending"

    # Fixed at the PM end; ops retry it by hand.
    await services.jobs.retry(ops, out.job.job_id)
    assert await run(services, out.job.job_id) == ["succeeded"]
    assert (await services.projects.get(project.project_id)).pm_reference == "PM-0001"


async def test_a_pm_system_that_does_not_answer_in_time_is_retried(pm_services, peer):
    services = pm_services
    who = await actor(services, "eve@example.com", "estimator")
    peer.delay_seconds = 1.5  # the client waits 0.5 s
    project = await estimating(services, who)
    out = (await submit(services, who, project)).value
    with pytest.raises(RetryableJobError, match="did not answer within 0.5 s"):
        await services.jobs.execute(out.job.job_id, worker="t", handlers=handlers(services))


async def test_the_breaker_opens_after_repeated_failures_and_closes_when_the_peer_recovers(pm_services, peer):
    services = pm_services
    who = await actor(services, "eve@example.com", "estimator")
    peer.then = 503  # down
    project = await estimating(services, who)
    out = (await submit(services, who, project)).value
    job_id = out.job.job_id

    assert await run(services, job_id, attempts=3) == ["retry"] * 3
    assert len(peer.received) == 3
    status = await services.submissions.pm_status()
    assert status.circuit["state"] == "open" and status.circuit["failures"] == 3

    # Open: the next attempt waits without sending anything, and says when to try again.
    with pytest.raises(RetryableJobError, match="circuit breaker is open") as waiting:
        await services.jobs.execute(job_id, worker="t", handlers=handlers(services))
    assert len(peer.received) == 3, "nothing sent while the breaker is open"
    assert 0 < waiting.value.retry_after <= 3 + 2
    await services.jobs.mark_retrying(job_id, str(waiting.value), 4)

    # The peer recovers; once the breaker's 3 s are over one dispatch goes through and closes it.
    peer.then = 201
    retry_at = status.circuit["retry_at"]
    await eventually(lambda: time.time() > retry_at, seconds=5, what="the breaker's reset time")
    assert (await services.submissions.pm_status()).circuit["retry_at"] == retry_at
    assert await run(services, job_id, attempts=1) == ["succeeded"]
    assert len(peer.received) == 4 and len(peer.accepted) == 1
    closed = (await services.submissions.pm_status()).circuit
    assert (closed["state"], closed["failures"]) == ("closed", 0)
    assert (await services.jobs.get(job_id)).attempts == 5


async def test_without_a_pm_url_the_dispatch_is_recorded_locally_not_sent(services, servers, people):
    who = people["estimator"]
    project = await estimating(services, who)
    # A report of the submitted revision exists: the dispatch refers to it.
    report = await services.reports.generate(project.project_id, 1)
    out = (await submit(services, who, project)).value
    assert services.submissions.pm_mode == "local"

    assert await run(services, out.job.job_id) == ["succeeded"]

    key = out.project.pm_submission_key
    path = Path(servers["tmp"]) / "data" / "pm-outbox" / f"{key}.json"
    written = json.loads(path.read_text())
    assert schema_errors(written) == []
    assert written["idempotency_key"] == key and written["submitted_by"] == "estimator@example.com"
    assert written["report"]["sha256"] == report.sha256 and written["report"]["revision"] == 1
    assert (
        written["report"]["download_path"] == f"/api/v1/projects/{project.project_id}/reports/{report.sha256}"
    )
    stored = await services.projects.get(project.project_id)
    assert (stored.pm_dispatch, stored.pm_reference) == ("recorded_locally", None)
    event = (await services.projects.events(project.project_id, limit=1)).items[0]
    assert event.event_type == "submitted.dispatched"
    assert event.data["pm_dispatch"] == "recorded_locally" and event.data["file"] == f"{key}.json"
    status = await services.submissions.pm_status()
    assert (status.mode, status.circuit["state"]) == ("local", "not used")


async def test_a_stale_etag_submits_nothing(services, people):
    who = people["estimator"]
    project = await estimating(services, who)
    back = await services.projects.transition(who, project.project_id, Status.draft, if_match=project.etag)
    await services.projects.transition(who, project.project_id, Status.estimating, if_match=back.etag)
    with pytest.raises(PreconditionFailed):
        await submit(services, who, project)  # the ETag from before someone else's moves
    assert await rows(services, "SELECT count(*) FROM jobs") == [(0,)]


async def test_the_projects_files_go_with_the_submission_and_are_kept_from_then_on(pm_services, peer):
    services = pm_services
    who = await actor(services, "eve@example.com", "estimator")
    project = await estimating(services, who)

    async def body(data: bytes) -> AsyncIterator[bytes]:
        yield data

    survey = (
        await services.files.upload(who, project.project_id, name="survey.pdf", chunks=body(files.pdf()))
    ).file
    out = (await submit(services, who, project)).value
    assert await run(services, out.job.job_id) == ["succeeded"]

    [sent] = peer.received[-1].body["files"]
    assert (sent["file_id"], sent["name"], sent["sha256"]) == (survey.file_id, "survey.pdf", survey.sha256)
    assert sent["size"] == len(files.pdf()) and sent["content_type"] == "application/pdf"
    # Relied on by the submission: a delete is refused, and the file stays listed.
    with pytest.raises(Conflict, match="submission:"):
        await services.files.delete(who, project.project_id, survey.file_id, if_match=f'"{survey.sha256}"')
    assert [f.file_id for f in (await services.files.list(project.project_id)).items] == [survey.file_id]
