"""Who may do what. Pure: no I/O.

estimator: create projects, edit own, view all; manager: edit all, accept/reject/reopen;
ops: view (and, later, jobs); admin: everything, including users.
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
