"""All project file queries. Takes a session; never commits."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.files.models import FileReference, ProjectFile
from domain.paged_query import page_and_total
from domain.users.models import User

Row = tuple[ProjectFile, str]
"""A file and its uploader's email."""


def _with_uploader():  # type: ignore[no-untyped-def]
    return select(ProjectFile, User.email).join(User, User.user_id == ProjectFile.uploaded_by)


def _live(project_id: uuid.UUID) -> ColumnElement[bool]:
    return (ProjectFile.project_id == project_id) & ProjectFile.deleted_at.is_(None)


async def get(
    session: AsyncSession, project_id: uuid.UUID, file_id: uuid.UUID, *, for_update: bool = False
) -> Row | None:
    """A live (not deleted) file of the project."""
    stmt = _with_uploader().where(_live(project_id), ProjectFile.file_id == file_id)
    if for_update:
        stmt = stmt.with_for_update(of=ProjectFile)
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row else None


async def live_by_sha256(session: AsyncSession, project_id: uuid.UUID, sha256: str) -> Row | None:
    stmt = _with_uploader().where(_live(project_id), ProjectFile.sha256 == sha256)
    row = (await session.execute(stmt)).one_or_none()
    return (row[0], row[1]) if row else None


async def add(
    session: AsyncSession,
    *,
    project_id: uuid.UUID,
    name: str,
    size: int,
    content_type: str,
    sha256: str,
    uploaded_by: uuid.UUID,
    uploaded_at: datetime,
) -> ProjectFile | None:
    """Insert a live file; None when the project has a live file of this content already (the
    partial unique index decides, so two simultaneous uploads of it cannot both insert)."""
    stmt = (
        insert(ProjectFile)
        .values(
            file_id=uuid.uuid4(),
            project_id=project_id,
            name=name,
            size=size,
            content_type=content_type,
            sha256=sha256,
            uploaded_by=uploaded_by,
            uploaded_at=uploaded_at,
        )
        .on_conflict_do_nothing(
            index_elements=["project_id", "sha256"], index_where=ProjectFile.deleted_at.is_(None)
        )
        .returning(ProjectFile)
    )
    return (await session.execute(stmt)).scalar_one_or_none()  # type: ignore[no-any-return]


async def page(
    session: AsyncSession, project_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[Row], int]:
    """Live files, newest first."""
    stmt = (
        _with_uploader()
        .where(_live(project_id))
        .order_by(ProjectFile.uploaded_at.desc(), ProjectFile.file_id)
    )
    rows, total = await page_and_total(session, stmt, limit=limit, offset=offset)
    return [(r[0], r[1]) for r in rows], total


async def sha256_in_use(session: AsyncSession, sha256: str) -> bool:
    """Whether any file row, of any project, live or deleted, names this content."""
    return bool((await session.execute(select(exists().where(ProjectFile.sha256 == sha256)))).scalar())


async def references(session: AsyncSession, project_id: uuid.UUID) -> dict[uuid.UUID, list[str]]:
    stmt = (
        select(FileReference.file_id, FileReference.referenced_by)
        .join(ProjectFile, ProjectFile.file_id == FileReference.file_id)
        .where(ProjectFile.project_id == project_id)
        .order_by(FileReference.file_id, FileReference.referenced_by)
    )
    found: dict[uuid.UUID, list[str]] = {}
    for file_id, by in (await session.execute(stmt)).all():
        found.setdefault(file_id, []).append(by)
    return found


async def add_references(
    session: AsyncSession, file_ids: Iterable[uuid.UUID], referenced_by: str, at: datetime
) -> None:
    rows = [{"file_id": f, "referenced_by": referenced_by, "created_at": at} for f in file_ids]
    if rows:
        await session.execute(insert(FileReference).values(rows).on_conflict_do_nothing())


async def live_ids(
    session: AsyncSession, project_id: uuid.UUID, file_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    stmt = select(ProjectFile.file_id).where(_live(project_id), ProjectFile.file_id.in_(list(file_ids)))
    return set((await session.execute(stmt)).scalars().all())
