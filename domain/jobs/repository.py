"""Every query on jobs and workers. One instance per transaction; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.jobs.models import Job, Worker
from domain.jobs.schemas import JobStatus


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
        kind: str | None,
        status: str | None,
        project_id: uuid.UUID | None,
        limit: int,
        offset: int,
    ) -> tuple[int, Sequence[Job]]:
        """Newest first, with the true total of the filtered jobs."""
        where = []
        if kind:
            where.append(Job.kind == kind)
        if status:
            where.append(Job.status == status)
        if project_id is not None:
            where.append(Job.project_id == project_id)
        total = (await self.session.execute(select(func.count()).select_from(Job).where(*where))).scalar_one()
        query = (
            select(Job).where(*where).order_by(Job.created_at.desc(), Job.job_id).limit(limit).offset(offset)
        )
        return int(total), (await self.session.execute(query)).scalars().all()

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
