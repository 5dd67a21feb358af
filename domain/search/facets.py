"""Facet definitions, pure: the range buckets and how a bucket becomes filter parameters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.search.schemas import SearchFilters


@dataclass(frozen=True)
class RangeBucket:
    key: str
    label: str
    low: Decimal | date | None  # inclusive
    high: Decimal | date | None  # exclusive


WIND_BUCKETS = (
    RangeBucket("lt100", "under 100 mph", None, Decimal(100)),
    RangeBucket("100-120", "100-119 mph", Decimal(100), Decimal(120)),
    RangeBucket("120-140", "120-139 mph", Decimal(120), Decimal(140)),
    RangeBucket("140-160", "140-159 mph", Decimal(140), Decimal(160)),
    RangeBucket("ge160", "160 mph and over", Decimal(160), None),
)
PRICE_BUCKETS = (
    RangeBucket("lt10k", "under $10,000", None, Decimal(10_000)),
    RangeBucket("10k-25k", "$10,000-24,999", Decimal(10_000), Decimal(25_000)),
    RangeBucket("25k-50k", "$25,000-49,999", Decimal(25_000), Decimal(50_000)),
    RangeBucket("50k-100k", "$50,000-99,999", Decimal(50_000), Decimal(100_000)),
    RangeBucket("ge100k", "$100,000 and over", Decimal(100_000), None),
)


def date_buckets(today: date) -> tuple[RangeBucket, ...]:
    """Past week, month, year (overlapping, as people ask) and older, as days in UTC."""
    tomorrow = today + timedelta(days=1)
    year_ago = today - timedelta(days=365)
    return (
        RangeBucket("7d", "past 7 days", today - timedelta(days=6), tomorrow),
        RangeBucket("30d", "past 30 days", today - timedelta(days=29), tomorrow),
        RangeBucket("365d", "past 12 months", year_ago, tomorrow),
        RangeBucket("older", "older than 12 months", None, year_ago),
    )


# facet name -> (filter field of the low bound, of the high bound)
RANGE_FIELDS = {
    "created": ("created_from", "created_to"),
    "updated": ("updated_from", "updated_to"),
    "wind": ("wind_min", "wind_max"),
    "price": ("price_min", "price_max"),
}


def range_params(facet: str, bucket: RangeBucket) -> dict[str, str]:
    low, high = RANGE_FIELDS[facet]
    params: dict[str, str] = {}
    if bucket.low is not None:
        params[low] = str(bucket.low)
    if bucket.high is not None:
        params[high] = str(bucket.high)
    return params


def range_selected(facet: str, bucket: RangeBucket, filters: SearchFilters) -> bool:
    low, high = RANGE_FIELDS[facet]
    return (getattr(filters, low), getattr(filters, high)) == (bucket.low, bucket.high)
