"""``serve`` and the worker it starts write their metrics to one multiprocess directory: a job
that a worker pool process ran is counted in the server's own ``/metrics``."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from domain.jobs.schemas import REPORT
from domain.projects.schemas import ProjectCreate
from tests.designs import save_passing_design
from tests.served import served_app


def count(body: str, name: str, **labels: str) -> float:
    return sum(
        s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
        if s.name == name and labels.items() <= s.labels.items()
    )


@pytest.mark.timeout(240)
async def test_a_job_run_by_the_servers_worker_is_counted_in_the_servers_metrics(
    services, servers, tmp_path: Path
):
    creds = await services.users.create("metrics@signx.test", "estimator")
    estimator = await services.users.authenticate_api_key(creds.api_key)
    project = await services.projects.create(
        estimator, ProjectCreate(name="Pine Ct Sign", account_id="ACME-03")
    )
    await save_passing_design(services, estimator, project)
    with served_app(servers, tmp_path / "var", serve_worker="true") as base:
        async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30) as client:
            answer = await client.post(
                f"/api/v1/projects/{project.project_id}/reports",
                json={"revision": 1},
                headers={"X-API-Key": creds.api_key},
            )
            assert answer.status_code == 202, answer.text
            job_id = answer.json()["result"]["job_id"]
            deadline = time.monotonic() + 120
            while (job := await services.jobs.get(job_id)).status not in ("succeeded", "failed"):
                assert time.monotonic() < deadline, job.status
                await asyncio.sleep(0.2)
            assert job.status == "succeeded", job.error
            body = (await client.get("/metrics")).text
    # Observed in the worker's pool process, exposed by the server.
    assert count(body, "signx_job_duration_seconds_count", kind=REPORT, outcome="succeeded") == 1
    assert (
        count(body, "signx_http_requests_total", route="/api/v1/projects/{project_id}/reports", status="202")
        == 1
    )
    assert count(body, "signx_outbox_published_total") == 1
    assert (tmp_path / "var" / "metrics").is_dir()
