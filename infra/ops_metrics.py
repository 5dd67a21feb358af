"""Metrics read at scrape time: the operations snapshot from the database (jobs, queues,
workers, outbox, business counts), whether the database and Redis answer, this process's
connection pool, its page clients (browser tabs) and the data dir's disk.

The snapshot is the same whichever app process is scraped (aggregate these with ``max``, not
``sum``). It is read at most once per ``cache_seconds`` however many scrapers ask, one read at a
time, and a read that fails or takes longer than ``timeout_seconds`` leaves those series out
(``signx_operations_snapshot_ok`` 0) rather than failing the scrape.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from prometheus_client import ProcessCollector, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from domain.operations.schemas import OperationsSnapshot
from infra.metrics import exposition as process_exposition

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[None]]


class _Families:
    """A registry-shaped holder of ready metric families for ``generate_latest``."""

    def __init__(self, families: Iterable[Metric]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self.families


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


def snapshot_families(snap: OperationsSnapshot) -> list[Metric]:
    jobs = GaugeMetricFamily(
        "signx_jobs", "Jobs in the jobs table by kind and status", labels=["kind", "status"]
    )
    for (kind, status), count in sorted(snap.jobs.items()):
        jobs.add_metric([kind, status], count)
    depth = GaugeMetricFamily(
        "signx_queue_depth", "Jobs waiting for a worker (queued or retrying)", labels=["queue"]
    )
    oldest = GaugeMetricFamily(
        "signx_queue_oldest_job_age_seconds", "Age of the oldest queued job per queue", labels=["queue"]
    )
    for queue, state in sorted(snap.queues.items()):
        depth.add_metric([queue], state.waiting)
        oldest.add_metric([queue], state.oldest_queued_seconds)
    projects = GaugeMetricFamily("signx_projects", "Projects by status", labels=["status"])
    for status, count in sorted(snap.projects.items()):
        projects.add_metric([status], count)
    families: list[Metric] = [
        jobs,
        depth,
        oldest,
        _gauge("signx_workers_alive", "Workers that beat within the allowed silence", snap.workers_alive),
        _gauge("signx_outbox_pending", "Outbox rows not yet published", snap.outbox_pending),
        _gauge(
            "signx_outbox_lag_seconds",
            "Age of the oldest due outbox row not yet published (0 when none)",
            snap.outbox_lag_seconds,
        ),
        projects,
        _gauge("signx_design_revisions", "Design revisions saved (all projects)", snap.design_revisions),
        _gauge("signx_reports", "Calculation reports rendered and stored", snap.reports),
    ]
    if snap.last_heartbeat_seconds is not None:
        families.append(
            _gauge(
                "signx_worker_last_heartbeat_age_seconds",
                "Seconds since any worker last beat",
                snap.last_heartbeat_seconds,
            )
        )
    return families


class ScrapeMetrics:
    def __init__(
        self,
        *,
        snapshot: Callable[[], Awaitable[OperationsSnapshot]] | None,
        readiness: Mapping[str, Probe],
        pool: Any = None,
        pool_capacity: int = 0,
        data_dir: Path | None = None,
        code_version: str = "",
        cache_seconds: float = 5.0,
        timeout_seconds: float = 5.0,
        ui_clients: Callable[[], int] | None = None,
    ) -> None:
        self.snapshot = snapshot
        self.readiness = dict(readiness)
        self.pool = pool
        self.pool_capacity = pool_capacity
        self.data_dir = data_dir
        self.code_version = code_version
        self.cache_seconds = cache_seconds
        self.timeout_seconds = timeout_seconds
        # The page clients this process holds (one per open tab, kept for the page's reconnect
        # timeout after it closes): what its memory grows with; back to its level once tabs close.
        self.ui_clients = ui_clients
        self._cached: tuple[float, list[Metric]] | None = None
        self._lock = asyncio.Lock()
        self.reads = 0  # snapshots read from the database (for the tests)

    async def exposition(self) -> tuple[bytes, str]:
        body, content_type = process_exposition()
        families = await self.families()
        return body + generate_latest(_Families(families)), content_type or CONTENT_TYPE_LATEST

    async def families(self) -> list[Metric]:
        async with self._lock:  # one read at a time; the others take its result
            now = time.monotonic()
            if self._cached is None or now - self._cached[0] >= self.cache_seconds:
                self._cached = (now, await self._read())
            cached = self._cached[1]
        return [*cached, *self._local()]

    async def _read(self) -> list[Metric]:
        up = GaugeMetricFamily("signx_dependency_up", "1 when the server answers", labels=["dependency"])
        for name, probe in sorted(self.readiness.items()):
            try:
                await asyncio.wait_for(probe(), timeout=self.timeout_seconds)
                up.add_metric([name], 1)
            except Exception:  # noqa: BLE001 - any failure is "down"
                up.add_metric([name], 0)
        families: list[Metric] = [up]
        ok = 0
        if self.snapshot is not None:
            try:
                snap = await asyncio.wait_for(self.snapshot(), timeout=self.timeout_seconds)
                self.reads += 1
                families.extend(snapshot_families(snap))
                ok = 1
            except Exception:  # noqa: BLE001 - the scrape still answers, without these series
                log.warning("operations snapshot failed", exc_info=True)
        families.append(_gauge("signx_operations_snapshot_ok", "1 when the snapshot was read", ok))
        return families

    def _local(self) -> list[Metric]:
        """This process's own state, cheap to read on every scrape."""
        families: list[Metric] = []
        info = GaugeMetricFamily("signx_build_info", "The running version", labels=["version"])
        info.add_metric([self.code_version], 1)
        families.append(info)
        # This process's CPU, memory and open files (multiprocess mode leaves them out).
        families.extend(ProcessCollector(registry=None).collect())
        if self.pool is not None:
            pool = GaugeMetricFamily(
                "signx_db_pool_connections", "This process's database connections", labels=["state"]
            )
            pool.add_metric(["checked_out"], float(self.pool.checkedout()))
            pool.add_metric(["idle"], float(self.pool.checkedin()))
            families.append(pool)
            families.append(
                _gauge("signx_db_pool_capacity", "Most connections this process may open", self.pool_capacity)
            )
        if self.ui_clients is not None:
            families.append(
                _gauge(
                    "signx_ui_clients",
                    "Page clients (browser tabs, each with its element tree) this process holds",
                    self.ui_clients(),
                )
            )
        if self.data_dir is not None:
            existing = next((p for p in (self.data_dir, *self.data_dir.parents) if p.exists()), self.data_dir)
            try:
                usage = shutil.disk_usage(existing)  # the disk it is (or will be) on
            except OSError:
                pass
            else:
                families.append(
                    _gauge(
                        "signx_data_dir_disk_used_ratio",
                        "Used share of the data dir's disk",
                        usage.used / max(1, usage.used + usage.free),
                    )
                )
                families.append(
                    _gauge("signx_data_dir_disk_free_bytes", "Free bytes on the data dir's disk", usage.free)
                )
        return families
