"""The edit-conflict dialog: someone saved the project after this page loaded it.

Shows, per field, their (current) value next to the value in this form, and offers the two
ways out. It is persistent (no closing by Esc or a click outside): the person has to choose,
so neither version disappears without a decision.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from components.dialogs import close_then, delete_when_closed


@dataclass(frozen=True)
class ConflictRow:
    label: str
    theirs: str
    yours: str | None  # None: this form did not change the field, so saving keeps theirs


def _show(value: str) -> str:
    return value if value != "" else "(empty)"


def conflict_dialog(
    rows: Sequence[ConflictRow],
    *,
    changed_by: str,
    on_keep_theirs: Callable[[], Awaitable[Any] | Any],
    on_overwrite: Callable[[], Awaitable[Any] | Any],
) -> ui.dialog:
    """Open the dialog; it deletes itself once either button was pressed, then runs that button's
    callback in the page layout (the dialog's own slots are gone by then)."""
    with ui.dialog(value=True).props("persistent") as dialog, ui.card().classes("w-[44rem] max-w-full"):
        dialog.mark("conflict-dialog")
        ui.label("Someone else saved this project meanwhile").classes("text-lg font-bold")
        ui.label(
            f"{changed_by} changed it after you opened this page. "
            "Compare the values and choose which to keep."
        ).classes("text-sm")
        with ui.grid(columns=3).classes("w-full gap-x-4 gap-y-1 items-start"):
            ui.label("Field").classes("font-bold")
            ui.label("Their value").classes("font-bold")
            ui.label("Your value").classes("font-bold")
            for row in rows:
                ui.label(row.label).mark("conflict-field")
                ui.label(_show(row.theirs)).classes("whitespace-pre-wrap break-words").mark("conflict-theirs")
                if row.yours is None:
                    ui.label("(you did not change this; theirs is kept)").classes("italic text-grey-7")
                else:
                    ui.label(_show(row.yours)).classes("whitespace-pre-wrap break-words").mark(
                        "conflict-yours"
                    )
        ui.label(
            "Overwrite with mine saves the fields you changed over theirs; fields only they changed keep "
            "their values."
        ).classes("text-xs text-grey-7")

        async def choose(callback: Callable[[], Awaitable[Any] | Any]) -> None:
            await close_then(dialog, callback)

        with ui.row().classes("w-full justify-end gap-2"):
            ui.button("Keep theirs (discard mine)", on_click=lambda: choose(on_keep_theirs)).props(
                "outline"
            ).mark("keep-theirs")
            ui.button("Overwrite with mine", on_click=lambda: choose(on_overwrite)).props(
                "color=negative"
            ).mark("overwrite-mine")
    return delete_when_closed(dialog)
