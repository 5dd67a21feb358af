"""With ``SIGNX_OTLP_ENDPOINT`` set, a report requested through the API is one trace from the
request through the outbox to the worker's task, and on to the e-mail that task queues, sent over
OTLP/HTTP by each process (the served app and the worker it starts) to a real receiver on
127.0.0.1 (tests/otlp_peer.py)."""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import httpx
import pytest

from domain.outbox.models import JOB_ENQUEUE
from domain.projects.schemas import ProjectCreate
from tests.designs import save_passing_design
from tests.otlp_peer import ReceivedSpan, otlp_receiver
from tests.served import served_app
from tests.waiting import eventually

REPORTS_ROUTE = "POST /api/v1/projects/{project_id}/reports"


def only(spans: list[ReceivedSpan], what: str) -> ReceivedSpan:
    assert len(spans) == 1, f"{what}: {spans}"
    return spans[0]


@pytest.mark.timeout(240)
async def test_a_report_request_its_outbox_publish_and_the_workers_task_are_one_trace(
    services, servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    # Spans leave each process 0.1 s after they end instead of OpenTelemetry's 5 s.
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
    creds = await services.users.create("traces@signx.test", "estimator")
    estimator = await services.users.authenticate_api_key(creds.api_key)
    project = await services.projects.create(
        estimator, ProjectCreate(name="Cedar Ln Sign", account_id="ACME-07")
    )
    await save_passing_design(services, estimator, project)
    # A manager asks for the report: the job's success e-mails the project's owner.
    manager = await services.users.create("manager@signx.test", "manager")
    # The caller is traced too: its traceparent names the trace the request joins.
    caller_trace, caller_span = secrets.token_hex(16), secrets.token_hex(8)

    with (
        otlp_receiver() as receiver,
        served_app(servers, tmp_path / "var", serve_worker="true", otlp_endpoint=receiver.url) as base,
    ):
        async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30) as client:
            answer = await client.post(
                f"/api/v1/projects/{project.project_id}/reports",
                json={"revision": 1},
                headers={"X-API-Key": manager.api_key, "traceparent": f"00-{caller_trace}-{caller_span}-01"},
            )
            assert answer.status_code == 202, answer.text
            job_id = answer.json()["result"]["job_id"]
            deadline = time.monotonic() + 120
            while (job := await services.jobs.get(job_id)).status not in ("succeeded", "failed"):
                assert time.monotonic() < deadline, job.status
                await asyncio.sleep(0.2)
            assert job.status == "succeeded", job.error
            page = await client.get("/login")  # a page request, without a caller's trace
            assert page.status_code == 200
            await eventually(
                lambda: len(receiver.named("job.run")) == 2 and bool(receiver.named("GET /login")),
                seconds=60,
                what="the spans of the report's job, of its e-mail's and of the page",
            )

    request = only(receiver.named(REPORTS_ROUTE), "the request's span")
    assert (request.service, request.kind) == ("signx-app", "server")
    assert (request.trace_id, request.parent_span_id) == (caller_trace, caller_span)
    assert request.attributes["http.route"] == "/api/v1/projects/{project_id}/reports"
    assert request.attributes["http.response.status_code"] == 202
    assert request.attributes["signx.request_id"] == answer.headers["x-request-id"]

    run = only(receiver.named("job.run", **{"signx.job.id": job_id}), "the job's span")
    assert (run.service, run.kind, run.status) == ("signx-worker", "consumer", "unset")
    assert run.attributes["signx.job.attempt"] == 1
    assert run.trace_id == caller_trace

    publish = only([s for s in receiver.spans if s.span_id == run.parent_span_id], "the job's parent")
    assert (publish.name, publish.service, publish.kind) == ("outbox.publish", "signx-app", "producer")
    assert publish.attributes["signx.outbox.kind"] == JOB_ENQUEUE
    assert (publish.trace_id, publish.parent_span_id) == (caller_trace, request.span_id)

    # The e-mail queued in the job's transaction (in the worker's event loop) continues the trace.
    mail_publish = only(
        [s for s in receiver.named("outbox.publish") if s.parent_span_id == run.span_id],
        "the e-mail's publish",
    )
    assert (mail_publish.service, mail_publish.trace_id) == ("signx-app", caller_trace)
    mail_run = only([s for s in receiver.named("job.run") if s.span_id != run.span_id], "the e-mail's job")
    assert (mail_run.service, mail_run.trace_id) == ("signx-worker", caller_trace)
    assert mail_run.parent_span_id == mail_publish.span_id and mail_run.status == "unset"

    # A page's request is a trace of its own; the probes the test polled have none.
    login = only(receiver.named("GET /login"), "the page's span")
    assert login.trace_id != caller_trace and login.parent_span_id == ""
    assert login.attributes["http.response.status_code"] == 200
    assert not [s for s in receiver.spans if s.attributes.get("url.path") in ("/ready", "/health")]
