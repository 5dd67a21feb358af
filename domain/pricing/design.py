"""What the estimate needs from an engine result, read in this one place.

The estimate depends on the JSON shape of the ``sign`` result (``calculate("sign", ...)["result"]``:
its ``bom``, ``geometry`` and ``pass``), which the engine keeps byte-identical across versions; the
rest of the pricing package sees only these typed facts, so a change of shape is one edit here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

STEEL_LB_PER_IN3 = 490.0 / 1728.0
"""Carbon steel at 490 lb/ft3, the density behind the AISC weights (w = 3.40 lb/ft per in2 of area)."""


def _dec(value: Any) -> Decimal:
    """An engine float as an exact decimal of its shortest repr (0.621774, not 0.62177399999...)."""
    return Decimal(repr(float(value)))


@dataclass(frozen=True, slots=True)
class Poles:
    designation: str
    family: str
    grade: str
    count: int
    length_ft: Decimal
    weight_lb: Decimal


@dataclass(frozen=True, slots=True)
class Plates:
    grade: str
    count: int
    width_in: Decimal
    thickness_in: Decimal
    weight_lb: Decimal


@dataclass(frozen=True, slots=True)
class AnchorRods:
    grade: str
    count: int
    diameter_in: Decimal
    length_in: Decimal
    weight_lb: Decimal
    """Weight of the plain round rod of that diameter and length (threads, nuts, washers in the price)."""


@dataclass(frozen=True, slots=True)
class Piers:
    shape: str
    count: int
    width_ft: Decimal
    depth_ft: Decimal
    yd3: Decimal


@dataclass(frozen=True, slots=True)
class DesignFacts:
    poles: tuple[Poles, ...]
    plates: tuple[Plates, ...]
    anchor_rods: tuple[AnchorRods, ...]
    piers: tuple[Piers, ...]
    pole_count: int
    mount: str
    overall_height_ft: Decimal
    passes: bool
    failing_checks: tuple[str, ...]

    @property
    def steel_weight_lb(self) -> Decimal:
        """Poles and plates: the steel the shop handles."""
        return sum((p.weight_lb for p in self.poles), Decimal(0)) + sum(
            (p.weight_lb for p in self.plates), Decimal(0)
        )

    @property
    def anchor_holes(self) -> int:
        return sum(a.count for a in self.anchor_rods)

    @property
    def concrete_yd3(self) -> Decimal:
        return sum((p.yd3 for p in self.piers), Decimal(0))


def design_facts(result: Mapping[str, Any]) -> DesignFacts:
    """The facts of a ``sign`` result (the engine's ``result`` object, not its envelope)."""
    bom = result["bom"]
    geometry = result["geometry"]
    family = result["pole"]["family"]
    poles = tuple(
        Poles(
            designation=s["designation"],
            family=family,
            grade=s["grade"],
            count=int(s["count"]),
            length_ft=_dec(s["length_ft"]),
            weight_lb=_dec(s["weight_lb"]),
        )
        for s in bom["steel"]
    )
    plates = tuple(
        Plates(
            grade=p["grade"],
            count=int(p["count"]),
            width_in=_dec(p["width_in"]),
            thickness_in=_dec(p["thickness_in"]),
            weight_lb=_dec(p["weight_lb"]),
        )
        for p in bom["plates"]
    )
    rods = tuple(
        AnchorRods(
            grade=a["grade"],
            count=int(a["count"]),
            diameter_in=_dec(a["diameter_in"]),
            length_in=_dec(a["length_in"]),
            weight_lb=_dec(
                round(
                    a["count"] * math.pi / 4 * a["diameter_in"] ** 2 * a["length_in"] * STEEL_LB_PER_IN3,
                    3,
                )
            ),
        )
        for a in bom["anchor_bolts"]
    )
    piers = tuple(
        Piers(
            shape=c["shape"],
            count=int(c["count"]),
            width_ft=_dec(c["width_ft"]),
            depth_ft=_dec(c["depth_ft"]),
            yd3=_dec(c["yd3"]),
        )
        for c in bom["concrete"]
    )
    failing = tuple(c["name"] for c in result.get("checks", []) if not c.get("pass", True))
    return DesignFacts(
        poles=poles,
        plates=plates,
        anchor_rods=rods,
        piers=piers,
        pole_count=int(geometry["support_count"]),
        mount=str(geometry["mount"]),
        overall_height_ft=_dec(geometry["top_height_ft"]),
        passes=bool(result["pass"]),
        failing_checks=failing,
    )
