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

from components.frame import frame
from components.project_fields import FIELD_LABELS, ProjectFields
from components.status import STATUS_LABELS, status_badge_slot
from components.timeline import format_time
from domain.errors import DomainError
from domain.projects.schemas import ProjectCreate, ProjectOut
from domain.users.roles import can_create_project
from domain.users.schemas import Actor
from pages.forms import field_errors
from pages.listing import COLUMNS, PER_PAGE_OPTIONS, ListView
from pages.session import HOME, action_id, current_actor, services, sign_out, to_login


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


@ui.page(HOME)
async def projects_page(request: Request) -> RedirectResponse | None:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    svc = services()
    view = ListView.from_query(request.query_params)
    result = await svc.projects.search(view.service_query())
    if not result.items and result.total and view.page > 1:
        # A shared link to a page that no longer exists: show the last one instead.
        view = replace(view, page=max(1, -(-result.total // view.per_page)))
        result = await svc.projects.search(view.service_query())
    state = {"view": view}
    requests = {"latest": 0}  # answers to superseded requests (fast typing) are dropped

    with frame("Projects", user_email=actor.email, user_role=actor.role, on_logout=sign_out):
        with ui.row().classes("w-full items-center justify-between"):
            ui.label("Projects").classes("text-2xl font-bold")
            if can_create_project(actor.role):
                ui.button("New project", icon="add", on_click=lambda: open_new_dialog(actor)).mark(
                    "new-project"
                )
        with ui.row().classes("w-full items-end gap-4"):
            search = (
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
            count = ui.label("").classes("text-grey-8").mark("project-count")
        table = (
            ui.table(
                columns=COLUMNS,
                rows=[_row(p) for p in result.items],
                row_key="project_id",
                pagination=view.pagination(result.total),
            )
            .classes("w-full")
            .mark("projects-table")
        )
        table.props(f":rows-per-page-options='{list(PER_PAGE_OPTIONS)}'")
        table.add_slot("body-cell-name", NAME_SLOT)
        table.add_slot("body-cell-status", status_badge_slot())
        empty = ui.label("No projects match these filters.").classes("text-grey-7").mark("no-projects")

    def show(total: int) -> None:
        count.text = f"{total} project{'s' if total != 1 else ''}"
        empty.visible = total == 0
        table.visible = total > 0

    show(result.total)

    async def load(new_view: ListView) -> None:
        requests["latest"] += 1
        ticket = requests["latest"]
        state["view"] = new_view  # the next change builds on this one even before it answers
        page = await svc.projects.search(new_view.service_query())
        if not page.items and page.total and new_view.page > 1:
            new_view = replace(new_view, page=max(1, -(-page.total // new_view.per_page)))
            page = await svc.projects.search(new_view.service_query())
        if ticket != requests["latest"]:
            return
        state["view"] = new_view
        table.rows = [_row(p) for p in page.items]
        table.pagination = new_view.pagination(page.total)
        show(page.total)
        ui.navigate.history.replace(new_view.url())

    async def on_request(e: events.GenericEventArguments) -> None:
        await load(state["view"].with_pagination(e.args.get("pagination") or {}))

    async def on_search(e: events.ValueChangeEventArguments) -> None:
        text = str(e.value or "").strip()[:200]
        if text != state["view"].q:
            await load(replace(state["view"], q=text, page=1))

    async def on_status(e: events.ValueChangeEventArguments) -> None:
        value = str(e.value or "")
        if value != state["view"].status:
            await load(replace(state["view"], status=value, page=1))

    table.on("request", on_request)
    search.on_value_change(on_search)
    status.on_value_change(on_status)
    return None


def open_new_dialog(actor: Actor) -> None:
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
            try:
                project = await services().projects.create(actor, data, request_id=action_id())
            except DomainError as exc:
                errors = {f["field"]: f["message"] for f in exc.fields if f.get("field") in FIELD_LABELS}
                fields.show_errors(errors)
                problem.text = exc.message
                problem.visible = True
                create_button.enable()
                return
            dialog.close()
            ui.navigate.to(f"/projects/{project.project_id}")

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Cancel", on_click=dialog.close).props("flat").mark("new-cancel")
            create_button = ui.button("Create", icon="check", on_click=create).mark("new-create")

    def closed(e: events.ValueChangeEventArguments) -> None:
        if not e.value:
            dialog.delete()

    dialog.on_value_change(closed)
