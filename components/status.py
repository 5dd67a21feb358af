"""How a project status looks: one colour per state, used by the list and the project page."""

from __future__ import annotations

from nicegui import ui

STATUS_LABELS: dict[str, str] = {
    "draft": "Draft",
    "estimating": "Estimating",
    "submitted": "Submitted",
    "accepted": "Accepted",
    "rejected": "Rejected",
}

# Quasar palette names; grey/blue/amber/green/red read as "not started / working / waiting /
# done / refused" without a legend.
STATUS_COLORS: dict[str, str] = {
    "draft": "grey-6",
    "estimating": "blue-6",
    "submitted": "amber-8",
    "accepted": "green-7",
    "rejected": "red-7",
}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.title())


def status_badge(status: str) -> ui.badge:
    return (
        ui.badge(status_label(status), color=STATUS_COLORS.get(status, "grey-6"))
        .classes("text-sm px-2 py-1")
        .mark("status-badge")
    )


def status_badge_slot() -> str:
    """A Vue template for a ``q-table`` body cell that renders the same badge client-side."""
    colors = ", ".join(f"{k}: '{v}'" for k, v in STATUS_COLORS.items())
    labels = ", ".join(f"{k}: '{v}'" for k, v in STATUS_LABELS.items())
    return (
        '<q-td :props="props">'
        f"<q-badge :color=\"({{{colors}}})[props.value] || 'grey-6'\" "
        f':label="({{{labels}}})[props.value] || props.value" />'
        "</q-td>"
    )
