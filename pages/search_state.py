"""The search page's state (query, facets, sort, page) and its round trip through the URL; the
highlight markup. Pure, and apart from the page module so it can be tested without defining it.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from pydantic import ValidationError

from domain.search.schemas import SEARCH_CAP, SearchFilters, SearchQuery, SearchSort, Segment
from pages.listing import clean_search

SEARCH = "/search"
PER_PAGE = 20
FILTER_FIELDS = tuple(SearchFilters.model_fields)
MAX_PAGE = SEARCH_CAP // PER_PAGE + 1


@dataclass(frozen=True)
class SearchView:
    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    sort: str = SearchSort.relevance.value
    page: int = 1

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> SearchView:
        """Tolerant: an unknown, malformed or contradictory parameter of a stale or hand-edited link
        is dropped (the rest still applies); the page is clamped to the pages a search serves."""
        q, _ = clean_search(params.get("q"))
        filters = {k: str(params[k]).strip() for k in FILTER_FIELDS if params.get(k) not in (None, "")}
        for _ in range(len(filters) + 1):
            try:
                SearchFilters.model_validate(filters)
                break
            except ValidationError as exc:
                bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
                filters = {k: v for k, v in filters.items() if k not in bad} if bad else {}
        sort = str(params.get("sort") or SearchSort.relevance.value)
        if sort not in {s.value for s in SearchSort}:
            sort = SearchSort.relevance.value
        try:
            page = int(str(params.get("page") or 1))
        except ValueError:
            page = 1
        return cls(q=q, filters=filters, sort=sort, page=min(max(page, 1), MAX_PAGE))

    def query(self, *, facets: bool = True) -> SearchQuery:
        return SearchQuery.model_validate(
            {
                **self.filters,
                "q": self.q,
                "sort": self.sort,
                "limit": PER_PAGE,
                "offset": min((self.page - 1) * PER_PAGE, SEARCH_CAP),
                "facets": facets,
            }
        )

    def params(self, *, page: bool = True) -> dict[str, str]:
        """Only what differs from the defaults, in a fixed order (the same view, the same URL)."""
        out: dict[str, str] = {}
        if self.q:
            out["q"] = self.q
        out.update({k: self.filters[k] for k in FILTER_FIELDS if k in self.filters})
        if self.sort != SearchSort.relevance.value:
            out["sort"] = self.sort
        if page and self.page != 1:
            out["page"] = str(self.page)
        return out

    def url(self) -> str:
        query = urlencode(self.params())
        return f"{SEARCH}?{query}" if query else SEARCH

    def export_url(self) -> str:
        query = urlencode(self.params(page=False))
        return f"{SEARCH}/export.csv" + (f"?{query}" if query else "")

    def with_text(self, q: str) -> SearchView:
        return SearchView(q=q, filters=self.filters, sort=self.sort)

    def with_sort(self, sort: str) -> SearchView:
        return SearchView(q=self.q, filters=self.filters, sort=sort)

    def with_page(self, page: int) -> SearchView:
        return SearchView(q=self.q, filters=self.filters, sort=self.sort, page=min(max(page, 1), MAX_PAGE))

    def toggled(self, bucket_params: Mapping[str, str], selected: bool) -> SearchView:
        """The view with a facet bucket chosen (its parameters set) or, when it was, cleared."""
        filters = dict(self.filters)
        for key, value in bucket_params.items():
            if selected:
                filters.pop(key, None)
            else:
                filters[key] = value
        # A range bucket sets both bounds: choosing another one of the same facet replaces both.
        for low, high in (
            ("created_from", "created_to"),
            ("updated_from", "updated_to"),
            ("wind_min", "wind_max"),
            ("price_min", "price_max"),
        ):
            if not selected and (low in bucket_params) != (high in bucket_params):
                filters.pop(high if low in bucket_params else low, None)
        return SearchView(q=self.q, filters=filters, sort=self.sort)

    def cleared(self) -> SearchView:
        return SearchView(q=self.q, sort=self.sort)


def highlight_html(segments: Iterable[Segment]) -> str:
    """Segments as HTML: every piece escaped, matched words in ``<mark>``. The only markup in the
    result is ours, so a project named ``<img onerror=...>`` shows as text."""
    return "".join(
        f"<mark>{html.escape(s.text)}</mark>" if s.match else html.escape(s.text) for s in segments
    )


def total_text(total: int, exact: bool) -> str:
    if not exact:
        return f"{total:,}+ results"
    return f"{total:,} result{'' if total == 1 else 's'}"


def page_count(total: int) -> int:
    return max(1, min(-(-total // PER_PAGE), MAX_PAGE))


# Resolves in the browser once it has painted what came before it (a frame, then a task): the
# search page counts the facets after this, so their query does not compete with the frame that
# shows the results (on a machine that also runs the database, or a busy one).
PAINTED_JS = "new Promise((done) => requestAnimationFrame(() => setTimeout(() => done(null))))"
