"""The project list's view (filters, page, sort) and its round trip through the query string.

Separate from the page module so it can be imported (and tested) without defining the page:
NiceGUI's test reset re-imports page modules for every test.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectQuery
from pages.session import HOME

PER_PAGE_DEFAULT = 25
PER_PAGE_OPTIONS = (10, 25, 50, 100)
DEFAULT_SORT = "-created_at"
# Table column name -> service sort key. Owner is not sortable (it is a join).
SORTABLE = {
    "name": "name",
    "account_id": "account_id",
    "customer": "customer",
    "status": "status",
    "updated_at": "updated_at",
    "created_at": "created_at",
}

COLUMNS: list[dict[str, Any]] = [
    {"name": "name", "label": "Name", "field": "name", "align": "left", "sortable": True},
    {"name": "account_id", "label": "Account", "field": "account_id", "align": "left", "sortable": True},
    {"name": "customer", "label": "Customer", "field": "customer", "align": "left", "sortable": True},
    {"name": "status", "label": "Status", "field": "status", "align": "left", "sortable": True},
    {"name": "owner", "label": "Owner", "field": "owner", "align": "left"},
    {"name": "updated_at", "label": "Updated", "field": "updated", "align": "left", "sortable": True},
    {"name": "created_at", "label": "Created", "field": "created", "align": "left", "sortable": True},
]


@dataclass(frozen=True)
class ListView:
    """What the list shows; round-trips through the query string."""

    q: str = ""
    status: str = ""
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, params: Any) -> ListView:
        """Tolerant parsing: a hand-edited or stale link shows a sensible list, never an error."""
        q = str(params.get("q") or "").strip()[:200]
        status = str(params.get("status") or "")
        if status not in {s.value for s in Status}:
            status = ""
        try:
            page = max(1, int(params.get("page") or 1))
        except ValueError:
            page = 1
        try:
            per_page = int(params.get("per_page") or PER_PAGE_DEFAULT)
        except ValueError:
            per_page = PER_PAGE_DEFAULT
        if per_page not in PER_PAGE_OPTIONS:
            per_page = PER_PAGE_DEFAULT
        sort = str(params.get("sort") or DEFAULT_SORT)
        if sort.lstrip("-") not in SORTABLE.values():
            sort = DEFAULT_SORT
        return cls(q=q, status=status, page=page, per_page=per_page, sort=sort)

    def query_string(self) -> str:
        """Only what differs from the defaults, so the plain list keeps the plain URL."""
        params: dict[str, str | int] = {}
        if self.q:
            params["q"] = self.q
        if self.status:
            params["status"] = self.status
        if self.page != 1:
            params["page"] = self.page
        if self.sort != DEFAULT_SORT:
            params["sort"] = self.sort
        if self.per_page != PER_PAGE_DEFAULT:
            params["per_page"] = self.per_page
        return urlencode(params)

    def url(self) -> str:
        query = self.query_string()
        return f"{HOME}?{query}" if query else HOME

    def service_query(self) -> ProjectQuery:
        return ProjectQuery(
            q=self.q or None,
            status=Status(self.status) if self.status else None,
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
        per_page = int(pagination.get("rowsPerPage") or self.per_page)
        if per_page not in PER_PAGE_OPTIONS:
            per_page = PER_PAGE_DEFAULT
        column = pagination.get("sortBy")
        if column in SORTABLE:
            sort = ("-" if pagination.get("descending") else "") + SORTABLE[column]
        else:
            sort = DEFAULT_SORT
        page = max(1, int(pagination.get("page") or 1))
        if per_page != self.per_page or sort != self.sort:
            page = 1
        return replace(self, page=page, per_page=per_page, sort=sort)
