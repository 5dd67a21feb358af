"""All design revision queries. Takes a session; never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.designs.models import DesignRevision
from domain.paged_query import page_and_total
from domain.users.models import User

Row = tuple[DesignRevision, str]
"""A revision and its author's email."""


def _with_author():  # type: ignore[no-untyped-def]
    return select(DesignRevision, User.email).join(User, User.user_id == DesignRevision.created_by)


async def get(session: AsyncSession, project_id: uuid.UUID, revision: int) -> Row | None:
    stmt = _with_author().where(DesignRevision.project_id == project_id, DesignRevision.revision == revision)
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row else None


async def by_sha256(session: AsyncSession, project_id: uuid.UUID, sha256: str) -> Row | None:
    stmt = _with_author().where(DesignRevision.project_id == project_id, DesignRevision.sha256 == sha256)
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row else None


async def latest(session: AsyncSession, project_id: uuid.UUID) -> DesignRevision | None:
    stmt = (
        select(DesignRevision)
        .where(DesignRevision.project_id == project_id)
        .order_by(DesignRevision.revision.desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def last_number(session: AsyncSession, project_id: uuid.UUID) -> int:
    stmt = select(func.coalesce(func.max(DesignRevision.revision), 0)).where(
        DesignRevision.project_id == project_id
    )
    return int((await session.execute(stmt)).scalar_one())


async def page(
    session: AsyncSession, project_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[Row], int]:
    where = DesignRevision.project_id == project_id
    stmt = _with_author().where(where).order_by(DesignRevision.revision.desc())
    rows, total = await page_and_total(session, stmt, limit=limit, offset=offset)
    return [(r[0], r[1]) for r in rows], total
