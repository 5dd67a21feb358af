"""Plain data of an operations snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QueueState:
    waiting: int  # jobs queued or retrying
    oldest_queued_seconds: float  # age of the oldest job in status queued (0 when none)


@dataclass(frozen=True)
class OperationsSnapshot:
    # Jobs by (kind, status): every job in the table.
    jobs: dict[tuple[str, str], int]
    # Per broker queue (see domain/jobs/queues.py); every queue is present.
    queues: dict[str, QueueState]
    workers_alive: int
    # Seconds since the most recent heartbeat of any worker (None: no worker ever beat).
    last_heartbeat_seconds: float | None
    outbox_pending: int
    # Age of the oldest outbox row due and not yet published (0 when none).
    outbox_lag_seconds: float
    projects: dict[str, int] = field(default_factory=dict)  # by status
    design_revisions: int = 0
    reports: int = 0
