"""The project page's submission: the Submit button's confirmation dialog (naming the design
revision and the estimate total that will go), and the Submission card that follows the dispatch
to the PM system until its reference (or "recorded locally, not sent") is there.

No timer of its own: the page's Calculation report card follows the project's jobs through the
shared job feed and hands each change of them to :meth:`SubmissionPanel.jobs_changed`.
One instance per page load.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from nicegui import ui

from components.dialogs import close_then, delete_when_closed
from components.everyday import submit_button
from domain.designs.schemas import DesignSummary
from domain.errors import DomainError, NotFound, PreconditionFailed
from domain.idempotency.service import IdempotencyRequest
from domain.jobs.schemas import SUBMIT_DISPATCH, JobListed, JobStatus
from domain.projects.schemas import ProjectOut
from domain.users.schemas import Actor
from pages.local_time import local, remembered_zone
from pages.session import action_id, page_action, services

NOT_SENT = "Recorded locally, not sent"


def money(value: object) -> str:
    return f"${value:,.2f}" if isinstance(value, int | float) else "no estimate"


def design_line(design: DesignSummary) -> str:
    h = design.headline
    verdict = "passes every check" if h.get("pass") else "does not pass"
    return f"Design revision {design.revision}: {h.get('section')}, {verdict}"


def dispatch_chip(project: ProjectOut) -> None:
    """Beside the status badge: where the submission's dispatch stands."""
    shown = {
        "sent": (f"PM {project.pm_reference}", "check_circle", "green"),
        "recorded_locally": (NOT_SENT, "inventory_2", "amber"),
        "pending": ("Sending to PM…", "schedule_send", "blue"),
    }.get(project.pm_dispatch or "")
    if shown is not None:
        text, icon, color = shown
        ui.chip(text, icon=icon, color=f"{color}-1").props(f"text-color={color}-10 dense").mark(
            "pm-reference-chip"
        )


class SubmissionPanel:
    def __init__(
        self,
        project: Callable[[], ProjectOut],
        actor: Callable[[], Actor],
        signed_in: Callable[[], Awaitable[bool]],
        on_changed: Callable[[ProjectOut], Awaitable[None]],
        on_stale: Callable[[], Awaitable[None]],
        zone: Callable[[], ZoneInfo] = remembered_zone,
    ) -> None:
        self.project = project
        self.actor = actor
        self.signed_in = signed_in
        self.on_changed = on_changed  # the project changed (submitted, dispatched): redraw the page
        self.on_stale = on_stale  # someone changed it meanwhile: reload the page's state
        self.zone = zone  # the browser's zone, as the page last learnt it
        self.job: JobListed | None = None  # the newest dispatch job of the project
        self.busy = False

    # --- the card ----------------------------------------------------------------------------
    @ui.refreshable_method
    def render(self) -> None:
        p = self.project()
        if p.pm_dispatch is None:
            return
        with ui.card().classes("w-full").mark("submission-card"):
            ui.label("Submission").classes("text-lg font-bold")
            ui.label(f"Design revision {p.submitted_design_revision} was submitted.").classes("text-sm")
            if p.pm_dispatch == "sent":
                with ui.row().classes("w-full items-center gap-2 bg-green-1 rounded p-2 no-wrap"):
                    ui.icon("check_circle", color="green-8")
                    ui.label("PM reference").classes("text-sm")
                    ui.label(str(p.pm_reference)).classes("font-bold font-mono").mark("pm-reference")
                ui.label(f"Sent to the PM system {local(p.pm_dispatched_at, self.zone())}").classes(
                    "text-xs text-grey-7"
                )
            elif p.pm_dispatch == "recorded_locally":
                with ui.row().classes("w-full items-center gap-2 bg-amber-1 rounded p-2 no-wrap"):
                    ui.icon("inventory_2", color="amber-10")
                    ui.label(NOT_SENT).classes("font-bold text-amber-10").mark("pm-not-sent")
                ui.label(
                    "No PM system is configured (SIGNX_PM_URL): the submission was written on the server "
                    f"{local(p.pm_dispatched_at, self.zone())}, and nothing was sent."
                ).classes("text-xs text-grey-7")
            else:
                self.pending(self.job)

    def pending(self, job: JobListed | None) -> None:
        status = job.status if job is not None else JobStatus.queued
        if status is JobStatus.failed:
            with ui.column().classes("w-full gap-1 bg-red-1 rounded p-2").mark("pm-dispatch-failed"):
                ui.label("The dispatch to the PM system failed.").classes("text-sm font-bold text-red-9")
                if job is not None and job.error:
                    ui.label(job.error).classes("text-xs text-red-9 break-words")
                ui.label("Ops can retry it on the Jobs page once the cause is fixed.").classes("text-xs")
            return
        with ui.row().classes("w-full items-center gap-2 bg-blue-1 rounded p-2 no-wrap").mark("pm-pending"):
            ui.spinner(size="sm")
            what = "Waiting to retry" if status is JobStatus.retrying else "Sending to the PM system…"
            ui.label(what).classes("text-sm font-medium")
        if job is not None and job.status is JobStatus.retrying and job.error:
            ui.label(f"Last attempt: {job.error}").classes("text-xs text-amber-10 break-words")

    async def jobs_changed(self, jobs: list[JobListed]) -> None:
        """The project's recent jobs changed (the report card's feed): follow the dispatch."""
        newest = next((j for j in jobs if j.kind == SUBMIT_DISPATCH), None)
        if newest is None:
            return
        self.job = newest
        if newest.status is JobStatus.succeeded and self.project().pm_dispatch == "pending":
            await self.on_changed(await services().projects.get(self.project().project_id))
        else:
            self.render.refresh()

    # --- submitting --------------------------------------------------------------------------
    async def confirm(self) -> None:
        """Ask first, naming what goes: the latest saved design revision and its total."""
        if self.busy or not await self.signed_in():
            return
        p = self.project()
        designs = await services().designs.list(p.project_id, limit=1)
        if not designs.items:
            ui.notify("Save a design whose checks all pass before submitting.", type="warning")
            return
        design = designs.items[0]
        submissions = services().submissions
        assert submissions is not None
        local_only = submissions.pm_mode == "local"
        key = str(uuid.uuid4())  # one submit per dialog: a double click replays it
        with ui.dialog(value=True) as dialog, ui.card().classes("w-[32rem] max-w-full"):
            dialog.mark("submit-dialog")
            ui.label("Submit this project?").classes("text-lg font-bold")
            ui.label(f"{p.name} goes to the PM system with:").classes("text-sm")
            with ui.column().classes("w-full gap-1 bg-grey-2 rounded p-3"):
                ui.label(design_line(design)).classes("font-medium").mark("submit-revision")
                ui.label(f"Estimate total {money(design.headline.get('total'))}").classes("font-medium").mark(
                    "submit-total"
                )
            passes = bool(design.headline.get("pass"))
            if not passes:
                ui.label(
                    "This revision does not pass every check, so it cannot be submitted: fix the design "
                    "and save a revision that passes."
                ).classes("text-sm text-red-9").mark("submit-not-passing")
            elif local_only:
                ui.label(
                    "No PM system is configured: the submission will be recorded locally on the server, "
                    "not sent."
                ).classes("text-sm text-amber-10").mark("submit-local-note")
            else:
                ui.label(f"It is sent to {submissions.pm_target}.").classes("text-sm text-grey-8")
            ui.label("After submitting, a manager accepts or rejects it.").classes("text-xs text-grey-7")

            async def go() -> None:
                await close_then(dialog, lambda: self.submit(key, design.revision))

            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=dialog.close).props("flat").mark("submit-cancel")
                submit = submit_button(
                    ui.button(f"Submit revision {design.revision}", icon="send", on_click=go)
                )
                submit.mark("confirm-submit").set_enabled(passes)
        delete_when_closed(dialog)

    async def submit(self, key: str, revision: int) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            with page_action("submit project"):
                await self._submit(key, revision)
        finally:
            self.busy = False

    async def _submit(self, key: str, revision: int) -> None:
        if not await self.signed_in():
            return
        p = self.project()
        submissions = services().submissions
        assert submissions is not None
        try:
            outcome = await submissions.submit(
                self.actor(),
                p.project_id,
                if_match=p.etag,
                idempotency=IdempotencyRequest(f"page submit {p.project_id}", key),
                request_id=action_id(),
            )
        except PreconditionFailed:
            await self.on_stale()
            ui.notify(
                "Someone changed this project (or saved a design) meanwhile: nothing was submitted. The "
                "page now shows the current version; submit again if still wanted.",
                type="warning",
                multi_line=True,
            )
            return
        except NotFound:
            ui.notify("This project no longer exists.", type="negative")
            return
        except DomainError as exc:
            reasons = " ".join(str(r) for r in exc.details.get("reasons") or [])
            ui.notify(f"Not submitted: {exc.message} {reasons}".strip(), type="negative", multi_line=True)
            await self.on_stale()
            return
        out = outcome.value
        self.job = JobListed(**out.job.model_dump())
        await self.on_changed(out.project)
        where = "recording it locally" if submissions.pm_mode == "local" else "sending it to the PM system"
        ui.notify(f"Revision {revision} submitted; {where}.", type="positive")
