"""The project state machine. Pure: no I/O.

    draft -> estimating -> submitted -> accepted | rejected ;  rejected -> draft (reopen)

Leaving ``draft`` and submitting are also guarded by a check that reads the database (a saved
design whose checks all pass): the service runs it inside the transition's transaction and turns
its reasons into a refusal with :func:`guard_refusal`. accepted and rejected are read-only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.text import PROSE_PATTERN


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


def check_transition(current: Status, target: Status, role: str) -> TransitionRefused | None:
    """Return why the state machine or the role refuses the transition, or None when they allow
    it (leaving draft is then still subject to the guard: :func:`leave_draft_refusal`)."""
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
    return None


def leave_draft_refusal(current: Status, reasons: Sequence[str]) -> TransitionRefused | None:
    """The refusal when the leave-draft guard gave ``reasons`` (none: no refusal). Only a project
    in draft is subject to it."""
    if current is not Status.draft:
        return None
    return guard_refusal(current, Status.estimating, reasons)


# Moves that need a saved design whose checks all pass (the design guard, which reads the
# database): leaving draft, and submitting, since a submitted design leaves the building.
NEEDS_PASSING_DESIGN: frozenset[tuple[Status, Status]] = frozenset(
    {(Status.draft, Status.estimating), (Status.estimating, Status.submitted)}
)


def needs_passing_design(current: Status, target: Status) -> bool:
    return (current, target) in NEEDS_PASSING_DESIGN


def guard_refusal(current: Status, target: Status, reasons: Sequence[str]) -> TransitionRefused | None:
    """The refusal when the design guard gave ``reasons`` for this move (none: no refusal)."""
    if not needs_passing_design(current, target) or not reasons:
        return None
    message = (
        "The project may not leave draft yet."
        if current is Status.draft
        else "The project may not be submitted: its latest saved design must pass every check."
    )
    return TransitionRefused(
        "guard_failed", message, tuple(str(t) for t in TRANSITIONS[current]), tuple(reasons)
    )


# A project in these states has been submitted already: submitting it again is refused as such
# (before its ETag is even compared), so a repeated submit learns what happened, not "stale".
SUBMITTED: frozenset[Status] = frozenset({Status.submitted, Status.accepted, Status.rejected})


def resubmit_refusal(current: Status, target: Status) -> TransitionRefused | None:
    """Why a submit of a project in ``current`` is refused as already submitted (None: it is not)."""
    if target is not Status.submitted or current not in SUBMITTED:
        return None
    message = {
        Status.submitted: "The project was already submitted; it is not sent a second time.",
        Status.accepted: "The project was already submitted and accepted.",
        Status.rejected: "The project was submitted and rejected; a manager reopens it before it is "
        "submitted again.",
    }[current]
    return TransitionRefused("already_submitted", message, tuple(str(t) for t in TRANSITIONS[current]))


def is_read_only(status: Status) -> bool:
    return status in READ_ONLY


# Moves that must say why (the reason goes into the audit event and the e-mail to the owner).
REASON_REQUIRED: frozenset[Status] = frozenset({Status.rejected})
REASON_MAX_LENGTH = 2000


def reason_problem(target: Status, reason: str | None) -> str | None:
    """Why ``reason`` does not do for a move to ``target`` (None: it does)."""
    if target in REASON_REQUIRED and not (reason or "").strip():
        return f"A reason is required to move a project to '{target}'."
    if reason is not None and len(reason) > REASON_MAX_LENGTH:
        return f"The reason is longer than {REASON_MAX_LENGTH} characters."
    if reason is not None and not re.fullmatch(PROSE_PATTERN, reason):
        return "The reason must not contain control characters (other than line breaks and tabs)."
    return None
