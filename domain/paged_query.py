"""A page of a list and its total in one statement, for the repositories' paged reads.

A page view used to cost three statements per list (does the project exist, how many rows, which
rows): the project page read its timeline, revisions and files that way. The total now rides on
every row of the page (``count(*) OVER ()`` is computed before ``LIMIT``), and the existence of the
project is asked only when the page comes back empty (``domain/projects/service.py``
``require``), the one case where the rows cannot tell.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession


async def page_and_total(
    session: AsyncSession, stmt: Select[Any], *, limit: int, offset: int
) -> tuple[list[tuple[Any, ...]], int]:
    """The rows of ``stmt`` (ordered, not yet limited) from ``offset``, at most ``limit``, and how
    many rows it has in all. An empty page past the end has no row to carry the total: only then is
    it counted on its own."""
    paged = stmt.add_columns(func.count().over().label("page_total")).limit(limit).offset(offset)
    rows = (await session.execute(paged)).all()
    if rows:
        return [tuple(row)[:-1] for row in rows], int(rows[0][-1])
    if offset == 0:
        return [], 0
    counted = select(func.count()).select_from(stmt.order_by(None).subquery())
    return [], int((await session.execute(counted)).scalar_one())
