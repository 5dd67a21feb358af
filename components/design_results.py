"""The designer's live results card, built once and updated in place.

Every keystroke in the designer produces a new engine result. Rebuilding the card for each one (a
row, bar, label and tooltip per check, a button per alternative, a label per warning) made the
server create, and every browser delete and mount again, some 60-250 elements per answer; with
20 people typing that was most of the server's time and most of each browser's. Here the
elements stay: an answer changes the texts, bar widths and colours that differ, and elements are
only added or removed when the number of checks, alternatives, warnings or plate lines changes.
Plain data in (the engine's result as a dict), callbacks out (a passing alternative clicked)
and in (the colour of a utilisation).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nicegui import ui


def show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # Four significant figures, never in exponent notation (a total of 27,385 is not 2.739e+04).
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    return str(value)


def _set_style(element: ui.element, style: str) -> None:
    """Replace the element's inline style, sending an update only when it differs."""
    if getattr(element, "_shown_style", None) == style:
        return
    element._shown_style = style  # type: ignore[attr-defined]
    element.style(replace=style)


def _set_classes(element: ui.element, classes: str) -> None:
    if getattr(element, "_shown_classes", None) == classes:
        return
    element._shown_classes = classes  # type: ignore[attr-defined]
    element.classes(replace=classes)


class LabelLines:
    """Labels with one marker, one per line (in a column, or a wrapping row), updated in place."""

    def __init__(self, marker: str, classes: str, *, row: bool = False) -> None:
        self.marker = marker
        self.classes = classes
        self.column = ui.row().classes("gap-4") if row else ui.column().classes("w-full gap-0")
        self.labels: list[ui.label] = []

    def show(self, lines: Sequence[str]) -> None:
        while len(self.labels) > len(lines):
            self.column.remove(self.labels.pop())
        with self.column:
            while len(self.labels) < len(lines):
                self.labels.append(ui.label().classes(self.classes).mark(self.marker))
        for label, line in zip(self.labels, lines, strict=True):
            label.text = line
        self.column.set_visibility(bool(lines))


class CheckRow:
    """One check: its name, a utilisation bar coloured by the ratio, the ratio; the clause on hover."""

    def __init__(self, color: Callable[[float], str]) -> None:
        self.color = color
        with ui.row().classes("w-full items-center no-wrap gap-2").mark("check-row") as self.row:
            self.name = ui.label().classes("w-48 text-sm").mark("check-name")
            with ui.element("div").classes("grow h-3 bg-grey-3 rounded relative"):
                self.bar = ui.element("div").classes("h-3 rounded")
            self.ratio = ui.label().classes("w-12 text-right text-sm font-mono").mark("check-ratio")
            self.clause = ui.tooltip("")

    def show(self, check: Mapping[str, Any]) -> None:
        ratio = float(check.get("ratio") or 0)
        self.name.text = str(check.get("name"))
        self.ratio.text = f"{ratio:.2f}"
        self.clause.text = str(check.get("clause") or "")
        _set_style(self.bar, f"width:{min(ratio, 1.0) * 100:.0f}%;background:{self.color(ratio)}")


class DesignResults:
    """The results card. ``show`` takes what the engine said about the form (or why it could not
    run) and changes only what differs from the last answer."""

    def __init__(
        self, *, on_pick: Callable[[str], Any], editable: Callable[[], bool], color: Callable[[float], str]
    ) -> None:
        """``on_pick(designation)`` when a passing alternative is clicked; ``color(ratio)`` of a bar."""
        self.on_pick = on_pick
        self.color = color
        self.editable = editable
        self.rows: list[CheckRow] = []
        self.alternatives: list[str] = []
        self.alternative_buttons: list[ui.button] = []
        with ui.card().classes("w-full").mark("design-results"):
            self.pending = ui.label("Calculating…").classes("text-grey-7").mark("results-pending")
            with ui.column().classes("w-full gap-2") as self.body:
                self.verdict = ui.label().mark("design-verdict")
                self.pole = ui.label().classes("font-medium").mark("chosen-pole")
                with ui.row().classes("gap-1 items-center") as self.alternatives_row:
                    ui.label("Passing alternatives:").classes("text-sm text-grey-7")
                self.foundation = ui.label().classes("text-sm").mark("foundation-summary")
                self.plate = LabelLines("plate-summary", "text-sm")
                self.warnings = LabelLines("design-warning", "text-amber-10 text-sm")
        self.body.set_visibility(False)

    def checks_card(self) -> None:
        """The checks, one row each, and the assumptions: a card of their own, placed by the page
        (a base-plate design has some 25 checks; the summary and the elevation come first)."""
        with ui.card().classes("w-full gap-1").mark("design-checks") as self.checks_box:
            self.checks_title = ui.label().classes("text-base font-bold")
            self.checks = ui.column().classes("w-full gap-1")
            with ui.expansion("Assumptions").classes("w-full text-sm") as self.assumptions_title:
                # One element, a line each: dozens of labels cost more than the text they show.
                self.assumptions = (
                    ui.label().classes("text-xs whitespace-pre-line").mark("design-assumptions")
                )
        self.checks_box.set_visibility(False)

    def show_pending(self, message: str) -> None:
        self.pending.text = message
        self.pending.set_visibility(True)
        self.body.set_visibility(False)
        self.checks_box.set_visibility(False)

    def show(self, result: Mapping[str, Any], assumptions: Sequence[Mapping[str, Any]]) -> None:
        self.pending.set_visibility(False)
        self.body.set_visibility(True)
        self.checks_box.set_visibility(True)
        passed = bool(result.get("pass"))
        self.verdict.text = "All checks pass" if passed else "Some checks fail"
        _set_classes(self.verdict, "text-lg font-bold " + ("text-positive" if passed else "text-negative"))
        checks = result.get("checks") or []
        failing = sum(1 for c in checks if not c.get("pass"))
        self.checks_title.text = f"Checks ({len(checks)}" + (f", {failing} failing)" if failing else ")")
        self._show_checks(checks)
        self._show_pole(result.get("pole") or {})
        lines = foundation_lines(result)
        self.foundation.text = " · ".join(lines[:4])
        self.plate.show(lines[4:])
        self.warnings.show(
            [f"⚠ {w.get('text') if isinstance(w, Mapping) else w}" for w in result.get("warnings") or []]
        )
        self.assumptions_title.text = f"Assumptions ({len(assumptions)})"
        self.assumptions.text = "\n".join(f"{a.get('text')} ({a.get('clause')})" for a in assumptions)

    def _show_checks(self, checks: Sequence[Mapping[str, Any]]) -> None:
        while len(self.rows) > len(checks):
            self.checks.remove(self.rows.pop().row)
        with self.checks:
            while len(self.rows) < len(checks):
                self.rows.append(CheckRow(self.color))
        for row, check in zip(self.rows, checks, strict=True):
            row.show(check)

    def _show_pole(self, pole: Mapping[str, Any]) -> None:
        ratio = float(pole.get("ratio") or 0)
        self.pole.text = (
            f"Pole: {pole.get('designation')} ({pole.get('grade')}), utilisation {ratio:.2f}"
            f" — {pole.get('governing')}"
        )
        passing = [a for a in pole.get("alternatives") or [] if float(a.get("ratio") or 0) <= 1]
        names = [str(a["designation"]) for a in passing]
        if names != self.alternatives:
            # Another set of sections: the buttons (and their markers) are made again.
            for button in self.alternative_buttons:
                self.alternatives_row.remove(button)
            self.alternative_buttons = []
            with self.alternatives_row:
                for name in names:
                    button = (
                        ui.button(on_click=lambda d=name: self.on_pick(d))
                        .props("outline dense no-caps size=sm")
                        .mark(f"alternative-{name}")
                    )
                    button.set_enabled(self.editable())
                    self.alternative_buttons.append(button)
            self.alternatives = names
        for button, alt in zip(self.alternative_buttons, passing, strict=True):
            button.text = f"{alt['designation']} ({float(alt['ratio']):.2f})"
        self.alternatives_row.set_visibility(bool(names))


def foundation_lines(result: Mapping[str, Any]) -> list[str]:
    """Embedment, pier, concrete, steel; then the plate, its anchors and their reinforcement."""
    f = result.get("foundation") or {}
    bom = result.get("bom") or {}
    lines = [
        f"Embedment {show(f.get('embedment_ft'))} ft (required {show(f.get('required_embedment_ft'))} ft)",
        f"Pier {show(f.get('diameter_ft'))} ft {f.get('shape', '')}",
        f"Concrete {show(bom.get('concrete_yd3'))} yd³",
        f"Steel {show(bom.get('steel_weight_lb'))} lb",
    ]
    plate = result.get("base_plate")
    if isinstance(plate, Mapping):
        lines.append(
            f"Plate {show(plate.get('plate_width_in'))} × {show(plate.get('plate_width_in'))} × "
            f"{show(plate.get('plate_thickness_in'))} in {plate.get('plate_grade', '')}, "
            f"{show(plate.get('plate_weight_lb'))} lb"
        )
        lines.append(
            f"Anchors {plate.get('bolt_count')} × {show(plate.get('bolt_diameter_in'))} in "
            f"{plate.get('anchor_grade', '')} on a {show(plate.get('bolt_circle_in'))} in circle, "
            f"embedment {show(plate.get('anchor_embedment_in'))} in, length "
            f"{show(plate.get('anchor_length_in'))} in; f'c {show(plate.get('concrete_fc_psi'))} psi"
        )
        bars = plate.get("anchor_reinforcement")
        if isinstance(bars, Mapping):
            lines.append(
                f"Anchor reinforcement {bars.get('bars_per_anchor')} {bars.get('bar_size')} bars per "
                f"anchor (Grade {show(bars.get('grade_ksi'))}), development "
                f"{show(bars.get('development_length_in'))} in"
            )
    return lines
