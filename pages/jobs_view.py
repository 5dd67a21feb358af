"""The job monitor's view (filters and page) and its round trip through the query string, and
how a job, a worker and the per-minute counts read on screen. Pure (no page defined here), so it
is unit-tested and imported without NiceGUI's per-test page reset re-running it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.jobs.schemas import KINDS, JobListed, JobQuery, JobStatus, MinuteCount, WorkerOut
from pages.listing import PER_PAGE_DEFAULT, changed_params, page_number, page_size
from pages.local_time import local

JOBS = "/jobs"

KIND_LABELS = {
    "projects.report.generate": "Calculation report",
    "projects.submit.dispatch": "Submission to PM",
    "projects.email.send": "E-mail",
}
STATUS_LABELS = {
    "queued": "Queued",
    "running": "Running",
    "retrying": "Retrying",
    "succeeded": "Succeeded",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
# Quasar palette: grey waits, blue works, amber waits again, green done, red failed, dark grey stopped.
# Each with its text colour at 4.5:1 or more (WCAG 2.1 AA); amber needs dark text for that.
STATUS_COLORS = {
    "queued": "grey-8",
    "running": "blue-9",
    "retrying": "amber-4",
    "succeeded": "green-9",
    "failed": "red-9",
    "cancelled": "blue-grey-7",
}
STATUS_TEXT_COLORS = {"retrying": "grey-10"}


def status_text_color(status: str) -> str:
    return STATUS_TEXT_COLORS.get(status, "white")


# The same colours as CSS, for the chart.
STATUS_HEX = {
    "queued": "#9e9e9e",
    "running": "#1976d2",
    "retrying": "#ff8f00",
    "succeeded": "#388e3c",
    "failed": "#d32f2f",
    "cancelled": "#78909c",
}
RETRYABLE = {JobStatus.failed, JobStatus.cancelled}
CANCELLABLE = {JobStatus.queued, JobStatus.running, JobStatus.retrying}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def _project_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value or "")))
    except ValueError:
        return ""


@dataclass(frozen=True)
class JobsView:
    """What the monitor lists; round-trips through ``/jobs?kind=&status=&project=&page=&per_page=``."""

    kind: str = ""
    status: str = ""
    project: str = ""
    page: int = 1
    per_page: int = PER_PAGE_DEFAULT

    @classmethod
    def from_query(cls, params: Any) -> JobsView:
        """Tolerant: an unknown kind or status, a malformed project id or page is dropped."""
        kind = str(params.get("kind") or "")
        status = str(params.get("status") or "")
        per_page = page_size(params.get("per_page"))
        return cls(
            kind=kind if kind in KINDS else "",
            status=status if status in STATUS_LABELS else "",
            project=_project_id(params.get("project")),
            page=page_number(params.get("page"), per_page),
            per_page=per_page,
        )

    def query_string(self) -> str:
        return changed_params(
            [
                ("kind", self.kind, ""),
                ("status", self.status, ""),
                ("project", self.project, ""),
                ("page", self.page, 1),
                ("per_page", self.per_page, PER_PAGE_DEFAULT),
            ]
        )

    def url(self) -> str:
        query = self.query_string()
        return f"{JOBS}?{query}" if query else JOBS

    def service_query(self) -> JobQuery:
        return JobQuery(
            kind=self.kind or None,
            status=JobStatus(self.status) if self.status else None,
            project_id=self.project or None,
            limit=self.per_page,
            offset=(self.page - 1) * self.per_page,
        )

    def pagination(self, total: int) -> dict[str, Any]:
        return {"page": self.page, "rowsPerPage": self.per_page, "rowsNumber": total}

    def with_pagination(self, pagination: dict[str, Any]) -> JobsView:
        per_page = page_size(pagination.get("rowsPerPage") or self.per_page)
        page = 1 if per_page != self.per_page else page_number(pagination.get("page"), per_page)
        return replace(self, page=page, per_page=per_page)


def duration(seconds: float) -> str:
    """``0.4 s``, ``12 s``, ``3 min 05 s``, ``2 h 04 min``."""
    seconds = max(seconds, 0.0)
    if seconds < 10:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def ago(moment: datetime, now: datetime) -> str:
    """How long before ``now``: ``just now``, ``4 s ago``, ``3 min ago``."""
    seconds = (now - moment).total_seconds()
    if seconds < 1:
        return "just now"
    if seconds < 90:
        return f"{int(seconds)} s ago"
    if seconds < 3600 * 2:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"


def job_duration(job: JobListed, now: datetime) -> str:
    """How long the latest attempt ran (so far, while it runs); empty before it started."""
    if job.started_at is None:
        return ""
    end = job.finished_at or (now if job.status is JobStatus.running else None)
    if end is None:
        return ""
    return duration((end - job.started_at).total_seconds())


def job_row(job: JobListed, *, now: datetime, zone: ZoneInfo, may_manage: bool) -> dict[str, Any]:
    """One row of the monitor's table (plain JSON for the browser)."""
    return {
        "job_id": job.job_id,
        "short_id": job.job_id[:8],
        "kind": kind_label(job.kind),
        "project": job.project_name or (job.project_id[:8] if job.project_id else ""),
        "project_href": f"/projects/{job.project_id}" if job.project_id else "",
        "project_filter": f"{JOBS}?project={job.project_id}" if job.project_id else "",
        "revision": job.revision,
        "status": job.status.value,
        "progress": job.progress,
        "message": job.message,
        "attempts": job.attempts,
        "created": local(job.created_at, zone, seconds=True),
        "duration": job_duration(job, now),
        "worker": job.worker or "",
        "error": job.error or "",
        "can_retry": may_manage and job.status in RETRYABLE,
        "can_cancel": may_manage and job.status in CANCELLABLE,
    }


def worker_row(worker: WorkerOut, *, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "name": worker.name,
        "last_seen": local(worker.last_seen_at, zone, seconds=True),
        "ago": ago(worker.last_seen_at, now),
        "jobs_done": worker.jobs_done,
        "since": local(worker.started_at, zone),
    }


def per_minute_figure(
    counts: list[MinuteCount], *, now: datetime, zone: ZoneInfo, minutes: int = 60
) -> dict[str, Any]:
    """A plotly figure: jobs per minute by status, stacked, over the last ``minutes`` in ``zone``.
    Every minute of the window has a bar slot (zeros included), so the time axis does not jump."""
    end = now.replace(second=0, microsecond=0)
    slots = [end.timestamp() - 60 * i for i in range(minutes - 1, -1, -1)]
    x = [datetime.fromtimestamp(t, zone).strftime("%H:%M") for t in slots]
    by_status: dict[str, dict[float, int]] = {}
    for c in counts:
        by_status.setdefault(c.status.value, {})[c.minute.timestamp()] = c.count
    traces = [
        {
            "type": "bar",
            "name": STATUS_LABELS[status],
            "x": x,
            "y": [by_status.get(status, {}).get(t, 0) for t in slots],
            "marker": {"color": STATUS_HEX[status]},
            "hovertemplate": "%{x}<br>%{y} " + STATUS_LABELS[status].lower() + "<extra></extra>",
        }
        for status in STATUS_LABELS
        if status in by_status
    ]
    # Whole jobs on the axis: one tick per job while the bars are short (plotly would show 0.5).
    top = max((sum(per.get(t, 0) for per in by_status.values()) for t in slots), default=0)
    yaxis: dict[str, Any] = {"title": {"text": "jobs / min"}, "rangemode": "tozero", "tickformat": "d"}
    if top <= 6:
        yaxis |= {"dtick": 1, "range": [0, max(top, 1) + 0.2]}
    quiet = (
        []
        if traces
        else [
            {
                "text": "No job started or finished in the last hour",
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"color": "#757575"},
            }
        ]
    )
    return {
        "data": traces,
        "layout": {
            "annotations": quiet,
            "barmode": "stack",
            "height": 220,
            "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.25},
            "xaxis": {"type": "category", "nticks": 12, "tickangle": 0},
            "yaxis": yaxis,
            "bargap": 0.15,
            "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)",
        },
        "config": {"displayModeBar": False, "responsive": True},
    }
