"""The fields of a new user (email, name, role) as one form piece, and how roles read to people.

Plain data in and out like ``ProjectFields``: ``values()`` gives strings, ``show_errors()`` takes
``{field: message}``. Validation belongs to the user service.
"""

from __future__ import annotations

from collections.abc import Mapping

from nicegui import ui

from domain.users.roles import Role

ROLE_LABELS: dict[str, str] = {
    Role.estimator.value: "Estimator",
    Role.manager.value: "Manager",
    Role.ops.value: "Ops",
    Role.admin.value: "Admin",
}

ROLE_HINTS: dict[str, str] = {
    Role.estimator.value: "Creates projects and edits their own; sees all.",
    Role.manager.value: "Edits all projects; accepts, rejects and reopens them.",
    Role.ops.value: "Sees projects (and, later, jobs).",
    Role.admin.value: "Everything, including managing users.",
}

FIELD_LABELS = {"email": "Email", "name": "Name", "role": "Role"}


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.title())


class UserFields:
    """Inputs marked ``{prefix}-email``, ``{prefix}-name`` and ``{prefix}-role``."""

    def __init__(self, *, prefix: str, role: str = Role.estimator.value) -> None:
        self.email = (
            ui.input("Email", placeholder="name@company.com")
            .props("outlined type=email autofocus")
            .classes("w-full")
            .mark(f"{prefix}-email")
        )
        self.name = ui.input("Name").props("outlined").classes("w-full").mark(f"{prefix}-name")
        self.role = (
            ui.select(ROLE_LABELS, label="Role", value=role)
            .props("outlined")
            .classes("w-full")
            .mark(f"{prefix}-role")
        )
        self.hint = ui.label(ROLE_HINTS.get(role, "")).classes("text-sm text-grey-7 -mt-2")
        self.role.on_value_change(lambda e: self.hint.set_text(ROLE_HINTS.get(str(e.value or ""), "")))
        self.inputs: dict[str, ui.input | ui.select] = {
            "email": self.email,
            "name": self.name,
            "role": self.role,
        }

    def values(self) -> dict[str, str]:
        return {field: str(element.value or "") for field, element in self.inputs.items()}

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Put each message under its field; fields without a message are cleared."""
        for field, element in self.inputs.items():
            element.error = errors.get(field)
