"""A project's files as a table: name (the download link), size, type, who uploaded it, when, and
the start of its SHA-256 (the whole one on hover), with a delete button when the viewer may delete.

Plain data and a callback in; never touches the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from components.everyday import icon_button

SHA_SHOWN = 12


@dataclass(frozen=True)
class FileRow:
    file_id: str
    name: str
    href: str
    size: int
    kind: str
    uploader: str
    when: str  # already in the reader's time zone (relative when recent)
    sha256: str
    when_exact: str = ""  # the exact local time and zone, on hover


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def file_list(
    rows: Sequence[FileRow], *, on_delete: Callable[[FileRow], Awaitable[Any] | Any] | None
) -> None:
    if not rows:
        ui.label("No files yet.").classes("text-sm text-grey-7").mark("no-files")
        return
    headings = ["Name", "Size", "Type", "Uploaded by", "When", "SHA-256"] + ([""] if on_delete else [])
    with (
        ui.element("q-markup-table")
        .props("flat bordered dense wrap-cells")
        .classes("w-full")
        .mark("file-table")
    ):
        with ui.element("thead"), ui.element("tr"):
            for heading in headings:
                with ui.element("th").classes("text-left"):
                    ui.label(heading)
        with ui.element("tbody"):
            for row in rows:
                with ui.element("tr").mark("file-row"):
                    with ui.element("td"):
                        ui.link(row.name, row.href).classes("font-medium break-all").mark("file-download")
                    with ui.element("td").classes("whitespace-nowrap"):
                        ui.label(human_size(row.size)).mark("file-size")
                    with ui.element("td"):
                        ui.badge(row.kind, color="grey-7").props("outline").mark("file-kind")
                    with ui.element("td"):
                        ui.label(row.uploader).classes("text-sm").mark("file-uploader")
                    with ui.element("td").classes("whitespace-nowrap"):
                        when = ui.label(row.when).classes("text-sm").mark("file-when")
                        if row.when_exact:
                            when.tooltip(row.when_exact)
                    with ui.element("td"):
                        ui.label(row.sha256[:SHA_SHOWN]).classes("font-mono text-xs").tooltip(
                            row.sha256
                        ).mark("file-sha")
                    if on_delete is not None:
                        with ui.element("td"):
                            icon_button("delete", f"Delete {row.name}", lambda r=row: on_delete(r)).props(
                                "flat round dense color=negative"
                            ).mark("file-delete")
