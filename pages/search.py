"""/search: one query box, ranked and highlighted results, facets with counts, sort, paging,
saved searches and the CSV export. The whole view lives in the URL (``pages.search_state``).

Typing: a keystroke after a quiet spell searches at once; keystrokes closer together than
``DEBOUNCE_S`` are one burst, searched when it has been quiet that long (``search_delay``, the
designer's rule). An answer to a superseded request is dropped. Every search is one awaited
database round trip: nothing CPU-heavy runs on the event loop (the highlights are cut from at
most a page of rows).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import ui
from pydantic import ValidationError

from components.everyday import busy, icon_button, search_box
from components.status import STATUS_LABELS, status_badge
from components.when import time_label
from domain.errors import DomainError
from domain.orm import utcnow
from domain.search.schemas import SavedSearchIn, SavedSearchOut, SearchResult, SearchSort
from domain.users.schemas import Actor
from pages.listing import clean_search
from pages.local_time import remembered_zone, shown
from pages.search_state import SEARCH, SearchView, highlight_html, page_count, search_delay, total_text
from pages.session import action_id, current_actor, services, to_login
from pages.shell import page_frame

log = logging.getLogger(__name__)

SORT_LABELS = {
    SearchSort.relevance.value: "Relevance",
    SearchSort.newest.value: "Newest",
    SearchSort.oldest.value: "Oldest",
    SearchSort.name.value: "Name",
    SearchSort.price_high.value: "Price, highest first",
    SearchSort.price_low.value: "Price, lowest first",
}
FUZZY_NOTICE = "No exact matches; showing similar words."


def _money(value: Any) -> str:
    return f"${value:,.2f}" if value is not None else ""


class SearchScreen:
    """One page load: the view shown, its widgets, and the answer being waited for."""

    def __init__(self, actor: Actor, view: SearchView) -> None:
        self.actor = actor
        self.view = view
        self.latest = 0
        self.last_edit = float("-inf")  # time.monotonic() of the last keystroke
        self.pending: ui.timer | None = None  # the search of a burst of keystrokes, once quiet
        self.result: SearchResult | None = None
        self.error: str | None = None
        self.saved: list[SavedSearchOut] = []
        self.zone = remembered_zone()

    async def fetch(self, view: SearchView) -> None:
        """Run the search of ``view`` (and read the saved searches); a failure becomes a notice,
        never a blank page. Everything the panels show is read here, awaited by the handler, so no
        panel runs a query of its own in the background."""
        try:
            self.result = await services().search.search(self.actor, view.query())
            self.saved = await services().search.saved(self.actor)
            self.error = None
        except Exception:  # noqa: BLE001 - shown as a notice with the id to quote; logged in full
            ref = action_id()
            log.exception("search failed (%s)", ref)
            self.result, self.error = None, f"Search is unavailable right now. Reference: {ref}"

    def build(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            self.box = search_box(
                ui.input("Search", value=self.view.q, placeholder="Name, customer, address, section, 12x6…")
                .props("outlined dense clearable autofocus")
                .classes("grow")
                .mark("search-box")
            )
            self.sort = (
                ui.select(SORT_LABELS, value=self.view.sort, label="Sort")
                .props("outlined dense")
                .classes("w-56")
                .mark("search-sort")
            )
            self.spinner = ui.spinner(size="md").mark("search-loading")
            self.spinner.visible = False
        # On a phone the results come first and the facets and saved searches follow below them.
        with ui.row().classes("w-full items-start gap-6 no-wrap max-sm:flex-wrap-reverse"):
            with ui.column().classes("w-64 shrink-0 gap-2 max-sm:w-full"):
                self.facets_panel()
                self.saved_panel()
            with ui.column().classes("grow gap-2 min-w-0 max-sm:w-full"):
                self.results_panel()
        self.box.on_value_change(self.on_text)
        self.sort.on_value_change(self.on_sort)

    # -- loading ----------------------------------------------------------------------------------

    async def load(self, view: SearchView) -> None:
        self.latest += 1
        ticket = self.latest
        self.view = view
        self.spinner.visible = True
        await self.fetch(view)
        if ticket != self.latest:
            return  # a newer request (more typing) answers instead
        self.spinner.visible = False
        self.facets_panel.refresh()
        self.results_panel.refresh()
        self.saved_panel.refresh()
        ui.navigate.history.replace(view.url())

    async def on_text(self, e: Any) -> None:
        now = time.monotonic()
        delay = search_delay(since_last_edit=now - self.last_edit)
        self.last_edit = now
        if self.pending is not None:
            self.pending.cancel()
            self.pending = None
        if delay:
            self.pending = ui.timer(delay, self.search_typed, once=True)
        else:
            await self.search_typed()

    async def search_typed(self) -> None:
        self.pending = None
        text, _ = clean_search(self.box.value)
        if text != self.view.q:
            await self.load(self.view.with_text(text))

    async def on_sort(self, e: Any) -> None:
        if e.value and e.value != self.view.sort:
            await self.load(self.view.with_sort(str(e.value)))

    # -- facets -----------------------------------------------------------------------------------

    @ui.refreshable_method
    def facets_panel(self) -> None:
        result = self.result
        if result is None:
            return
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("Narrow").classes("font-bold")
            if self.view.filters:
                ui.button("Clear", on_click=lambda: self.load(self.view.cleared())).props(
                    "flat dense size=sm"
                ).mark("facets-clear")
        for facet in result.facets:
            buckets = [b for b in facet.buckets if b.count or b.selected]
            if not buckets:
                continue
            ui.label(facet.label).classes("text-sm text-grey-8 mt-2")
            for bucket in buckets:
                label = (
                    STATUS_LABELS.get(bucket.label, bucket.label) if facet.name == "status" else bucket.label
                )
                chip = ui.chip(
                    f"{label} ({bucket.count:,})",
                    selectable=True,
                    selected=bucket.selected,
                    on_click=lambda b=bucket: self.load(self.view.toggled(b.params, b.selected)),
                ).props("dense outline" if not bucket.selected else "dense color=primary text-color=white")
                chip.mark(f"facet-{facet.name}-{bucket.value}")

    # -- results ----------------------------------------------------------------------------------

    @ui.refreshable_method
    def results_panel(self) -> None:
        if self.error:
            ui.label(self.error).classes("text-negative").mark("search-error")
            return
        result = self.result
        if result is None:
            return
        with ui.row().classes("w-full items-center justify-between"):
            ui.label(total_text(result.total, result.total_exact)).classes("text-grey-8").mark("search-count")
            ui.link("Export CSV", self.view.export_url()).props("download").mark("search-export")
        if result.notice:
            ui.label(result.notice).classes("text-amber-10").mark("search-notice")
        if result.fuzzy:
            text = FUZZY_NOTICE
            ui.label(text).classes("text-amber-10").mark("search-fuzzy")
            if result.suggestion:
                with ui.row().classes("items-center gap-1"):
                    ui.label("Did you mean")
                    ui.link(result.suggestion, self.view.with_text(result.suggestion).url()).mark(
                        "search-suggestion"
                    )
                    ui.label("?")
        if not result.items:
            message = (
                "Type to search projects."
                if not self.view.q and not self.view.filters
                else "No projects match."
            )
            ui.label(message).classes("text-grey-7").mark("search-empty")
            return
        now = utcnow()
        for hit in result.items:
            with ui.card().classes("w-full gap-1").mark("search-hit"):
                with ui.row().classes("w-full items-center justify-between"):
                    ui.html(
                        f'<a href="/projects/{hit.project_id}" class="text-primary font-medium">'
                        f"{highlight_html(hit.highlights.get('name', []))}</a>",
                        sanitize=False,  # built from escaped segments only (highlight_html)
                    ).mark("hit-name")
                    status_badge(hit.status.value)
                for key, prefix in (("customer", ""), ("site_address", ""), ("design", "Design: ")):
                    if hit.highlights.get(key):
                        ui.html(prefix + highlight_html(hit.highlights[key]), sanitize=False).classes(
                            "text-sm"
                        ).mark(f"hit-{key}")
                if hit.highlights.get("description"):
                    ui.html(highlight_html(hit.highlights["description"]), sanitize=False).classes(
                        "text-sm text-grey-8"
                    ).mark("hit-description")
                updated = shown(hit.updated_at, self.zone, now)
                details = [hit.account_id, hit.owner_email]
                with ui.row().classes("items-baseline gap-1 text-xs text-grey-8"):
                    ui.label(" · ".join(details) + " · updated")
                    time_label(updated.text, updated.exact, updated.iso)
                    if hit.design.total is not None:
                        ui.label(f"· {_money(hit.design.total)}")
        pages = page_count(result.total)
        if pages > 1:
            ui.pagination(
                1,
                pages,
                direction_links=True,
                value=min(self.view.page, pages),
                on_change=lambda e: self.load(self.view.with_page(int(e.value or 1))),
            ).props("max-pages=7 boundary-numbers").mark("search-pages")

    # -- saved searches ---------------------------------------------------------------------------

    @ui.refreshable_method
    def saved_panel(self) -> None:
        ui.label("Saved searches").classes("font-bold mt-4")
        for item in self.saved:
            with ui.row().classes("w-full items-center justify-between no-wrap"):
                ui.link(item.name, item.url).mark(f"saved-{item.name}")
                icon_button(
                    "delete",
                    f"Delete the saved search {item.name}",
                    lambda i=item: self.delete_saved(i.saved_search_id),
                ).props("flat dense size=sm").mark(f"saved-delete-{item.name}")
        name = ui.input("Name this search").props("dense outlined").classes("w-full").mark("saved-name")
        problem = ui.label("").classes("text-negative text-xs")
        problem.visible = False

        async def save() -> None:
            try:
                data = SavedSearchIn(name=name.value or "", url=self.view.url())
                await services().search.save(self.actor, data)
            except ValidationError as exc:
                problem.text = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
                problem.visible = True
                return
            except DomainError as exc:
                problem.text, problem.visible = exc.message, True
                return
            ui.notify(f"Saved “{data.name}”")
            await self.reload_saved()

        ui.button("Save search", icon="bookmark_add", on_click=busy(save)).props("flat dense").mark(
            "saved-save"
        )

    async def delete_saved(self, saved_search_id: int) -> None:
        try:
            await services().search.delete_saved(self.actor, saved_search_id)
        except DomainError as exc:
            ui.notify(exc.message, type="negative")
        await self.reload_saved()

    async def reload_saved(self) -> None:
        self.saved = await services().search.saved(self.actor)
        self.saved_panel.refresh()


@ui.page(SEARCH)
async def search_page(request: Request) -> RedirectResponse | None:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    view = SearchView.from_query(request.query_params)
    screen = SearchScreen(actor, view)
    await screen.fetch(view)
    with page_frame("Search", actor):
        screen.build()
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if view.url() != here:
        ui.navigate.history.replace(view.url())  # say in the address bar what is shown
    return None
