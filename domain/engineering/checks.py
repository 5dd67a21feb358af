"""One design check as the results report it: demand against capacity, with the clause."""

from __future__ import annotations

import math

from .explain import num
from .results import Check

__all__ = ["TOLERANCE", "Check", "check", "ratio"]

# Ratios within this of 1.0 pass: float round-off must not fail an exact fit.
TOLERANCE = 1e-9


def ratio(demand: float, capacity: float) -> float:
    """demand / capacity; a zero, negative or non-finite capacity (or a non-finite demand) gives
    infinity, so the check fails instead of dividing by zero (written as null in the JSON)."""
    # capacity > 0 is false for nan; demand - demand is nan (not 0) for an infinite or nan demand.
    if capacity > 0 and demand - demand == 0.0:
        return demand / capacity
    return math.inf


def check(
    name: str,
    demand: float,
    capacity: float,
    unit: str,
    clause: str,
    *,
    case: str = "",
    combination: str = "",
    formula: str = "",
    substitution: str = "",
    demand_text: str | None = None,
    capacity_text: str | None = None,
) -> Check:
    """A check; ``formula`` and ``substitution`` (the capacity with its numbers, without the ratio)
    get the ratio appended: '...; D / C = 365.8 / 525.8 = 0.6957'. ``demand_text`` and
    ``capacity_text``: ``num(demand)`` and ``num(capacity)`` when the caller has written them."""
    r = ratio(demand, capacity)
    if substitution:
        d_text = num(demand) if demand_text is None else demand_text
        c_text = num(capacity) if capacity_text is None else capacity_text
        substitution = f"{substitution}; ratio = {d_text} / {c_text} = {num(r)}"
    return Check(
        name,
        demand,
        capacity,
        unit,
        r,
        r <= 1.0 + TOLERANCE,
        clause,
        case,
        combination,
        formula,
        substitution,
    )
