"""Plain data about jobs."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.paging import MAX_LIMIT, MAX_OFFSET


class JobStatus(StrEnum):
    queued = "queued"
    running = "running"
    retrying = "retrying"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


# A worker may take a job in these states (running: a redelivery after its worker died).
CLAIMABLE = {JobStatus.queued, JobStatus.running, JobStatus.retrying}
FINISHED = {JobStatus.succeeded, JobStatus.failed, JobStatus.cancelled}

REPORT = "projects.report.generate"
SUBMIT_DISPATCH = "projects.submit.dispatch"
KINDS: tuple[str, ...] = (REPORT, SUBMIT_DISPATCH)
# Queued by the system in the transaction of what it tells about, never requested by people.
EMAIL = "projects.email.send"
KINDS += (EMAIL,)


class JobOut(BaseModel):
    job_id: str
    kind: str
    status: JobStatus
    progress: int = Field(ge=0, le=100)
    message: str
    attempts: int
    error: str | None
    project_id: str | None
    revision: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    result: dict[str, Any] | None
    worker: str | None
    requested_by: str | None


class JobRequest(BaseModel):
    """What a request asks for (also the fingerprint of an idempotent request)."""

    kind: str
    project_id: str | None = None
    revision: int | None = None
    payload: dict[str, Any] = Field(default_factory=dict)


class JobQuery(BaseModel):
    kind: str | None = None
    # Any of these kinds (with ``kind`` unset): a page following a few kinds of its project.
    kinds: tuple[str, ...] | None = None
    status: JobStatus | None = None
    project_id: str | None = None
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class WorkerOut(BaseModel):
    name: str
    started_at: datetime
    last_seen_at: datetime
    jobs_done: int


class JobListed(JobOut):
    """A job as the monitor lists it: with its project's name, for the link."""

    project_name: str | None = None


class MinuteCount(BaseModel):
    """Jobs of one status whose latest change (finished, else started, else created) fell in the
    minute starting at ``minute`` (UTC)."""

    minute: datetime
    status: JobStatus
    count: int


class JobsOverview(BaseModel):
    """What the monitor shows above the list, read in one transaction."""

    queue_depth: int
    workers: list[WorkerOut]
    per_minute: list[MinuteCount]
    read_at: datetime
