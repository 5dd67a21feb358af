"""The queries behind the operations snapshot (functions of a session). Each is one aggregate
over an indexed column or a small table; the snapshot is cached by its caller between scrapes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.designs.models import DesignRevision
from domain.jobs.models import Job, Worker
from domain.jobs.schemas import JobStatus
from domain.outbox.models import OutboxMessage
from domain.projects.models import Project
from domain.reports.models import Report

WAITING = (JobStatus.queued.value, JobStatus.retrying.value)


async def jobs_by_kind_and_status(session: AsyncSession) -> dict[tuple[str, str], int]:
    rows = await session.execute(select(Job.kind, Job.status, func.count()).group_by(Job.kind, Job.status))
    return {(kind, status): int(n) for kind, status, n in rows}


async def waiting_by_kind(session: AsyncSession) -> list[tuple[str, str, int, datetime | None]]:
    """(kind, status, count, oldest created_at) of the jobs waiting for a worker."""
    rows = await session.execute(
        select(Job.kind, Job.status, func.count(), func.min(Job.created_at))
        .where(Job.status.in_(WAITING))
        .group_by(Job.kind, Job.status)
    )
    return [(kind, status, int(n), oldest) for kind, status, n, oldest in rows]


async def workers(session: AsyncSession, since: datetime) -> tuple[int, datetime | None]:
    """(workers heard from since ``since``, the latest heartbeat of any worker)."""
    alive = await session.scalar(select(func.count()).select_from(Worker).where(Worker.last_seen_at >= since))
    latest = await session.scalar(select(func.max(Worker.last_seen_at)))
    return int(alive or 0), latest


async def outbox(session: AsyncSession, now: datetime) -> tuple[int, datetime | None]:
    """(rows not yet published, the oldest due one's creation time)."""
    pending = OutboxMessage.published_at.is_(None)
    count = await session.scalar(select(func.count()).select_from(OutboxMessage).where(pending))
    oldest = await session.scalar(
        select(func.min(OutboxMessage.created_at)).where(pending, OutboxMessage.available_at <= now)
    )
    return int(count or 0), oldest


async def projects_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Project.status, func.count()).group_by(Project.status))
    return {status: int(n) for status, n in rows}


async def count_design_revisions(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(DesignRevision)) or 0)


async def count_reports(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Report)) or 0)
