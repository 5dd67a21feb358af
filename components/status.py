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
# done / refused" without a legend. Each pair of badge and text colour has at least 4.5:1 contrast
# (WCAG 2.1 AA for the badge's 12 px text): white on grey-8 6.2, blue-9 5.8, green-9 5.1, red-9 5.6;
# the amber of "waiting" only reaches it with dark text (grey-10 on amber-4: 10.5:1).
STATUS_COLORS: dict[str, str] = {
    "draft": "grey-8",
    "estimating": "blue-9",
    "submitted": "amber-4",
    "accepted": "green-9",
    "rejected": "red-9",
}
STATUS_TEXT_COLORS: dict[str, str] = {"submitted": "grey-10"}


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status.title())


def status_badge(status: str) -> ui.badge:
    return (
        ui.badge(
            status_label(status),
            color=STATUS_COLORS.get(status, "grey-8"),
            text_color=STATUS_TEXT_COLORS.get(status, "white"),
        )
        .classes("text-sm px-2 py-1")
        .mark("status-badge")
    )


def status_badge_slot() -> str:
    """A Vue template for a ``q-table`` body cell that renders the same badge client-side."""
    return f'<q-td :props="props">{status_badge_template("props.value")}</q-td>'


def status_badge_template(value: str) -> str:
    """The badge as a Vue template for the status in the expression ``value`` (a table cell, a card)."""
    colors = ", ".join(f"{k}: '{v}'" for k, v in STATUS_COLORS.items())
    texts = ", ".join(f"{k}: '{v}'" for k, v in STATUS_TEXT_COLORS.items())
    labels = ", ".join(f"{k}: '{v}'" for k, v in STATUS_LABELS.items())
    return (
        f"<q-badge :color=\"({{{colors}}})[{value}] || 'grey-8'\" "
        f":text-color=\"({{{texts}}})[{value}] || 'white'\" "
        f':label="({{{labels}}})[{value}] || {value}" />'
    )


def show_status(badge: ui.badge, status: str) -> None:
    """Make a ``status_badge`` show another status (a list that updates its rows in place)."""
    badge.text = status_label(status)
    badge.background_color = STATUS_COLORS.get(status, "grey-8")
    badge.text_color = STATUS_TEXT_COLORS.get(status, "white")
