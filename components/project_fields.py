"""The five editable project fields as one form piece, shared by the New dialog and the overview.

Plain data in and out: ``values()`` gives a dict of strings, ``show_errors()`` takes
``{field: message}``. Validation itself belongs to the domain schemas, not to this component.
"""

from __future__ import annotations

from collections.abc import Mapping

from nicegui import ui

FIELD_LABELS: dict[str, str] = {
    "name": "Name",
    "account_id": "Account ID",
    "customer": "Customer",
    "site_address": "Site address",
    "description": "Description",
}

FIELD_HINTS: dict[str, str] = {
    "account_id": "Letters, digits, dot, underscore and dash",
}


class ProjectFields:
    """Inputs for name, account id, customer, site address and description.

    Each input carries the marker ``{prefix}-{field}`` so pages and tests can address it.
    """

    def __init__(
        self,
        values: Mapping[str, str] | None = None,
        *,
        prefix: str,
        enabled: bool = True,
    ) -> None:
        values = values or {}
        self.inputs: dict[str, ui.input | ui.textarea] = {}
        for field, label in FIELD_LABELS.items():
            value = str(values.get(field) or "")
            element: ui.input | ui.textarea
            if field == "description":
                element = ui.textarea(label, value=value).props("outlined autogrow")
            else:
                element = ui.input(label, value=value).props("outlined")
            if field in FIELD_HINTS:
                element.props(f'hint="{FIELD_HINTS[field]}"')
            if field == "name":
                element.props("autofocus")
            element.classes("w-full").mark(f"{prefix}-{field}")
            self.inputs[field] = element
        self.set_enabled(enabled)

    def values(self) -> dict[str, str]:
        return {field: str(element.value or "") for field, element in self.inputs.items()}

    def set_values(self, values: Mapping[str, str]) -> None:
        for field, element in self.inputs.items():
            element.value = str(values.get(field) or "")
        self.show_errors({})

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Put each message under its field; fields without a message are cleared."""
        for field, element in self.inputs.items():
            element.error = errors.get(field)

    def set_enabled(self, enabled: bool) -> None:
        for element in self.inputs.values():
            element.set_enabled(enabled)
