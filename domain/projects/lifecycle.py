"""The project state machine. Pure: no I/O.

    draft -> estimating -> submitted -> accepted | rejected ;  rejected -> draft (reopen)

Leaving ``draft`` is guarded by a pluggable check (a later capability requires a passing
design); the default guard allows it. accepted and rejected are read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    draft = "draft"
    estimating = "estimating"
    submitted = "submitted"
    accepted = "accepted"
    rejected = "rejected"


TRANSITIONS: Mapping[Status, tuple[Status, ...]] = {
    Status.draft: (Status.estimating,),
    Status.estimating: (Status.submitted, Status.draft),
    Status.submitted: (Status.accepted, Status.rejected),
    Status.accepted: (),
    Status.rejected: (Status.draft,),
}

READ_ONLY: frozenset[Status] = frozenset({Status.accepted, Status.rejected})

# Decisions that only a manager (or admin) may take: accept, reject and reopen.
MANAGER_ONLY: frozenset[tuple[Status, Status]] = frozenset(
    {
        (Status.submitted, Status.accepted),
        (Status.submitted, Status.rejected),
        (Status.rejected, Status.draft),
    }
)

# A guard receives the project as a plain dict and returns the reasons it may not leave draft
# (an empty list means it may).
LeaveDraftGuard = Callable[[Mapping[str, Any]], list[str]]


def allow_always(_project: Mapping[str, Any]) -> list[str]:
    return []


@dataclass(frozen=True)
class TransitionRefused:
    code: str  # "transition_not_allowed" | "guard_failed" | "role_forbidden"
    message: str
    allowed: tuple[str, ...]
    reasons: tuple[str, ...] = ()


def allowed_targets(current: Status, role: str) -> tuple[Status, ...]:
    """Targets reachable from ``current`` for a user of ``role`` (guards not evaluated)."""
    manager = role in {"manager", "admin"}
    return tuple(t for t in TRANSITIONS[current] if manager or (current, t) not in MANAGER_ONLY)


# On a submitted or rejected project the next step is a decision (accept, reject, reopen) that the
# role alone governs; every other move belongs to whoever may edit the project.
DECISION_STATES: frozenset[Status] = frozenset({Status.submitted, Status.rejected})


def targets_for(current: Status, role: str, *, may_edit: bool) -> tuple[Status, ...]:
    """The moves to offer a user: ``may_edit`` says whether they may edit this project."""
    if current not in DECISION_STATES and not may_edit:
        return ()
    return allowed_targets(current, role)


def check_transition(
    current: Status,
    target: Status,
    role: str,
    project: Mapping[str, Any],
    leave_draft_guard: LeaveDraftGuard = allow_always,
) -> TransitionRefused | None:
    """Return why the transition is refused, or None when it may happen."""
    graph_allowed = tuple(str(t) for t in TRANSITIONS[current])
    if target not in TRANSITIONS[current]:
        return TransitionRefused(
            "transition_not_allowed",
            f"A project in '{current}' cannot move to '{target}'.",
            graph_allowed,
        )
    if (current, target) in MANAGER_ONLY and role not in {"manager", "admin"}:
        return TransitionRefused(
            "role_forbidden",
            f"Only a manager or admin may move a project from '{current}' to '{target}'.",
            tuple(str(t) for t in allowed_targets(current, role)),
        )
    if current is Status.draft:
        reasons = leave_draft_guard(project)
        if reasons:
            return TransitionRefused(
                "guard_failed", "The project may not leave draft yet.", graph_allowed, tuple(reasons)
            )
    return None


def is_read_only(status: Status) -> bool:
    return status in READ_ONLY
