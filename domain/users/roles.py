"""Who may do what. Pure: no I/O.

estimator: create projects, edit own, view all; manager: edit all, accept/reject/reopen;
ops: view, retry and cancel jobs; admin: everything, including users.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    estimator = "estimator"
    manager = "manager"
    ops = "ops"
    admin = "admin"


def can_create_project(role: str) -> bool:
    return role in {Role.estimator, Role.manager, Role.admin}


def can_edit_project(role: str, *, user_id: str, owner_id: str | None) -> bool:
    if role in {Role.manager, Role.admin}:
        return True
    return role == Role.estimator and owner_id == user_id


def can_manage_users(role: str) -> bool:
    return role == Role.admin


def can_run_calculations(role: str) -> bool:
    return role in {Role.estimator, Role.manager, Role.admin, Role.ops}


def can_request_reports(role: str) -> bool:
    """Reports are of saved designs everyone may view."""
    return role in {Role.estimator, Role.manager, Role.admin, Role.ops}


def can_view_jobs(role: str) -> bool:
    """The job monitor: the people who run the system, and managers, who decide on the projects
    whose reports the jobs make (estimators see their project's jobs on the project page)."""
    return role in {Role.ops, Role.admin, Role.manager}


def can_manage_jobs(role: str) -> bool:
    """Retry and cancel background jobs: the people who run the system."""
    return role in {Role.ops, Role.admin}


# Each role may do what the roles below it may (ops views; estimators also create and edit their
# own projects; managers edit all and decide; admins also manage users).
_LADDER = (Role.ops, Role.estimator, Role.manager, Role.admin)


def is_promotion(before: str, after: str) -> bool:
    """Whether moving from ``before`` to ``after`` grants powers: a privilege change after which a
    browser session must start afresh. A demotion needs no new session: every page load and
    every action re-reads the role, so lost powers are gone at once."""
    return _LADDER.index(Role(after)) > _LADDER.index(Role(before))
