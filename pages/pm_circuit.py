"""The job monitor's PM system card: where submissions go and the circuit breaker in front of it.

The breaker lives in the worker processes; purgatory keeps its state in Redis (see
``infra/pm_client.py``), which this card reads through the submission service every few seconds,
driven by the monitor's one timer (no timer of its own). ``pm_view`` is pure and unit-tested.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nicegui import background_tasks, ui

from domain.submissions.service import PMStatus
from pages.local_time import local
from pages.session import services

READ_EVERY_SECONDS = 2.0


@dataclass(frozen=True)
class PMView:
    badge: str
    color: str  # Quasar palette
    lines: tuple[str, ...]


def pm_view(status: PMStatus, *, now: float, zone: ZoneInfo) -> PMView:
    """How the PM system and its breaker read on screen at UNIX time ``now``."""
    c = status.circuit
    if status.mode == "local":
        return PMView(
            "Not configured",
            "grey-7",
            (
                "No PM system is configured (SIGNX_PM_URL): submissions are recorded locally on the "
                "server (pm-outbox in the data dir), not sent.",
            ),
        )
    target = f"Dispatches go to {status.target}."
    state, threshold = c.get("state"), c.get("threshold")
    retry_at = c.get("retry_at")
    if state == "open" and isinstance(retry_at, int | float) and retry_at <= now:
        state = "half-open"  # due: the next dispatch is let through to test the PM system
    if state == "open":
        assert isinstance(retry_at, int | float)
        when = local(datetime.fromtimestamp(retry_at, UTC), zone, seconds=True)
        return PMView(
            "Breaker open",
            "red-9",
            (
                f"After {threshold} failed dispatches in a row nothing is sent: dispatch jobs wait and "
                "retry instead.",
                f"One dispatch tries again at {when} (in {max(retry_at - now, 0):.0f} s).",
                target,
            ),
        )
    if state == "half-open":
        return PMView(
            "Breaker half-open",
            "amber-4",
            ("The next dispatch tests the PM system: a success closes the breaker.", target),
        )
    if state == "closed":
        return PMView(
            "Breaker closed",
            "green-9",
            (target, f"Failures in a row: {c.get('failures', 0)} of {threshold} before it opens."),
        )
    return PMView("State unknown", "grey-7", ("The breaker's state cannot be read right now.", target))


class PMCircuitCard:
    """The card; ``tick()`` from the page's timer reads the state again when it is due."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.read_at = 0.0
        self.reading = False

    def render(self) -> None:
        with ui.card().classes("w-80 shrink-0").mark("pm-card"):
            with ui.row().classes("w-full items-center justify-between no-wrap"):
                ui.label("PM system").classes("text-sm text-grey-8 uppercase tracking-wide")
                self.badge = ui.badge("…", color="grey-8").classes("text-sm").mark("pm-breaker")
            self.text = (
                ui.label("").classes("text-xs text-grey-8 whitespace-pre-line").mark("pm-breaker-text")
            )

    def tick(self) -> None:
        if self.reading or time.monotonic() - self.read_at < READ_EVERY_SECONDS:
            return
        self.reading = True
        background_tasks.create(self.read(), name="pm-circuit")

    async def read(self) -> None:
        try:
            submissions = services().submissions
            if submissions is None:
                return
            view = pm_view(await submissions.pm_status(), now=time.time(), zone=self.zone)
            self.badge.text = view.badge
            # White text reads at 4.5:1 on these badges but for amber, which needs dark text.
            text = "grey-10" if view.color.startswith("amber") else "white"
            self.badge.props(f"color={view.color} text-color={text}")
            self.text.text = "\n".join(view.lines)
        finally:
            self.read_at = time.monotonic()
            self.reading = False
