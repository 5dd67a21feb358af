"""With ``SIGNX_OTLP_ENDPOINT`` set, a user action on a page (no HTTP request: it runs over the
page's websocket) is a span of its own, and the job it queues carries that span's trace in its
outbox row, so the relay's publish and the worker's task continue it (that leg:
tests/integration/test_tracing.py). The spans go over OTLP/HTTP to a real receiver on 127.0.0.1
(tests/otlp_peer.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from nicegui.testing import User
from ui_helpers import eventually, make_project

from domain.jobs.schemas import JobQuery
from domain.outbox.models import JOB_ENQUEUE, TRACE
from infra import tracing
from infra.settings import Settings
from tests.designs import save_passing_design
from tests.otlp_peer import OtlpReceiver, otlp_receiver


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[OtlpReceiver]:
    with otlp_receiver() as peer:
        tracing.configure(Settings(data_dir=tmp_path, otlp_endpoint=peer.url), "signx-app")
        try:
            yield peer
        finally:
            tracing.shutdown()  # flushes, and leaves the process untraced for the other tests


async def test_generate_report_on_the_page_is_a_span_the_job_continues(
    services, servers, user: User, login, receiver: OtlpReceiver
):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await save_passing_design(services, me, project)
    await user.open(f"/projects/{project.project_id}")
    await user.should_see("Generate report (revision 1)")

    user.find(marker="generate-report").click()
    await user.should_see("Report of revision 1 requested.", retries=40)

    (job,) = (await services.jobs.list(JobQuery(project_id=project.project_id))).items
    dsn = servers["database_url"].replace("postgresql+asyncpg://", "postgresql://")
    db = await asyncpg.connect(dsn)
    try:
        payload = await db.fetchval(
            "SELECT payload FROM outbox WHERE kind = $1 AND payload->>'job_id' = $2", JOB_ENQUEUE, job.job_id
        )
    finally:
        await db.close()
    assert payload is not None, "the job's outbox row"
    traceparent = json.loads(payload)[TRACE]["traceparent"]
    _, trace_id, parent_span_id, _ = traceparent.split("-")

    tracing.shutdown()  # sends what is queued
    await eventually(lambda: bool(receiver.named("page: generate report")), what="the page action's span")
    (span,) = receiver.named("page: generate report")
    assert (span.service, span.kind) == ("signx-app", "server")
    assert (span.trace_id, span.span_id) == (trace_id, parent_span_id)
