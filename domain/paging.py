"""One page of a server-side paginated list, with the true total."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")

# Bounds of every paginated read, API and pages alike. Offsets past MAX_OFFSET are refused rather
# than sent to the database (a 64-bit overflow there was an error, not an empty page); nobody
# pages through a hundred thousand rows: narrow the search instead.
MAX_LIMIT = 200
MAX_OFFSET = 100_000


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
    # False when there are more rows than ``total`` counts: lists that count up to a cap (the
    # project list: exact up to 10,000, "10,000+" beyond) say so rather than count a million rows.
    total_exact: bool = True
