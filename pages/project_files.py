"""The project page's Files tab: drop several files at once (each uploads on its own, with its
progress, straight to the session's upload route that streams it into the file service), the
project's files (name, size, type, uploader, when in the reader's time zone, SHA-256), download
links, and delete with a confirmation.

Refusals come back from the server (the kind is told from the bytes, the size limit, the name) and
are shown per file. One instance per page load.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from nicegui import Client, app, background_tasks, ui
from nicegui.events import GenericEventArguments

from components.dialogs import confirm_dialog
from components.file_list import FileRow, file_list, human_size
from domain.errors import DomainError, NotFound
from domain.files.schemas import FileOut
from domain.files.sniffing import ALLOWED_NAMES
from domain.orm import utcnow
from domain.projects.lifecycle import is_read_only
from domain.projects.schemas import ProjectOut
from domain.users.roles import can_edit_project
from domain.users.schemas import Actor
from pages.files import file_href, upload_href
from pages.local_time import ask_browser_zone, exact, remembered_zone, shown, zone_label
from pages.session import action_id, current_actor, services

LISTED = 200
READ_ONLY = (
    "Only the project's owner or a manager can add or delete files, and not once the project is "
    "accepted or rejected."
)
# What the browser tells the server about each finished (or failed) request of the uploader.
XHR_OUTCOME = """(e) => emit({
  names: e.files.map((f) => f.name),
  status: e.xhr.status,
  body: (e.xhr.responseText || '').slice(0, 20000),
})"""
REJECTED = """(entries) => emit(entries.map((x) => ({name: x.file.name, reason: x.failedPropValidation})))"""


def _answer(args: Any) -> tuple[str, int, dict[str, Any] | None]:
    """(file name, status, JSON body or None) of one uploader request."""
    args = args if isinstance(args, dict) else {}
    names = args.get("names") or ["the file"]
    try:
        body = json.loads(str(args.get("body") or ""))
    except ValueError:
        body = None
    return str(names[0]), int(args.get("status") or 0), body if isinstance(body, dict) else None


class FilesPanel:
    def __init__(self, actor: Actor, project: Callable[[], ProjectOut]) -> None:
        self.actor = actor
        self.project = project
        self.zone: ZoneInfo = remembered_zone()
        self.files: list[FileOut] = []
        self.total = 0
        self.max_bytes = services().files.max_bytes
        self.upload: ui.upload

    @property
    def project_id(self) -> str:
        return self.project().project_id

    @property
    def may_change(self) -> bool:
        p = self.project()
        mine = can_edit_project(self.actor.role, user_id=self.actor.user_id, owner_id=p.owner_id)
        return mine and not is_read_only(p.status)

    # --- layout -------------------------------------------------------------------------------
    @ui.refreshable_method
    def render(self) -> None:
        with ui.card().classes("w-full").mark("files-card"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label("Files").classes("text-lg font-bold")
                self.count = ui.label().classes("text-sm text-grey-7").mark("files-count")
            if self.may_change:
                self.uploader()
            else:
                ui.label(READ_ONLY).classes("text-sm text-grey-7").mark("files-read-only")
            self.listing()

    def uploader(self) -> None:
        limit = f"{self.max_bytes / 1024 / 1024:g} MB"
        upload = self.upload = (
            ui.upload(
                multiple=True,
                auto_upload=True,
                max_file_size=self.max_bytes,
                label=f"Drop files here or click + ({ALLOWED_NAMES}; up to {limit} each)",
            )
            .props(f"url={upload_href(self.project_id)} field-name=file flat bordered")
            .classes("w-full")
            .mark("file-upload")
        )
        # Its files go to our streaming route (the url prop); NiceGUI's own route for it, which
        # reads a whole form to temporary files before anything can refuse it, is not needed.
        app.remove_route(upload._registered_url)  # noqa: SLF001
        upload.on("uploaded", self.on_uploaded, js_handler=XHR_OUTCOME)
        upload.on("failed", self.on_failed, js_handler=XHR_OUTCOME)
        upload.on("rejected", self.on_rejected, js_handler=REJECTED)

    @ui.refreshable_method
    def listing(self) -> None:
        self.count.text = f"{self.total} file{'' if self.total == 1 else 's'}"
        now = utcnow()
        rows = [
            FileRow(
                file_id=f.file_id,
                name=f.name,
                href=file_href(f.project_id, f.file_id),
                size=f.size,
                kind=f.kind,
                uploader=f.uploaded_by_email,
                when=shown(f.uploaded_at, self.zone, now).text,
                when_exact=exact(f.uploaded_at, self.zone),
                sha256=f.sha256,
            )
            for f in self.files
        ]
        file_list(rows, on_delete=self.ask_delete if self.may_change else None)
        if self.total > len(self.files):
            ui.label(f"The newest {len(self.files)} are shown.").classes("text-xs text-grey-7")
        ui.label(f"Times in {zone_label(self.zone)}").classes("text-[11px] text-grey-6").mark("files-zone")

    # --- data ---------------------------------------------------------------------------------
    async def start(self) -> None:
        await self.load()
        background_tasks.create(self.learn_zone(ui.context.client), name="files-zone")

    async def load(self) -> None:
        page = await services().files.list(self.project_id, limit=LISTED)
        self.files, self.total = list(page.items), page.total
        self.listing.refresh()

    async def learn_zone(self, client: Client) -> None:
        zone = await ask_browser_zone(client)
        if zone.key != self.zone.key:
            self.zone = zone
            with client:
                self.listing.refresh()

    def project_changed(self) -> None:
        """The project's status or owner may have changed: who may add and delete with it."""
        self.render.refresh()

    # --- the uploader's outcomes ------------------------------------------------------------------
    async def on_uploaded(self, e: GenericEventArguments) -> None:
        name, _status, body = _answer(e.args)
        stored = (body or {}).get("file")
        if not isinstance(stored, dict):
            # A redirect to the login page answers 200 with HTML: the session has ended.
            ui.notify(f"“{name}” was not added: your session has ended; log in again.", type="negative")
            return
        if body and body.get("created"):
            ui.notify(f"“{stored.get('name')}” added ({stored.get('kind')}).", type="positive")
        else:
            ui.notify(f"“{name}” is already attached as “{stored.get('name')}”.", type="info")
        await self.load()
        # Listed now: it leaves the uploader's queue, which keeps what is in flight or failed.
        self.upload.run_method("removeUploadedFiles")

    def on_failed(self, e: GenericEventArguments) -> None:
        name, status, body = _answer(e.args)
        error = (body or {}).get("error") or {}
        message = error.get("message") if isinstance(error, dict) else None
        if not message:
            message = "the upload was interrupted" if status == 0 else f"the server answered {status}"
        ui.notify(f"“{name}” was not added: {message}", type="negative", multi_line=True)

    def on_rejected(self, e: GenericEventArguments) -> None:
        entries = e.args if isinstance(e.args, list) else []
        for entry in entries:
            name = entry.get("name", "a file") if isinstance(entry, dict) else "a file"
            ui.notify(f"“{name}” was not added: larger than {human_size(self.max_bytes)}.", type="negative")

    # --- delete ---------------------------------------------------------------------------------
    def ask_delete(self, row: FileRow) -> None:
        confirm_dialog(
            f"Delete “{row.name}”?",
            "It leaves the project's files; the project's history keeps a record of it.",
            confirm_label="Delete",
            on_confirm=lambda: self.delete(row),
        )

    async def delete(self, row: FileRow) -> None:
        actor = await current_actor()
        if actor is None:
            ui.notify("Your account is no longer active.", type="negative")
            return
        self.actor = actor
        try:
            await services().files.delete(
                actor, self.project_id, row.file_id, if_match=row.sha256, request_id=action_id()
            )
        except NotFound:
            ui.notify(f"“{row.name}” was already deleted.", type="info")
        except DomainError as exc:
            ui.notify(f"“{row.name}” was not deleted: {exc.message}", type="negative", multi_line=True)
        else:
            ui.notify(f"“{row.name}” deleted.", type="positive")
        await self.load()
