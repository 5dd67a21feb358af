"""The operations snapshot: one read-only transaction over jobs, workers, outbox and the
business tables, for the metrics (``infra/ops_metrics.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.jobs.queues import QUEUES, queue_for
from domain.jobs.schemas import JobStatus
from domain.operations import repository as repo
from domain.operations.schemas import OperationsSnapshot, QueueState
from domain.orm import utcnow
from domain.ports import UnitOfWork


def _age(now: datetime, then: datetime | None) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


class OperationsService:
    def __init__(self, uow: UnitOfWork, *, worker_max_age_seconds: float) -> None:
        self.uow = uow
        # A worker silent this long is taken for dead (the workers' own rule, workers/root.py).
        self.worker_max_age_seconds = worker_max_age_seconds

    async def snapshot(self) -> OperationsSnapshot:
        async with self.uow() as tx:
            session = tx.session
            now = utcnow()
            waiting: dict[str, int] = dict.fromkeys(QUEUES, 0)
            oldest: dict[str, float] = dict.fromkeys(QUEUES, 0.0)
            for kind, status, count, created in await repo.waiting_by_kind(session):
                queue = queue_for(kind)
                waiting[queue] += count
                if status == JobStatus.queued.value:
                    oldest[queue] = max(oldest[queue], _age(now, created))
            alive, latest_beat = await repo.workers(
                session, now - timedelta(seconds=self.worker_max_age_seconds)
            )
            pending, oldest_due = await repo.outbox(session, now)
            return OperationsSnapshot(
                jobs=await repo.jobs_by_kind_and_status(session),
                queues={q: QueueState(waiting=waiting[q], oldest_queued_seconds=oldest[q]) for q in QUEUES},
                workers_alive=alive,
                last_heartbeat_seconds=_age(now, latest_beat) if latest_beat is not None else None,
                outbox_pending=pending,
                outbox_lag_seconds=_age(now, oldest_due),
                projects=await repo.projects_by_status(session),
                design_revisions=await repo.count_design_revisions(session),
                reports=await repo.count_reports(session),
            )
