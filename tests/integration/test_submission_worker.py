"""A submission dispatched by a real worker process (`python app.py worker`) to a real PM peer on
127.0.0.1: the first answer is 503, the worker's retry policy (backoff with jitter) tries again
and the reference lands on the project. The test process plays the server (the outbox relay)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectCreate
from infra.supervisor import terminate_group
from tests.designs import save_passing_design
from tests.pm_peer import PMPeer, pm_peer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def peer() -> AsyncIterator[PMPeer]:
    async with pm_peer(script=[503]) as p:
        yield p


@pytest.fixture
def worker(servers: dict[str, str], peer: PMPeer, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NICEGUI_"))}
    env.update(
        SIGNX_DATABASE_URL=servers["database_url"],
        SIGNX_REDIS_URL=servers["redis_url"],
        SIGNX_DATA_DIR=str(tmp_path),
        SIGNX_PM_URL=peer.url,
        SIGNX_PM_TOKEN="worker-token",
        SIGNX_WORKER_HEARTBEAT_SECONDS="0.5",
        SIGNX_JOB_RETRY_BACKOFF_MAX_SECONDS="1",
    )
    proc = subprocess.Popen(
        [sys.executable, "app.py", "worker"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield proc
    if proc.poll() is None:
        terminate_group(proc.pid, 10, wait=proc.wait)


@pytest.fixture
async def server(servers: dict[str, str], tmp_path: Path) -> AsyncIterator[Any]:
    """The services with the outbox relay running, as in the server."""
    from bootstrap import wire
    from infra.settings import Settings

    services, release = wire(
        Settings(data_dir=tmp_path, relay_sweep_seconds=0.5), servers["database_url"], servers["redis_url"]
    )
    await services.start()
    yield services
    await release()


async def until_finished(services: Any, job_id: str, *, within: float) -> Any:
    """Poll the job (this loop also serves the peer) until it succeeded or failed."""
    deadline = time.monotonic() + within
    while True:
        job = await services.jobs.get(job_id)
        if job.status in ("succeeded", "failed"):
            return job
        if time.monotonic() > deadline:
            pytest.fail(f"job not finished in {within} s: {job.status}, {job.attempts} attempts, {job.error}")
        await asyncio.sleep(0.05)


@pytest.mark.timeout(120)
async def test_a_real_worker_retries_the_503_and_stores_the_reference(server, worker, peer):
    creds = await server.users.create("eve@example.com", "estimator")
    eve = await server.users.authenticate_api_key(creds.api_key)
    project = await server.projects.create(eve, ProjectCreate(name="Elm St Pylon", account_id="ACME-01"))
    project = await save_passing_design(server, eve, project)
    project = await server.projects.transition(
        eve, project.project_id, Status.estimating, if_match=project.etag
    )
    out = (await server.submissions.submit(eve, project.project_id, if_match=project.etag)).value

    job = await until_finished(server, out.job.job_id, within=90)
    assert job.status == "succeeded", (job.status, job.error)
    assert job.attempts == 2, "the 503 was retried once"
    assert len(peer.received) == 2 and len(peer.accepted) == 1
    assert {r.headers["authorization"] for r in peer.received} == {"Bearer worker-token"}
    stored = await server.projects.get(project.project_id)
    assert (stored.pm_dispatch, stored.pm_reference) == ("sent", "PM-0001")
