"""The set of services the composition root wires and the pages and API call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from domain.designs.service import DesignService
from domain.files.service import FileService
from domain.idempotency.service import IdempotencyService
from domain.jobs.feed import JobFeed
from domain.jobs.service import JobService
from domain.notifications.service import NotificationService
from domain.projects.service import ProjectService
from domain.reports.service import ReportService
from domain.search.service import SearchService
from domain.submissions.service import SubmissionService
from domain.users.service import UserService


async def _nothing() -> None:
    return None


@dataclass
class Services:
    projects: ProjectService
    designs: DesignService
    users: UserService
    idempotency: IdempotencyService
    reports: ReportService
    jobs: JobService
    search: SearchService
    files: FileService
    # Readiness probes of the servers behind the services (raise when unreachable).
    readiness: dict[str, Callable[[], Awaitable[None]]]
    code_version: str
    # Told (kind, outcome) for every engineering calculation run through the API, for the metrics.
    observe_calculation: Callable[[str, str], None] = lambda _kind, _outcome: None
    # The metrics in the Prometheus text format: (body, content type), or an awaitable of it (read
    # at scrape time from the database); None = no metrics kept.
    metrics_exposition: Callable[[], tuple[bytes, str] | Awaitable[tuple[bytes, str]]] | None = None
    # Starts the background work wired with the services (the outbox relay), in the running event
    # loop; the composition root's release stops it.
    start: Callable[[], Awaitable[None]] = _nothing
    # The one shared poll of the jobs table that every open job monitor and project page follows
    # (made by the composition root; None where no page runs, e.g. the worker).
    job_feed: JobFeed | None = None
    # E-mail: queued on status changes and finished reports, sent by the e-mail job's handler.
    notifications: NotificationService | None = None
    # Submitting projects to the PM system and the dispatch job's handler (None: not wired).
    submissions: SubmissionService | None = None
