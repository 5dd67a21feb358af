"""The search's queries on PostgreSQL, and saved searches. Takes a session; never commits.

One statement answers a search: the matching rows (at most ``SEARCH_CAP + 1`` of them: "10,000+"
beyond), the page, and every facet's counts over those rows; a second reads the page's rows.
For relevance the candidates are the newest ``SEARCH_CAP + 1`` matches, ranked by ``ts_rank_cd``;
for the other sorts the page is read straight off the sort's index.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.search.facets import PRICE_BUCKETS, WIND_BUCKETS, RangeBucket, date_buckets
from domain.search.matching import Clauses, order_by, start_of_day
from domain.search.models import SavedSearch
from domain.search.schemas import SEARCH_CAP, SearchSort

ROW_COLUMNS = """projects.project_id, projects.name, projects.account_id, projects.customer,
    projects.site_address, projects.description, projects.status, projects.owner_id,
    users.email AS owner_email, projects.created_at, projects.updated_at, projects.design_revision,
    projects.design_pass, projects.design_section, projects.design_cabinets,
    projects.design_pole_count, projects.design_mount, projects.design_wind_mph, projects.design_total"""

FACET_COLUMNS = """projects.project_id, projects.status, projects.owner_id, projects.account_id,
    projects.customer, projects.created_at, projects.updated_at, projects.design_wind_mph,
    projects.design_mount, projects.design_pole_count, projects.design_total"""

TOP = 10  # values listed of the open-ended facets (owner, account, customer)


@dataclass
class Counts:
    total: int
    ids: list[tuple[uuid.UUID, float | None]]
    facets: dict[str, Any] | None


def _range_filters(column: str, buckets: Sequence[RangeBucket], prefix: str) -> tuple[str, dict[str, Any]]:
    parts: list[str] = []
    params: dict[str, Any] = {}
    for i, b in enumerate(buckets):
        conds = []
        if b.low is not None:
            params[f"{prefix}_lo{i}"] = b.low
            conds.append(f"{column} >= :{prefix}_lo{i}")
        if b.high is not None:
            params[f"{prefix}_hi{i}"] = b.high
            conds.append(f"{column} < :{prefix}_hi{i}")
        parts.append(f"count(*) FILTER (WHERE {' AND '.join(conds) or 'TRUE'})")
    return ", ".join(parts), params


def _facets_sql(today: date) -> tuple[str, dict[str, Any]]:
    params: dict[str, Any] = {}
    ranges = []
    for column, buckets, prefix in (
        ("created_at", date_buckets(today), "fc"),
        ("updated_at", date_buckets(today), "fu"),
        ("design_wind_mph", WIND_BUCKETS, "fw"),
        ("design_total", PRICE_BUCKETS, "fp"),
    ):
        converted = [
            RangeBucket(
                b.key,
                b.label,
                start_of_day(b.low) if isinstance(b.low, date) else b.low,
                start_of_day(b.high) if isinstance(b.high, date) else b.high,
            )
            for b in buckets
        ]
        sql, p = _range_filters(column, converted, prefix)
        params.update(p)
        ranges.append(f"json_build_array({sql})")

    def top(column: str, extra: str = "") -> str:
        return (
            f"(SELECT coalesce(json_agg(json_build_array(v, n) ORDER BY n DESC, v), '[]'::json) FROM "
            f"(SELECT {column} AS v, count(*) AS n FROM cand {extra} GROUP BY 1 "
            f"ORDER BY 2 DESC, 1 LIMIT {TOP}) s)"
        )

    NON_EMPTY = "WHERE customer <> ''"  # noqa: N806
    owners = (
        "(SELECT coalesce(json_agg(json_build_array(s.v, s.n, users.email) ORDER BY s.n DESC, users.email),"
        " '[]'::json) FROM (SELECT owner_id AS v, count(*) AS n FROM cand GROUP BY 1 "
        f"ORDER BY 2 DESC, 1 LIMIT {TOP}) s JOIN users ON users.user_id = s.v)"
    )
    sql = (
        "json_build_object("
        f"'status', {top('status')}, "
        f"'owner', {owners}, "
        f"'account', {top('account_id')}, "
        f"'customer', {top('customer', NON_EMPTY)}, "
        f"'mount', {top('design_mount', 'WHERE design_mount IS NOT NULL')}, "
        f"'poles', {top('design_pole_count', 'WHERE design_pole_count IS NOT NULL')}, "
        f"'ranges', (SELECT json_build_array({', '.join(ranges)}) FROM cand))"
    )
    return sql, params


async def search(
    session: AsyncSession,
    clauses: Clauses,
    *,
    sort: SearchSort,
    limit: int,
    offset: int,
    facets: bool,
    today: date,
) -> Counts:
    """The count (capped), the page's ids with their rank, and the facet counts, in one statement."""
    where = clauses.sql()
    params: dict[str, Any] = {**clauses.params, "cap": SEARCH_CAP + 1, "limit": limit, "offset": offset}
    ranked = sort is SearchSort.relevance and clauses.rank != "NULL::float4"
    facet_sql, facet_params = _facets_sql(today) if facets else ("NULL::json", {})
    params.update(facet_params)
    if ranked:
        sql = f"""
WITH cand AS (
    SELECT {FACET_COLUMNS}, {clauses.rank} AS rank FROM projects WHERE {where}
    ORDER BY projects.created_at DESC, projects.project_id DESC LIMIT :cap
), page AS (
    SELECT project_id, rank, row_number() OVER (ORDER BY {order_by(sort, ranked=True, table="")}) AS n
    FROM cand ORDER BY {order_by(sort, ranked=True, table="")} LIMIT :limit OFFSET :offset
)
SELECT (SELECT count(*) FROM cand) AS total,
       (SELECT coalesce(json_agg(json_build_array(project_id, rank) ORDER BY n), '[]'::json)
        FROM page) AS ids,
       {facet_sql} AS facets"""
    else:
        facet_cte = (
            f", cand AS (SELECT {FACET_COLUMNS} FROM projects WHERE {where} LIMIT :cap)" if facets else ""
        )
        sql = f"""
WITH page AS (
    SELECT projects.project_id, row_number() OVER (ORDER BY {order_by(sort, ranked=False)}) AS n
    FROM projects WHERE {where}
    ORDER BY {order_by(sort, ranked=False)} LIMIT :limit OFFSET :offset
), counted AS (
    SELECT 1 FROM projects WHERE {where} LIMIT :cap
){facet_cte}
SELECT (SELECT count(*) FROM counted) AS total,
       (SELECT coalesce(json_agg(json_build_array(project_id, NULL) ORDER BY n), '[]'::json)
        FROM page) AS ids,
       {facet_sql} AS facets"""
    row = (await session.execute(text(sql), params)).one()
    ids = [(uuid.UUID(i), r) for i, r in row.ids]
    return Counts(total=int(row.total), ids=ids, facets=row.facets)


async def rows(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Any]:
    if not ids:
        return {}
    sql = text(
        f"SELECT {ROW_COLUMNS} FROM projects JOIN users ON users.user_id = projects.owner_id "
        "WHERE projects.project_id = ANY(:ids)"
    )
    result = await session.execute(sql, {"ids": list(ids)})
    return {r.project_id: r for r in result}


async def stream(session: AsyncSession, clauses: Clauses, *, sort: SearchSort) -> AsyncIterator[Any]:
    """Every matching row in the sort's order, through a server-side cursor (``yield_per``): the
    export's memory is one batch whatever the count. Relevance is ranked over all matches."""
    ranked = sort is SearchSort.relevance and clauses.rank != "NULL::float4"
    rank = f", {clauses.rank} AS rank" if ranked else ""
    sql = text(
        f"SELECT {ROW_COLUMNS}{rank} FROM projects JOIN users ON users.user_id = projects.owner_id "
        f"WHERE {clauses.sql()} ORDER BY {order_by(sort, ranked=ranked)}"
    )
    result = await session.stream(sql.execution_options(yield_per=500), clauses.params)
    async for row in result:
        yield row


# -- documents for a search engine -----------------------------------------------------------------

DOCUMENT_COLUMNS = f"{ROW_COLUMNS}, projects.revision"
DOCUMENT_FROM = "projects JOIN users ON users.user_id = projects.owner_id"


async def document_rows(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Any]:
    """The rows of these projects that exist (a missing one has no document)."""
    if not ids:
        return []
    sql = text(f"SELECT {DOCUMENT_COLUMNS} FROM {DOCUMENT_FROM} WHERE projects.project_id = ANY(:ids)")
    return list(await session.execute(sql, {"ids": list(ids)}))


async def count_projects(session: AsyncSession) -> int:
    return int((await session.execute(text("SELECT count(*) FROM projects"))).scalar_one())


async def stream_documents(
    session: AsyncSession, *, changed_since: datetime | None = None
) -> AsyncIterator[Any]:
    """Every project row (or those changed since a moment), through a server-side cursor."""
    where, params = (
        ("projects.updated_at >= :since", {"since": changed_since}) if changed_since else ("TRUE", {})
    )
    sql = text(f"SELECT {DOCUMENT_COLUMNS} FROM {DOCUMENT_FROM} WHERE {where} ORDER BY projects.project_id")
    result = await session.stream(sql.execution_options(yield_per=500), params)
    async for row in result:
        yield row


# -- saved searches --------------------------------------------------------------------------------


async def saved(session: AsyncSession, user_id: uuid.UUID) -> list[SavedSearch]:
    stmt = select(SavedSearch).where(SavedSearch.user_id == user_id).order_by(SavedSearch.name)
    return list((await session.execute(stmt)).scalars().all())


async def saved_by_name(session: AsyncSession, user_id: uuid.UUID, name: str) -> SavedSearch | None:
    stmt = select(SavedSearch).where(SavedSearch.user_id == user_id, SavedSearch.name == name)
    return (await session.execute(stmt)).scalar_one_or_none()


async def delete_saved(session: AsyncSession, user_id: uuid.UUID, saved_search_id: int) -> int:
    stmt = delete(SavedSearch).where(
        SavedSearch.user_id == user_id, SavedSearch.saved_search_id == saved_search_id
    )
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
