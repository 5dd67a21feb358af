"""The project page's Design, Estimate and Revisions tabs.

The form state and its mapping live in ``pages.design_state`` and the figures in
``pages.design_charts`` (both pure); this module only lays them out and wires the events. Every
keystroke validates the input at once (errors beside the fields) and runs the engine and the price
list in a worker thread: at once for an edit after a quiet spell, else 300 ms after the last
keystroke of a burst (see ``evaluation_delay``); an answer for a state that has changed since is
dropped. Saving goes through the design service with the project's ETag.
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import app, background_tasks, ui

from components.chart import Chart
from components.design_results import DesignResults, LabelLines, show
from components.dialogs import close_then, delete_when_closed
from components.everyday import busy, draft_field, forget_draft, icon_button, keep_draft, on_draft
from components.when import time_slot
from domain.designs.schemas import DesignDiff, DesignRequest, DesignRevisionOut, DesignSummary
from domain.errors import DomainError, NotFound, PreconditionFailed
from domain.orm import utcnow
from domain.paging import Page
from domain.projects.schemas import ProjectOut
from pages import design_charts, design_state
from pages.design_state import (
    BASE_PLATE,
    CABINET,
    FIELDS,
    FOUNDATION,
    PRICING,
    SIGN,
    SITE,
    SUPPORTS,
    Evaluation,
    FieldSpec,
)
from pages.local_time import remembered_zone, shown
from pages.session import action_id, page_action, services

DEBOUNCE_S = 0.3
REVISIONS_PAGE = 50


def evaluation_delay(*, since_last_edit: float, form_errors: bool) -> float:
    """Seconds to wait before evaluating an edit made ``since_last_edit`` seconds after the previous
    one. A lone edit (a changed value, a picked option) is answered at once; keystrokes closer
    together than ``DEBOUNCE_S`` are one burst, evaluated when it has been quiet that long. A value
    the form refuses (often the first digit of a number being typed) waits too, so the results do
    not flash "fix the fields" while typing."""
    return 0.0 if since_last_edit >= DEBOUNCE_S and not form_errors else DEBOUNCE_S


class DesignEditor:
    """One per page load. ``project()`` is the page's current project (its ETag moves with every
    save); ``on_saved`` lets the page refresh its summary and timeline; ``signed_in`` re-reads the
    actor before a change."""

    def __init__(
        self,
        *,
        project: Callable[[], ProjectOut],
        editable: Callable[[], bool],
        signed_in: Callable[[], Awaitable[bool]],
        actor: Callable[[], Any],
        on_saved: Callable[[ProjectOut], Awaitable[None]],
        latest: DesignRevisionOut | None,
    ) -> None:
        self.project = project
        self.editable = editable
        self.signed_in = signed_in
        self.actor = actor
        self.on_saved = on_saved
        self.latest = latest
        self.state = design_state.state_from(latest.input if latest else None)
        self.pricing: dict[str, Any] = copy.deepcopy(latest.pricing) if latest else {}
        # Edits are measured against what was loaded: the saved design, or the example a new one
        # starts from (the status line says when nothing was saved yet).
        self.saved = design_state.fingerprint(self.state, self.pricing)
        self.on_unsaved: Callable[[bool], None] = lambda _: None
        self.restored: str = ""  # the note shown when a draft was restored
        self.pricing_widgets: dict[str, Any] = {}
        self.line_widgets: dict[str, tuple[Any, Any]] = {}
        self.line_resets: dict[str, ui.button] = {}
        self.line_codes: tuple[str, ...] = ()
        self.lines_open = False  # the line editor's expansion: its fields exist only while open
        self.syncing = False
        self.pressure_chart: Chart | None = None
        self.shown_unsaved = False  # what the "Unsaved changes" badge shows now
        self.results: DesignResults
        self.restore_draft()
        self.evaluation = Evaluation()
        self.errors: dict[str, str] = {}
        self.widgets: dict[str, Any] = {}
        self.seq = 0
        self.last_edit = float("-inf")
        self.pending: asyncio.Task[Any] | None = None
        self.busy = False
        self.note: ui.input | None = None
        self.elevation_chart: Chart | None = None
        self.checks_chart: Chart | None = None
        self.revisions: list[DesignSummary] = []
        self.revisions_total = 0
        self.revisions_loaded = False  # skeleton rows until the first list arrives
        self.diff: DesignDiff | None = None
        self.root: ui.element
        self.typed_box: ui.element | None = None  # holds the form whose typed numbers the browser keeps

    # --- state --------------------------------------------------------------------------------
    @property
    def unsaved(self) -> bool:
        return design_state.fingerprint(self.state, self.pricing) != self.saved

    # --- drafts: unsaved edits survive a reload or leaving the page -----------------------------
    def draft_key(self) -> str:
        return design_state.draft_key(str(self.actor().user_id), self.project().project_id)

    def restore_draft(self) -> None:
        """Load the draft this person left on this project, if it differs from the saved design."""
        try:
            raw = app.storage.user.get(self.draft_key())
        except RuntimeError:  # no browser session (not in a page)
            return
        draft = design_state.read_draft(raw)
        if draft is None:
            if raw is not None:
                app.storage.user.pop(self.draft_key(), None)
            return
        state, pricing, base = draft
        if design_state.fingerprint(state, pricing) == self.saved:
            app.storage.user.pop(self.draft_key(), None)
            return
        self.state, self.pricing = state, pricing
        latest = self.latest.revision if self.latest else None
        self.restored = "Restored your unsaved changes"
        if base != latest:
            since = f"revision {latest} has been saved since" if latest else "no revision exists now"
            self.restored += f" (made on {'revision ' + str(base) if base else 'a new design'}; {since})"
        self.restored += "."

    def keep_draft(self) -> None:
        try:
            if self.unsaved:
                app.storage.user[self.draft_key()] = design_state.make_draft(
                    self.state, self.pricing, self.latest.revision if self.latest else None
                )
            else:
                app.storage.user.pop(self.draft_key(), None)
        except RuntimeError:
            pass

    # The server's draft above holds every edit that reached the server. What was typed while the
    # websocket was down never did; the browser keeps the typed numbers itself (everyday.js, "drafts")
    # and offers them after a reload. Their paths are only meaningful for the same shape of form (the
    # number of cabinets, the supports), so the draft carries the shape as its tag.
    def browser_key(self) -> str:
        return f"design:{self.actor().user_id}:{self.project().project_id}"

    def shape(self) -> str:
        parts = ("supports.family", "supports.count", "supports.mount")
        return "|".join(
            [str(len(self.state["cabinets"]))] + [str(design_state.get(self.state, p)) for p in parts]
        )

    def reshaped(self) -> None:
        """Cabinets added, removed or moved, the supports changed: the paths of the numbers kept so far
        name other fields now. The server has them all (it made the change); the browser starts anew
        at the next keystroke."""
        if self.typed_box is not None:
            keep_draft(self.typed_box, self.browser_key(), etag=self.shape(), base={})
            self.forget_typed()

    def restore_typed(self, key: str, raw: Any) -> None:
        """Numbers typed before a reload that the server never got (see above): put them back."""
        if key != self.browser_key() or not self.editable():
            return
        typed = raw.get("values") if isinstance(raw, dict) else None
        if not isinstance(typed, dict) or raw.get("etag") != self.shape():
            with self.root:
                forget_draft(key)
            return
        changed = False
        for path, text in typed.items():
            value = _typed_number(str(path), text)
            if value is _NOT_A_NUMBER:
                continue
            try:
                if _displayed(self.state, str(path)) == value:
                    continue
                self.state = design_state.put(self.state, str(path), value)
            except (IndexError, KeyError, TypeError, ValueError):  # a path this design has not
                continue
            changed = True
        if not changed:
            return
        if not self.restored:
            self.restored = "Restored your unsaved changes."
        with self.root:
            self.form.refresh()
            self.status.refresh()
            self.edited()

    def forget_typed(self) -> None:
        with self.root:
            forget_draft(self.browser_key())

    def sync_unsaved(self) -> None:
        """Tell the tab header (a dot, and the mark the browser's leave warning looks for)."""
        self.on_unsaved(self.unsaved)

    def change(self, path: str, raw: Any) -> None:
        spec = FIELDS[path] if path in FIELDS else FIELDS[_generic(path)]
        value = design_state.coerce(spec, raw)
        if design_state.get(self.state, path) == value and value is not None:
            return
        shape = ("supports.family", "supports.count", "supports.mount")
        before = tuple(design_state.get(self.state, p) for p in shape)
        self.state = design_state.put(self.state, path, value)
        after = tuple(design_state.get(self.state, p) for p in shape)
        if before != after:
            self.form.refresh()  # the section list and the spacing field follow the family and count
            self.reshaped()
        self.edited()

    def restructure(self, action: str, index: int = 0, step: int = 0) -> None:
        """Cabinets added, removed or moved (their pricing types with them): the form is rebuilt."""
        if action == "add":
            self.state = design_state.add_cabinet(self.state)
        elif action == "remove":
            self.state = design_state.remove_cabinet(self.state, index)
        else:
            self.state = design_state.move_cabinet(self.state, index, step)
        self.pricing = design_state.restack_cabinet_options(self.pricing, action, index, step)
        self.form.refresh()
        self.reshaped()
        self.estimate_settings.refresh()
        self.edited()

    def change_pricing(self, path: str, raw: Any) -> None:
        if self.syncing:
            return
        spec = PRICING[path]
        value = design_state.coerce(spec, raw)
        self.pricing = design_state.set_pricing(self.pricing, path, value)
        if path == "overrides.profit.mode":
            self.estimate_settings.refresh()  # markup or margin field
        self.edited()

    def change_line(self, code: str, name: str, raw: Any) -> None:
        if self.syncing:
            return
        value = None if raw is None or raw == "" else raw
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        self.pricing = design_state.set_line(self.pricing, code, name, value)
        if code in self.line_resets:
            self.line_resets[code].set_enabled(bool(design_state.line_override(self.pricing, code)))
        self.edited()

    def reset_line(self, code: str) -> None:
        self.pricing = design_state.reset_line(self.pricing, code)
        if code in self.line_resets:
            self.line_resets[code].set_enabled(False)
        self.edited()

    def change_cabinet_type(self, index: int, name: str, value: Any) -> None:
        if self.syncing:
            return
        count = len(self.state["cabinets"])
        self.pricing = design_state.set_cabinet_option(self.pricing, count, index, name, value)
        self.edited()

    def reset_pricing(self) -> None:
        self.pricing = {}
        self.estimate_settings.refresh()
        self.edited()

    def edited(self) -> None:
        """After every edit: the errors beside the fields, the unsaved marks, the draft, and an
        evaluation scheduled. Only what changed is sent to the browser: a keystroke that changes no
        error and no unsaved state costs no element update before its results."""
        self.show_errors(design_state.input_errors(self.state))
        self.show_pricing_errors(design_state.pricing_errors(self.pricing))
        if self.unsaved != self.shown_unsaved:
            self.unsaved_marker.refresh()
        self.keep_draft()
        self.sync_unsaved()
        self.schedule()

    def show_pricing_errors(self, errors: dict[str, str]) -> None:
        for path, widget in self.pricing_widgets.items():
            widget.error = errors.get(path)
        for code, (qty, price) in self.line_widgets.items():
            qty.error = errors.get(f"overrides.lines.{code}.quantity")
            price.error = errors.get(f"overrides.lines.{code}.unit_price")

    def show_errors(self, errors: dict[str, str]) -> None:
        unplaced = design_state.unplaced_errors(self.errors)
        self.errors = errors
        for path, widget in self.widgets.items():
            widget.error = errors.get(path)
        if design_state.unplaced_errors(errors) != unplaced:
            self.form_problems.refresh()

    def schedule(self, delay: float | None = None) -> None:
        """Evaluate after ``delay`` (by default ``evaluation_delay``) without further edits; an older
        pending run is cancelled."""
        now = time.monotonic()
        if delay is None:
            delay = evaluation_delay(since_last_edit=now - self.last_edit, form_errors=bool(self.errors))
        self.last_edit = now
        self.seq += 1
        if self.pending is not None and not self.pending.done():
            self.pending.cancel()
        self.pending = background_tasks.create(self._evaluate(self.seq, delay), name="design-evaluate")

    async def _evaluate(self, seq: int, delay: float) -> None:
        await asyncio.sleep(delay)
        snapshot, pricing = copy.deepcopy(self.state), copy.deepcopy(self.pricing)
        evaluation = await asyncio.to_thread(design_state.evaluate, snapshot, design_state.LATEST, pricing)
        if seq != self.seq:
            return  # the form changed while the engine ran: a newer answer is on its way
        self.evaluation = evaluation
        with self.root:
            if evaluation.errors:
                self.show_errors({**design_state.input_errors(self.state), **evaluation.errors})
            if evaluation.pricing_errors:
                self.show_pricing_errors(evaluation.pricing_errors)
            self.show_results()
            self.update_charts()
            self.show_estimate()
            self.sync_lines()

    # --- design tab ---------------------------------------------------------------------------
    def render_design(self) -> None:
        self.root = ui.context.client.layout
        self.status()
        with ui.row().classes("w-full items-start gap-4 no-wrap max-lg:flex-wrap"):
            with ui.column().classes("flex-[3] min-w-0 sm:min-w-[22rem] max-sm:basis-full gap-2") as box:
                self.typed_box = box
                if self.editable():
                    keep_draft(box, self.browser_key(), etag=self.shape(), base={})
                    on_draft(self.restore_typed)
                self.form()
                self.form_problems()
            with ui.column().classes("flex-[4] min-w-0 sm:min-w-[22rem] max-sm:basis-full gap-2"):
                self.results = DesignResults(
                    on_pick=self.fix_section, editable=self.editable, color=design_state.ratio_color
                )
                with ui.card().classes("w-full"):
                    self.elevation_chart = Chart().classes("w-full").mark("elevation-chart")
                self.results.checks_card()
                with ui.card().classes("w-full"):
                    self.checks_chart = Chart().classes("w-full").mark("checks-chart")
                    self.pressure_chart = Chart().classes("w-full").mark("pressure-chart")
        self.schedule(0)
        if self.restored:
            self.sync_unsaved()

    @ui.refreshable_method
    def status(self) -> None:
        if self.restored:
            with ui.row().classes("w-full items-center gap-2 bg-amber-1 rounded p-2").mark("draft-restored"):
                ui.icon("restore").classes("text-amber-9")
                ui.label(self.restored).classes("text-sm")
                ui.space()
                ui.button("Keep", on_click=self.keep_restored).props("flat dense").mark("draft-keep")
                ui.button("Discard", on_click=self.discard).props("flat dense color=negative").mark(
                    "draft-discard"
                )
        with ui.row().classes("w-full items-center gap-3"):
            if self.latest is None:
                ui.label("No saved design yet").classes("text-grey-7").mark("design-revision")
            else:
                ui.label(f"Revision {self.latest.revision} saved").classes("text-grey-7").mark(
                    "design-revision"
                )
            self.unsaved_marker()
            ui.space()
            if self.editable():
                # One group that wraps inside itself: on a phone it takes the full width, so the
                # buttons go under the note instead of past the screen's edge.
                with ui.row().classes("items-center gap-3 max-sm:w-full"):
                    self.note = (
                        ui.input("Note (optional)")
                        .props("dense clearable")
                        .classes("w-64 max-sm:w-full")
                        .mark("design-note")
                    )
                    ui.button("Save design", icon="save", on_click=busy(self.save)).mark("design-save")
                    ui.button("Discard", on_click=self.discard).props("flat").mark("design-discard")

    @ui.refreshable_method
    def unsaved_marker(self) -> None:
        self.shown_unsaved = self.unsaved
        if self.shown_unsaved:
            ui.badge("Unsaved changes", color="warning").mark("unsaved-marker")

    def field(self, spec: FieldSpec, path: str) -> None:
        value = _displayed(self.state, path)
        enabled = self.editable()
        if spec.kind in ("number", "optional_number"):
            label = f"{spec.label} ({spec.unit})" if spec.unit else spec.label
            widget: Any = ui.number(label, value=value, on_change=lambda e, p=path: self.change(p, e.value))
            widget.props(f'hint="{spec.hint}" dense' + (' suffix="' + spec.unit + '"' if spec.unit else ""))
        elif spec.kind == "switch":
            widget = ui.switch(
                spec.label, value=bool(value), on_change=lambda e, p=path: self.change(p, e.value)
            )
        else:
            if spec.path == "supports.designation":
                options: dict[Any, str] = design_state.section_options(
                    str(design_state.get(self.state, "supports.family") or "pipe")
                )
                value = value or design_state.AUTO
            else:
                options = dict(spec.options)
            widget = ui.select(
                options, label=spec.label, value=value, on_change=lambda e, p=path: self.change(p, e.value)
            ).props("dense options-dense")
        widget.classes("w-40" if spec.kind != "switch" else "").mark(f"design-{path}")
        if spec.kind in ("number", "optional_number"):
            draft_field(widget, path)
        if not enabled:
            widget.disable()
        if spec.kind != "switch":
            widget.error = self.errors.get(path)
            self.widgets[path] = widget

    @ui.refreshable_method
    def form(self) -> None:
        self.widgets = {}
        with ui.card().classes("w-full"):
            ui.label("Site").classes("text-base font-bold")
            with ui.row().classes("gap-3"):
                for spec in SITE:
                    self.field(spec, spec.path)
        with ui.card().classes("w-full"):
            ui.label("Sign (cabinets top first)").classes("text-base font-bold")
            cabinets = self.state["cabinets"]
            for index in range(len(cabinets)):
                with ui.row().classes("gap-3 items-start").mark(f"cabinet-{index}"):
                    ui.label(f"#{index + 1}").classes("pt-4 text-grey-7")
                    for spec in CABINET:
                        self.field(spec, spec.at(index))
                    if self.editable():
                        with ui.column().classes("gap-0"):
                            icon_button(
                                "arrow_upward",
                                f"Move cabinet {index + 1} up",
                                lambda i=index: self.restructure("move", i, -1),
                            ).props("flat dense round size=sm").mark(f"cabinet-up-{index}").set_enabled(
                                index > 0
                            )
                            icon_button(
                                "arrow_downward",
                                f"Move cabinet {index + 1} down",
                                lambda i=index: self.restructure("move", i, 1),
                            ).props("flat dense round size=sm").mark(f"cabinet-down-{index}").set_enabled(
                                index < len(cabinets) - 1
                            )
                        icon_button(
                            "delete",
                            f"Remove cabinet {index + 1}",
                            lambda i=index: self.restructure("remove", i),
                        ).props("flat dense round size=sm color=negative").mark(
                            f"cabinet-remove-{index}"
                        ).set_enabled(len(cabinets) > 1)
            if self.editable() and len(cabinets) < design_state.MAX_CABINETS:
                ui.button(
                    "Add cabinet",
                    icon="add",
                    on_click=lambda: self.restructure("add"),
                ).props("flat dense").mark("cabinet-add")
            with ui.row().classes("gap-3"):
                for spec in SIGN:
                    self.field(spec, spec.path)
        with ui.card().classes("w-full"):
            ui.label("Supports").classes("text-base font-bold")
            with ui.row().classes("gap-3"):
                for spec in SUPPORTS:
                    if (
                        spec.path == "supports.spacing_ft"
                        and design_state.get(self.state, "supports.count") != 2
                    ):
                        continue
                    self.field(spec, spec.path)
        with ui.card().classes("w-full"):
            ui.label("Foundation").classes("text-base font-bold")
            with ui.row().classes("gap-3 items-center"):
                for spec in FOUNDATION:
                    self.field(spec, spec.path)
        if design_state.get(self.state, "supports.mount") == "base_plate":
            with ui.card().classes("w-full").mark("base-plate-section"):
                ui.label("Base plate and anchors (empty: the engine chooses)").classes("text-base font-bold")
                with ui.row().classes("gap-3 items-center"):
                    for spec in BASE_PLATE:
                        self.field(spec, spec.path)

    @ui.refreshable_method
    def form_problems(self) -> None:
        for path, message in design_state.unplaced_errors(self.errors).items():
            ui.label(f"{path}: {message}").classes("text-negative text-sm").mark("design-error")

    def show_results(self) -> None:
        ev = self.evaluation
        if ev.result is None:
            self.results.show_pending(
                "Fix the highlighted fields to see results." if ev.errors else "Calculating…"
            )
        else:
            self.results.show(ev.result, ev.assumptions)

    def update_charts(self) -> None:
        result = self.evaluation.result
        if result is None or self.elevation_chart is None or self.checks_chart is None:
            return
        self.elevation_chart.show(design_charts.elevation(self.state, result))
        self.checks_chart.show(design_charts.utilisation(result.get("checks") or []))
        if self.pressure_chart is not None:
            self.pressure_chart.show(design_charts.velocity_pressure_profile(result))

    def fix_section(self, designation: str) -> None:
        self.state = design_state.put(self.state, "supports.designation", designation)
        self.form.refresh()
        self.edited()

    def discard(self) -> None:
        self.state = design_state.state_from(self.latest.input if self.latest else None)
        self.pricing = copy.deepcopy(self.latest.pricing) if self.latest else {}
        self.restored = ""
        self.form.refresh()
        self.reshaped()
        self.estimate_settings.refresh()
        self.status.refresh()
        self.edited()

    def keep_restored(self) -> None:
        self.restored = ""
        self.status.refresh()

    # --- saving -------------------------------------------------------------------------------
    async def save(self) -> None:
        if self.busy:
            return
        self.busy = True
        try:
            with self.root, page_action("save design"):
                await self._save(self.project().etag)
        finally:
            self.busy = False

    async def _save(self, etag: str) -> None:
        errors = design_state.input_errors(self.state)
        if errors:
            self.show_errors(errors)
            ui.notify("Not saved: fix the highlighted fields first.", type="negative")
            return
        if not await self.signed_in():
            return
        note = (self.note.value or "") if self.note is not None else ""
        try:
            request = DesignRequest.model_validate(
                {
                    "module": design_state.module_of(self.state),
                    "input": self.state,
                    "note": note,
                    "pricing": design_state.without_lines(self.pricing, self.evaluation.stale_lines),
                }
            )
            saved = await services().designs.save(
                self.actor(), self.project().project_id, request, if_match=etag, request_id=action_id()
            )
        except PreconditionFailed:
            await self.someone_saved()
            return
        except NotFound:
            ui.notify("This project no longer exists; the design was not saved.", type="negative")
            return
        except DomainError as exc:
            fields = {
                str(f["field"]).removeprefix("input."): f["message"]
                for f in exc.fields
                if "field" in f and not str(f["field"]).startswith("pricing.")
            }
            priced = {
                str(f["field"]).removeprefix("pricing."): f["message"]
                for f in exc.fields
                if str(f.get("field", "")).startswith("pricing.")
            }
            if fields:
                self.show_errors(fields)
            if priced:
                self.show_pricing_errors(priced)
            ui.notify(f"Not saved: {exc.message}", type="negative", multi_line=True)
            return
        except ValueError as exc:  # the note (one line, 500 characters)
            ui.notify(f"Not saved: {exc}", type="negative", multi_line=True)
            return
        self.latest = saved.revision
        self.pricing = copy.deepcopy(saved.revision.pricing)
        self.saved = design_state.fingerprint(self.state, self.pricing)
        self.restored = ""
        self.keep_draft()
        self.forget_typed()
        self.sync_unsaved()
        project = await services().projects.get(self.project().project_id)
        await self.on_saved(project)
        self.status.refresh()
        await self.load_revisions()
        word = (
            f"Saved as revision {saved.revision.revision}."
            if saved.created
            else (f"Identical to revision {saved.revision.revision}; nothing new saved.")
        )
        ui.notify(word, type="positive")

    async def someone_saved(self) -> None:
        """The project changed since it was loaded: never overwrite silently; the person chooses."""
        svc = services()
        pid = self.project().project_id
        latest = await svc.projects.events(pid, limit=1)
        by = latest.items[0].actor if latest.items else "Someone"
        with ui.dialog(value=True).props("persistent") as dialog, ui.card().classes("w-[36rem] max-w-full"):
            dialog.mark("design-conflict-dialog")
            ui.label("Someone saved this project meanwhile").classes("text-lg font-bold")
            ui.label(
                f"{by} changed the project after you opened this page. Reload to see their version "
                "(your design edits are discarded), or keep your edits and save them over theirs."
            ).classes("text-sm")
            with ui.row().classes("w-full justify-end gap-2"):
                ui.button("Reload theirs", on_click=lambda: close_then(dialog, self.reload_theirs)).props(
                    "outline"
                ).mark("design-reload")
                ui.button("Save mine over theirs", on_click=lambda: close_then(dialog, self.save_over)).props(
                    "color=negative"
                ).mark("design-overwrite")
                ui.button("Cancel", on_click=dialog.close).props("flat").mark("design-conflict-cancel")
        delete_when_closed(dialog)

    async def reload_theirs(self) -> None:
        pid = self.project().project_id
        project = await services().projects.get(pid)
        page = await services().designs.list(pid, limit=1)
        self.latest = await services().designs.get(pid, page.items[0].revision) if page.items else None
        await self.on_saved(project)
        self.discard()
        await self.load_revisions()
        ui.notify("Reloaded the saved design.")

    async def save_over(self) -> None:
        project = await services().projects.get(self.project().project_id)
        await self.on_saved(project)
        await self._save(project.etag)

    # --- estimate tab -------------------------------------------------------------------------
    def render_estimate(self) -> None:
        with ui.row().classes("w-full items-start gap-4 no-wrap max-lg:flex-wrap"):
            with ui.column().classes("flex-[2] min-w-0 sm:min-w-[20rem] max-sm:basis-full gap-2"):
                self.estimate_settings()
            with ui.column().classes("flex-[5] min-w-0 sm:min-w-[22rem] max-sm:basis-full gap-2"):
                self.estimate_view()
                self.line_editor()

    def pricing_field(self, spec: FieldSpec) -> None:
        value = design_state.pricing_value(self.pricing, spec.path)
        if spec.kind == "switch":
            widget: Any = ui.switch(
                spec.label,
                value=bool(value),
                on_change=lambda e, p=spec.path: self.change_pricing(p, e.value),
            )
        elif spec.kind == "select":
            widget = ui.select(
                dict(spec.options),
                label=spec.label,
                value=value,
                on_change=lambda e, p=spec.path: self.change_pricing(p, e.value),
            ).props("dense options-dense")
        else:
            widget = ui.number(
                f"{spec.label} ({spec.unit})",
                value=value,
                on_change=lambda e, p=spec.path: self.change_pricing(p, e.value),
            ).props(f'dense hint="{spec.hint}; list: {show(design_state.list_value(spec.path))}"')
            widget.classes("w-40")
            self.pricing_widgets[spec.path] = widget
        widget.mark(f"estimate-{spec.path}")
        if not self.editable():
            widget.disable()

    @ui.refreshable_method
    def estimate_settings(self) -> None:
        self.pricing_widgets = {}
        with ui.card().classes("w-full").mark("estimate-settings"):
            ui.label("Pricing").classes("text-base font-bold")
            mode = design_state.pricing_value(self.pricing, "overrides.profit.mode")
            for spec in design_state.PRICING_FIELDS:
                if spec.path.endswith("markup_percent") and mode != "markup":
                    continue
                if spec.path.endswith("margin_percent") and mode != "margin":
                    continue
                self.pricing_field(spec)
            ui.label("Cabinet types").classes("text-sm font-bold mt-2")
            for index in range(len(self.state["cabinets"])):
                kind = design_state.cabinet_option(self.pricing, index)
                with ui.row().classes("items-center gap-2").mark(f"cabinet-type-{index}"):
                    ui.label(f"#{index + 1}").classes("text-grey-7")
                    lit = ui.switch(
                        "Illuminated",
                        value=kind["illuminated"],
                        on_change=lambda e, i=index: self.change_cabinet_type(
                            i, "illuminated", bool(e.value)
                        ),
                    ).mark(f"cabinet-illuminated-{index}")
                    faces = (
                        ui.select(
                            {1: "Single face", 2: "Double face"},
                            value=kind["faces"],
                            on_change=lambda e, i=index: self.change_cabinet_type(i, "faces", int(e.value)),
                        )
                        .props("dense options-dense")
                        .mark(f"cabinet-faces-{index}")
                    )
                    if not self.editable():
                        lit.disable()
                        faces.disable()
            if self.editable():
                ui.button("Back to the price list", icon="undo", on_click=self.reset_pricing).props(
                    "flat dense"
                ).mark("estimate-reset-all")

    def estimate_view(self) -> None:
        """The estimate card, built once; ``show_estimate`` fills it in place after every answer."""
        columns = [
            {"name": "label", "label": "Item", "field": "label", "align": "left"},
            {"name": "group", "label": "Group", "field": "group", "align": "left"},
            {"name": "quantity", "label": "Qty", "field": "quantity"},
            {"name": "unit", "label": "Unit", "field": "unit", "align": "left"},
            {"name": "unit_price", "label": "Unit price", "field": "unit_price"},
            {"name": "amount", "label": "Amount", "field": "amount"},
            {"name": "overridden", "label": "", "field": "overridden"},
        ]
        with ui.card().classes("w-full").mark("estimate"):
            self.estimate_pending = (
                ui.label("The estimate follows the design's results.")
                .classes("text-grey-7")
                .mark("estimate-pending")
            )
            with ui.column().classes("w-full gap-2") as self.estimate_body:
                with ui.row().classes("w-full items-center justify-between"):
                    self.estimate_price_list = (
                        ui.label().classes("text-lg font-bold").mark("estimate-price-list")
                    )
                    self.estimate_total = ui.label().classes("text-lg font-bold").mark("estimate-total")
                self.estimate_stale = LabelLines("estimate-stale", "text-amber-10 text-sm")
                self.estimate_table = (
                    ui.table(columns=columns, rows=[], row_key="code")
                    .props("dense flat wrap-cells")
                    .classes("w-full")
                    .mark("estimate-lines")
                )
                self.estimate_subtotals = LabelLines("estimate-subtotal", "text-sm", row=True)
                self.estimate_chart = Chart().classes("w-full").mark("estimate-chart")
        self.estimate_body.set_visibility(False)

    def show_estimate(self) -> None:
        est = self.evaluation.estimate
        if est is None:
            self.estimate_pending.text = (
                self.evaluation.estimate_error or "The estimate follows the design's results."
            )
            self.estimate_pending.set_visibility(True)
            self.estimate_body.set_visibility(False)
            return
        self.estimate_pending.set_visibility(False)
        self.estimate_body.set_visibility(True)
        self.estimate_price_list.text = f"Estimate — price list {est['price_list']}"
        self.estimate_total.text = f"Total {est['currency']} {float(est['total']):,.2f}"
        self.estimate_stale.show(
            [
                f"The override of {code} no longer applies: the design has no such line now "
                "(it is dropped when you save)."
                for code in self.evaluation.stale_lines
            ]
        )
        rows = [
            {
                **item,
                "unit_price": f"{item['unit_price']:,.2f}",
                "amount": f"{item['amount']:,.2f}",
                "overridden": "overridden" if item["overridden"] else "",
            }
            for item in est["line_items"]
        ]
        if rows != self.estimate_table.rows:
            self.estimate_table.rows = rows
        self.estimate_subtotals.show(
            [f"{group.capitalize()} ${float(amount):,.2f}" for group, amount in est["subtotals"].items()]
        )
        self.estimate_chart.show(design_charts.estimate_breakdown(est))

    @ui.refreshable_method
    def line_editor(self) -> None:
        """Quantity and unit price of each line, editable; an entry overrides the computed value and
        the line's reset goes back to it. Rebuilt only when the lines change (another section, a
        cabinet more), otherwise updated in place so typing keeps its focus. The fields are built
        only while the expansion is open: closed (as it starts), a design keystroke that changes
        the lines rebuilds one element instead of five per line (the rebuild was the largest cost
        of a keystroke on the server with many designers typing)."""
        self.line_widgets, self.line_resets = {}, {}
        if self.evaluation.estimate is None:
            self.line_codes = ()
            return
        items = self.editable_lines()
        self.line_codes = tuple(i["code"] for i in items)
        expansion = (
            ui.expansion("Override quantities and unit prices", icon="edit", value=self.lines_open)
            .classes("w-full")
            .mark("estimate-overrides")
        )
        with expansion, ui.element().classes("w-full") as box:
            if self.lines_open:
                self.line_fields(items)
        expansion.on_value_change(lambda e: self.toggle_lines(bool(e.value), box))

    def editable_lines(self) -> list[dict[str, Any]]:
        """The estimate's lines a person may override (not the percent adjustments)."""
        est = self.evaluation.estimate or {}
        return [i for i in est.get("line_items", []) if i["code"] not in ("contingency", "markup", "margin")]

    def toggle_lines(self, open_: bool, box: ui.element) -> None:
        """Opened: the fields are built from the current estimate; closed: they are dropped."""
        self.lines_open = open_
        box.clear()
        self.line_widgets, self.line_resets = {}, {}
        if open_:
            with box:
                self.line_fields(self.editable_lines())

    def line_fields(self, items: list[dict[str, Any]]) -> None:
        with ui.grid(columns="minmax(10rem,2fr) 8rem 3rem 8rem auto").classes("w-full items-center gap-x-3"):
            for item in items:
                code = item["code"]
                given = design_state.line_override(self.pricing, code)
                ui.label(item["label"]).classes("text-sm" + (" font-bold" if given else ""))
                qty = (
                    ui.number(
                        value=float(given.get("quantity", item["quantity"])),
                        on_change=lambda e, c=code: self.change_line(c, "quantity", e.value),
                    )
                    .props("dense")
                    .mark(f"line-qty-{code}")
                )
                ui.label(item["unit"]).classes("text-sm text-grey-7")
                price = (
                    ui.number(
                        value=float(given.get("unit_price", item["unit_price"])),
                        on_change=lambda e, c=code: self.change_line(c, "unit_price", e.value),
                    )
                    .props("dense prefix=$")
                    .mark(f"line-price-{code}")
                )
                reset = (
                    icon_button(
                        "undo",
                        f"{item['label']}: back to the computed quantity and price",
                        lambda c=code: self.reset_line(c),
                    )
                    .props("flat dense round size=sm")
                    .mark(f"line-reset-{code}")
                )
                reset.set_enabled(bool(given) and self.editable())
                if not self.editable():
                    qty.disable()
                    price.disable()
                self.line_widgets[code] = (qty, price)
                self.line_resets[code] = reset

    def sync_lines(self) -> None:
        """After an evaluation: the computed values into the fields nobody overrides."""
        est = self.evaluation.estimate
        codes = tuple(i["code"] for i in self.editable_lines())
        if codes != self.line_codes:
            self.line_editor.refresh()
            return
        self.syncing = True
        try:
            for item in (est or {}).get("line_items", []):
                widgets = self.line_widgets.get(item["code"])
                if widgets is None:
                    continue
                given = design_state.line_override(self.pricing, item["code"])
                for widget, name in zip(widgets, ("quantity", "unit_price"), strict=True):
                    if name not in given and widget.value != float(item[name]):
                        widget.value = float(item[name])
        finally:
            self.syncing = False

    # --- revisions tab ------------------------------------------------------------------------
    async def load_revisions(self) -> None:
        self.show_revisions(await services().designs.list(self.project().project_id, limit=REVISIONS_PAGE))

    def show_revisions(self, page: Page[DesignSummary]) -> None:
        """The Revisions tab's list, newest first (read here, or by the page with its latest)."""
        self.revisions, self.revisions_total = list(page.items), page.total
        self.revisions_loaded = True
        self.revisions_view.refresh()

    @ui.refreshable_method
    def revisions_view(self) -> None:
        with ui.card().classes("w-full").mark("revisions"):
            if not self.revisions_loaded:
                ui.skeleton("text").classes("text-lg w-48").mark("revisions-loading")
                for _ in range(3):
                    ui.skeleton("rect", height="1.75rem").classes("w-full")
                return
            ui.label(f"{self.revisions_total} saved revision(s)").classes("text-lg font-bold").mark(
                "revision-count"
            )
            if not self.revisions:
                ui.label("No design saved yet.").classes("text-grey-7")
                return
            columns = [
                {"name": "revision", "label": "Rev", "field": "revision", "align": "left"},
                {"name": "by", "label": "Who", "field": "by", "align": "left"},
                {"name": "when", "label": "When", "field": "when", "align": "left"},
                {"name": "note", "label": "Note", "field": "note", "align": "left"},
                {"name": "headline", "label": "Result", "field": "headline", "align": "left"},
            ]
            zone, now = remembered_zone(), utcnow()
            rows = []
            for r in self.revisions:
                when = shown(r.created_at, zone, now)
                rows.append(
                    {
                        "revision": r.revision,
                        "by": r.created_by_email,
                        "when": when.text,
                        "when_exact": when.exact,
                        "when_iso": when.iso,
                        "note": r.note,
                        "headline": _headline(r.headline),
                    }
                )
            table = ui.table(columns=columns, rows=rows, row_key="revision").props("dense flat")
            table.classes("w-full").mark("revision-list")
            table.add_slot("body-cell-when", time_slot("when"))
            numbers = [r.revision for r in self.revisions]
            if len(numbers) >= 2:
                with ui.row().classes("items-center gap-2"):
                    a = ui.select(numbers, label="From", value=numbers[1]).classes("w-24").mark("diff-a")
                    b = ui.select(numbers, label="To", value=numbers[0]).classes("w-24").mark("diff-b")
                    ui.button("Compare", on_click=lambda: self.compare(a.value, b.value)).mark("diff-compare")
            self.diff_view()

    async def compare(self, a: int, b: int) -> None:
        with self.root:
            try:
                self.diff = await services().designs.diff(self.project().project_id, int(a), int(b))
            except NotFound as exc:
                ui.notify(exc.message, type="negative")
                return
            self.diff_view.refresh()

    @ui.refreshable_method
    def diff_view(self) -> None:
        diff = self.diff
        if diff is None:
            return
        with ui.card().classes("w-full").mark("design-diff"):
            ui.label(f"Revision {diff.a.revision} → {diff.b.revision}").classes("font-bold")
            with ui.grid(columns=3).classes("w-full gap-x-4 gap-y-1 text-sm"):
                ui.label("Input").classes("font-bold")
                ui.label(f"Rev {diff.a.revision}").classes("font-bold")
                ui.label(f"Rev {diff.b.revision}").classes("font-bold")
                if not diff.inputs:
                    ui.label("(inputs identical)").classes("italic text-grey-7")
                    ui.label("")
                    ui.label("")
                for change in diff.inputs:
                    ui.label(design_state.field_label(change.path)).mark("diff-input-path").tooltip(
                        change.path
                    )
                    ui.label(show(change.a)).classes("bg-amber-2")
                    ui.label(show(change.b)).classes("bg-amber-2").mark("diff-changed")
                ui.label("Result").classes("font-bold mt-2")
                ui.label("")
                ui.label("")
                for row in diff.results:
                    style = "bg-amber-2" if row.changed else ""
                    value = _money if "USD" in row.label else show
                    ui.label(row.label)
                    ui.label(value(row.a)).classes(style)
                    ui.label(value(row.b)).classes(style).mark("diff-changed" if row.changed else "diff-same")


_NOT_A_NUMBER = object()


def _displayed(state: dict[str, Any], path: str) -> Any:
    """What the form shows for ``path``: its value, or for an empty base plate field the default."""
    value = design_state.get(state, path)
    if value is None and path.startswith("base_plate."):
        value = design_state.BASE_PLATE_DEFAULTS.get(path.removeprefix("base_plate."))
    return value


def _typed_number(path: str, text: Any) -> Any:
    """A number field's text as the browser kept it, as the form's value: ``_NOT_A_NUMBER`` for a
    path that is no number field or text that is no number (half typed), None for an emptied
    optional field."""
    spec = FIELDS.get(path) or FIELDS.get(_generic(path))
    if spec is None or spec.kind not in ("number", "optional_number") or not isinstance(text, str):
        return _NOT_A_NUMBER
    if text.strip() == "":
        return None if spec.kind == "optional_number" else _NOT_A_NUMBER
    try:
        number = float(text)
    except ValueError:
        return _NOT_A_NUMBER
    if number != number or number in (float("inf"), float("-inf")):
        return _NOT_A_NUMBER
    return design_state.coerce(spec, number)


def _money(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value):,.2f}"
    return show(value)


def _generic(path: str) -> str:
    return ".".join("{i}" if part.isdigit() else part for part in path.split("."))


def _headline(h: dict[str, Any]) -> str:
    verdict = "passes" if h.get("pass") else "fails"
    total = h.get("total")
    price = f", ${float(total):,.0f}" if isinstance(total, int | float) else ""
    return f"{verdict}; {h.get('section')}, embedment {show(h.get('embedment_ft'))} ft{price}"
