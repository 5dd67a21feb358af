"""The project list's view (filters, page, sort) and its round trip through the query string.

Separate from the page module so it can be imported (and tested) without defining the page:
NiceGUI's test reset re-imports page modules for every test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sized
from dataclasses import dataclass, replace
from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

from domain.paging import MAX_OFFSET
from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectQuery
from domain.text import has_control_characters
from pages.session import HOME

SEARCH_MAX = 200
PER_PAGE_DEFAULT = 25
PER_PAGE_OPTIONS = (10, 25, 50, 100)
DEFAULT_SORT = "-created_at"
# Table column name -> service sort key (owner: the owner's email).
SORTABLE = {
    "name": "name",
    "account_id": "account_id",
    "customer": "customer",
    "status": "status",
    "owner": "owner",
    "updated_at": "updated_at",
    "created_at": "created_at",
}
SORT_LABELS = {
    "-created_at": "Newest",
    "created_at": "Oldest",
    "-updated_at": "Recently updated",
    "name": "Name",
    "customer": "Customer",
    "owner": "Owner",
    "status": "Status",
}

COLUMNS: list[dict[str, Any]] = [
    {"name": "name", "label": "Name", "field": "name", "align": "left", "sortable": True},
    {"name": "account_id", "label": "Account", "field": "account_id", "align": "left", "sortable": True},
    {"name": "customer", "label": "Customer", "field": "customer", "align": "left", "sortable": True},
    {"name": "status", "label": "Status", "field": "status", "align": "left", "sortable": True},
    {"name": "owner", "label": "Owner", "field": "owner", "align": "left", "sortable": True},
    {"name": "updated_at", "label": "Updated", "field": "updated", "align": "left", "sortable": True},
    {"name": "created_at", "label": "Created", "field": "created", "align": "left", "sortable": True},
]


def page_number(value: Any, per_page: int) -> int:
    """A page number from a link or an event: anything unreadable is page 1, the rest is clamped
    to the pages the services serve (offsets up to ``MAX_OFFSET``), so a link with
    ``page=99999999999999999999`` shows the last page instead of failing."""
    try:
        page = int(value or 1)
    except (TypeError, ValueError):  # also digit strings too long for int()
        return 1
    return min(max(page, 1), MAX_OFFSET // per_page + 1)


def page_size(value: Any) -> int:
    """A page size from a link or the table: one of ``PER_PAGE_OPTIONS``, else the default."""
    try:
        per_page = int(value or PER_PAGE_DEFAULT)
    except (TypeError, ValueError):
        return PER_PAGE_DEFAULT
    return per_page if per_page in PER_PAGE_OPTIONS else PER_PAGE_DEFAULT


def changed_params(pairs: list[tuple[str, Any, Any]]) -> str:
    """The query string of the ``(name, value, default)`` pairs whose value is not the default,
    so a view with nothing chosen keeps the plain address."""
    return urlencode({name: value for name, value, default in pairs if value != default})


def clean_search(value: Any) -> tuple[str, bool]:
    """Search text as the services take it: no control characters (PostgreSQL cannot even hold
    NUL), trimmed, at most ``SEARCH_MAX`` characters. Also says whether control characters were
    dropped, so the page can tell the person instead of silently searching for something else."""
    text = str(value or "")
    kept = "".join(c for c in text if not has_control_characters(c))
    return kept.strip()[:SEARCH_MAX], kept != text


def last_page(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


class _Page(Protocol):
    @property
    def items(self) -> Sized: ...
    @property
    def total(self) -> int: ...


P = TypeVar("P", bound=_Page)


async def fetch_page(fetch: Callable[[int], Awaitable[P]], page: int, per_page: int) -> tuple[int, P]:
    """Fetch ``page`` of a list; past its end (a stale or hand-edited link, or rows deleted since)
    fetch the last page instead. Returns the page number actually shown and its rows."""
    result = await fetch(page)
    if not result.items and result.total and page > 1:
        page = last_page(result.total, per_page)
        result = await fetch(page)
    return page, result


@dataclass(frozen=True)
class ListView:
    """What the list shows; round-trips through the query string."""

    q: str = ""
    status: str = ""
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, params: Any, *, per_page: int = PER_PAGE_DEFAULT) -> ListView:
        """Tolerant parsing: a hand-edited or stale link shows a sensible list, never an error.
        ``per_page``: the page size when the link names none (the person's remembered one)."""
        q, _ = clean_search(params.get("q"))
        status = str(params.get("status") or "")
        if status not in {s.value for s in Status}:
            status = ""
        per_page = page_size(params.get("per_page") or per_page)
        page = page_number(params.get("page"), per_page)
        sort = str(params.get("sort") or DEFAULT_SORT)
        if sort.lstrip("-") not in SORTABLE.values():
            sort = DEFAULT_SORT
        return cls(q=q, status=status, page=page, per_page=per_page, sort=sort)

    def query_string(self) -> str:
        """Only what differs from the defaults, so the plain list keeps the plain URL."""
        return changed_params(
            [
                ("q", self.q, ""),
                ("status", self.status, ""),
                ("page", self.page, 1),
                ("sort", self.sort, DEFAULT_SORT),
                ("per_page", self.per_page, PER_PAGE_DEFAULT),
            ]
        )

    def url(self) -> str:
        query = self.query_string()
        return f"{HOME}?{query}" if query else HOME

    @property
    def filtered(self) -> bool:
        """Whether the person narrowed the list (an empty list then means "nothing matches")."""
        return bool(self.q or self.status)

    def export_url(self) -> str:
        """The CSV of every project of these filters in this order (``pages.exports``)."""
        query = changed_params(
            [("q", self.q, ""), ("status", self.status, ""), ("sort", self.sort, DEFAULT_SORT)]
        )
        return f"{HOME}.csv?{query}" if query else f"{HOME}.csv"

    def with_sort(self, sort: str) -> ListView:
        return replace(self, sort=sort if sort.lstrip("-") in SORTABLE.values() else DEFAULT_SORT, page=1)

    def service_query(self) -> ProjectQuery:
        return ProjectQuery(
            q=self.q or None,
            status=Status(self.status) if self.status else None,
            account_id=None,
            limit=self.per_page,
            offset=(self.page - 1) * self.per_page,
            sort=self.sort,
        )

    def pagination(self, total: int) -> dict[str, Any]:
        """Quasar's pagination object; ``rowsNumber`` switches the table to server-side mode."""
        column = next(name for name, key in SORTABLE.items() if key == self.sort.lstrip("-"))
        return {
            "page": self.page,
            "rowsPerPage": self.per_page,
            "sortBy": column,
            "descending": self.sort.startswith("-"),
            "rowsNumber": total,
        }

    def with_pagination(self, pagination: dict[str, Any]) -> ListView:
        """The view after the table asked for another page, page size or sort order."""
        per_page = page_size(pagination.get("rowsPerPage") or self.per_page)
        column = pagination.get("sortBy")
        if column in SORTABLE:
            sort = ("-" if pagination.get("descending") else "") + SORTABLE[column]
        else:
            sort = DEFAULT_SORT
        page = page_number(pagination.get("page"), per_page)
        if per_page != self.per_page or sort != self.sort:
            page = 1
        return replace(self, page=page, per_page=per_page, sort=sort)
