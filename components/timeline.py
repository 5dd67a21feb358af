"""An audit trail (a project's or an account's) as a timeline, newest first.

Takes events as plain mappings (``event_type``, ``actor``, ``created_at``, ``data``), the shape
the project and user services return, and turns each into a headline and a few human lines: field
names, roles and statuses by their labels ("Role: Estimator → Ops"), never raw keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from nicegui import ui

from components.project_fields import FIELD_LABELS
from components.status import status_label
from components.user_fields import role_label
from components.when import time_label

EVENT_TITLES = {
    "created": "Created",
    "updated": "Updated",
    "transition": "Status changed",
    "design.saved": "Design saved",
    "submitted.dispatched": "Submission dispatched",
    "file.uploaded": "File added",
    "file.deleted": "File deleted",
    "user_added": "Account created",
    "role_changed": "Role changed",
    "user_activated": "Activated",
    "user_deactivated": "Deactivated",
    "password_reset": "Password reset",
    "password_set": "Password set",
    "api_key_issued": "API key issued",
    "api_keys_revoked": "API keys revoked",
    "notifications_changed": "E-mail choice changed",
}
EVENT_ICONS = {
    "created": "add_circle",
    "updated": "edit",
    "transition": "swap_horiz",
    "design.saved": "architecture",
    "submitted.dispatched": "send",
    "file.uploaded": "attach_file",
    "file.deleted": "delete",
    "user_added": "person_add",
    "role_changed": "badge",
    "user_activated": "check_circle",
    "user_deactivated": "block",
    "password_reset": "password",
    "password_set": "password",
    "api_key_issued": "key",
    "api_keys_revoked": "key_off",
    "notifications_changed": "mail",
}
EVENT_COLORS = {
    "created": "green",
    "updated": "blue",
    "transition": "orange",
    "submitted.dispatched": "teal",
    "user_added": "green",
    "role_changed": "blue",
    "user_deactivated": "red",
    "api_keys_revoked": "red",
}


# When: (moment) -> (text, exact): how the page shows a time (relative, and exact on hover).
When = Callable[[datetime], tuple[str, str]]


def format_time(moment: datetime) -> str:
    """The time in UTC, saying so. Pages show local times (``pages.local_time``); this stays for
    texts that leave the browser (exports), where a fixed zone is the point."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _utc(moment: datetime) -> tuple[str, str]:
    text = format_time(moment)
    return text, text


def _label(key: str) -> str:
    """``design_revision`` reads "Design revision"."""
    return key.replace("_", " ").replace(".", " ").strip().capitalize() or key


def _quote(value: Any) -> str:
    text = "" if value is None else str(value)
    if len(text) > 120:
        text = text[:117] + "…"
    return f"“{text}”" if text else "(empty)"


def describe(event: Mapping[str, Any]) -> list[str]:
    """The lines a person reads under an event's headline."""
    data = event.get("data") or {}
    kind = event.get("event_type")
    if kind == "updated":
        changes = data.get("changes") or {}
        return [
            f"{FIELD_LABELS.get(field, field)}: {_quote(c.get('before'))} → {_quote(c.get('after'))}"
            for field, c in changes.items()
        ]
    if kind == "transition":
        lines = [f"Status: {status_label(str(data.get('from')))} → {status_label(str(data.get('to')))}"]
        if data.get("reason"):
            lines.append(f"Reason: {data['reason']}")
        if data.get("to") == "submitted" and data.get("design_revision") is not None:
            lines.append(f"Design revision {data.get('design_revision')} submitted")
        return lines
    if kind == "submitted.dispatched":
        if data.get("pm_dispatch") == "recorded_locally":
            where = f" ({data['file']})" if data.get("file") else ""
            return [f"Recorded locally, not sent: no PM system is configured{where}"]
        return [f"Sent to the PM system: reference {_quote(data.get('pm_reference'))}"]
    if kind == "design.saved":
        total = data.get("total")
        price = f", estimate ${total:,.2f}" if isinstance(total, int | float) else ""
        verdict = "passes" if data.get("pass") else "does not pass"
        return [
            f"Revision {data.get('design_revision')}: {data.get('section')}, "
            f"embedment {data.get('embedment_ft')} ft{price}; {verdict}"
        ]
    if kind in ("file.uploaded", "file.deleted"):
        size = data.get("size")
        megabytes = f", {size / 1024 / 1024:.1f} MB" if isinstance(size, int) else ""
        return [f"{_quote(data.get('name'))} ({data.get('content_type')}{megabytes})"]
    if kind == "role_changed":
        return [f"Role: {role_label(str(data.get('before')))} → {role_label(str(data.get('after')))}"]
    if kind == "user_added":
        lines = [f"Role: {role_label(str(data.get('role')))}"]
        if data.get("name"):
            lines.append(f"Name: {_quote(data.get('name'))}")
        return lines
    if kind == "notifications_changed":
        return [
            "E-mailed about every project" if data.get("notify_all") else "E-mailed about own projects only"
        ]
    if kind == "api_keys_revoked":
        return [f"Keys revoked: {data.get('count', 0)}"]
    if kind == "created":
        fields = data.get("fields") or {}
        lines = [f"Status: {status_label(str(data.get('status', 'draft')))}"]
        lines += [f"{FIELD_LABELS.get(k, k)}: {_quote(v)}" for k, v in fields.items() if v not in (None, "")]
        return lines
    return [f"{_label(key)}: {_quote(value)}" for key, value in data.items()]


def event_title(kind: str) -> str:
    return EVENT_TITLES.get(kind, _label(kind))


def event_timeline(events: Sequence[Mapping[str, Any]], when: When = _utc) -> None:
    """The events, newest first; ``when`` formats their times (the page's local zone)."""
    if not events:
        ui.label("No events yet.").classes("text-grey-7")
        return
    with ui.timeline(side="right", layout="dense").classes("w-full"):
        for event in events:
            kind = str(event.get("event_type"))
            entry = ui.timeline_entry(
                icon=EVENT_ICONS.get(kind, "info"), color=EVENT_COLORS.get(kind, "grey")
            )
            entry.mark("event")
            with entry.add_slot("title"), ui.row().classes("items-baseline gap-2 text-base"):
                ui.label(event_title(kind)).classes("font-bold")
                ui.label(f"by {event.get('actor')}").classes("font-normal text-grey-8")
            with entry.add_slot("subtitle"):
                text, exact = when(event["created_at"])
                time_label(text, exact, event["created_at"].isoformat()).mark("event-time")
            with entry, ui.column().classes("gap-1"):
                for line in describe(event):
                    ui.label(line).classes("text-sm whitespace-pre-wrap break-words")
