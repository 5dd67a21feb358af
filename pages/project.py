"""/projects/{project_id}: overview form (saved with the ETag loaded with the page), status
transitions for the user's role, and the event timeline.

All state lives in one ``ProjectScreen`` per page load (never in module globals). Each action
calls one service verb (its own transaction) and re-renders from the DTO it returns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import events, ui
from pydantic import ValidationError

from components import chart
from components.conflict import ConflictRow, conflict_dialog
from components.dialogs import close_then, delete_when_closed
from components.everyday import busy, draft_field, forget_draft, keep_draft, on_draft, on_save
from components.project_fields import FIELD_LABELS, ProjectFields
from components.status import status_badge, status_label
from components.timeline import event_timeline
from components.when import time_label
from domain.designs.schemas import DesignRevisionOut, DesignSummary
from domain.errors import DomainError, NotFound, PreconditionFailed
from domain.orm import utcnow
from domain.paging import Page
from domain.projects.lifecycle import REASON_MAX_LENGTH, REASON_REQUIRED, Status, is_read_only, targets_for
from domain.projects.schemas import EDITABLE_FIELDS, EventOut, ProjectOut, ProjectUpdate
from domain.users.roles import can_edit_project
from domain.users.schemas import Actor
from pages import loading
from pages.designer import REVISIONS_PAGE, DesignEditor
from pages.exports import history_href
from pages.forms import field_errors
from pages.local_time import remembered_zone, shown
from pages.project_files import FilesPanel
from pages.project_reports import ReportsPanel
from pages.project_submission import SubmissionPanel, dispatch_chip
from pages.session import HOME, action_id, current_actor, login_url, page_action, services, to_login
from pages.shell import page_frame

EVENTS_PAGE = 20

TRANSITION_LABELS: dict[tuple[Status, Status], str] = {
    (Status.draft, Status.estimating): "Start estimating",
    (Status.estimating, Status.submitted): "Submit",
    (Status.estimating, Status.draft): "Back to draft",
    (Status.submitted, Status.accepted): "Accept",
    (Status.submitted, Status.rejected): "Reject",
    (Status.rejected, Status.draft): "Reopen",
}
TRANSITION_COLORS = {Status.accepted: "positive", Status.rejected: "negative"}


def _text(values: dict[str, Any]) -> dict[str, str]:
    return {k: "" if values.get(k) is None else str(values[k]) for k in EDITABLE_FIELDS}


DRAFT_VALUE_MAX = 20_000  # far above any field's limit: the schema refuses what is too long at save


@dataclass(frozen=True)
class OverviewDraft:
    """What the browser kept of the overview form (``everyday.js``, "drafts"): the ETag and the values
    the edits were made on, and the fields changed from them."""

    etag: str
    base: dict[str, str]
    changes: dict[str, str]


def read_draft(raw: Any) -> OverviewDraft | None:
    """The browser's draft, checked like any input (it comes from the browser and may be stale,
    hand-edited or of an older shape); None when it is not one."""
    if not isinstance(raw, dict):
        return None
    etag, base, values = raw.get("etag"), raw.get("base"), raw.get("values")
    if not isinstance(etag, str) or not etag or len(etag) > 200:
        return None
    if not isinstance(base, dict) or not isinstance(values, dict):
        return None

    def text(value: Any) -> str | None:
        return value if isinstance(value, str) and len(value) <= DRAFT_VALUE_MAX else None

    based = {field: text(base.get(field, "")) for field in EDITABLE_FIELDS}
    typed = {field: text(values[field]) for field in EDITABLE_FIELDS if field in values}
    if any(v is None for v in based.values()) or any(v is None for v in typed.values()):
        return None
    clean_base = {k: v for k, v in based.items() if v is not None}
    changes = {k: v for k, v in typed.items() if v is not None and v != clean_base[k]}
    return OverviewDraft(etag, clean_base, changes)


class ProjectScreen:
    def __init__(
        self,
        actor: Actor,
        project: ProjectOut,
        events: list[EventOut],
        events_total: int,
        latest_design: DesignRevisionOut | None = None,
    ) -> None:
        self.actor = actor
        self.project = project
        self.events = events
        self.events_total = events_total
        self.fields: ProjectFields | None = None
        self.form: ui.card | None = None
        # A draft restored after a reload: the version and the values its edits were made on. Saving
        # sends that ETag, so a change by someone else since shows the conflict dialog.
        self.draft_etag: str | None = None
        self.draft_base: dict[str, str] | None = None
        self.restored = ""  # the note shown while a restored draft is unsaved
        self.restoring: dict[str, str] | None = None  # the values the next overview render starts with
        self.zone = remembered_zone()
        self.root: ui.element  # the page layout, set by render(): outlives every refresh
        self.busy = False  # one save or move at a time: a double click must not send twice
        self.tabs: ui.tabs
        self.overview_tab: ui.tab
        self.designer = DesignEditor(
            project=lambda: self.project,
            editable=lambda: self.editable,
            signed_in=self.still_signed_in,
            actor=lambda: self.actor,
            on_saved=self.design_saved,
            latest=latest_design,
        )
        self.reports = ReportsPanel(
            actor, project.project_id, latest_design.revision if latest_design else None
        )
        self.submission = SubmissionPanel(
            project=lambda: self.project,
            actor=lambda: self.actor,
            signed_in=self.still_signed_in,
            on_changed=self.submission_changed,
            on_stale=self.reload,
            zone=lambda: self.reports.zone,
        )
        # The report card follows the project's jobs; the submission card follows its dispatch in them.
        self.reports.on_jobs = self.submission.jobs_changed
        self.files = FilesPanel(actor, lambda: self.project)

    # --- what the user may do -------------------------------------------------------------
    @property
    def owns_or_manages(self) -> bool:
        return can_edit_project(self.actor.role, user_id=self.actor.user_id, owner_id=self.project.owner_id)

    @property
    def editable(self) -> bool:
        return self.owns_or_manages and not is_read_only(self.project.status)

    def targets(self) -> tuple[Status, ...]:
        return targets_for(self.project.status, self.actor.role, may_edit=self.owns_or_manages)

    @property
    def base(self) -> dict[str, str]:
        """The values this page loaded; edits are measured against them."""
        return _text(self.project.editable())

    @property
    def edits_etag(self) -> str:
        """The version the form's edits build on: the restored draft's, else the loaded one."""
        return self.draft_etag or self.project.etag

    @property
    def edits_base(self) -> dict[str, str]:
        """The values the form's edits build on (see ``edits_etag``)."""
        return self.draft_base if self.draft_base is not None else self.base

    @property
    def draft_key(self) -> str:
        return f"project:{self.actor.user_id}:{self.project.project_id}"

    def my_changes(self) -> dict[str, str]:
        if self.fields is None or not self.editable:
            return {}
        return {k: v for k, v in self.fields.values().items() if v != self.base[k]}

    # --- rendering ------------------------------------------------------------------------
    def render(self) -> None:
        self.root = ui.context.client.layout
        # Leaving with unsaved edits (a link, reload, closing the tab) asks first: a tab whose form
        # has them carries ``data-unsaved`` (components/everyday.js). Ctrl/Cmd+S saves the open tab.
        on_save(self.save_open_tab)
        # What was typed in the overview form and not saved comes back after a reload (everyday.js).
        on_draft(self.restore_draft)
        self.summary()
        with ui.tabs().classes("w-full") as tabs:
            overview = self.overview_tab = ui.tab("Overview").mark("tab-overview")
            design = ui.tab("Design").mark("tab-design")
            estimate = ui.tab("Estimate").mark("tab-estimate")
            revisions = ui.tab("Revisions").mark("tab-revisions")
            files = ui.tab("Files").mark("tab-files")
        self.tabs = tabs
        self.designer.on_unsaved = lambda unsaved: _alert(design, unsaved)
        _alert(design, self.designer.unsaved)
        with ui.tab_panels(tabs, value=overview).classes("w-full"):
            with (
                ui.tab_panel(overview),
                ui.row().classes("w-full items-start gap-6 no-wrap max-md:flex-wrap"),
            ):
                with ui.column().classes("flex-[3] min-w-0 sm:min-w-[20rem] max-sm:basis-full"):
                    self.overview()
                with ui.column().classes("flex-[2] min-w-0 sm:min-w-[18rem] max-sm:basis-full"):
                    self.submission.render()
                    self.reports.render()
                    self.timeline()
            with ui.tab_panel(design):
                self.designer.render_design()
            with ui.tab_panel(estimate):
                self.designer.render_estimate()
            with ui.tab_panel(revisions):
                self.designer.revisions_view()
            with ui.tab_panel(files):
                self.files.render()

    @ui.refreshable_method
    def summary(self) -> None:
        p = self.project
        ui.page_title(f"{p.name} · SignX Studio")
        with ui.row().classes("w-full items-center justify-between"):
            with ui.column().classes("gap-1"):
                ui.link("← Projects", HOME).classes("text-sm no-underline").mark("back-to-projects")
                with ui.row().classes("items-center gap-3"):
                    ui.label(p.name).classes("text-2xl font-bold").mark("project-name")
                    status_badge(p.status.value)
                    dispatch_chip(p)
                updated = shown(p.updated_at, self.zone, utcnow())
                with ui.row().classes("items-baseline gap-1 text-sm text-grey-8").mark("project-meta"):
                    ui.label(f"Account {p.account_id} · owner {p.owner_email} · updated")
                    time_label(updated.text, updated.exact, updated.iso).mark("project-updated")
                    ui.label(f"· revision {p.revision}")
            with ui.row().classes("gap-2").mark("transitions"):
                for target in self.targets():
                    label = TRANSITION_LABELS.get((p.status, target), f"Move to {status_label(target)}")
                    # Submitting asks first, naming the design revision and the total that go.
                    ui.button(label, on_click=busy(self.action(target))).props(
                        f"color={TRANSITION_COLORS.get(target, 'primary')}"
                    ).mark(f"to-{target.value}")

    @ui.refreshable_method
    def overview(self) -> None:
        p = self.project
        with ui.card().classes("w-full") as form:
            self.form = form
            ui.label("Overview").classes("text-lg font-bold")
            self.draft_note()
            if is_read_only(p.status):
                ui.label(f"This project is {p.status.value} and read-only.").classes("text-amber-9").mark(
                    "read-only-note"
                )
            elif not self.owns_or_manages:
                ui.label("You can view this project. Only its owner or a manager can edit it.").classes(
                    "text-amber-9"
                ).mark("read-only-note")
            values = self.restoring if self.restoring is not None else p.editable()
            self.restoring = None
            self.fields = ProjectFields(values, prefix="edit", enabled=self.editable)
            for field, element in self.fields.inputs.items():
                element.on_value_change(lambda _: self.sync_unsaved())
                draft_field(element, field)
            if self.editable:
                keep_draft(form, self.draft_key, etag=self.edits_etag, base=self.edits_base)
                with ui.row().classes("gap-2"):
                    ui.button("Save", icon="save", on_click=busy(self.save)).mark("save")
                    ui.button("Discard changes", on_click=self.discard).props("flat").mark("discard")

    @ui.refreshable_method
    def draft_note(self) -> None:
        if not self.restored:
            return
        with (
            ui.row()
            .classes("w-full items-center gap-2 no-wrap bg-amber-1 text-grey-10 rounded p-2")
            .props('role="status"')
            .mark("overview-draft-restored")
        ):
            ui.icon("restore").classes("text-amber-9 text-xl shrink-0")
            ui.label(self.restored).classes("text-sm")
            ui.space()
            ui.button("Discard", on_click=self.discard).props("flat dense color=negative").classes(
                "shrink-0"
            ).mark("overview-draft-discard")

    @ui.refreshable_method
    def timeline(self) -> None:
        with ui.card().classes("w-full"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label("History").classes("text-lg font-bold")
                with ui.row().classes("items-center gap-3"):
                    ui.label(f"{len(self.events)} of {self.events_total} events").classes(
                        "text-sm text-grey-8"
                    ).mark("event-count")
                    ui.link("Export CSV", history_href(self.project.project_id)).props("download").classes(
                        "text-sm"
                    ).mark("history-export")
            now = utcnow()

            def when(moment: Any) -> tuple[str, str]:
                at = shown(moment, self.zone, now)
                return at.text, at.exact

            event_timeline([e.model_dump() for e in self.events], when)
            if len(self.events) < self.events_total:
                ui.button("Load more", on_click=busy(self.load_more)).props("flat").mark("load-more")

    def refresh_all(self) -> None:
        self.summary.refresh()
        self.overview.refresh()
        self.timeline.refresh()
        self.submission.render.refresh()

    async def design_saved(self, project: ProjectOut) -> None:
        """A design save changed the project (its ETag and history). The overview form keeps what
        is typed in it: the save changed none of its fields, so the typed edits now build on the
        new ETag (a draft restored from before a reload keeps its own)."""
        self.project = project
        await self.reload_events()
        self.summary.refresh()
        self.timeline.refresh()
        self.submission.render.refresh()
        if self.editable and self.form is not None:
            keep_draft(self.form, self.draft_key, etag=self.edits_etag, base=self.edits_base)
        designs = await services().designs.list(project.project_id, limit=1)
        self.reports.design_saved(designs.items[0].revision if designs.items else None)

    def action(self, target: Status) -> Callable[[], Awaitable[None]]:
        """A status button's action; submitting asks first, naming the revision and total that go."""
        if target is Status.submitted:
            return self.start_submit
        return lambda: self.move(target)

    async def submission_changed(self, project: ProjectOut) -> None:
        """Submitted, or its dispatch done: the header, the submission card and the history. The
        form keeps what is typed in it (a dispatch changes none of its fields, only the ETag)."""
        self.project = project
        await self.reload_events()
        self.summary.refresh()
        self.timeline.refresh()
        self.submission.render.refresh()

    async def start_submit(self) -> None:
        if self.my_changes():
            ui.notify("Save or discard your changes before submitting.", type="warning")
            return
        with self.root:
            await self.submission.confirm()

    # --- data -----------------------------------------------------------------------------
    async def reload_events(self) -> None:
        page = await services().projects.events(
            self.project.project_id, limit=max(EVENTS_PAGE, len(self.events))
        )
        self.events, self.events_total = list(page.items), page.total

    async def reload(self) -> None:
        self.project = await services().projects.get(self.project.project_id)
        await self.reload_events()
        self.refresh_all()

    async def load_more(self) -> None:
        page = await services().projects.events(
            self.project.project_id, limit=EVENTS_PAGE, offset=len(self.events)
        )
        seen = {e.event_id for e in self.events}
        self.events += [e for e in page.items if e.event_id not in seen]
        self.events_total = page.total
        self.timeline.refresh()

    # --- drafts ---------------------------------------------------------------------------
    async def restore_draft(self, key: str, raw: Any) -> None:
        """The browser kept edits of this form from before a reload (or a lost connection): put them
        back over the current values, unsaved, with a note. Saving sends the ETag they were made on,
        so a change made by someone else meanwhile shows the conflict dialog."""
        if key != self.draft_key or self.fields is None or self.form is None:
            return
        draft = read_draft(raw)
        if draft is None or not draft.changes:
            with self.root:
                forget_draft(key)
            return
        if not self.editable:
            with self.root:
                ui.notify(
                    "Unsaved changes from before the reload were not restored: this project can no longer "
                    "be edited here.",
                    type="warning",
                    multi_line=True,
                )
                forget_draft(key)
            return
        self.draft_etag, self.draft_base = draft.etag, draft.base
        self.restored = "Unsaved changes from before the reload were restored."
        if draft.etag != self.project.etag:
            self.restored += " The project was changed since; saving shows both versions."
        # The form is built anew with the restored values as its fields' values, as a page load with
        # them would build it: a field that was empty starts filled, its label floated from the first
        # frame. (Setting them on the fields shown floats each such label only then, and Quasar glides
        # it up from where it rested, across the text already drawn.) The note and the draft's ETag
        # and base come with the new form.
        self.restoring = {**self.fields.values(), **draft.changes}
        await self.overview.refresh()
        self.sync_unsaved()

    def drop_draft(self) -> None:
        """The form's edits were saved or discarded: the browser's draft and the note go, and new
        edits build on the version shown."""
        self.draft_etag = self.draft_base = None
        if self.form is not None and self.editable:
            keep_draft(self.form, self.draft_key, etag=self.project.etag, base=self.base)
        with self.root:
            forget_draft(self.draft_key)
        if self.restored:
            self.restored = ""
            self.draft_note.refresh()

    # --- actions --------------------------------------------------------------------------
    def discard(self) -> None:
        if self.fields is not None:
            self.fields.set_values(self.base)
        self.drop_draft()
        self.sync_unsaved()

    def sync_unsaved(self) -> None:
        """The Overview tab shows (and the leave warning knows) when its form has unsaved edits."""
        _alert(self.overview_tab, bool(self.my_changes()))

    async def save_open_tab(self) -> None:
        """Ctrl/Cmd+S saves the form of the open tab: the design (Design, Estimate) or the overview."""
        tab = self.tabs.value
        name = tab if isinstance(tab, str) else getattr(tab, "_props", {}).get("name")
        if name in ("Design", "Estimate"):
            if self.designer.editable():
                await self.designer.save()
        elif name == "Overview" and self.editable:
            await self.save()

    # A click handler runs in the slot of the clicked button; the refresh after a save or a move
    # deletes that button, so the handlers continue (toasts, dialogs, navigation) in ``self.root``.

    async def save(self) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            with self.root, page_action("save project"):
                await self._save()
        finally:
            self.busy = False

    async def _save(self) -> None:
        changes = self.my_changes()
        if not changes:
            ui.notify("Nothing to save: no field was changed.")
            return
        assert self.fields is not None
        try:
            update = ProjectUpdate(**changes)
        except ValidationError as exc:
            self.fields.show_errors(field_errors(exc))
            return
        self.fields.show_errors({})
        # The schema's normal form (trimmed), so the comparison with their values is fair.
        normal = {k: str(v) for k, v in update.model_dump(exclude_unset=True).items()}
        await self.write(normal, etag=self.edits_etag)

    async def still_signed_in(self) -> bool:
        """Re-read who is acting before a change: a page open since before a demotion or a
        deactivation must not keep the powers it was loaded with."""
        actor = await current_actor()
        if actor is None:
            ui.notify("Your account is no longer active.", type="negative")
            ui.navigate.to(login_url(f"/projects/{self.project.project_id}"))
            return False
        self.actor = actor
        return True

    async def write(self, changes: dict[str, str], *, etag: str) -> None:
        if not await self.still_signed_in():
            return
        try:
            saved = await services().projects.update(
                self.actor,
                self.project.project_id,
                ProjectUpdate(**changes),
                if_match=etag,
                request_id=action_id(),
            )
        except PreconditionFailed:
            await self.conflict(changes)
            return
        except NotFound:
            ui.notify("This project no longer exists; your changes were not saved.", type="negative")
            return
        except DomainError as exc:
            # Read-only meanwhile, or no longer allowed: keep the typed values on screen.
            if self.fields is not None:
                self.fields.show_errors({f["field"]: f["message"] for f in exc.fields if "field" in f})
            ui.notify(f"Not saved: {exc.message}", type="negative", multi_line=True)
            return
        self.project = saved
        # Said at once (the toast goes out while the history is read); then only what a save
        # changes is redrawn: the form's values in place (trimmed as stored), the header, the
        # history. Rebuilding the whole page (the form, the submission card) made the person wait
        # for hundreds of elements to mount again, and a header rebuilt in the toast's message
        # delayed the toast.
        ui.notify("Saved.", type="positive")
        if self.fields is not None:
            self.fields.set_values(self.base)
        self.drop_draft()
        self.sync_unsaved()  # the form is clean
        await self.reload_events()
        self.summary.refresh()
        self.timeline.refresh()

    async def conflict(self, changes: dict[str, str]) -> None:
        """Someone saved since this page loaded: show both versions and let the person choose."""
        svc = services()
        theirs = await svc.projects.get(self.project.project_id)
        latest = await svc.projects.events(self.project.project_id, limit=1)
        # Measured from what the edits were made on: a restored draft may be older than the page.
        their_values, base = _text(theirs.editable()), self.edits_base
        rows = []
        for field, label in FIELD_LABELS.items():
            if field in changes:
                if changes[field] != their_values[field]:
                    rows.append(ConflictRow(label, their_values[field], changes[field]))
            elif their_values[field] != base[field]:
                rows.append(ConflictRow(label, their_values[field], None))
        if not rows:
            # Their change touched nothing this form shows differently (e.g. only the status):
            # saving only the fields changed here over it loses nobody's work.
            await self.write(changes, etag=theirs.etag)
            return
        by = latest.items[0].actor if latest.items else "Someone"
        conflict_dialog(
            rows,
            changed_by=by,
            on_keep_theirs=self.keep_theirs,
            on_overwrite=lambda: self.write(changes, etag=theirs.etag),
        )

    async def keep_theirs(self) -> None:
        self.drop_draft()
        await self.reload()
        ui.notify("Kept their version; your changes were discarded.")

    async def move(self, target: Status, reason: str | None = None) -> None:
        if self.busy:
            return
        if target in REASON_REQUIRED and reason is None:
            with self.root:
                self.ask_reason(target)
            return
        self.busy = True
        try:
            with self.root, page_action(f"move project to {target.value}", kind="move project"):
                await self._move(target, reason)
        finally:
            self.busy = False

    def ask_reason(self, target: Status) -> None:
        """A move that must say why (reject): the reason goes to the owner by e-mail and into the
        history. The dialog stays open until a reason is given or the person cancels."""
        if self.my_changes():
            ui.notify("Save or discard your changes before changing the status.", type="warning")
            return
        p = self.project
        label = TRANSITION_LABELS.get((p.status, target), f"Move to {status_label(target)}")
        with ui.dialog(value=True) as dialog, ui.card().classes("w-[34rem] max-w-full"):
            dialog.mark("reason-dialog")
            ui.label(f"{label} “{p.name}”?").classes("text-lg font-bold").mark("reason-title")
            ui.label(
                f"Say why. The owner ({p.owner_email}) is e-mailed the reason, and it stays in the "
                "project's history."
            ).classes("text-sm text-grey-8")
            reason = (
                ui.textarea("Reason", placeholder="e.g. The footing is too shallow for the frost line.")
                .props(f"outlined autogrow counter maxlength={REASON_MAX_LENGTH}")
                .classes("w-full")
                .mark("reason")
            )
            problem = ui.label("Give a reason: the owner is told it.").classes("text-sm text-negative")
            problem.mark("reason-problem").set_visibility(False)

            def typed(e: events.ValueChangeEventArguments) -> None:
                if str(e.value or "").strip() and problem.visible:
                    reason.props(remove="error")
                    problem.set_visibility(False)

            reason.on_value_change(typed)

            async def confirm() -> None:
                text = (reason.value or "").strip()
                if not text:
                    reason.props("error")
                    problem.set_visibility(True)
                    return
                await close_then(dialog, lambda: self.move(target, text))

            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Cancel", on_click=dialog.close).props("flat").mark("reason-cancel")
                ui.button(label, on_click=confirm).props(
                    f"color={TRANSITION_COLORS.get(target, 'primary')}"
                ).mark("reason-ok")
        delete_when_closed(dialog)

    async def _move(self, target: Status, reason: str | None = None) -> None:
        if self.my_changes():
            ui.notify("Save or discard your changes before changing the status.", type="warning")
            return
        if not await self.still_signed_in():
            return
        try:
            moved = await services().projects.transition(
                self.actor,
                self.project.project_id,
                target,
                if_match=self.project.etag,
                reason=reason,
                request_id=action_id(),
            )
        except PreconditionFailed:
            await self.reload()
            ui.notify(
                "Someone else changed this project meanwhile. The page now shows the current version; "
                "try again if still needed.",
                type="warning",
                multi_line=True,
            )
            return
        except NotFound:
            ui.notify("This project no longer exists.", type="negative")
            return
        except DomainError as exc:
            # A guard's refusal (no passing design yet) lists what to fix; the move itself is allowed.
            allowed = [] if exc.details.get("reason") == "guard_failed" else exc.details.get("allowed") or []
            hint = f" Allowed now: {', '.join(status_label(str(a)) for a in allowed)}." if allowed else ""
            reasons = exc.details.get("reasons") or []
            detail = f" {' '.join(str(r) for r in reasons)}" if reasons else ""
            ui.notify(f"{exc.message}{detail}{hint}", type="negative", multi_line=True)
            await self.reload()
            return
        was_editable = self.editable
        self.project = moved
        # Said at once, with the header's new badge and buttons (alone in the first update the
        # browser gets); then the submission card and the history. The Overview form is rebuilt
        # only when the move changed whether it can be edited (accepted or rejected): mounting its
        # fields again was most of what the browser did after a move.
        ui.notify(f"The project is now {status_label(moved.status.value).lower()}.", type="positive")
        self.summary.refresh()
        await self.reload_events()
        self.submission.render.refresh()
        if self.editable != was_editable:
            self.overview.refresh()
        self.timeline.refresh()
        self.files.project_changed()  # accepted or rejected: no more adding or deleting


def _alert(tab: ui.tab, unsaved: bool) -> None:
    """A dot on the tab while its form has unsaved changes; ``data-unsaved`` arms the leave warning."""
    if unsaved:
        tab.props("alert=warning data-unsaved")
    else:
        tab.props(remove="alert data-unsaved")


def not_found(project_id: str) -> None:
    with ui.card().classes("w-full items-start").mark("not-found"):
        ui.label("Project not found").classes("text-2xl font-bold")
        ui.label(
            f"There is no project with the id “{project_id}”. It may have been removed, or the link is "
            "incomplete."
        )
        ui.link("Back to projects", HOME)


async def _load(
    project_id: str,
) -> tuple[ProjectOut, Page[EventOut], Page[DesignSummary], DesignRevisionOut | None]:
    """What the page shows first: the project, its latest events, its design revisions (the
    Revisions tab's list, newest first, also names the latest design: one read for both)."""
    svc = services()
    project = await svc.projects.get(project_id)
    events = await svc.projects.events(project_id, limit=EVENTS_PAGE)
    revisions = await svc.designs.list(project_id, limit=REVISIONS_PAGE)
    latest = await svc.designs.get(project_id, revisions.items[0].revision) if revisions.items else None
    return project, events, revisions, latest


# A designer tab busy drawing on a slow machine, or a server under load, can miss the websocket's pings
# for a few seconds: the client is kept (pages.loading) so the tab reconnects where it was, with what
# was typed, instead of reloading the page. A slow database no longer holds the response either.
@ui.page(
    "/projects/{project_id}",
    reconnect_timeout=loading.RECONNECT_TIMEOUT_S,
    response_timeout=loading.RESPONSE_TIMEOUT_S,
)
async def project_page(request: Request, project_id: str) -> RedirectResponse | None:
    actor = await current_actor()
    if actor is None:
        return to_login(request)
    with page_frame("Project", actor):
        chart.preload()  # the Design and Estimate tabs' charts draw at once when opened
        try:
            project, events, revisions, latest = await loading.fetched(
                _load(project_id), loading.form_skeleton
            )
        except loading.Gone:
            return None
        except NotFound:
            ui.page_title("Not found · SignX Studio")
            not_found(project_id)
            return None
        screen = ProjectScreen(actor, project, list(events.items), events.total, latest)
        screen.render()
    screen.designer.show_revisions(revisions)
    await screen.reports.start()
    await screen.files.start()
    return None
