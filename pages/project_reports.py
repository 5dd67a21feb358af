"""The project page's Reports card: generate the calculation report of the current saved design
revision, follow its job (progress, then the download link), the earlier reports with their
revision and date, and the project's recent jobs.

Live through the process's shared job feed (the project's jobs are one list in it), drawn by the
page's one timer, both stopped while the tab is hidden. One instance per page load.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import Client, background_tasks, ui

from domain.errors import DomainError
from domain.jobs.feed import FeedSnapshot
from domain.jobs.schemas import REPORT, SUBMIT_DISPATCH, JobListed, JobQuery, JobStatus
from domain.orm import utcnow
from domain.reports.schemas import ReportRef
from domain.users.roles import can_view_jobs
from domain.users.schemas import Actor
from pages.feed_follow import FeedFollow
from pages.jobs_view import STATUS_COLORS, STATUS_LABELS, job_duration, status_text_color
from pages.local_time import ask_browser_zone, remembered_zone, shown, zone_label
from pages.reports import report_href
from pages.session import current_actor, page_action, services

DRAW_SECONDS = 0.25
RECENT_JOBS = 5
REPORTS_LISTED = 10
ACTIVE = {JobStatus.queued, JobStatus.running, JobStatus.retrying}


def _size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"


class ReportsPanel:
    def __init__(self, actor: Actor, project_id: str, revision: int | None) -> None:
        self.actor = actor
        self.project_id = project_id
        self.revision = revision  # the current saved design revision; None: no design saved yet
        self.zone: ZoneInfo = remembered_zone()
        self.feed = services().job_feed
        self.following = FeedFollow(
            # Reports and submissions: the project's e-mail jobs are on the job monitor, not here.
            self.feed,
            lambda: JobQuery(project_id=self.project_id, kinds=(REPORT, SUBMIT_DISPATCH), limit=RECENT_JOBS),
            self.deliver,
        )
        self.jobs: list[JobListed] = []
        self.pending: list[JobListed] = []
        self.reports: list[ReportRef] = []
        self.fresh = False
        self.busy = False
        self.requested: str | None = None  # the job this page asked for
        self.requested_job: JobListed | None = None  # ...as requested, until the feed has it
        self.known_done: set[str] = set()  # succeeded jobs whose report is in ``self.reports``
        self.loaded = False  # skeleton lines until the reports are read (after the page is shown)
        # Told every change of the project's recent jobs (the submission card follows its dispatch).
        self.on_jobs: Callable[[list[JobListed]], Awaitable[None]] | None = None

    # --- layout -------------------------------------------------------------------------------
    def render(self) -> None:
        with ui.card().classes("w-full").mark("reports-card"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label("Calculation report").classes("text-lg font-bold")
                self.generate_button = ui.button(
                    "Generate report", icon="picture_as_pdf", on_click=self.generate
                ).mark("generate-report")
            self.body()
        self.timer = ui.timer(DRAW_SECONDS, self.draw)

    @ui.refreshable_method
    def body(self) -> None:
        self.sync_button()
        if not self.loaded:
            with ui.column().classes("w-full gap-2").mark("reports-loading"):
                ui.skeleton("text").classes("w-3/4")
                ui.skeleton("text").classes("w-1/2")
            return
        if self.revision is None:
            ui.label("Save a design first: a report is of a saved design revision.").classes(
                "text-sm text-grey-7"
            ).mark("report-needs-design")
        current = self.current_job()
        if current is not None:
            self.job_progress(current)
        ready = self.ready_job()
        if ready is not None and ready.result:
            with (
                ui.row()
                .classes("w-full items-center gap-2 bg-green-1 rounded p-2 no-wrap")
                .mark("report-ready")
            ):
                ui.icon("check_circle", color="green-8")
                ui.label(f"The report of revision {ready.revision} is ready.").classes("text-sm font-medium")
                ui.link(
                    "Download PDF", report_href(self.project_id, str(ready.result.get("sha256")))
                ).classes("text-sm font-medium ml-auto").mark("report-ready-download")
        if self.reports:
            ui.label("Reports").classes("text-sm text-grey-8 uppercase tracking-wide mt-2")
            with ui.column().classes("w-full gap-1").mark("report-list"):
                for ref in self.reports:
                    with ui.row().classes("w-full items-center justify-between no-wrap").mark("report"):
                        with ui.row().classes("items-center gap-2 no-wrap"):
                            ui.icon("description", color="grey-7")
                            ui.label(f"Revision {ref.revision}").classes("font-medium")
                            at = shown(ref.created_at, self.zone, utcnow())
                            ui.label(f"{at.text} · {_size(ref.size)}").classes("text-xs text-grey-7").tooltip(
                                at.exact
                            )
                        ui.link("Download PDF", report_href(ref.project_id, ref.sha256)).classes(
                            "text-sm"
                        ).mark("report-download")
        elif self.revision is not None and current is None:
            ui.label("No report yet.").classes("text-sm text-grey-7").mark("no-reports")
        if self.jobs:
            with ui.row().classes("w-full items-center justify-between mt-2"):
                ui.label("Jobs of this project").classes("text-sm text-grey-8 uppercase tracking-wide")
                if can_view_jobs(self.actor.role):
                    ui.link("All →", f"/jobs?project={self.project_id}").classes("text-xs").mark(
                        "project-jobs-link"
                    )
            now = utcnow()
            with ui.column().classes("w-full gap-1").mark("project-jobs"):
                for job in self.jobs:
                    self.job_line(job, now)
        ui.label(f"Times in {zone_label(self.zone)}").classes("text-[11px] text-grey-6")

    def job_progress(self, job: JobListed) -> None:
        with ui.column().classes("w-full gap-1 bg-blue-1 rounded p-2").mark("report-progress"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label(
                    f"Report of revision {job.revision}: {STATUS_LABELS[job.status.value].lower()}"
                ).classes("text-sm font-medium")
                ui.label(f"{job.progress}%").classes("text-sm").mark("report-percent")
            ui.linear_progress(value=job.progress / 100, show_value=False, size="10px").props("rounded")
            if job.message:
                ui.label(job.message).classes("text-xs text-grey-8")
            if job.error and job.status is JobStatus.retrying:
                ui.label(f"Retrying after: {job.error}").classes("text-xs text-amber-10")

    def job_line(self, job: JobListed, now: datetime) -> None:
        with ui.row().classes("w-full items-center gap-2 no-wrap text-sm").mark("project-job"):
            ui.badge(
                STATUS_LABELS[job.status.value],
                color=STATUS_COLORS[job.status.value],
                text_color=status_text_color(job.status.value),
            ).mark("project-job-status")
            what = "Submission" if job.kind == SUBMIT_DISPATCH else "Report"
            ui.label(f"{what}, rev {job.revision}").classes("whitespace-nowrap")
            at = shown(job.created_at, self.zone, now)
            ui.label(at.text).classes("text-xs text-grey-7 whitespace-nowrap").tooltip(at.exact)
            took = job_duration(job, now)
            if took:
                ui.label(took).classes("text-xs text-grey-7")
            if job.attempts > 1:
                ui.label(f"{job.attempts} attempts").classes("text-xs text-amber-10")
            if job.error and job.status is JobStatus.failed:
                ui.label(job.error).classes("text-xs text-red-8 ellipsis").tooltip(job.error)

    def ready_job(self) -> JobListed | None:
        """The job this page asked for, once it succeeded."""
        return next(
            (j for j in self.jobs if j.job_id == self.requested and j.status is JobStatus.succeeded), None
        )

    def current_job(self) -> JobListed | None:
        """The newest report job still waiting or running (or the one this page asked for)."""
        for job in self.jobs:
            if job.kind == REPORT and (job.status in ACTIVE):
                return job
        return None

    def sync_button(self) -> None:
        current = self.current_job()
        if self.revision is None:
            self.generate_button.text = "Generate report"
            self.generate_button.disable()
        elif current is not None and current.revision == self.revision:
            self.generate_button.text = "Generating…"
            self.generate_button.disable()
        else:
            self.generate_button.text = f"Generate report (revision {self.revision})"
            self.generate_button.enable()

    # --- following the feed ---------------------------------------------------------------------
    async def start(self) -> None:
        client = ui.context.client
        self.following.attach(self.timer, follow=False)
        await self.load_reports()
        self.loaded = True
        self.body.refresh()
        self.following.follow()
        background_tasks.create(self.learn_zone(client), name="reports-zone")

    def deliver(self, snapshot: FeedSnapshot) -> None:
        if snapshot.page is not None:
            self.pending = list(snapshot.page.items)
            self.fresh = True

    async def learn_zone(self, client: Client) -> None:
        zone = await ask_browser_zone(client)
        if zone.key != self.zone.key:
            self.zone = zone
            with client:
                self.body.refresh()

    async def draw(self) -> None:
        if not self.fresh:
            return
        self.fresh = False
        jobs = self.pending
        if self.requested_job is not None and all(j.job_id != self.requested_job.job_id for j in jobs):
            # A snapshot read before the request committed: keep showing the request meanwhile.
            jobs = [self.requested_job, *jobs][:RECENT_JOBS]
        else:
            self.requested_job = None
        if [_shown(j) for j in jobs] == [_shown(j) for j in self.jobs]:
            return
        done = {j.job_id for j in jobs if j.status is JobStatus.succeeded}
        self.jobs = jobs
        if self.on_jobs is not None:
            await self.on_jobs(jobs)
        if done - self.known_done:
            await self.load_reports()
            self.known_done |= done
        self.body.refresh()

    async def load_reports(self) -> None:
        self.reports = await services().reports.list(self.project_id, limit=REPORTS_LISTED)

    # --- actions ----------------------------------------------------------------------------------
    def design_saved(self, revision: int | None) -> None:
        self.revision = revision
        self.body.refresh()

    async def generate(self) -> None:
        with page_action("generate report"):
            await self._generate()

    async def _generate(self) -> None:
        if self.busy or self.revision is None:
            return
        self.busy = True
        self.generate_button.disable()
        try:
            actor = await current_actor()
            if actor is None:
                ui.notify("Your account is no longer active.", type="negative")
                return
            self.actor = actor
            revision = self.revision
            try:
                job = await services().jobs.request(
                    actor,
                    kind=REPORT,
                    project_id=self.project_id,
                    revision=revision,
                    payload={"project_id": self.project_id, "revision": revision},
                )
            except DomainError as exc:
                ui.notify(f"No report: {exc.message}", type="negative", multi_line=True)
                return
            self.requested = job.job_id
            self.requested_job = JobListed(**job.model_dump())
            ui.notify(f"Report of revision {revision} requested.", type="info")
            # Show it queued at once; the feed takes over from here.
            self.jobs = [self.requested_job, *[j for j in self.jobs if j.job_id != job.job_id]][:RECENT_JOBS]
            self.body.refresh()
            self.following.refresh_soon()
        finally:
            self.busy = False
            self.sync_button()


def _shown(job: JobListed) -> tuple[Any, ...]:
    return (job.job_id, job.status, job.progress, job.message, job.attempts, job.error, job.finished_at)
