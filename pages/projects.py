"""/projects: the project list (server-side paging and sorting, text and status filters) and the
New project dialog. ``/`` redirects here.

The view (``?q=&status=&page=&sort=&per_page=``) lives in the URL so it can be shared and
reloaded; every change of filter, page or sort rewrites the address bar in place.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui
from pydantic import ValidationError

from components.dialogs import close_then, delete_when_closed
from components.everyday import busy, form_dialog, mark_unsaved, search_box, submit_button
from components.project_fields import FIELD_LABELS, ProjectFields
from components.status import STATUS_LABELS, status_badge_slot, status_badge_template
from components.when import time_slot
from domain.errors import DomainError
from domain.orm import utcnow
from domain.paging import Page
from domain.projects.schemas import ProjectCreate, ProjectOut
from domain.users.roles import can_create_project
from domain.users.schemas import Actor
from pages import loading, preferences
from pages.forms import field_errors
from pages.listing import (
    COLUMNS,
    PER_PAGE_DEFAULT,
    PER_PAGE_OPTIONS,
    SORT_LABELS,
    ListView,
    clean_search,
    fetch_page,
)
from pages.local_time import remembered_zone, shown
from pages.session import HOME, action_id, current_actor, login_url, services, to_login
from pages.shell import page_frame

CLEANED_NOTE = "Control characters (such as tabs or NUL) were removed from the search text."


def _row(p: ProjectOut, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    updated, created = shown(p.updated_at, zone, now), shown(p.created_at, zone, now)
    return {
        "project_id": p.project_id,
        "href": f"/projects/{p.project_id}",
        "name": p.name,
        "account_id": p.account_id,
        "customer": p.customer,
        "status": p.status.value,
        "owner": p.owner_email,
        "updated": updated.text,
        "updated_exact": updated.exact,
        "updated_iso": updated.iso,
        "created": created.text,
        "created_exact": created.exact,
        "created_iso": created.iso,
    }


NAME_SLOT = (
    '<q-td :props="props">'
    '<a :href="props.row.href" class="text-primary font-medium hover:underline">{{ props.value }}</a>'
    "</q-td>"
)
# Below 600 px (a phone) the table turns into a list of cards (q-table's grid mode), one per project.
CARD_SLOT = (
    '<div class="q-pa-xs col-12">'
    '<q-card flat bordered class="w-full"><q-card-section class="q-py-sm">'
    '<div class="row items-center justify-between no-wrap gap-2">'
    '<a :href="props.row.href" class="text-primary text-base font-medium ellipsis">{{ props.row.name }}</a>'
    f"{status_badge_template('props.row.status')}"
    "</div>"
    '<div class="text-sm">{{ props.row.customer }} · {{ props.row.account_id }}</div>'
    '<div class="text-xs text-grey-8">{{ props.row.owner }} · updated '
    '<time :datetime="props.row.updated_iso" :title="props.row.updated_exact">{{ props.row.updated }}</time>'
    "</div>"
    "</q-card-section></q-card></div>"
)


@ui.page("/")
def root(request: Request) -> RedirectResponse:
    query = request.url.query
    return RedirectResponse(f"{HOME}?{query}" if query else HOME, status_code=307)


async def _fetch(view: ListView) -> tuple[ListView, Page[ProjectOut]]:
    """The rows of ``view``; a page past the end shows (and returns the view of) the last page."""

    async def at(page: int) -> Page[ProjectOut]:
        return await services().projects.search(replace(view, page=page).service_query())

    page, result = await fetch_page(at, view.page, view.per_page)
    return replace(view, page=page), result


class ProjectList:
    """One page load of the list: the view shown, the table, and the answer to wait for."""

    def __init__(self, view: ListView, actor: Actor) -> None:
        self.view = view
        self.actor = actor
        self.may_create = can_create_project(actor.role)
        self.zone = remembered_zone()
        self.latest = 0  # answers to superseded requests (fast typing) are dropped
        self.total = 0

    def rows(self, result: Page[ProjectOut]) -> list[dict[str, Any]]:
        now = utcnow()
        return [_row(p, self.zone, now) for p in result.items]

    def render(self, result: Page[ProjectOut], *, cleaned: bool) -> None:
        view = self.view
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("Projects").classes("text-2xl font-bold")
            with ui.row().classes("items-center gap-2"):
                self.export = (
                    ui.link("Export CSV", view.export_url())
                    .props("download")
                    .classes("text-sm")
                    .mark("projects-export")
                )
                if self.may_create:
                    ui.button("New project", icon="add", on_click=open_new_dialog).mark("new-project")
        with ui.row().classes("w-full items-end gap-4"):
            self.search = search_box(
                ui.input("Search", value=view.q, placeholder="Name, customer, account, address")
                .props("outlined dense clearable debounce=350")
                .classes("w-full sm:w-96")
                .mark("search")
            )
            status_options = {"": "All statuses", **STATUS_LABELS}
            self.status = (
                ui.select(status_options, label="Status", value=view.status)
                .props("outlined dense")
                .classes("w-48")
                .mark("status-filter")
            )
            # The table's headers sort; a phone shows cards without headers, so it gets this instead.
            self.sort = (
                ui.select(SORT_LABELS, label="Sort", value=view.sort if view.sort in SORT_LABELS else None)
                .props("outlined dense")
                .classes("w-40 sm:hidden")
                .mark("sort-select")
            )
            self.count = ui.label("").classes("text-grey-8").mark("project-count")
        self.note = ui.label(CLEANED_NOTE).classes("text-amber-10").mark("search-note")
        self.note.visible = cleaned
        self.table = (
            ui.table(
                columns=COLUMNS,
                rows=self.rows(result),
                row_key="project_id",
                pagination=view.pagination(result.total),
            )
            .classes("w-full")
            .mark("projects-table")
        )
        self.table.props(f":rows-per-page-options='{list(PER_PAGE_OPTIONS)}'")
        self.table.props(':grid="Quasar.Screen.lt.sm"')
        self.table.add_slot("body-cell-name", NAME_SLOT)
        self.table.add_slot("body-cell-status", status_badge_slot())
        self.table.add_slot("body-cell-updated_at", time_slot("updated"))
        self.table.add_slot("body-cell-created_at", time_slot("created"))
        self.table.add_slot("item", CARD_SLOT)
        self.total = result.total
        self.empty_state()
        self.show(result.total)
        self.table.on("request", self.on_request)
        self.search.on_value_change(self.on_search)
        self.status.on_value_change(self.on_status)
        self.sort.on_value_change(self.on_sort)

    @ui.refreshable_method
    def empty_state(self) -> None:
        """What to do when the list is empty: create the first project, or loosen the filters."""
        if self.total:
            return
        with ui.card().classes("w-full items-start gap-2").mark("no-projects"):
            if self.view.filtered:
                ui.label("No projects match these filters.").classes("text-lg")
                ui.label("Try other words or another status, or clear the filters.").classes("text-grey-8")
                ui.button("Clear filters", icon="filter_alt_off", on_click=self.clear_filters).props(
                    "outline"
                ).mark("clear-filters")
            elif self.may_create:
                ui.label("No projects yet.").classes("text-lg")
                ui.button("Create the first one", icon="add", on_click=open_new_dialog).mark("create-first")
            else:
                ui.label("No projects yet.").classes("text-lg")
                ui.label("Estimators create projects; they appear here as soon as they do.").classes(
                    "text-grey-8"
                )

    def show(self, total: int) -> None:
        self.count.text = f"{total} project{'s' if total != 1 else ''}"
        self.table.visible = total > 0
        self.export.visible = total > 0

    async def load(self, wanted: ListView) -> None:
        self.latest += 1
        ticket = self.latest
        self.view = wanted  # the next change builds on this one even before it answers
        self.table.props("loading")
        try:
            shown_view, result = await _fetch(wanted)
        finally:
            if ticket == self.latest:
                self.table.props(remove="loading")
        if ticket != self.latest:
            return
        self.view = shown_view
        self.table.rows = self.rows(result)
        self.table.pagination = shown_view.pagination(result.total)
        self.export.props(f'href="{shown_view.export_url()}"')
        self.total = result.total
        self.empty_state.refresh()
        self.show(result.total)
        ui.navigate.history.replace(shown_view.url())

    async def on_request(self, e: events.GenericEventArguments) -> None:
        wanted = self.view.with_pagination(e.args.get("pagination") or {})
        if wanted.per_page != self.view.per_page:
            preferences.set_per_page(self.actor.user_id, wanted.per_page)  # the next visit keeps it
        if wanted.sort != self.view.sort:
            self.sort.set_value(wanted.sort if wanted.sort in SORT_LABELS else None)
        await self.load(wanted)

    async def on_search(self, e: events.ValueChangeEventArguments) -> None:
        text, cleaned = clean_search(e.value)
        self.note.visible = cleaned
        if text != self.view.q:
            await self.load(replace(self.view, q=text, page=1))

    async def on_status(self, e: events.ValueChangeEventArguments) -> None:
        value = str(e.value or "")
        if value != self.view.status:
            await self.load(replace(self.view, status=value, page=1))

    async def on_sort(self, e: events.ValueChangeEventArguments) -> None:
        if e.value and e.value != self.view.sort:
            await self.load(self.view.with_sort(str(e.value)))

    async def clear_filters(self) -> None:
        wanted = replace(self.view, q="", status="", page=1)
        self.view = wanted  # so the two fields' change handlers find nothing to do
        self.search.set_value("")
        self.status.set_value("")
        await self.load(wanted)


# The list answers in time under load and keeps its client through a stalled websocket (pages.loading).
@ui.page(HOME, reconnect_timeout=loading.RECONNECT_TIMEOUT_S, response_timeout=loading.RESPONSE_TIMEOUT_S)
async def projects_page(request: Request) -> RedirectResponse | None:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    remembered = preferences.per_page(actor.user_id, PER_PAGE_OPTIONS, PER_PAGE_DEFAULT)
    asked = ListView.from_query(request.query_params, per_page=remembered)
    _, cleaned = clean_search(request.query_params.get("q"))
    with page_frame("Projects", actor):
        try:
            view, result = await loading.fetched(_fetch(asked), loading.table_skeleton)
        except loading.Gone:
            return None
        ProjectList(view, actor).render(result, cleaned=cleaned)
    if view.url() != request.url.path + (f"?{request.url.query}" if request.url.query else ""):
        # Say in the address bar what is shown: the page actually shown, the search actually run.
        ui.navigate.history.replace(view.url())
    return None


def open_new_dialog() -> None:
    """The New project dialog; built on demand and removed when closed. Enter or Ctrl/Cmd+S
    creates; while fields are filled in, leaving the page asks first."""
    with ui.dialog(value=True) as dialog, form_dialog(ui.card().classes("w-[36rem] max-w-full")) as card:
        dialog.mark("new-project-dialog")
        ui.label("New project").classes("text-lg font-bold")
        fields = ProjectFields(prefix="new")
        for element in fields.inputs.values():
            element.on_value_change(lambda: mark_unsaved(card, any(fields.values().values())))
        problem = ui.label("").classes("text-negative").mark("new-project-problem")
        problem.visible = False

        async def create() -> None:
            try:
                data = ProjectCreate(**fields.values())
            except ValidationError as exc:
                fields.show_errors(field_errors(exc))
                return
            fields.show_errors({})
            # Who is acting now, not who opened the list: a demotion or deactivation since counts.
            actor = await current_actor()
            if actor is None:
                await close_then(dialog, lambda: ui.navigate.to(login_url(HOME)))
                return
            try:
                project = await services().projects.create(actor, data, request_id=action_id())
            except DomainError as exc:
                errors = {f["field"]: f["message"] for f in exc.fields if f.get("field") in FIELD_LABELS}
                fields.show_errors(errors)
                problem.text = exc.message
                problem.visible = True
                return
            mark_unsaved(card, False)
            await close_then(dialog, lambda: ui.navigate.to(f"/projects/{project.project_id}"))

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props("flat").mark("new-cancel")
            # busy: spinner and disabled while it runs, so a double click creates one project.
            submit_button(ui.button("Create", icon="check", on_click=busy(create))).mark("new-create")
    delete_when_closed(dialog)
