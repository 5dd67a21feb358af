"""Background jobs: enqueue-to-running latency, and a soak of report jobs with workers killed.

    python bench/jobs.py [--latency 100] [--soak 1000] [--kill-every 100] [--concurrency 2]

On the embedded default (PostgreSQL and Redis started here in a temporary data dir), with the
outbox relay in this process as in the server, and `python app.py worker` kept running by the
same supervisor `serve` uses:

1. latency: one job at a time, the time from the request's commit (``created_at``) to the
   worker's claim (``started_at``), both stamped by the database; median and p95.
2. soak: ``--soak`` report jobs of distinct design revisions requested at once; every
   ``--kill-every`` completed jobs the whole worker (Celery main and pool) is killed with
   SIGKILL and the supervisor starts a new one. At the end: how many succeeded, failed, were
   lost (not finished), how many attempts it took, and whether any PDF blob was made twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KIND = "projects.report.generate"


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _pdfs(data_dir: Path) -> set[Path]:
    return set(data_dir.rglob("*.pdf"))


async def _revisions(services: Any, actor: Any, projects: int, per_project: int) -> list[tuple[str, int]]:
    from domain.designs.schemas import DesignRequest
    from domain.projects.schemas import ProjectCreate
    from tests.designs import PASSING

    found = []
    for p in range(projects):
        project = await services.projects.create(
            actor, ProjectCreate(name=f"Soak pylon {p}", account_id="BENCH-01")
        )
        for i in range(per_project):
            design = copy.deepcopy(PASSING)
            design["input"]["site"]["ground_elevation_ft"] = 100 + i
            project = await services.projects.get(project.project_id)
            saved = await services.designs.save(
                actor, project.project_id, DesignRequest.model_validate(design), if_match=project.etag
            )
            found.append((project.project_id, saved.revision.revision))
    return found


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


async def _wait_for_worker(services: Any, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while not await services.jobs.live_workers(15):
        if time.monotonic() > deadline:
            raise SystemExit("no worker came up")
        await asyncio.sleep(0.2)


async def latency(
    services: Any, actor: Any, target: tuple[str, int], runs: int, database_url: str
) -> tuple[list[float], list[float], list[float]]:
    """Milliseconds from the committed request (the job is enqueued: the request returned) to
    the worker's claim (``started_at``), one job at a time on an idle worker, and of those the
    part until the relay had published it to Redis. Both clocks are this machine's."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    samples, relayed, requests = [], [], []
    try:
        for _ in range(runs):
            asked = datetime.now(UTC)
            job_id = await _request(services, actor, *target)
            enqueued = datetime.now(UTC)
            requests.append((enqueued - asked).total_seconds() * 1000)
            while True:
                job = await services.jobs.get(job_id)
                if job.status in ("succeeded", "failed"):
                    break
                await asyncio.sleep(0.005)
            samples.append((job.started_at - enqueued).total_seconds() * 1000)
            async with engine.connect() as conn:
                published = (
                    await conn.execute(
                        text("SELECT published_at FROM outbox WHERE payload->>'job_id' = :j"), {"j": job_id}
                    )
                ).scalar_one()
            relayed.append((published - enqueued).total_seconds() * 1000)
    finally:
        await engine.dispose()
    return samples, relayed, requests


async def soak(
    services: Any,
    actor: Any,
    targets: list[tuple[str, int]],
    supervisor: Any,
    kill_every: int,
    database_url: str,
) -> dict[str, Any]:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(database_url)
    started = time.monotonic()
    job_ids = [await _request(services, actor, p, r) for p, r in targets]
    print(f"soak: {len(job_ids)} jobs requested in {time.monotonic() - started:.0f} s", flush=True)
    kills, next_kill = 0, kill_every
    deadline = time.monotonic() + 120 + 3.0 * len(targets)
    count = text("SELECT status, count(*) FROM jobs WHERE job_id = ANY(CAST(:ids AS uuid[])) GROUP BY status")
    try:
        while True:
            async with engine.connect() as conn:
                by_status = {s: n for s, n in (await conn.execute(count, {"ids": job_ids})).all()}
            finished = sum(by_status.get(s, 0) for s in ("succeeded", "failed", "cancelled"))
            if finished == len(job_ids) or time.monotonic() > deadline:
                break
            succeeded = by_status.get("succeeded", 0)
            if succeeded >= next_kill and supervisor.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(supervisor.pid, signal.SIGKILL)
                kills += 1
                next_kill += kill_every
                print(f"  {succeeded} succeeded: killed the worker (kill {kills})", flush=True)
            await asyncio.sleep(0.1)
        seconds = round(time.monotonic() - started, 1)
        async with engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT status, attempts, result->>'sha256' FROM jobs"
                        " WHERE job_id = ANY(CAST(:ids AS uuid[]))"
                    ),
                    {"ids": job_ids},
                )
            ).all()
            unfinished = (
                await conn.execute(
                    text(
                        "SELECT job_id, status, attempts, dispatch, worker, last_error FROM jobs"
                        " WHERE job_id = ANY(CAST(:ids AS uuid[]))"
                        " AND status NOT IN ('succeeded', 'failed', 'cancelled')"
                    ),
                    {"ids": job_ids},
                )
            ).all()
            for row in unfinished:
                print("  not finished:", tuple(row), flush=True)
    finally:
        await engine.dispose()
    statuses = [r[0] for r in rows]
    return {
        "jobs": len(job_ids),
        "succeeded": statuses.count("succeeded"),
        "failed": statuses.count("failed"),
        "lost": len(job_ids) - statuses.count("succeeded") - statuses.count("failed"),
        "attempts": sum(r[1] for r in rows),
        "more_than_one_attempt": sum(r[1] > 1 for r in rows),
        "kills": kills,
        "restarts": supervisor.restarts,
        "seconds": seconds,
        "sha256": [r[2] for r in rows],
    }


async def run(args: argparse.Namespace, data_dir: Path, database_url: str, redis_url: str) -> int:
    from bootstrap import wire
    from infra.settings import Settings
    from infra.supervisor import Supervisor

    settings = Settings(data_dir=data_dir, worker_concurrency=args.concurrency)
    services, release = wire(settings, database_url, redis_url)
    env = {
        **os.environ,
        "SIGNX_DATA_DIR": str(data_dir),
        "SIGNX_DATABASE_URL": database_url,
        "SIGNX_REDIS_URL": redis_url,
        "SIGNX_WORKER_CONCURRENCY": str(args.concurrency),
        "SIGNX_WORKER_HEARTBEAT_SECONDS": "2",
        "SIGNX_LOG_LEVEL": "WARNING",
    }
    supervisor = Supervisor(
        [sys.executable, str(ROOT / "app.py"), "worker"],
        env=env,
        pidfile=data_dir / "worker.pid",
        backoff_initial_seconds=0.2,
        cwd=ROOT,
    )
    await services.start()  # the outbox relay, as in the server
    supervisor.start()
    try:
        creds = await services.users.create("bench@example.com", "estimator")
        actor = await services.users.authenticate_api_key(creds.api_key)
        await _wait_for_worker(services)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print("uptime:", await asyncio.to_thread(_uptime))

        (target,) = await _revisions(services, actor, 1, 1)
        await latency(services, actor, target, 5, database_url)  # warm up: the first report renders
        samples, relayed, requests = await latency(services, actor, target, args.latency, database_url)
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1]
        print(
            f"enqueue-to-running: median {median:.1f} ms, p95 {p95:.1f} ms ({len(samples)} jobs); "
            f"of which until published to Redis: median {statistics.median(relayed):.1f} ms; "
            f"the request itself (job + outbox rows committed): median {statistics.median(requests):.1f} ms"
        )

        if args.soak:
            per_project = 100
            projects = -(-args.soak // per_project)
            made = time.monotonic()
            targets = (await _revisions(services, actor, projects, per_project))[: args.soak]
            print(f"soak: {len(targets)} revisions saved in {time.monotonic() - made:.0f} s", flush=True)
            blobs_before = await asyncio.to_thread(_pdfs, data_dir)
            found = await soak(services, actor, targets, supervisor, args.kill_every, database_url)
            blobs = await asyncio.to_thread(_pdfs, data_dir) - blobs_before
            shas = found.pop("sha256")
            distinct = len({s for s in shas if s})
            doubled = len(blobs) - distinct
            print(
                f"soak: {found['succeeded']}/{found['jobs']} succeeded, {found['failed']} failed, "
                f"{found['lost']} lost, {doubled} doubled blobs ({len(blobs)} PDF blobs for {distinct} "
                f"distinct reports); {found['kills']} worker kills, {found['restarts']} restarts, "
                f"{found['more_than_one_attempt']} jobs needed a second attempt; {found['seconds']} s"
            )
        return 0
    finally:
        supervisor.stop()
        await release()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--latency", type=int, default=100, help="jobs for the latency median")
    parser.add_argument("--soak", type=int, default=1000, help="report jobs in the soak (0: none)")
    parser.add_argument("--kill-every", type=int, default=100, help="kill the worker every N finished")
    parser.add_argument("--concurrency", type=int, default=2, help="worker pool processes")
    args = parser.parse_args()

    from infra.embedded import EmbeddedServers
    from infra.logs import configure
    from infra.migrate import upgrade

    configure("WARNING")
    # SIGTERM unwinds through the finally blocks that stop the worker and the servers.
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    tmp = Path(tempfile.mkdtemp(prefix="signx-bench-jobs-"))
    tmp.chmod(0o755)
    embedded = EmbeddedServers(tmp)
    try:
        database_url = embedded.start_postgres()
        redis_url = embedded.start_redis()
        upgrade(database_url)
        return asyncio.run(run(args, tmp / "data", database_url, redis_url))
    finally:
        embedded.stop()


if __name__ == "__main__":
    sys.exit(main())
