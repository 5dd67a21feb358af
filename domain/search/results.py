"""From what a backend found to the result people see, pure: hits with highlights, facets with
their labels and the filter parameters of each bucket, "did you mean"."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from domain.csv_export import safe_cell
from domain.paging import Cursor
from domain.projects.lifecycle import Status
from domain.search.facets import (
    PRICE_BUCKETS,
    WIND_BUCKETS,
    RangeBucket,
    date_buckets,
    range_params,
    range_selected,
)
from domain.search.schemas import (
    SEARCH_CAP,
    DesignHeadline,
    Facet,
    FacetBucket,
    SearchFilters,
    SearchHit,
    SearchQuery,
    SearchResult,
    SearchSort,
    Segment,
)
from domain.search.text import highlight, suggest, words

SNIPPET = 160  # characters of the description shown around its first match
MOUNT_LABELS = {"direct_burial": "Direct burial", "base_plate": "Base plate"}
STATUS_LABELS = {s.value: s.value.capitalize() for s in Status}
# Shown when the search engine (OpenSearch) failed and PostgreSQL answered instead.
FALLBACK_NOTICE = (
    "The search engine is not answering; these results come from the database and may be less fuzzy."
)


def headline_text(design: DesignHeadline) -> str:
    """The design's searchable headline as shown: chosen section and cabinet sizes."""
    parts = [p for p in (design.section, f"cabinets {design.cabinets}" if design.cabinets else None) if p]
    return " · ".join(parts)


def _segments(text: str, query_words: Sequence[str], *, limit: int | None = None) -> list[Segment]:
    return [Segment(text=s.text, match=s.match) for s in highlight(text, query_words, limit=limit)]


def hit(row: Mapping[str, Any], query_words: Sequence[str], rank: float | None) -> SearchHit:
    """A search hit from a row of the projects table (joined with the owner's email)."""
    design = DesignHeadline(
        revision=row["design_revision"],
        passed=row["design_pass"],
        section=row["design_section"],
        cabinets=row["design_cabinets"],
        pole_count=row["design_pole_count"],
        mount=row["design_mount"],
        wind_mph=float(row["design_wind_mph"]) if row["design_wind_mph"] is not None else None,
        total=row["design_total"],
    )
    fields = {
        "name": _segments(row["name"], query_words),
        "customer": _segments(row["customer"], query_words),
        "site_address": _segments(row["site_address"], query_words),
        "description": _segments(row["description"], query_words, limit=SNIPPET),
        "design": _segments(headline_text(design), query_words),
    }
    return SearchHit(
        project_id=str(row["project_id"]),
        name=row["name"],
        account_id=row["account_id"],
        customer=row["customer"],
        site_address=row["site_address"],
        description=row["description"],
        status=Status(row["status"]),
        owner_id=str(row["owner_id"]),
        owner_email=row["owner_email"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        design=design,
        rank=rank,
        highlights={k: v for k, v in fields.items() if v},
    )


def _range_facet(
    name: str, label: str, buckets: Sequence[RangeBucket], counts: Sequence[int], filters: SearchFilters
) -> Facet:
    return Facet(
        name=name,
        label=label,
        buckets=[
            FacetBucket(
                value=b.key,
                label=b.label,
                count=int(n),
                params=range_params(name, b),
                selected=range_selected(name, b, filters),
            )
            for b, n in zip(buckets, counts, strict=True)
        ],
    )


def facets(raw: Mapping[str, Any], filters: SearchFilters, today: date) -> list[Facet]:
    """The facets in the order the page shows them, from the repository's counts (``raw``)."""

    def values(
        name: str, label: str, param: str, pairs: Iterable[Sequence[Any]], labels: Mapping[str, str]
    ) -> Facet:
        current = getattr(filters, param)
        current = current.value if hasattr(current, "value") else current
        return Facet(
            name=name,
            label=label,
            buckets=[
                FacetBucket(
                    value=str(v),
                    label=labels.get(str(v), str(v)),
                    count=int(n),
                    params={param: str(v)},
                    selected=current is not None and str(current) == str(v),
                )
                for v, n, *_ in pairs
            ],
        )

    owners = raw.get("owner") or []
    owner_labels = {str(v): email for v, _n, email in owners}
    pole_labels = {"1": "One pole", "2": "Two poles"}
    created, updated, wind, price = raw.get("ranges") or ([0] * 4, [0] * 4, [0] * 5, [0] * 5)
    days = date_buckets(today)
    return [
        values("status", "Status", "status", raw.get("status") or [], STATUS_LABELS),
        values("owner", "Owner", "owner_id", owners, owner_labels),
        values("account", "Account", "account_id", raw.get("account") or [], {}),
        values("customer", "Customer", "customer", raw.get("customer") or [], {}),
        _range_facet("created", "Created", days, created, filters),
        _range_facet("updated", "Updated", days, updated, filters),
        _range_facet("wind", "Wind speed", WIND_BUCKETS, wind, filters),
        values("mount", "Mount", "mount", raw.get("mount") or [], MOUNT_LABELS),
        values("poles", "Poles", "poles", raw.get("poles") or [], pole_labels),
        _range_facet("price", "Price", PRICE_BUCKETS, price, filters),
    ]


def result(
    query: SearchQuery,
    *,
    total: int,
    ranked_ids: Sequence[tuple[Any, float | None]],
    rows: Mapping[Any, Mapping[str, Any]],
    raw_facets: Mapping[str, Any] | None,
    today: date,
    fuzzy: bool,
    backend: str,
    position: int | None = None,
    more: bool = False,
) -> SearchResult:
    """``total`` may be SEARCH_CAP + 1 (then shown as "10,000+"). ``position``: the row the page
    starts at (``query.offset`` unless it was read by key); ``more``: rows follow the page (its
    ``next`` cursor continues after the last one)."""
    query_words = words(query.q)
    suggestion = None
    if fuzzy:
        texts = [f"{r['name']} {r['customer']} {r['account_id']}" for r in rows.values()]
        suggestion = suggest(query_words, texts)
        if suggestion:
            query_words = suggestion.split()
    items = [hit(rows[i], query_words, rank) for i, rank in ranked_ids if i in rows]
    start = query.offset if position is None else position
    following = None
    if more and ranked_ids and ranked_ids[-1][0] in rows:
        last, rank = ranked_ids[-1]
        following = Cursor(
            sort=query.sort.value,
            key=sort_key(query.sort, rows[last], rank),
            id=uuid.UUID(str(last)),
            position=start + len(ranked_ids),
            total=total,
            fuzzy=fuzzy,
            backend=backend,
        ).encode()
    return SearchResult(
        items=items,
        total=min(total, SEARCH_CAP),
        total_exact=total <= SEARCH_CAP,
        limit=query.limit,
        offset=start,
        next=following,
        facets=facets(raw_facets, query.filters(), today) if raw_facets is not None else [],
        fuzzy=fuzzy,
        suggestion=suggestion,
        backend=backend,
    )


def sort_key(sort: SearchSort, row: Mapping[str, Any], rank: float | None) -> tuple[Any, ...]:
    """A row's key in ``sort``'s order, as a cursor carries it (``schemas.search_after`` reads it)."""
    if sort is SearchSort.relevance:
        return (rank, row["created_at"].isoformat())
    if sort in (SearchSort.newest, SearchSort.oldest):
        return (row["created_at"].isoformat(),)
    if sort is SearchSort.name:
        return (row["name"],)
    price = row["design_total"]
    return (None if price is None else str(price),)


def csv_row(hit_row: Mapping[str, Any]) -> list[str]:
    """One project as a CSV line (the export's columns, ``CSV_HEADER``)."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, Decimal):
            return f"{value:.2f}" if value.as_tuple().exponent == -2 else str(value)  # type: ignore[operator]
        return str(value)

    return [
        text(hit_row["project_id"]),
        _csv_safe(hit_row["name"]),
        _csv_safe(hit_row["account_id"]),
        _csv_safe(hit_row["customer"]),
        _csv_safe(hit_row["site_address"]),
        text(hit_row["status"]),
        _csv_safe(hit_row["owner_email"]),
        hit_row["created_at"].isoformat(),
        hit_row["updated_at"].isoformat(),
        text(hit_row["design_revision"]),
        _csv_safe(hit_row["design_section"] or ""),
        text(hit_row["design_pole_count"]),
        text(hit_row["design_mount"]),
        text(hit_row["design_wind_mph"]),
        text(hit_row["design_total"]),
    ]


CSV_HEADER = [
    "project_id",
    "name",
    "account_id",
    "customer",
    "site_address",
    "status",
    "owner",
    "created_at",
    "updated_at",
    "design_revision",
    "section",
    "poles",
    "mount",
    "wind_mph",
    "total_usd",
]


def _csv_safe(value: str) -> str:
    return safe_cell(value)
