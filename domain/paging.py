"""One page of a server-side paginated list, with the true total; keyset cursors (``after=``)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

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


class KeysetPage(Page[T], Generic[T]):
    """A page that can also be continued by key: ``next`` is the ``after=`` cursor of the page
    that follows (None on the last page)."""

    next: str | None = None


# -- keyset cursors --------------------------------------------------------------------------------
#
# ``after=`` continues a list from the last row a page showed: the next page is read from the sort's
# index where that row's key left off, instead of skipping ``offset`` rows (which reads and throws
# away every one of them: at a million projects a deep page cost as much as counting them). The
# cursor is opaque to clients: base64url of a small JSON object the server wrote. It also carries
# the row number the next page starts at and the total the first page counted, so a page read by
# key neither counts again nor loses its place in "rows 9,981-10,000 of 10,000+". A cursor that
# does not decode, or belongs to another sort, is refused (422 naming ``after``); one edited into
# another well-formed cursor only moves the page, it reads nothing a search could not.

MAX_CURSOR = 1000  # characters of an ``after=`` cursor
CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"  # base64url without padding


@dataclass(frozen=True)
class Cursor:
    sort: str
    key: tuple[Any, ...]  # the sort key of the last row shown, as JSON values
    id: uuid.UUID  # and its id (every order ends on it)
    position: int  # rows before the next page
    total: int  # the total the first page counted (a capped count may be its cap + 1)
    fuzzy: bool = False  # the search's typo fallback answered the first page
    backend: str = ""  # the search backend that wrote it (its rank is its own)

    def encode(self) -> str:
        doc = {
            "s": self.sort,
            "k": list(self.key),
            "i": str(self.id),
            "p": self.position,
            "t": self.total,
            "f": self.fuzzy,
            "b": self.backend,
        }
        raw = json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str) -> Cursor:
    """The cursor ``encode`` wrote; ValueError for anything else."""
    problem = "is not a cursor this server gave (take `next` from the previous page)"
    if len(value) > MAX_CURSOR:
        raise ValueError(problem)
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        doc = json.loads(raw)
        if not isinstance(doc, dict) or set(doc) != {"s", "k", "i", "p", "t", "f", "b"}:
            raise ValueError(problem)
        sort, key, id_, position, total, fuzzy, backend = (
            doc[k] for k in ("s", "k", "i", "p", "t", "f", "b")
        )
        if not (
            isinstance(sort, str)
            and isinstance(key, list)
            and all(v is None or isinstance(v, str | int | float) for v in key)
            and isinstance(id_, str)
            and type(position) is int
            and type(total) is int
            and 0 <= position <= 10**9
            and 0 <= total <= 10**9
            and isinstance(fuzzy, bool)
            and isinstance(backend, str)
        ):
            raise ValueError(problem)
        return Cursor(sort, tuple(key), uuid.UUID(id_), position, total, fuzzy, backend)
    except (ValueError, TypeError, UnicodeDecodeError, binascii.Error) as exc:
        raise ValueError(problem) from exc


def key_datetime(value: Any) -> datetime:
    """A cursor's timestamp (ISO 8601 with its offset); ValueError for anything else."""
    if not isinstance(value, str):
        raise ValueError("not a timestamp")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("not a timestamp with its offset")
    return moment


def checked_cursor(value: str | None, fields: dict[str, Any], follow: Callable[[Cursor], Any]) -> str | None:
    """An ``after=`` query value as the query models check it: a cursor this server wrote for the
    query's sort (``fields``: the fields validated before it), never with an offset (they say the
    same), and one ``follow`` (the list's or the search's reading of it) accepts. Empty: the first
    page. A ValueError names what is wrong."""
    if not value:
        return None
    cursor = decode_cursor(value)
    sort = fields.get("sort")
    if sort is not None and cursor.sort != sort:
        raise ValueError("belongs to another sort (take `next` from a page of this one)")
    if fields.get("offset"):
        raise ValueError("continues a page by itself: send it without `offset`")
    follow(cursor)
    return value
