"""/projects: the project list (server-side paging and sorting, text and status filters) and the
New project dialog. ``/`` redirects here.

The view (``?q=&status=&page=&sort=&per_page=``) lives in the URL so it can be shared and
reloaded; every change of filter, page or sort rewrites the address bar in place.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui
from pydantic import ValidationError

from components.dialogs import close_then, delete_when_closed
from components.frame import frame
from components.project_fields import FIELD_LABELS, ProjectFields
from components.status import STATUS_LABELS, status_badge_slot
from components.timeline import format_time
from domain.errors import DomainError
from domain.paging import Page
from domain.projects.schemas import ProjectCreate, ProjectOut
from domain.users.roles import can_create_project
from pages.forms import field_errors
from pages.listing import COLUMNS, PER_PAGE_OPTIONS, ListView, clean_search, fetch_page
from pages.session import HOME, action_id, current_actor, login_url, services, sign_out, to_login

CLEANED_NOTE = "Control characters (such as tabs or NUL) were removed from the search text."


def _row(p: ProjectOut) -> dict[str, Any]:
    return {
        "project_id": p.project_id,
        "href": f"/projects/{p.project_id}",
        "name": p.name,
        "account_id": p.account_id,
        "customer": p.customer,
        "status": p.status.value,
        "owner": p.owner_email,
        "updated": format_time(p.updated_at),
        "created": format_time(p.created_at),
    }


NAME_SLOT = (
    '<q-td :props="props">'
    '<a :href="props.row.href" class="text-primary font-medium hover:underline">{{ props.value }}</a>'
    "</q-td>"
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

    def __init__(self, view: ListView) -> None:
        self.view = view
        self.latest = 0  # answers to superseded requests (fast typing) are dropped

    def render(self, result: Page[ProjectOut], *, may_create: bool, cleaned: bool) -> None:
        view = self.view
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("Projects").classes("text-2xl font-bold")
            if may_create:
                ui.button("New project", icon="add", on_click=open_new_dialog).mark("new-project")
        with ui.row().classes("w-full items-end gap-4"):
            self.search = (
                ui.input("Search", value=view.q, placeholder="Name, customer, account, address")
                .props("outlined dense clearable debounce=350")
                .classes("w-96")
                .mark("search")
            )
            status_options = {"": "All statuses", **STATUS_LABELS}
            status = (
                ui.select(status_options, label="Status", value=view.status)
                .props("outlined dense")
                .classes("w-48")
                .mark("status-filter")
            )
            self.count = ui.label("").classes("text-grey-8").mark("project-count")
        self.note = ui.label(CLEANED_NOTE).classes("text-amber-10").mark("search-note")
        self.note.visible = cleaned
        self.table = (
            ui.table(
                columns=COLUMNS,
                rows=[_row(p) for p in result.items],
                row_key="project_id",
                pagination=view.pagination(result.total),
            )
            .classes("w-full")
            .mark("projects-table")
        )
        self.table.props(f":rows-per-page-options='{list(PER_PAGE_OPTIONS)}'")
        self.table.add_slot("body-cell-name", NAME_SLOT)
        self.table.add_slot("body-cell-status", status_badge_slot())
        self.empty = ui.label("No projects match these filters.").classes("text-grey-7").mark("no-projects")
        self.show(result.total)
        self.table.on("request", self.on_request)
        self.search.on_value_change(self.on_search)
        status.on_value_change(self.on_status)

    def show(self, total: int) -> None:
        self.count.text = f"{total} project{'s' if total != 1 else ''}"
        self.empty.visible = total == 0
        self.table.visible = total > 0

    async def load(self, wanted: ListView) -> None:
        self.latest += 1
        ticket = self.latest
        self.view = wanted  # the next change builds on this one even before it answers
        shown, result = await _fetch(wanted)
        if ticket != self.latest:
            return
        self.view = shown
        self.table.rows = [_row(p) for p in result.items]
        self.table.pagination = shown.pagination(result.total)
        self.show(result.total)
        ui.navigate.history.replace(shown.url())

    async def on_request(self, e: events.GenericEventArguments) -> None:
        await self.load(self.view.with_pagination(e.args.get("pagination") or {}))

    async def on_search(self, e: events.ValueChangeEventArguments) -> None:
        text, cleaned = clean_search(e.value)
        self.note.visible = cleaned
        if text != self.view.q:
            await self.load(replace(self.view, q=text, page=1))

    async def on_status(self, e: events.ValueChangeEventArguments) -> None:
        value = str(e.value or "")
        if value != self.view.status:
            await self.load(replace(self.view, status=value, page=1))


@ui.page(HOME)
async def projects_page(request: Request) -> RedirectResponse | None:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    asked = ListView.from_query(request.query_params)
    _, cleaned = clean_search(request.query_params.get("q"))
    view, result = await _fetch(asked)
    with frame("Projects", user_email=actor.email, user_role=actor.role, on_logout=sign_out):
        ProjectList(view).render(result, may_create=can_create_project(actor.role), cleaned=cleaned)
    if view.url() != request.url.path + (f"?{request.url.query}" if request.url.query else ""):
        # Say in the address bar what is shown: the page actually shown, the search actually run.
        ui.navigate.history.replace(view.url())
    return None


def open_new_dialog() -> None:
    """The New project dialog; built on demand and removed when closed."""
    with ui.dialog(value=True) as dialog, ui.card().classes("w-[36rem] max-w-full"):
        dialog.mark("new-project-dialog")
        ui.label("New project").classes("text-lg font-bold")
        fields = ProjectFields(prefix="new")
        problem = ui.label("").classes("text-negative").mark("new-project-problem")
        problem.visible = False

        async def create() -> None:
            try:
                data = ProjectCreate(**fields.values())
            except ValidationError as exc:
                fields.show_errors(field_errors(exc))
                return
            fields.show_errors({})
            create_button.disable()  # a double click must not create the project twice
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
                create_button.enable()
                return
            await close_then(dialog, lambda: ui.navigate.to(f"/projects/{project.project_id}"))

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props("flat").mark("new-cancel")
            create_button = ui.button("Create", icon="check", on_click=create).mark("new-create")
    delete_when_closed(dialog)
