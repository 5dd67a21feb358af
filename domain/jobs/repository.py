"""Every query on jobs and workers. One instance per transaction; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.jobs.models import Job, Worker
from domain.jobs.schemas import JobStatus
from domain.projects.models import Project

NEWEST_FIRST = (Job.created_at.desc(), Job.job_id)


def _filters(
    kind: str | tuple[str, ...] | None, status: str | None, project_id: uuid.UUID | None
) -> list[ColumnElement[bool]]:
    """``kind``: one kind, or any of several."""
    where: list[ColumnElement[bool]] = []
    if isinstance(kind, tuple):
        where.append(Job.kind.in_(kind))
    elif kind:
        where.append(Job.kind == kind)
    if status:
        where.append(Job.status == status)
    if project_id is not None:
        where.append(Job.project_id == project_id)
    return where


class JobRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, job: Job) -> None:
        self.session.add(job)

    async def get(self, job_id: uuid.UUID, *, lock: bool = False) -> Job | None:
        return await self.session.get(Job, job_id, with_for_update=lock, populate_existing=lock)

    async def page(
        self,
        *,
        kind: str | tuple[str, ...] | None,
        status: str | None,
        project_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> tuple[int, Sequence[Job]]:
        """Newest first, with the true total of the filtered jobs."""
        where = _filters(kind, status, project_id)
        total = await self._count(where)
        query = select(Job).where(*where).order_by(*NEWEST_FIRST).limit(limit).offset(offset)
        return total, (await self.session.execute(query)).scalars().all()

    async def _count(self, where: list[ColumnElement[bool]]) -> int:
        query = select(func.count()).select_from(Job).where(*where)
        return int((await self.session.execute(query)).scalar_one())

    async def count_waiting(self) -> int:
        waiting = (JobStatus.queued.value, JobStatus.retrying.value)
        query = select(func.count()).select_from(Job).where(Job.status.in_(waiting))
        return int((await self.session.execute(query)).scalar_one())

    async def running_locked(self) -> Sequence[Job]:
        """Running jobs, locked; rows another transaction holds are skipped."""
        query = (
            select(Job)
            .where(Job.status == JobStatus.running.value)
            .order_by(Job.job_id)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def beat(self, name: str, jobs_done: int, now: datetime) -> None:
        stmt = insert(Worker).values(name=name, started_at=now, last_seen_at=now, jobs_done=jobs_done)
        await self.session.execute(
            stmt.on_conflict_do_update(
                index_elements=[Worker.name], set_={"last_seen_at": now, "jobs_done": jobs_done}
            )
        )

    async def workers_seen_since(self, since: datetime) -> Sequence[Worker]:
        query = select(Worker).where(Worker.last_seen_at >= since).order_by(Worker.name)
        return (await self.session.execute(query)).scalars().all()

    async def page_with_project_names(
        self,
        *,
        kind: str | tuple[str, ...] | None,
        status: str | None,
        project_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> tuple[int, Sequence[tuple[Job, str | None]]]:
        """Like :meth:`page`, each job with its project's name (an outer join: one statement for
        the rows, however many projects they name). A read model for the job monitor."""
        where = _filters(kind, status, project_id)
        total = await self._count(where)
        query = (
            select(Job, Project.name)
            .outerjoin(Project, Project.project_id == Job.project_id)
            .where(*where)
            .order_by(*NEWEST_FIRST)
            .limit(limit)
            .offset(offset)
        )
        rows = [(job, name) for job, name in (await self.session.execute(query)).all()]
        return total, rows

    async def per_minute(
        self, since: datetime, *, created_after: datetime
    ) -> Sequence[tuple[datetime, str, int]]:
        """(minute, status, count) of the jobs whose latest change (finished, else started, else
        created) is at or after ``since``, by minute (UTC, naive) and status. Only jobs created
        after ``created_after`` are looked at, so the created_at index bounds the scan however
        long the table has grown (a job waits and runs minutes, not hours)."""
        changed = func.coalesce(Job.finished_at, Job.started_at, Job.created_at)
        minute = func.date_trunc(literal_column("'minute'"), func.timezone("UTC", changed)).label("minute")
        query = (
            select(minute, Job.status, func.count())
            .where(Job.created_at >= created_after, changed >= since)
            .group_by(minute, Job.status)
            .order_by(minute)
        )
        return [(m, s, int(c)) for m, s, c in (await self.session.execute(query)).all()]
