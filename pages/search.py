"""/search: one query box, ranked and highlighted results, facets with counts, sort, paging,
saved searches and the CSV export. The whole view lives in the URL (``pages.search_state``).

Typing: what is typed is searched at once, one search at a time: keys typed while a search runs
make its answer stale (dropped) and are searched together as soon as it ends (``on_text``). The
results go to the browser first and the facets follow (``load``). Every search is an awaited
database round trip: nothing CPU-heavy runs on the event loop (the highlights are cut from at
most a page of rows).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import background_tasks, ui
from pydantic import ValidationError

from components.everyday import busy, icon_button, search_box
from components.status import STATUS_LABELS, show_status, status_badge
from components.when import show_time, time_label
from domain.errors import DomainError
from domain.orm import utcnow
from domain.search.schemas import (
    Facet,
    FacetBucket,
    SavedSearchIn,
    SavedSearchOut,
    SearchHit,
    SearchResult,
    SearchSort,
)
from domain.users.schemas import Actor
from pages.listing import clean_search
from pages.local_time import remembered_zone, shown
from pages.search_state import (
    PAINTED_JS,
    SEARCH,
    SearchView,
    highlight_html,
    page_count,
    total_text,
)
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
SPINNER_AFTER_S = 0.2  # an answer taking longer shows the spinner


def _money(value: Any) -> str:
    return f"${value:,.2f}" if value is not None else ""


def facets_of(view: SearchView) -> tuple[Any, ...]:
    """What a search's facet counts depend on: its words and filters (not its sort or page)."""
    return (view.q, tuple(sorted(view.filters.items())))


class HitCard:
    """One result's card, built once and filled in place for every answer (``show``): typing
    changes texts and attributes of elements the browser already has, where building the cards
    anew sent and mounted about 270 elements per keystroke."""

    def __init__(self) -> None:
        with ui.card().classes("w-full gap-1").mark("search-hit") as self.card:
            with ui.row().classes("w-full items-center justify-between"):
                self.name = ui.html("", sanitize=False).mark("hit-name")  # escaped segments only
                self.status = status_badge("draft")
            self.fields = {
                key: ui.html("", sanitize=False).classes("text-sm").mark(f"hit-{key}")
                for key in ("customer", "site_address", "design")
            }
            self.description = (
                ui.html("", sanitize=False).classes("text-sm text-grey-8").mark("hit-description")
            )
            with ui.row().classes("items-baseline gap-1 text-xs text-grey-8"):
                self.details = ui.label("")
                self.updated = time_label("", "", "")
                self.price = ui.label("")

    def show(self, hit: SearchHit, zone: Any, now: Any) -> None:
        self.name.content = (
            f'<a href="/projects/{hit.project_id}" class="text-primary font-medium">'
            f"{highlight_html(hit.highlights.get('name', []))}</a>"
        )
        show_status(self.status, hit.status.value)
        for key, prefix in (("customer", ""), ("site_address", ""), ("design", "Design: ")):
            _fill(
                self.fields[key],
                prefix + highlight_html(hit.highlights[key]) if hit.highlights.get(key) else "",
            )
        _fill(self.description, highlight_html(hit.highlights.get("description", [])))
        updated = shown(hit.updated_at, zone, now)
        self.details.text = f"{hit.account_id} · {hit.owner_email} · updated"
        show_time(self.updated, updated.text, updated.exact, updated.iso)
        self.price.text = f"· {_money(hit.design.total)}" if hit.design.total is not None else ""
        self.price.visible = hit.design.total is not None

    def delete(self) -> None:
        self.card.delete()


def _fill(element: ui.html, content: str) -> None:
    """Show ``content``, or hide the element (emptied, so no stale highlight lingers hidden)."""
    element.content = content
    element.visible = bool(content)


class FacetChip:
    """A facet bucket's chip; reused for whichever bucket takes its place in the next answer."""

    def __init__(self, screen: SearchScreen, bucket: FacetBucket) -> None:
        self.bucket = bucket
        self.chip = ui.chip(
            "",
            selectable=True,
            on_click=lambda: screen.load(screen.view.toggled(self.bucket.params, self.bucket.selected)),
        ).props("dense")

    def show(self, facet: str, bucket: FacetBucket) -> None:
        """Its bucket's label, count and state; an attribute is set only when it changes (setting
        one sends the chip to the browser again, about a kilobyte each)."""
        self.bucket = bucket
        label = STATUS_LABELS.get(bucket.label, bucket.label) if facet == "status" else bucket.label
        self.chip.text = f"{label} ({bucket.count:,})"
        self.chip.selected = bucket.selected
        self.chip.text_color = "white" if bucket.selected else None
        if bucket.selected and "outline" in self.chip.props:
            self.chip.props.pop("outline", None)
        elif not bucket.selected and "outline" not in self.chip.props:
            self.chip.props["outline"] = True
        self.chip.mark(f"facet-{facet}-{bucket.value}")


class FacetGroup:
    """A facet's title and chips, updated in place: a chip per bucket, added or removed only when
    the number of buckets changes."""

    def __init__(self, screen: SearchScreen, label: str) -> None:
        self.screen = screen
        self.title = ui.label(label).classes("text-sm text-grey-8 mt-2")
        self.box = ui.column().classes("w-full gap-2")
        self.chips: list[FacetChip] = []

    def show(self, facet: Facet) -> None:
        buckets = [b for b in facet.buckets if b.count or b.selected]
        self.title.visible = self.box.visible = bool(buckets)
        for chip in self.chips[len(buckets) :]:
            chip.chip.delete()
        del self.chips[len(buckets) :]
        with self.box:
            for i, bucket in enumerate(buckets):
                if i == len(self.chips):
                    self.chips.append(FacetChip(self.screen, bucket))
                self.chips[i].show(facet.name, bucket)


class SearchScreen:
    """One page load: the view shown, its widgets, and the answer being waited for."""

    def __init__(self, actor: Actor, view: SearchView) -> None:
        self.actor = actor
        self.view = view
        self.latest = 0
        self.typed = view.q  # the search box's text (cleaned), searched or about to be
        self.counted: tuple[Any, ...] | None = None  # facets_of the view whose facets are shown
        self.typing = False  # a search of typed text is running (``on_text``)
        self.result: SearchResult | None = None
        self.error: str | None = None
        self.saved: list[SavedSearchOut] = []
        self.zone = remembered_zone()
        self.cards: list[HitCard] = []
        self.groups: dict[str, FacetGroup] = {}
        self.shown_notices: tuple[Any, ...] | None = None  # what summary_panel shows
        self.shown_page = 1  # the pagination's page
        self.counting: asyncio.Task[None] | None = None  # count_facets, while it runs
        self.spinner_due: asyncio.TimerHandle | None = None  # shows the spinner (``waiting``)

    async def fetch(self, view: SearchView, *, after: str | None = None, facets: bool = True) -> None:
        """Run the search of ``view``; a failure becomes a notice, never a blank page. Everything
        the panels show is read here and in ``count_facets``, so no panel runs a query of its
        own. ``after``: the next page of the result shown, read by key. ``facets=False`` (and
        with ``after``): the results only; the facets shown stay until ``count_facets`` has the
        new ones (a page turn of the same search changes no count)."""
        try:
            if (after is not None or not facets) and self.result is not None:
                query = view.query(facets=False)
                if after is not None:
                    query = query.model_copy(update={"after": after, "offset": 0})
                shown = self.result.facets
                self.result = await services().search.search(self.actor, query)
                self.result.facets = shown
            else:
                self.result = await services().search.search(self.actor, view.query())
                self.counted = facets_of(view)
            self.error = None
        except Exception:  # noqa: BLE001 - shown as a notice with the id to quote; logged in full
            ref = action_id()
            log.exception("search failed (%s)", ref)
            self.result, self.counted = None, None
            self.error = f"Search is unavailable right now. Reference: {ref}"

    async def count_facets(self, view: SearchView, ticket: int) -> None:
        """Count and show the facets of ``view`` once its results are painted (the same search
        with the counts and a one-row page, newest first), unless a newer request (``ticket``) came since: a
        newer ``load`` cancels this task (asyncpg cancels the query in PostgreSQL too). A failure
        leaves no facets (logged): stale counts would narrow the wrong results."""
        # The results first: the count waits until the browser has painted them (or a second).
        with contextlib.suppress(Exception):  # a timeout, a client gone: count all the same
            await self.spinner.client.run_javascript(PAINTED_JS, timeout=1.0)
        if ticket != self.latest:
            return
        # Newest first: the facets count the same candidates whatever the sort, and nothing
        # ranks them (ts_rank_cd over 10,001 candidates is a tenth of a common prefix's count).
        query = view.query().model_copy(update={"limit": 1, "offset": 0, "sort": SearchSort.newest})
        try:
            facets = (await services().search.search(self.actor, query)).facets
        except Exception:  # noqa: BLE001 - the results are shown; the facets are left out
            log.exception("search facets failed (%s)", action_id())
            facets = []
        if ticket != self.latest or self.result is None:
            return  # a newer request counts its own
        self.result.facets = facets
        self.counted = facets_of(view)
        self.show_facets()
        self.facets_counting(False)

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
                with ui.row().classes("w-full items-center justify-between"):
                    ui.label("Narrow").classes("font-bold")
                    self.clear = (
                        ui.button("Clear", on_click=lambda: self.load(self.view.cleared()))
                        .props("flat dense size=sm")
                        .mark("facets-clear")
                    )
                self.facets_box = ui.column().classes("w-full gap-2")
                self.saved_panel()
            with ui.column().classes("grow gap-2 min-w-0 max-sm:w-full"):
                with ui.row().classes("w-full items-center justify-between") as self.count_row:
                    self.count = ui.label("").classes("text-grey-8").mark("search-count")
                    self.export = ui.link("Export CSV", SEARCH).props("download").mark("search-export")
                self.summary_panel()
                self.hits_box = ui.column().classes("w-full gap-2")
                self.pages = (
                    ui.pagination(1, 2, direction_links=True, on_change=self.on_page)
                    .props("max-pages=7 boundary-numbers")
                    .mark("search-pages")
                )
        self.show_summary()
        self.show_facets()
        self.show_hits()
        self.show_pages()
        self.box.on_value_change(self.on_text)
        self.sort.on_value_change(self.on_sort)

    # -- loading ----------------------------------------------------------------------------------

    async def load(self, view: SearchView, *, after: str | None = None) -> None:
        """Show the answer to ``view``: its results (count, cards, paging) as soon as they are
        read, then the address, and its facets when counted (``count_facets``, a second query
        after the results are on their way: counting the facets of a common word's candidates
        costs about as much as finding its page). Another page or sort of the search whose facets
        are shown counts nothing. Only the latest request's answers are shown: each step drops its
        answer when more typing (or a click) came since."""
        self.latest += 1
        ticket = self.latest
        if self.counting is not None:
            self.counting.cancel()  # a stale count: its query stops, out of this search's way
            self.counting = None
        self.view = view
        self.waiting(True)
        started = time.perf_counter()
        first = self.result is None
        await self.fetch(view, after=None if first else after, facets=first)
        if ticket != self.latest or view.q != self.typed:
            return  # a newer request (a click, or more typing) answers instead
        read = time.perf_counter()
        self.waiting(False)
        counting = self.result is not None and self.counted != facets_of(view)
        self.facets_counting(counting)
        self.show_answer(facets=not counting)
        ui.navigate.history.replace(view.url())
        log.debug(
            "search %r: read in %.1f ms, shown in %.1f ms",
            view.q,
            (read - started) * 1000,
            (time.perf_counter() - read) * 1000,
        )
        if counting:
            self.counting = background_tasks.create(self.count_facets(view, ticket), name="search facets")

    def waiting(self, waiting: bool) -> None:
        """The spinner, shown only when an answer takes ``SPINNER_AFTER_S``: a quicker one would
        only flicker, and showing it is one more update for the browser while the search runs."""
        if self.spinner_due is not None:
            self.spinner_due.cancel()
            self.spinner_due = None
        if waiting:
            loop = asyncio.get_running_loop()
            self.spinner_due = loop.call_later(SPINNER_AFTER_S, self.spinner.set_visibility, True)
        else:
            self.spinner.visible = False

    def facets_counting(self, counting: bool) -> None:
        """Dim the facets while they show another search's counts (``aria-busy`` says so to a
        screen reader)."""
        if counting:
            self.facets_box.classes(add="opacity-50").props("aria-busy=true")
        else:
            self.facets_box.classes(remove="opacity-50").props(remove="aria-busy")

    def show_answer(self, *, facets: bool = True) -> None:
        """Put the latest answer on the page: the facets (unless they are still being counted) and
        the result cards in place, the few elements around them (count, notices, paging)
        rebuilt."""
        if facets:
            self.show_facets()
        self.show_summary()
        self.show_hits()
        self.show_pages()

    async def turn_to(self, page: int) -> None:
        """Another page of the same search; the next one is read by key (``next``), where a deep
        page by offset would read every row before it."""
        view = self.view.with_page(page)
        current = self.result
        following = None
        if (
            current is not None
            and current.next
            and current.offset + len(current.items) == view.query().offset
        ):
            following = current.next  # the page right after the one shown
        await self.load(view, after=following)

    async def on_text(self, e: Any) -> None:
        """Search what is typed as it is typed, one search at a time: a keystroke while a search
        is running makes that search's answer stale (``load`` drops it) and is searched as soon
        as it ends, with whatever the box holds then (the keys typed meanwhile are one search)."""
        self.typed, _ = clean_search(self.box.value)
        if self.typing:
            return  # the loop below searches it next
        self.typing = True
        try:
            while self.typed != self.view.q:
                await self.load(self.view.with_text(self.typed))
        finally:
            self.typing = False

    async def on_sort(self, e: Any) -> None:
        if e.value and e.value != self.view.sort:
            await self.load(self.view.with_sort(str(e.value)))

    # -- facets -----------------------------------------------------------------------------------

    def show_facets(self) -> None:
        facets = self.result.facets if self.result is not None else []
        self.clear.visible = bool(self.view.filters) and self.result is not None
        shown_names = {f.name for f in facets}
        for name, group in self.groups.items():
            if name not in shown_names:
                group.title.visible = group.box.visible = False
        with self.facets_box:
            for facet in facets:
                if facet.name not in self.groups:
                    self.groups[facet.name] = FacetGroup(self, facet.label)
                self.groups[facet.name].show(facet)

    # -- results ----------------------------------------------------------------------------------

    def show_summary(self) -> None:
        """The count and the export link in place (their text and address); the notices below
        them rebuilt only when they change (``summary_panel``)."""
        result = None if self.error else self.result
        self.count_row.visible = result is not None
        if result is not None:
            self.count.text = total_text(result.total, result.total_exact)
            url = self.view.export_url()
            if self.export.props.get("href") != url:
                self.export.props["href"] = url
        notices = self.notices()
        if notices != self.shown_notices:
            self.shown_notices = notices
            self.summary_panel.refresh()

    def notices(self) -> tuple[Any, ...]:
        """What ``summary_panel`` shows: an error, or the answer's notices and its empty message."""
        if self.error:
            return ("error", self.error)
        result = self.result
        if result is None:
            return ()
        suggestion = result.suggestion if result.fuzzy else None
        empty = None
        if not result.items:
            empty = (
                "Type to search projects."
                if not self.view.q and not self.view.filters
                else "No projects match."
            )
        return (
            result.notice,
            result.fuzzy,
            suggestion,
            self.view.with_text(suggestion).url() if suggestion else None,
            empty,
        )

    @ui.refreshable_method
    def summary_panel(self) -> None:
        notices = self.shown_notices = self.notices()
        if notices[:1] == ("error",):
            ui.label(notices[1]).classes("text-negative").mark("search-error")
            return
        if not notices:
            return
        notice, fuzzy, suggestion, suggestion_url, empty = notices
        if notice:
            ui.label(notice).classes("text-amber-10").mark("search-notice")
        if fuzzy:
            ui.label(FUZZY_NOTICE).classes("text-amber-10").mark("search-fuzzy")
            if suggestion:
                with ui.row().classes("items-center gap-1"):
                    ui.label("Did you mean")
                    ui.link(suggestion, suggestion_url).mark("search-suggestion")
                    ui.label("?")
        if empty:
            ui.label(empty).classes("text-grey-7").mark("search-empty")

    def show_hits(self) -> None:
        """One card per hit, in order: the cards there are take the new hits, the missing ones
        are added, the extra ones removed."""
        hits = self.result.items if self.result is not None and not self.error else []
        for card in self.cards[len(hits) :]:
            card.delete()
        del self.cards[len(hits) :]
        now = utcnow()
        with self.hits_box:
            for i, hit in enumerate(hits):
                if i == len(self.cards):
                    self.cards.append(HitCard())
                self.cards[i].show(hit, self.zone, now)

    def show_pages(self) -> None:
        """The pagination in place (its page count and page): mounting a new one per answer
        rebuilt its dozen buttons in the browser."""
        result = self.result
        pages = 0 if result is None or self.error or not result.items else page_count(result.total)
        self.pages.visible = pages > 1
        if pages > 1:
            if self.pages.props.get("max") != pages:
                self.pages.props["max"] = pages
            self.shown_page = min(self.view.page, pages)
            self.pages.value = self.shown_page  # on_page: no turn to the page shown

    async def on_page(self, e: Any) -> None:
        page = int(e.value or 1)
        if page != self.shown_page:
            await self.turn_to(page)

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
    screen.saved = await services().search.saved(actor)
    with page_frame("Search", actor):
        screen.build()
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if view.url() != here:
        ui.navigate.history.replace(view.url())  # say in the address bar what is shown
    return None
