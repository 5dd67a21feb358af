"""All project queries. Takes a session; never commits."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import cast, func, or_, select
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession

from domain.projects.models import Project, ProjectEvent
from domain.users.models import User


async def get(session: AsyncSession, project_id: uuid.UUID, *, for_update: bool = False) -> Project | None:
    stmt = select(Project).where(Project.project_id == project_id)
    if for_update:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def owner_emails(session: AsyncSession, user_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not user_ids:
        return {}
    rows = await session.execute(select(User.user_id, User.email).where(User.user_id.in_(user_ids)))
    return {row.user_id: row.email for row in rows}


def like_pattern(text: str) -> str:
    """A substring ILIKE pattern that matches ``text`` literally: ``%``, ``_`` and the escape
    character itself are escaped (``q=%`` must find names containing "%", not every project)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_words(q: str) -> list[str]:
    """The words of a query, split at punctuation like the search document (``SEARCH_DOCUMENT``):
    "ACC-007" -> ["ACC", "007"], "12x6" -> ["12x6"], "#2" -> ["2"]."""
    return "".join(c if c.isalnum() else " " for c in q).split()


def _filters(q: str | None, status: str | None, account_id: str | None) -> list[Any]:
    where: list[Any] = []
    if status:
        where.append(Project.status == status)
    if account_id:
        where.append(Project.account_id == account_id)
    if q:
        # Prefix match on every word ("main pyl" finds "Main Street Pylon", "ACC-00" finds
        # "ACC-007"), plus a literal substring match on the name and account for fragments
        # inside a word ("ylon", "C-0").
        pattern = like_pattern(q)
        literal = or_(
            Project.name.ilike(pattern, escape="\\"), Project.account_id.ilike(pattern, escape="\\")
        )
        words = search_words(q)
        if words:
            # Each word is quoted as a tsquery literal, so nothing in it is read as an operator.
            terms = " & ".join("'" + w.lower().replace("'", "''") + "':*" for w in words)
            tsq = cast(terms, TSQUERY)
            where.append(or_(Project.search.bool_op("@@")(tsq), literal))
        else:
            where.append(literal)
    return where


async def search(
    session: AsyncSession,
    *,
    q: str | None,
    status: str | None,
    account_id: str | None,
    sort: str,
    limit: int,
    offset: int,
) -> tuple[list[Project], int]:
    where = _filters(q, status, account_id)
    total = (await session.execute(select(func.count()).select_from(Project).where(*where))).scalar_one()
    column = getattr(Project, sort.lstrip("-"))
    order = column.desc() if sort.startswith("-") else column.asc()
    stmt = (
        select(Project).where(*where).order_by(order, Project.project_id.desc()).limit(limit).offset(offset)
    )
    rows = (await session.execute(stmt)).scalars().all()
    return list(rows), int(total)


async def add_event(
    session: AsyncSession,
    *,
    project_id: uuid.UUID,
    event_type: str,
    actor: str,
    request_id: str | None,
    data: dict[str, Any],
) -> None:
    session.add(
        ProjectEvent(
            project_id=project_id, event_type=event_type, actor=actor, request_id=request_id, data=data
        )
    )


async def events(
    session: AsyncSession, project_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[ProjectEvent], int]:
    where = ProjectEvent.project_id == project_id
    total = (await session.execute(select(func.count()).select_from(ProjectEvent).where(where))).scalar_one()
    stmt = (
        select(ProjectEvent).where(where).order_by(ProjectEvent.event_id.desc()).limit(limit).offset(offset)
    )
    return list((await session.execute(stmt)).scalars().all()), int(total)
