"""All report queries. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reports.models import Report


async def find(
    session: AsyncSession, project_id: uuid.UUID, revision: int, input_sha256: str
) -> Report | None:
    stmt = select(Report).where(
        Report.project_id == project_id, Report.revision == revision, Report.input_sha256 == input_sha256
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_sha256(session: AsyncSession, project_id: uuid.UUID, sha256: str) -> Report | None:
    stmt = (
        select(Report)
        .where(Report.project_id == project_id, Report.sha256 == sha256)
        .order_by(Report.created_at.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def add(
    session: AsyncSession,
    *,
    project_id: uuid.UUID,
    revision: int,
    input_sha256: str,
    sha256: str,
    size: int,
    created_at: datetime,
) -> Report:
    """Insert, or keep the row another worker stored first for the same rendering (same key, same
    bytes by determinism); returns the row as stored."""
    stmt = (
        insert(Report)
        .values(
            project_id=project_id,
            revision=revision,
            input_sha256=input_sha256,
            sha256=sha256,
            size=size,
            created_at=created_at,
        )
        .on_conflict_do_nothing(index_elements=["project_id", "revision", "input_sha256"])
    )
    await session.execute(stmt)
    found = await find(session, project_id, revision, input_sha256)
    assert found is not None
    return found


async def for_project(session: AsyncSession, project_id: uuid.UUID, *, limit: int) -> Sequence[Report]:
    stmt = (
        select(Report)
        .where(Report.project_id == project_id)
        .order_by(Report.created_at.desc(), Report.revision.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()
