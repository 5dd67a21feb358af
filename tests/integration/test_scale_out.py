"""Scale-out on one machine's loopback: two ``python app.py serve`` processes and two
``python app.py worker --queues reports`` processes on one PostgreSQL and one Redis (the test
session's), as a deployment with several app processes behind a proxy runs them.

- A browser signed in on one app process is signed in on the other (sessions in Redis, one
  storage secret), and signing out on one ends the session on both.
- Jobs requested through either app run once each (one attempt, one handler run counted by the
  workers' own metrics), and each outbox row is relayed once although both apps relay.

Heavy (four processes and a browser): every process is started once for the module.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from domain.jobs.schemas import REPORT
from domain.projects.schemas import ProjectCreate
from infra.embedded import free_port
from tests.designs import save_passing_design
from tests.served import CHROMIUM_FLAGS, ROOT, chromium_binary, served_app

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(300)]

SHOTS = Path("/tmp/signx-browser")
SECRET = "one-storage-secret-for-every-app-process"


@pytest.fixture(scope="module")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each process gets a data dir of its own below this one, as on separate machines: nothing
    but PostgreSQL and Redis is shared (a shared folder would carry NiceGUI's file sessions)."""
    return tmp_path_factory.mktemp("scale-out")


@pytest.fixture(scope="module")
def apps(servers: dict[str, str], shared_dir: Path) -> Iterator[list[str]]:
    """Two app processes; both relay the outbox; no worker of their own."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        yield [
            stack.enter_context(
                served_app(
                    servers,
                    shared_dir / f"app{n}",
                    log_path=shared_dir / f"app{n}.log",
                    storage_secret=SECRET,
                    relay_in_server="true",
                )
            )
            for n in (1, 2)
        ]


class Worker:
    """``python app.py worker --queues reports`` serving its metrics on a port of its own."""

    def __init__(self, servers: dict[str, str], data_dir: Path, n: int) -> None:
        self.metrics_port = free_port()
        self.log = data_dir / f"worker{n}.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNX_", "NICEGUI_", "PYTEST"))}
        env |= {
            "SIGNX_DATABASE_URL": servers["database_url"],
            "SIGNX_REDIS_URL": servers["redis_url"],
            "SIGNX_DATA_DIR": str(data_dir),
            "SIGNX_HOST": "127.0.0.1",
            "SIGNX_WORKER_METRICS_PORT": str(self.metrics_port),
            "SIGNX_WORKER_HEARTBEAT_SECONDS": "1",
            # Cheap password hashing, as in the rest of the suite.
            **{k: v for k, v in os.environ.items() if k.startswith("SIGNX_PASSWORD_")},
        }
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "app.py", "worker", "--queues", "reports"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def metrics(self) -> str:
        return httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5, trust_env=False).text

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def workers(servers: dict[str, str], shared_dir: Path) -> Iterator[list[Worker]]:
    for n in (1, 2):
        (shared_dir / f"worker{n}").mkdir(exist_ok=True)
    started = [Worker(servers, shared_dir / f"worker{n}", n) for n in (1, 2)]
    try:
        deadline = time.monotonic() + 90
        for worker in started:
            while True:
                if worker.proc.poll() is not None:
                    raise RuntimeError(f"worker exited:\n{worker.log.read_text()[-3000:]}")
                try:
                    worker.metrics()
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"worker not up:\n{worker.log.read_text()[-3000:]}") from None
                    time.sleep(0.2)
        yield started
    finally:
        for worker in started:
            worker.stop()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def svc(servers: dict[str, str]) -> AsyncIterator[Any]:
    from bootstrap import wire
    from infra.settings import Settings

    services, release = wire(Settings(), servers["database_url"], servers["redis_url"])
    yield services
    await release()


def value(body: str, name: str, **labels: str) -> float:
    """The sum of ``name``'s samples whose labels include ``labels`` (0 when none)."""
    return sum(
        s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
        if s.name == name and labels.items() <= s.labels.items()
    )


def metrics(base: str) -> str:
    return httpx.get(f"{base}/metrics", timeout=10, trust_env=False).text


async def test_a_browser_signed_in_on_one_app_process_is_signed_in_on_the_other(svc, apps):
    if chromium_binary() is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium)")
    from playwright.async_api import async_playwright, expect

    first, second = apps
    creds = await svc.users.create("roaming@signx.test", "estimator", "Rosa Roaming")
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=chromium_binary(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            context = await chromium.new_context(viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            page.set_default_timeout(15_000)
            await page.goto(f"{first}/projects")
            await expect(page).to_have_url(re.compile(r"/login(\?|$)"))
            await page.get_by_label("Email").fill(creds.email)
            await page.get_by_label("Password", exact=True).fill(creds.password)
            await page.get_by_role("button", name="Log in").click()
            await expect(page).to_have_url(f"{first}/projects")
            await expect(page.get_by_role("banner").get_by_text(creds.email)).to_be_visible()

            # The same browser (cookies are per host, not per port) on the other process: the
            # proxy would send it there when the first one goes away.
            await page.goto(f"{second}/projects")
            await expect(page).to_have_url(f"{second}/projects")
            await expect(page.get_by_role("banner").get_by_text(creds.email)).to_be_visible()
            await page.screenshot(path=SHOTS / "scale-out-second-process.png", full_page=True)

            # Signing out on the second ends the session on the first too.
            await page.goto(f"{second}/logout")
            await expect(page).to_have_url(re.compile(r"/login(\?|$)"))
            await page.goto(f"{first}/projects")
            await expect(page).to_have_url(re.compile(r"/login(\?|$)"))
        finally:
            await chromium.close()


async def test_jobs_requested_through_either_app_run_once_and_are_relayed_once(svc, apps, workers):
    creds = await svc.users.create("jobs@signx.test", "estimator", "Jo Jobs")
    estimator = await svc.users.authenticate_api_key(creds.api_key)
    project = await svc.projects.create(estimator, ProjectCreate(name="Cedar Ln Pole", account_id="ACME-09"))
    await save_passing_design(svc, estimator, project)
    # Both workers are beating (the tables were emptied before this test).
    deadline = time.monotonic() + 60
    while len(await svc.jobs.live_workers(6)) < 2:
        assert time.monotonic() < deadline, "two live workers"
        await asyncio.sleep(0.2)
    relayed_before = sum(value(metrics(base), "signx_outbox_published_total") for base in apps)
    ran_before = sum(
        value(w.metrics(), "signx_job_duration_seconds_count", kind=REPORT, outcome="succeeded")
        for w in workers
    )

    job_ids = []
    async with httpx.AsyncClient(trust_env=False, timeout=30) as client:
        for n in range(6):
            base = apps[n % 2]
            answer = await client.post(
                f"{base}/api/v1/projects/{project.project_id}/reports",
                json={"revision": 1},
                headers={"X-API-Key": creds.api_key},
            )
            assert answer.status_code == 202, answer.text
            job_ids.append(answer.json()["result"]["job_id"])

    done: dict[str, Any] = {}

    async def all_finished() -> bool:
        for job_id in job_ids:
            done[job_id] = await svc.jobs.get(job_id)
        return all(job.status in ("succeeded", "failed") for job in done.values())

    deadline = time.monotonic() + 120
    while not await all_finished():
        assert time.monotonic() < deadline, {j: d.status for j, d in done.items()}
        await asyncio.sleep(0.2)
    assert {job.status for job in done.values()} == {"succeeded"}, [j.error for j in done.values()]
    assert [job.attempts for job in done.values()] == [1] * 6, "each job ran in one attempt"

    # Each handler ran once (the workers count their own runs), and each outbox row was
    # published by exactly one of the two relays.
    ran = sum(
        value(w.metrics(), "signx_job_duration_seconds_count", kind=REPORT, outcome="succeeded")
        for w in workers
    )
    relayed = sum(value(metrics(base), "signx_outbox_published_total") for base in apps)
    assert ran - ran_before == 6
    assert relayed - relayed_before == 6
    async with svc.jobs.uow() as tx:
        unpublished = (
            await tx.session.execute(text("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
        ).scalar()
    assert unpublished == 0
    # Both apps see the same queue (read from the database): empty again.
    for base in apps:
        assert value(metrics(base), "signx_queue_depth", queue="reports") == 0
