"""How a search's text and filters become SQL on the projects table: the one implementation the
search page, the API's ``/search`` and ``q`` of the project list share.

Written as SQL text over the unaliased ``projects`` table with bound parameters (never text pasted
into SQL): the project list's repository puts the same clause into its ORM query.

- Words: ``search @@ to_tsquery('simple', signx_fold(...))``, every word, the last one a prefix,
  served by the GIN index on the weighted document.
- A query with no letters or digits ("%", "_"): a literal substring of name, customer or account
  (LIKE on the folded text with ``%``, ``_`` and ``\\`` escaped).
- The typo fallback, when the words match nothing: that substring, or ``signx_fold(q) <%`` the
  folded name/customer/account (pg_trgm word similarity, served by the trigram GIN index).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Literal

from domain.search.schemas import SearchFilters, SearchSort
from domain.search.text import like_pattern, tsquery, words

TRIGRAM = "signx_fold(projects.name || ' ' || projects.customer || ' ' || projects.account_id)"
TSQUERY = "to_tsquery('simple'::regconfig, signx_fold(:tsq))"
# ts_rank_cd weights for D, C, B, A: description/headline, address, customer/account, name.
RANK = f"ts_rank_cd('{{0.1, 0.3, 0.6, 1.0}}'::float4[], projects.search, {TSQUERY})"
SIMILARITY = f"word_similarity(signx_fold(:fuzzy), {TRIGRAM})"
# Run first in a transaction whose statements match words (the search, the project list's ``q``):
# asyncpg prepares every statement, and after five executions PostgreSQL may switch a prepared
# statement to a generic plan, made without the words. The right plan depends on them (walk the
# newest-first index for a common word, the GIN index for a rare one): the generic plan took
# 2.3 s for "pole" where its own plan takes 40 ms, and 0.75 s for a rare word in the project
# list. Planning one of these statements costs about 0.3 ms.
PLAN_FOR_THE_VALUES = "SET LOCAL plan_cache_mode = force_custom_plan"


@dataclass
class Clauses:
    """WHERE clauses (ANDed) and their parameters; ``rank`` is the relevance expression."""

    where: list[str] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    rank: str = "NULL::float4"

    def sql(self) -> str:
        return " AND ".join(self.where) if self.where else "TRUE"


def start_of_day(value: date) -> datetime:
    return datetime.combine(value, time.min, tzinfo=UTC)


def filter_clauses(filters: SearchFilters) -> Clauses:
    out = Clauses()
    w, p = out.where, out.params
    if filters.status is not None:
        w.append("projects.status = :status")
        p["status"] = filters.status.value
    if filters.owner_id is not None:
        w.append("projects.owner_id = :owner_id")
        p["owner_id"] = filters.owner_id
    if filters.account_id is not None:
        w.append("projects.account_id = :account_id")
        p["account_id"] = filters.account_id
    if filters.customer is not None:
        w.append("projects.customer = :customer")
        p["customer"] = filters.customer
    for name, column, op in (
        ("created_from", "created_at", ">="),
        ("created_to", "created_at", "<"),
        ("updated_from", "updated_at", ">="),
        ("updated_to", "updated_at", "<"),
    ):
        value = getattr(filters, name)
        if value is not None:
            w.append(f"projects.{column} {op} :{name}")
            p[name] = start_of_day(value)
    for name, column, op in (
        ("wind_min", "design_wind_mph", ">="),
        ("wind_max", "design_wind_mph", "<"),
        ("price_min", "design_total", ">="),
        ("price_max", "design_total", "<"),
    ):
        value = getattr(filters, name)
        if value is not None:
            w.append(f"projects.{column} {op} :{name}")
            p[name] = value
    if filters.mount is not None:
        w.append("projects.design_mount = :mount")
        p["mount"] = filters.mount.value
    if filters.poles is not None:
        w.append("projects.design_pole_count = :poles")
        p["poles"] = filters.poles
    return out


Mode = Literal["words", "substring", "fuzzy"]


def text_clauses(q: str, filters: SearchFilters, *, mode: Mode = "words") -> Clauses:
    """The filters and the text: its words ("words"; a query without any is a substring), or the
    fallbacks when they match nothing: the literal substring ("substring", the project list) or
    the substring or similar words ("fuzzy", the search page's typo tolerance)."""
    out = filter_clauses(filters)
    query_words = words(q)
    if not q:
        return out
    if mode != "words" or not query_words:
        out.params["pattern"] = like_pattern(q)
        substring = f"{TRIGRAM} LIKE signx_fold(:pattern) ESCAPE '\\'"
        if mode == "fuzzy" and query_words:
            out.params["fuzzy"] = " ".join(query_words)
            out.where.append(f"({substring} OR signx_fold(:fuzzy) <% {TRIGRAM})")
            out.rank = SIMILARITY
        else:
            out.where.append(substring)
        return out
    out.params["tsq"] = tsquery(query_words)
    out.where.append(f"projects.search @@ {TSQUERY}")
    out.rank = RANK
    return out


def order_by(sort: SearchSort, *, ranked: bool, table: str = "projects.") -> str:
    """ORDER BY of a sort; every order ends on the primary key, so pages never overlap. Ranked:
    over rows that carry a ``rank`` column (``table`` qualifies the others)."""
    if sort is SearchSort.relevance:
        if ranked:
            return f"rank DESC, {table}created_at DESC, {table}project_id DESC"
        return "projects.created_at DESC, projects.project_id DESC"
    return {
        SearchSort.newest: "projects.created_at DESC, projects.project_id DESC",
        SearchSort.oldest: "projects.created_at ASC, projects.project_id ASC",
        SearchSort.name: "projects.name ASC, projects.project_id ASC",
        SearchSort.price_high: "projects.design_total DESC NULLS LAST, projects.project_id DESC",
        SearchSort.price_low: "projects.design_total ASC NULLS LAST, projects.project_id ASC",
    }[sort]
