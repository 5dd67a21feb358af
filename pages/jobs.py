"""/jobs: the live job monitor for ops, admins and managers.

At the top what needs attention first: the queue depth and the live workers (an alarm when none
is alive), then jobs per minute by status over the last hour, then the jobs themselves, newest
first, with their filters and page in the URL (``?kind=&status=&project=&page=&per_page=``).
Ops and admins retry and cancel from the table; the job service enforces who may, and the page
shows its refusal.

Live without reloading and without loading the database per tab: the page follows the process's
one :class:`~domain.jobs.feed.JobFeed` (one poll a second, shared by every tab). The feed hands
this tab a snapshot; the page's one timer draws the latest one. Hiding the tab (another tab in
front, a minimised window) stops the timer and leaves the feed; showing it again rejoins; closing
it leaves for good.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import Client, background_tasks, events, ui

from domain.errors import DomainError
from domain.jobs.feed import FeedSnapshot
from domain.jobs.schemas import KINDS
from domain.orm import utcnow
from domain.users.roles import can_manage_jobs, can_view_jobs
from domain.users.schemas import Actor
from pages.feed_follow import FeedFollow
from pages.jobs_view import (
    KIND_LABELS,
    STATUS_COLORS,
    STATUS_LABELS,
    STATUS_TEXT_COLORS,
    JobsView,
    job_row,
    per_minute_figure,
    worker_row,
)
from pages.listing import PER_PAGE_OPTIONS, last_page
from pages.local_time import ask_browser_zone, remembered_zone, zone_label
from pages.pm_circuit import PMCircuitCard
from pages.session import current_actor, login_url, services, to_login
from pages.shell import page_frame

# How often the page looks for a new snapshot (memory only; the feed polls once a second).
DRAW_SECONDS = 0.25

JOB_COLUMNS: list[dict[str, Any]] = [
    {"name": "kind", "label": "Job", "field": "kind", "align": "left"},
    {"name": "project", "label": "Project", "field": "project", "align": "left"},
    {"name": "status", "label": "Status", "field": "status", "align": "left"},
    {"name": "progress", "label": "Progress", "field": "progress", "align": "left"},
    {"name": "attempts", "label": "Attempts", "field": "attempts", "align": "center"},
    {"name": "created", "label": "Requested", "field": "created", "align": "left"},
    {"name": "duration", "label": "Duration", "field": "duration", "align": "right"},
    {"name": "worker", "label": "Worker", "field": "worker", "align": "left"},
    {"name": "error", "label": "Error", "field": "error", "align": "left"},
]
ACTIONS_COLUMN = {"name": "actions", "label": "", "field": "job_id", "align": "right"}
WORKER_COLUMNS: list[dict[str, Any]] = [
    {"name": "name", "label": "Worker", "field": "name", "align": "left"},
    {"name": "last_seen", "label": "Last heartbeat", "field": "last_seen", "align": "left"},
    {"name": "jobs_done", "label": "Jobs done", "field": "jobs_done", "align": "right"},
]


def status_chip_slot() -> str:
    colors = ", ".join(f"{k}: '{v}'" for k, v in STATUS_COLORS.items())
    texts = ", ".join(f"{k}: '{v}'" for k, v in STATUS_TEXT_COLORS.items())
    labels = ", ".join(f"{k}: '{v}'" for k, v in STATUS_LABELS.items())
    return (
        '<q-td :props="props">'
        f"<q-chip dense square :text-color=\"({{{texts}}})[props.value] || 'white'\" "
        f":color=\"({{{colors}}})[props.value] || 'grey-8'\" "
        'class="text-xs font-medium">'
        f"{{{{ ({{{labels}}})[props.value] || props.value }}}}</q-chip>"
        "</q-td>"
    )


KIND_SLOT = (
    '<q-td :props="props">'
    '<div class="font-medium">{{ props.value }}</div>'
    '<div class="text-xs text-grey-7 font-mono" :title="props.row.job_id">{{ props.row.short_id }}</div>'
    "</q-td>"
)
PROJECT_SLOT = (
    '<q-td :props="props">'
    '<template v-if="props.row.project_href">'
    '<a :href="props.row.project_href" class="text-primary font-medium hover:underline">{{ props.value }}</a>'
    '<span v-if="props.row.revision" class="text-xs text-grey-7"> · rev {{ props.row.revision }}</span>'
    '<a :href="props.row.project_filter" class="ml-1 text-grey-8" title="Only this project\'s jobs" '
    'aria-label="Only this project\'s jobs">'
    '<q-icon name="filter_alt" size="xs" /></a>'
    "</template>"
    "</q-td>"
)
PROGRESS_SLOT = (
    '<q-td :props="props" style="min-width: 9rem">'
    '<q-linear-progress :value="props.value / 100" size="16px" rounded track-color="grey-3" '
    ":color=\"props.row.status === 'failed' ? 'red-4' : (props.row.status === 'succeeded' ? 'green-6' : "
    "(props.row.status === 'cancelled' ? 'blue-grey-3' : 'blue-6'))\">"
    '<div class="absolute-full flex flex-center">'
    "<span class=\"text-[11px] font-medium\" :class=\"props.value > 45 ? 'text-white' : 'text-grey-9'\">"
    "{{ props.value }}%</span></div></q-linear-progress>"
    '<div class="text-[11px] text-grey-7 ellipsis" style="max-width: 12rem" :title="props.row.message">'
    "{{ props.row.message }}</div>"
    "</q-td>"
)
ERROR_SLOT = (
    '<q-td :props="props">'
    '<div class="text-xs text-red-9 ellipsis" style="max-width: 14rem" :title="props.value">'
    "{{ props.value }}</div>"
    "</q-td>"
)
WORKER_SLOT = '<q-td :props="props"><span class="font-mono text-xs">{{ props.value }}</span></q-td>'
ACTIONS_SLOT = (
    '<q-td :props="props" auto-width>'
    '<q-btn v-if="props.row.can_retry" dense flat no-caps size="sm" color="primary" icon="replay" '
    'label="Retry" @click="() => $parent.$emit(\'retry\', props.row.job_id)" />'
    '<q-btn v-if="props.row.can_cancel" dense flat no-caps size="sm" color="negative" icon="block" '
    'label="Cancel" @click="() => $parent.$emit(\'cancel\', props.row.job_id)" />'
    "</q-td>"
)
CREATED_SLOT = (
    '<q-td :props="props" class="whitespace-nowrap">'
    "<div>{{ props.value.slice(11) }}</div>"
    '<div class="text-[11px] text-grey-7">{{ props.value.slice(0, 10) }}</div>'
    "</q-td>"
)
HEARTBEAT_SLOT = (
    '<q-td :props="props">{{ props.value }} <span class="text-grey-7">({{ props.row.ago }})</span></q-td>'
)


class JobMonitor:
    """One tab's monitor: its view, its subscription to the feed, and what it shows."""

    def __init__(self, actor: Actor, view: JobsView) -> None:
        self.actor = actor
        self.view = view
        self.may_manage = can_manage_jobs(actor.role)
        self.zone = remembered_zone()
        self.feed = services().job_feed
        self.following = FeedFollow(self.feed, self.view.service_query, self.deliver)
        self.latest: FeedSnapshot | None = None
        self.fresh = False  # a snapshot arrived that is not drawn yet
        self.figure_data: Any = None
        self.project_name = ""

    # --- layout -----------------------------------------------------------------------------
    def render(self) -> None:
        with ui.row().classes("w-full items-end justify-between"):
            with ui.column().classes("gap-0"):
                ui.label("Jobs").classes("text-2xl font-bold")
                self.zone_note = ui.label("").classes("text-xs text-grey-7").mark("time-zone")
            self.updated = ui.label("Connecting…").classes("text-xs text-grey-7").mark("updated")
        self.alarm = (
            ui.element("div")
            .classes("w-full rounded-md bg-red-9 text-white px-4 py-3 flex items-center gap-3")
            .mark("no-worker-alarm")
        )
        with self.alarm:
            ui.icon("report", size="md")
            with ui.column().classes("gap-0"):
                ui.label("No worker is alive").classes("text-lg font-bold")
                ui.label(
                    "Jobs in the queue will not start until a worker runs (`python app.py worker`; "
                    "`make run` starts one and restarts it)."
                ).classes("text-sm")
        self.alarm.visible = False
        self.problem = (
            ui.label("").classes("w-full text-amber-10 bg-amber-1 px-3 py-2 rounded").mark("feed-problem")
        )
        self.problem.visible = False
        with ui.row().classes("w-full gap-4 items-stretch no-wrap max-md:flex-wrap"):
            with ui.card().classes("w-56 shrink-0 max-sm:w-full").mark("queue-card") as self.queue_card:
                ui.label("Queue depth").classes("text-sm text-grey-8 uppercase tracking-wide")
                self.depth = ui.label("–").classes("text-5xl font-bold leading-tight").mark("queue-depth")
                ui.label("jobs waiting for a worker").classes("text-xs text-grey-7")
            with (
                ui.card()
                .classes("flex-1 min-w-0 sm:min-w-[22rem] max-sm:basis-full")
                .mark("workers-card") as self.workers_card
            ):
                with ui.row().classes("w-full items-center justify-between"):
                    ui.label("Live workers").classes("text-sm text-grey-8 uppercase tracking-wide")
                    self.worker_count = ui.badge("–", color="grey-6").classes("text-sm").mark("worker-count")
                self.workers = (
                    ui.table(columns=WORKER_COLUMNS, rows=[], row_key="name")
                    .props("dense flat hide-bottom")
                    .classes("w-full")
                    .mark("workers-table")
                )
                self.workers.add_slot("body-cell-name", WORKER_SLOT)
                self.workers.add_slot("body-cell-last_seen", HEARTBEAT_SLOT)
                silence = int(self.feed.worker_max_age_seconds) if self.feed is not None else 0
                self.no_workers = ui.label(f"No worker heartbeat in the last {silence} s.").classes(
                    "text-sm text-red-8"
                )
                self.no_workers.visible = False
            self.pm = PMCircuitCard(self.zone)  # the PM system's circuit breaker (submissions)
            self.pm.render()
        with ui.card().classes("w-full"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label("Jobs per minute, last hour").classes("text-sm text-grey-8 uppercase tracking-wide")
                self.chart_note = ui.label("").classes("text-xs text-grey-7")
            self.chart = (
                ui.plotly({"data": [], "layout": {"height": 220}}).classes("w-full").mark("per-minute")
            )
        self.filters()
        columns = JOB_COLUMNS + ([ACTIONS_COLUMN] if self.may_manage else [])
        self.table = (
            ui.table(columns=columns, rows=[], row_key="job_id", pagination=self.view.pagination(0))
            .props("flat bordered dense")
            .classes("w-full")
            .mark("jobs-table")
        )
        self.table.props(f":rows-per-page-options='{list(PER_PAGE_OPTIONS)}'")
        self.table.add_slot("body-cell-kind", KIND_SLOT)
        self.table.add_slot("body-cell-project", PROJECT_SLOT)
        self.table.add_slot("body-cell-status", status_chip_slot())
        self.table.add_slot("body-cell-progress", PROGRESS_SLOT)
        self.table.add_slot("body-cell-error", ERROR_SLOT)
        self.table.add_slot("body-cell-created", CREATED_SLOT)
        self.table.add_slot("body-cell-worker", WORKER_SLOT)
        if self.may_manage:
            self.table.add_slot("body-cell-actions", ACTIONS_SLOT)
            self.table.on("retry", self.retry)
            self.table.on("cancel", self.cancel)
        self.table.on("request", self.on_request)
        self.table.props("loading")  # until the first snapshot arrives
        self.empty = ui.label("").classes("text-grey-8").mark("no-jobs")
        self.empty.visible = False
        self.timer = ui.timer(DRAW_SECONDS, self.draw)
        self.show_zone()

    def filters(self) -> None:
        with ui.row().classes("w-full items-end gap-4"):
            kinds = {"": "All kinds", **{k: KIND_LABELS.get(k, k) for k in KINDS}}
            ui.select(kinds, label="Kind", value=self.view.kind, on_change=self.on_kind).props(
                "outlined dense"
            ).classes("w-56").mark("kind-filter")
            statuses = {"": "All statuses", **STATUS_LABELS}
            ui.select(statuses, label="Status", value=self.view.status, on_change=self.on_status).props(
                "outlined dense"
            ).classes("w-48").mark("status-filter")
            self.project_chip = (
                ui.chip("", icon="folder", removable=True, on_click=None)
                .props("outline color=primary")
                .mark("project-filter")
            )
            self.project_chip.on("remove", self.clear_project)
            self.project_chip.visible = bool(self.view.project)
            self.count = ui.label("").classes("text-grey-8 ml-auto").mark("job-count")

    # --- following the feed -------------------------------------------------------------------
    def start(self) -> None:
        if self.feed is None:
            self.problem.text = "The job feed is not running in this server."
            self.problem.visible = True
        self.following.attach(self.timer)
        background_tasks.create(self.learn_zone(ui.context.client), name="jobs-zone")

    def deliver(self, snapshot: FeedSnapshot) -> None:
        """Called by the feed (outside this tab's context): keep the latest, the timer draws it."""
        self.latest = snapshot
        self.fresh = True

    async def learn_zone(self, client: Client) -> None:
        zone = await ask_browser_zone(client)
        if zone.key != self.zone.key:
            self.zone = self.pm.zone = zone
            self.figure_data = None
            self.fresh = self.latest is not None
        self.show_zone()

    def show_zone(self) -> None:
        self.zone_note.text = f"Times in {zone_label(self.zone)}"

    # --- drawing -------------------------------------------------------------------------------
    def draw(self) -> None:
        self.pm.tick()
        if not self.fresh or self.latest is None:
            return
        self.fresh = False
        snap = self.latest
        now = utcnow()
        self.problem.text = snap.error or ""
        self.problem.visible = bool(snap.error)
        self.updated.text = f"Live · updated {snap.read_at.astimezone(self.zone).strftime('%H:%M:%S')}"
        if snap.overview is not None:
            self.draw_overview(snap, now)
        if snap.page is not None:
            page = snap.page
            if not page.items and page.total and self.view.page > 1:
                self.change(replace(self.view, page=last_page(page.total, self.view.per_page)))
                return
            rows = [job_row(j, now=now, zone=self.zone, may_manage=self.may_manage) for j in page.items]
            if rows != self.table.rows:
                self.table.rows = rows
            pagination = self.view.pagination(page.total)
            if pagination != self.table.pagination:
                self.table.pagination = pagination
            self.count.text = f"{page.total} job{'s' if page.total != 1 else ''}"
            self.table.props(remove="loading")
            self.table.visible = page.total > 0
            self.empty.visible = page.total == 0
            filtered = bool(self.view.kind or self.view.status or self.view.project)
            self.empty.text = (
                "No jobs match these filters."
                if filtered
                else "No jobs yet: they appear when reports are requested."
            )
            if self.view.project and page.items and page.items[0].project_name:
                self.project_name = page.items[0].project_name
            self.project_chip.text = f"Project: {self.project_name or self.view.project[:8]}"

    def draw_overview(self, snap: FeedSnapshot, now: datetime) -> None:
        overview = snap.overview
        assert overview is not None
        alive = len(overview.workers)
        self.alarm.visible = alive == 0
        self.no_workers.visible = alive == 0
        self.workers.visible = alive > 0
        self.worker_count.text = f"{alive} alive"
        self.worker_count.props(f"color={'green-9' if alive else 'red-9'}")
        self.workers_card.classes(
            add="ring-2 ring-red-600" if not alive else "", remove="ring-2 ring-red-600" if alive else ""
        )
        self.workers.rows = [worker_row(w, now=now, zone=self.zone) for w in overview.workers]
        self.depth.text = str(overview.queue_depth)
        stuck = overview.queue_depth > 0 and not alive
        self.depth.classes(add="text-red-7" if stuck else "", remove="" if stuck else "text-red-7")
        figure = per_minute_figure(overview.per_minute, now=now, zone=self.zone)
        drawn = (figure["data"], figure["layout"]["annotations"])
        if drawn != self.figure_data:  # new bars (or the next minute): not every second
            self.figure_data = drawn
            self.chart.figure = figure
            self.chart.update()
        total = sum(c.count for c in overview.per_minute)
        self.chart_note.text = f"{total} job{'s' if total != 1 else ''} changed state in the last hour"

    # --- changing the view ---------------------------------------------------------------------
    def change(self, view: JobsView) -> None:
        if view == self.view:
            return
        self.view = view
        self.following.query = view.service_query
        self.table.pagination = view.pagination(0)
        self.project_chip.visible = bool(view.project)
        if not view.project:
            self.project_name = ""
        self.following.requery()
        ui.navigate.history.replace(view.url())

    def on_kind(self, e: events.ValueChangeEventArguments) -> None:
        self.change(replace(self.view, kind=str(e.value or ""), page=1))

    def on_status(self, e: events.ValueChangeEventArguments) -> None:
        self.change(replace(self.view, status=str(e.value or ""), page=1))

    def clear_project(self) -> None:
        self.change(replace(self.view, project="", page=1))

    def on_request(self, e: events.GenericEventArguments) -> None:
        self.change(self.view.with_pagination(e.args.get("pagination") or {}))

    # --- ops' actions --------------------------------------------------------------------------
    async def retry(self, e: events.GenericEventArguments) -> None:
        await self.act(str(e.args), "retry")

    async def cancel(self, e: events.GenericEventArguments) -> None:
        await self.act(str(e.args), "cancel")

    async def act(self, job_id: str, verb: str) -> None:
        # Who acts now, not who opened the page: a demotion since counts (the service re-checks).
        actor = await current_actor()
        if actor is None:
            ui.navigate.to(login_url("/jobs"))
            return
        jobs = services().jobs
        try:
            job = await (jobs.retry(actor, job_id) if verb == "retry" else jobs.cancel(actor, job_id))
        except DomainError as exc:
            ui.notify(f"Not done: {exc.message}", type="negative", multi_line=True)
            return
        ui.notify(
            "Queued again as a new attempt." if verb == "retry" else f"Cancelled ({job.kind}).",
            type="positive",
        )
        self.following.refresh_soon()


def not_allowed() -> None:
    with ui.card().classes("w-full items-start").mark("jobs-not-allowed"):
        ui.label("Jobs are for ops, managers and admins").classes("text-xl font-bold")
        ui.label("Your project's reports and their progress are on the project page.")


@ui.page("/jobs")
async def jobs_page(request: Request) -> RedirectResponse | None:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    view = JobsView.from_query(request.query_params)
    with page_frame("Jobs", actor, wide=True):
        if not can_view_jobs(actor.role):
            not_allowed()
            return None
        monitor = JobMonitor(actor, view)
        monitor.render()
        monitor.start()
    if view.url() != request.url.path + (f"?{request.url.query}" if request.url.query else ""):
        ui.navigate.history.replace(view.url())
    return None
