"""One design check as the results report it: demand against capacity, with the clause."""

from __future__ import annotations

import math
from typing import Any

# Ratios within this of 1.0 pass: float round-off must not fail an exact fit.
TOLERANCE = 1e-9


def check(name: str, demand: float, capacity: float, unit: str, clause: str) -> dict[str, Any]:
    ratio = demand / capacity if capacity > 0 else math.inf
    return {
        "name": name,
        "demand": demand,
        "capacity": capacity,
        "unit": unit,
        "ratio": ratio,
        "pass": ratio <= 1.0 + TOLERANCE,
        "clause": clause,
    }
