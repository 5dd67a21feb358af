"""The search's queries on PostgreSQL, and saved searches. Takes a session; never commits.

One statement answers a search: the count of the matches (at most ``SEARCH_CAP + 1``: "10,000+"
beyond), the page, and every facet's counts; a second reads the page's rows. At a million
projects the cost is in how many rows a statement touches, so (plans in the README):

- The candidates are the newest ``SEARCH_CAP + 1`` matches, read off ``ix_projects_recent``
  (created_at, project_id, INCLUDE the document and every facet column): for a common word an
  index-only walk from the newest entry that stops at the cap, never touching the table; for a
  rare word the planner takes the GIN index and sorts the few matches. Relevance ranks the
  candidates (``ts_rank_cd`` on the document the walk already read), "newest" pages through them,
  and the total and the facets count them.
- The facets count the candidates: a small hash aggregate per value facet, the range buckets in
  one aggregate (with the total) and a ``FILTER`` per bucket.
- Plans are made for the values (``plan_for_the_values``): a plan cached for one word is wrong
  for the next (a walk that suits "pylon" scans the whole index for a word ten projects have).
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
from domain.search.matching import PLAN_FOR_THE_VALUES, Clauses, order_by, start_of_day
from domain.search.models import SavedSearch
from domain.search.schemas import SEARCH_CAP, SearchAfter, SearchSort

ROW_COLUMNS = """projects.project_id, projects.name, projects.account_id, projects.customer,
    projects.site_address, projects.description, projects.status, projects.owner_id,
    users.email AS owner_email, projects.created_at, projects.updated_at, projects.design_revision,
    projects.design_pass, projects.design_section, projects.design_cabinets,
    projects.design_pole_count, projects.design_mount, projects.design_wind_mph, projects.design_total"""

# Every one of them is in ix_projects_recent (key or INCLUDE), with the document: reading the
# candidates is an index-only scan.
FACET_COLUMNS = """projects.project_id, projects.status, projects.owner_id, projects.account_id,
    projects.customer, projects.created_at, projects.updated_at, projects.design_wind_mph,
    projects.design_mount, projects.design_pole_count, projects.design_total"""

TOP = 10  # values listed of the open-ended facets (owner, account, customer)
NEWEST = "projects.created_at DESC, projects.project_id DESC"


@dataclass
class Counts:
    total: int | None  # None: not counted (a page read by key, without facets)
    ids: list[tuple[uuid.UUID, float | None]]
    facets: dict[str, Any] | None


async def plan_for_the_values(session: AsyncSession) -> None:
    """Plans made for this transaction's words, never a cached generic plan (``matching``)."""
    await session.execute(text(PLAN_FOR_THE_VALUES))


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


def _ranges_sql(today: date) -> tuple[str, dict[str, Any]]:
    """The created, updated, wind and price buckets' counts: one aggregate, a FILTER per bucket."""
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
    return f"json_build_array({', '.join(ranges)})", params


def _facets_sql(source: str) -> str:
    """Every value facet's top values over ``source`` (the capped candidates), most frequent
    first: one small hash aggregate each (a GROUPING SETS aggregate of all six measured no
    faster), and the ranges from ``stats``."""

    def top(column: str, extra: str = "") -> str:
        return (
            f"(SELECT coalesce(json_agg(json_build_array(v, n) ORDER BY n DESC, v), '[]'::json) FROM "
            f"(SELECT {column} AS v, count(*) AS n FROM {source} {extra} GROUP BY 1 "
            f"ORDER BY 2 DESC, 1 LIMIT {TOP}) s)"
        )

    owners = (
        "(SELECT coalesce(json_agg(json_build_array(s.v, s.n, users.email) ORDER BY s.n DESC, users.email),"
        f" '[]'::json) FROM (SELECT owner_id AS v, count(*) AS n FROM {source} GROUP BY 1 "
        f"ORDER BY 2 DESC, 1 LIMIT {TOP}) s JOIN users ON users.user_id = s.v)"
    )
    non_empty = "WHERE customer <> ''"
    return (
        "json_build_object("
        f"'status', {top('status')}, "
        f"'owner', {owners}, "
        f"'account', {top('account_id')}, "
        f"'customer', {top('customer', non_empty)}, "
        f"'mount', {top('design_mount', 'WHERE design_mount IS NOT NULL')}, "
        f"'poles', {top('design_pole_count', 'WHERE design_pole_count IS NOT NULL')}, "
        "'ranges', (SELECT ranges FROM stats))"
    )


async def search(
    session: AsyncSession,
    clauses: Clauses,
    *,
    sort: SearchSort,
    limit: int,
    offset: int,
    facets: bool,
    today: date,
    after: SearchAfter | None = None,
) -> Counts:
    """The count (capped), the page's ids with their rank, and the facet counts, in one statement.

    ``cand`` is the newest matches in order, numbered ``n`` (one walk of ix_projects_recent, or
    the GIN index and a sort when they are few); the first ``SEARCH_CAP + 1`` of them are what
    the total and the facets count. Relevance ranks those; "newest" (and relevance without words
    to rank) pages through ``cand``, which then reaches ``offset + limit``; the other sorts read
    their page off their own index, and count any ``SEARCH_CAP + 1`` matches unless there are
    facets to count.

    ``after`` (a page read by key): the page starts after that row, read off the sort's index
    from there (relevance: off the ranked candidates); nothing is counted unless facets are asked
    for (the cursor carries the first page's total)."""
    if after is not None:
        return await _after(session, clauses, sort=sort, limit=limit, facets=facets, today=today, after=after)
    where = clauses.sql()
    cap = SEARCH_CAP + 1
    ranked = sort is SearchSort.relevance and clauses.rank != "NULL::float4"
    newest = sort is SearchSort.newest or (sort is SearchSort.relevance and not ranked)
    params: dict[str, Any] = {**clauses.params, "cap": cap, "limit": limit, "offset": offset}
    reach = max(cap, offset + limit) if newest else cap
    if ranked or newest or facets:
        columns = FACET_COLUMNS if facets else "projects.project_id, projects.created_at"
        rank = clauses.rank if ranked else "NULL::float4"
        # Numbered only where a page is read by number: the window costs 3 ms per 10,000 rows.
        number = f", row_number() OVER (ORDER BY {NEWEST}) AS n" if newest else ""
        params["reach"] = reach
        ctes = f"""
WITH cand AS MATERIALIZED (
    SELECT {columns}, {rank} AS rank{number}
    FROM projects WHERE {where} ORDER BY {NEWEST} LIMIT :reach
)"""
        capped = "cand" if reach == cap else "(SELECT * FROM cand WHERE n <= :cap) capped"
    else:
        # Nothing needs the newest matches: count any of them, the planner's cheapest way.
        ctes = f"""
WITH cand AS (SELECT 1 FROM projects WHERE {where} LIMIT :cap)"""
        capped = "cand"
    if ranked:
        order = order_by(sort, ranked=True, table="")
        page = f"""SELECT project_id, rank, row_number() OVER (ORDER BY {order}) AS p FROM cand
    ORDER BY {order} LIMIT :limit OFFSET :offset"""
    elif newest:
        page = "SELECT project_id, rank, n AS p FROM cand WHERE n > :offset AND n <= :offset + :limit"
    else:
        order = order_by(sort, ranked=False)
        page = f"""SELECT projects.project_id, NULL::float4 AS rank, row_number() OVER (ORDER BY {order}) AS p
    FROM projects WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset"""
    stats = "count(*) AS total"
    facet_sql = "NULL::json"
    if facets:
        ranges, range_params = _ranges_sql(today)
        params.update(range_params)
        stats += f", {ranges} AS ranges"
        facet_sql = _facets_sql(capped)
    sql = f"""{ctes}, stats AS (
    SELECT {stats} FROM {capped}
), page AS (
    {page}
)
SELECT (SELECT total FROM stats) AS total,
       (SELECT coalesce(json_agg(json_build_array(project_id, rank) ORDER BY p), '[]'::json)
        FROM page) AS ids,
       {facet_sql} AS facets"""
    row = (await session.execute(text(sql), params)).one()
    ids = [(uuid.UUID(i), r) for i, r in row.ids]
    return Counts(total=int(row.total), ids=ids, facets=row.facets)


def keyset_sql(sort: SearchSort, after: SearchAfter, params: dict[str, Any]) -> str:
    """The rows after ``after`` in ``sort``'s order (``matching.order_by``), as a WHERE clause on
    ``projects``; its values go into ``params``. Newest, oldest and name compare (key, id) rows,
    which a B-tree on the same columns starts from (ix_projects_recent, ix_projects_name); a price
    order puts projects without a price last, which a row comparison cannot say."""
    params["after_id"] = after.cursor.id
    params["after_key"] = after.value
    if sort in (SearchSort.newest, SearchSort.relevance):
        return "(projects.created_at, projects.project_id) < (:after_key, :after_id)"
    if sort is SearchSort.oldest:
        return "(projects.created_at, projects.project_id) > (:after_key, :after_id)"
    if sort is SearchSort.name:
        return "(projects.name, projects.project_id) > (:after_key, :after_id)"
    less, id_op = ("<", "<") if sort is SearchSort.price_high else (">", ">")
    if after.value is None:
        params.pop("after_key")
        return f"(projects.design_total IS NULL AND projects.project_id {id_op} :after_id)"
    return (
        f"(projects.design_total {less} :after_key OR (projects.design_total = :after_key "
        f"AND projects.project_id {id_op} :after_id) OR projects.design_total IS NULL)"
    )


async def _after(
    session: AsyncSession,
    clauses: Clauses,
    *,
    sort: SearchSort,
    limit: int,
    facets: bool,
    today: date,
    after: SearchAfter,
) -> Counts:
    """A page read by key (``search``'s ``after``). Relevance with words pages through the ranked
    candidates (the newest ``SEARCH_CAP + 1`` matches, as the first page ranked them); every
    other order reads ``limit`` rows from the cursor's place in its index."""
    where = clauses.sql()
    cap = SEARCH_CAP + 1
    ranked = sort is SearchSort.relevance and clauses.rank != "NULL::float4"
    params: dict[str, Any] = {**clauses.params, "cap": cap, "limit": limit}
    ctes: list[str] = []
    if ranked or facets:
        columns = FACET_COLUMNS if facets else "projects.project_id, projects.created_at"
        rank = clauses.rank if ranked else "NULL::float4"
        ctes.append(
            f"""cand AS MATERIALIZED (
    SELECT {columns}, {rank} AS rank
    FROM projects WHERE {where} ORDER BY {NEWEST} LIMIT :cap
)"""
        )
    if ranked:
        order = order_by(sort, ranked=True, table="")
        params.update(after_rank=after.rank if after.rank is not None else 0.0, after_key=after.value)
        params["after_id"] = after.cursor.id
        page = f"""SELECT project_id, rank, row_number() OVER (ORDER BY {order}) AS p FROM cand
    WHERE (rank, created_at, project_id) < (CAST(:after_rank AS float4), :after_key, :after_id)
    ORDER BY {order} LIMIT :limit"""
    else:
        order = order_by(sort, ranked=False)
        page = f"""SELECT projects.project_id, NULL::float4 AS rank, row_number() OVER (ORDER BY {order}) AS p
    FROM projects WHERE {where} AND {keyset_sql(sort, after, params)} ORDER BY {order} LIMIT :limit"""
    total, facet_sql = "NULL::bigint", "NULL::json"
    if facets:
        ranges, range_params = _ranges_sql(today)
        params.update(range_params)
        ctes.append(f"stats AS (SELECT count(*) AS total, {ranges} AS ranges FROM cand)")
        total, facet_sql = "(SELECT total FROM stats)", _facets_sql("cand")
    ctes.append(f"page AS (\n    {page}\n)")
    sql = f"""WITH {", ".join(ctes)}
SELECT {total} AS total,
       (SELECT coalesce(json_agg(json_build_array(project_id, rank) ORDER BY p), '[]'::json)
        FROM page) AS ids,
       {facet_sql} AS facets"""
    row = (await session.execute(text(sql), params)).one()
    ids = [(uuid.UUID(i), r) for i, r in row.ids]
    return Counts(total=None if row.total is None else int(row.total), ids=ids, facets=row.facets)


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
    await plan_for_the_values(session)  # its plan depends on the words as much as the search's
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
