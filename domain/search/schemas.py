"""Plain data in and out of the search (never ORM objects), the same for every backend."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from domain.paging import CURSOR_PATTERN, MAX_CURSOR, Cursor, checked_cursor, decode_cursor, key_datetime
from domain.projects.lifecycle import Status
from domain.text import SingleLine

# Exact totals up to this many matches, "10,000+" beyond; and the deepest row a page may start at
# (search engines do the same: counting and ranking every match of a common word is what costs).
SEARCH_CAP = 10_000
SEARCH_MAX_LIMIT = 100

Query = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SingleLine]
# Amounts arrive as text in a URL; the schema says "number" so clients (and contract tests) know
# a word is refused, which pydantic's Decimal schema (number or any string) would not tell them.
WindMph = Annotated[
    Decimal, Field(ge=0, le=400), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 400})
]
Usd = Annotated[
    Decimal, Field(ge=0, le=10**9), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 10**9})
]
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class SearchSort(StrEnum):
    relevance = "relevance"
    newest = "newest"
    oldest = "oldest"
    name = "name"
    price_high = "price_high"
    price_low = "price_low"


class Mount(StrEnum):
    direct_burial = "direct_burial"
    base_plate = "base_plate"


class SearchFilters(BaseModel):
    """What narrows the results. Ranges are inclusive at ``*_min``/``*_from`` and exclusive at
    ``*_max``/``*_to`` (a facet bucket's bounds), dates are days in UTC. A reversed range is not
    an error: it matches nothing, as it reads (each bound is valid on its own, which is all the
    published schema can say)."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    owner_id: uuid.UUID | None = None
    account_id: Code | None = Field(None, max_length=64)
    customer: Code | None = None
    created_from: date | None = None
    created_to: date | None = None
    updated_from: date | None = None
    updated_to: date | None = None
    wind_min: WindMph | None = Field(None, description="mph (design wind speed)")
    wind_max: WindMph | None = None
    mount: Mount | None = None
    poles: int | None = Field(None, ge=1, le=2, description="1 or 2 poles")
    price_min: Usd | None = Field(None, description="USD (the latest estimate's total)")
    price_max: Usd | None = None

    @field_validator("created_from", "created_to", "updated_from", "updated_to", mode="before")
    @classmethod
    def _calendar_day(cls, value: Any) -> Any:
        """A day as YYYY-MM-DD (what the schema's ``format: date`` promises), not a number of
        seconds, which pydantic would otherwise read as a timestamp."""
        if isinstance(value, str) and not ISO_DAY.match(value.strip()):
            raise ValueError("must be a day as YYYY-MM-DD")
        if isinstance(value, int | float):
            raise ValueError("must be a day as YYYY-MM-DD")
        return value

    def active(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


@dataclass(frozen=True)
class SearchAfter:
    """Where a page read by key starts: after the row with this sort ``value`` (and ``rank``,
    for relevance) and ``id``; ``cursor`` is the whole cursor (its position, total, backend)."""

    cursor: Cursor
    value: Any  # created_at (newest, oldest, relevance), name, or design_total (None: no price)
    rank: float | None  # relevance with words: the rank the row had


def search_after(cursor: Cursor) -> SearchAfter:
    """The sort key a search cursor carries, read for its sort; ValueError if it does not fit."""
    sort = SearchSort(cursor.sort)
    key = cursor.key
    if sort is SearchSort.relevance:
        if len(key) != 2 or not (key[0] is None or isinstance(key[0], int | float)):
            raise ValueError("is not a cursor of this sort")
        return SearchAfter(cursor, key_datetime(key[1]), None if key[0] is None else float(key[0]))
    if len(key) != 1:
        raise ValueError("is not a cursor of this sort")
    if sort in (SearchSort.newest, SearchSort.oldest):
        return SearchAfter(cursor, key_datetime(key[0]), None)
    if sort is SearchSort.name:
        if not isinstance(key[0], str):
            raise ValueError("is not a cursor of this sort")
        return SearchAfter(cursor, key[0], None)
    if key[0] is not None and not isinstance(key[0], str):
        raise ValueError("is not a cursor of this sort")
    try:
        price = None if key[0] is None else Decimal(key[0])
    except ArithmeticError as exc:
        raise ValueError("is not a cursor of this sort") from exc
    if price is not None and not price.is_finite():
        raise ValueError("is not a cursor of this sort")
    return SearchAfter(cursor, price, None)


class SearchQuery(SearchFilters):
    q: Query = ""
    sort: SearchSort = SearchSort.relevance
    limit: int = Field(20, ge=1, le=SEARCH_MAX_LIMIT)
    offset: int = Field(0, ge=0, le=SEARCH_CAP, description=f"0 to {SEARCH_CAP:,} (narrow the search)")
    facets: bool = True
    after: str | None = Field(
        None,
        max_length=MAX_CURSOR,
        pattern=CURSOR_PATTERN,
        description="Continue after the previous page: its `next` (same words, filters and sort; "
        "no `offset`). Read by key, so a deep page costs what the first does.",
    )

    @field_validator("after")
    @classmethod
    def _cursor(cls, value: str | None, info: ValidationInfo) -> str | None:
        return checked_cursor(value, info.data, search_after)

    def keyset(self) -> SearchAfter | None:
        return search_after(decode_cursor(self.after)) if self.after else None

    def filters(self) -> SearchFilters:
        return SearchFilters(**self.model_dump(include=set(SearchFilters.model_fields)))


class Segment(BaseModel):
    """A piece of a highlighted field: plain text (escape it when rendering), matched or not."""

    text: str
    match: bool


class DesignHeadline(BaseModel):
    revision: int | None = None
    passed: bool | None = None
    section: str | None = None
    cabinets: str | None = None
    pole_count: int | None = None
    mount: str | None = None
    wind_mph: float | None = None
    total: Decimal | None = None


class SearchHit(BaseModel):
    project_id: str
    name: str
    account_id: str
    customer: str
    site_address: str
    description: str
    status: Status
    owner_id: str
    owner_email: str
    created_at: datetime
    updated_at: datetime
    design: DesignHeadline
    rank: float | None = None
    # Field -> segments, for name, customer, site_address, description (a snippet) and design.
    highlights: dict[str, list[Segment]] = {}


class FacetBucket(BaseModel):
    value: str
    label: str
    count: int
    # The filter parameters this bucket sets (a range sets its bounds).
    params: dict[str, str]
    selected: bool = False


class Facet(BaseModel):
    name: str
    label: str
    buckets: list[FacetBucket]


class SearchResult(BaseModel):
    items: list[SearchHit]
    total: int
    # False when there are more than ``total`` matches (shown as "10,000+"); facet counts are then
    # over the first SEARCH_CAP matches.
    total_exact: bool
    limit: int
    offset: int
    # The ``after=`` of the page that follows (None on the last page).
    next: str | None = None
    facets: list[Facet] = []
    # The typo fallback found these (nothing matched exactly): "Did you mean <suggestion>?"
    fuzzy: bool = False
    suggestion: str | None = None
    backend: str = "postgresql"
    # Said to the person when the configured backend failed and PostgreSQL answered instead.
    notice: str | None = None


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SingleLine]
    url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), SingleLine]

    @field_validator("url")
    @classmethod
    def _search_page_only(cls, value: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme or parts.netloc or parts.path != "/search" or "\\" in value:
            raise ValueError("must be an address of the search page (/search?...)")
        return value


class SavedSearchOut(BaseModel):
    saved_search_id: int
    name: str
    url: str
    created_at: datetime
