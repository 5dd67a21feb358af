"""Pole embedment in soil, IBC 2021 Sec. 1807.3.2 with the presumptive values of Table 1806.2.

Why iteration: in Eq. 18-1 the allowable lateral pressure S1 is taken at d/3, so it depends on the
depth d being solved for. The map d -> d(S1(d)) has slope between -1 and -0.5 at the root, so plain
fixed-point iteration oscillates and converges slowly near -1; the damped map (d + g(d))/2 has
slope 0..0.25 and converges in a handful of steps. All loads here are ASD (Table 1806.2 values
are allowable values): the caller passes 0.6W.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .checks import check
from .constants import CONSTANTS, clause, value
from .errors import CalcInputError
from .notes import Notes
from .results import BillOfMaterials, ConcreteItem, EmbedmentResult

_SOIL = CONSTANTS["soil"]
_FDN = CONSTANTS["foundation"]

MAX_EMBEDMENT_FT = 50.0
"""Deepest required embedment the engine returns, ft; deeper is refused as bad input.

Why 50 ft: sign piers are drilled a few feet to a few tens of feet; Eq. 18-1 is a short-pole
formula whose pressure stops growing at 12 ft (Sec. 1807.3.2.1), so a depth of many tens of feet
means the inputs describe no pole footing (a huge force, a tiny pier, a soil value far below any
real soil) and the number would mislead an estimator. A validity limit, not a code value: it
changes no result below it."""


@dataclass(frozen=True, slots=True)
class Embedment:
    depth_ft: float  # required depth from the equation
    pressure_psf: float  # S1 (nonconstrained, at d/3) or S3 (constrained, at d)
    iterations: int
    effective_width_ft: float  # b: diameter, or diagonal of a square footing
    equation: str


def lateral_bearing(soil_class: int | None, psf_per_ft: float | None, notes: Notes) -> float:
    """Allowable lateral bearing (psf per ft of depth): the user's value, the Table 1806.2 class, or
    the class 5 default (lowest presumptive value) with a warning."""
    if psf_per_ft is not None:
        notes.assume(
            f"Lateral bearing {psf_per_ft:g} psf/ft as given (geotechnical value).", "IBC 2021 Sec. 1806.2"
        )
        return psf_per_ft
    if soil_class is None:
        soil_class = int(value("soil", "default_class"))
        notes.warn("soil_assumed", "No soil class given: Table 1806.2 class 5 (clay, silt) assumed.")
        notes.assume(
            "Soil class 5 assumed (lowest presumptive lateral value).", clause("soil", "default_class")
        )
        notes.penalise("soil assumed", 0.1)
    row = _SOIL["table_1806_2"][str(soil_class)]
    notes.assume(
        f"Soil class {soil_class} ({row['material']}): lateral bearing {row['lateral_psf_per_ft']:g} psf/ft.",
        _SOIL["table_1806_2"]["clause"],
    )
    lateral: float = row["lateral_psf_per_ft"]
    return lateral


def _pressure(per_ft: float, d_ft: float, fraction: float, isolated: bool) -> float:
    """Allowable lateral pressure at ``fraction`` x d (IBC 1806.3.4): per-ft value x depth, with d not
    over 12 ft for the purpose (1807.3.2.1), doubled for isolated poles, capped at 15 x the value."""
    depth = min(d_ft, float(value("soil", "max_depth_for_pressure_ft"))) * fraction
    p = per_ft * depth
    if isolated:
        p *= value("soil", "isolated_pole_factor")
    return min(p, float(value("soil", "max_increase_factor")) * per_ft)


def embedment(
    *,
    lateral_force_lb: float,
    force_height_ft: float,
    width_ft: float,
    shape: str,
    per_ft: float,
    isolated: bool,
    constrained: bool,
) -> Embedment:
    """Required embedment d (ft).

    Nonconstrained, IBC 2021 Eq. 18-1: d = 0.5 A (1 + sqrt(1 + 4.36 h / A)), A = 2.34 P / (S1 b),
    S1 at d/3. Constrained (slab at grade), Sec. 1807.3.2.2: d^2 = 4.25 P h / (S3 b), S3 at d.
    b is the diameter of a round footing or the diagonal of a square one.
    """
    b = width_ft * math.sqrt(2.0) if shape == "square" else width_ft
    tol = value("foundation", "solver_tolerance_ft")
    cap = int(value("foundation", "solver_max_iterations"))
    p, h = lateral_force_lb, force_height_ft
    eq1 = _FDN["eq_18_1"]
    k_constrained = _FDN["eq_18_2"]["coefficient"]

    def g(d: float) -> tuple[float, float]:
        if constrained:
            s3 = _pressure(per_ft, d, 1.0, isolated)
            return math.sqrt(k_constrained * p * h / (s3 * b)), s3
        s1 = _pressure(per_ft, d, 1.0 / 3.0, isolated)
        a = eq1["a_coefficient"] * p / (s1 * b)
        return 0.5 * a * (1.0 + math.sqrt(1.0 + eq1["h_coefficient"] * h / a)), s1

    d = 4.0
    pressure = 0.0
    iterations = 0
    for iterations in range(1, cap + 1):  # noqa: B007 - the count is reported
        new, pressure = g(d)
        new = 0.5 * (d + new)  # damped fixed point, see module docstring
        if abs(new - d) <= tol:
            d = new
            break
        d = new
    d, pressure = g(d)[0], g(d)[1]  # report the equation's own value at the converged S1
    equation = "IBC 2021 Eq. 18-2 (Sec. 1807.3.2.2)" if constrained else "IBC 2021 Eq. 18-1 (Sec. 1807.3.2.1)"
    return Embedment(d, pressure, iterations, b, equation)


def check_embedment_limit(
    depth_ft: float,
    *,
    lateral_force_lb: float,
    force_height_ft: float,
    width_ft: float,
    per_ft: float,
    fields: list[tuple[str, str]],
) -> None:
    """Raise CalcInputError naming ``fields`` (dotted path, hint) when the required embedment
    exceeds MAX_EMBEDMENT_FT; every field gets the same summary and its own remedy."""
    if depth_ft <= MAX_EMBEDMENT_FT:
        return
    summary = (
        f"required embedment {depth_ft:.4g} ft exceeds the {MAX_EMBEDMENT_FT:g} ft practical limit of a "
        f"pole footing (P = {lateral_force_lb:.6g} lb ASD at h = {force_height_ft:.4g} ft, pier "
        f"{width_ft:.4g} ft, lateral bearing {per_ft:.4g} psf/ft)"
    )
    raise CalcInputError([{"field": field, "message": f"{summary}: {hint}"} for field, hint in fields])


def soil_field(prefix: str, soil_class: int | None, psf_per_ft: float | None) -> tuple[str, str]:
    """The soil input that sets the lateral bearing, with a hint, for an embedment-limit error."""
    if psf_per_ft is not None:
        return prefix + "lateral_bearing_psf_per_ft", "check the geotechnical lateral bearing value"
    if soil_class is None:
        return prefix + "soil_class", "class 5 (the weakest) was assumed: give the site's soil class"
    return prefix + "soil_class", "a stiffer soil class or a geotechnical value gives a shallower pier"


def round_up(x: float, step: float) -> float:
    """Round up to a multiple of ``step`` (tolerant of float noise just above a multiple)."""
    return math.ceil(x / step - 1e-9) * step


def concrete_yd3(shape: str, width_ft: float, depth_ft: float) -> float:
    """Pier volume: round pi (b/2)^2 d / 27, square b^2 d / 27 (yd3)."""
    if shape == "square":
        return width_ft * width_ft * depth_ft / 27.0
    return math.pi * (width_ft / 2.0) ** 2 * depth_ft / 27.0


def embedment_assumptions(
    notes: Notes, *, isolated: bool, constrained: bool, shape: str, depth_ft: float
) -> None:
    if constrained:
        notes.assume(
            "Constrained at grade (slab or rigid floor): d^2 = 4.25 P h / (S3 b), S3 at depth d "
            "(equation number unverified).",
            _FDN["eq_18_2"]["clause"],
        )
        notes.penalise("constrained equation number unverified", 0.02)
    else:
        notes.assume(
            "Nonconstrained: Eq. 18-1 with S1 at d/3, solved by damped fixed-point iteration.",
            _FDN["eq_18_1"]["clause"],
        )
    if isolated:
        notes.assume(
            "Isolated pole not adversely affected by 1/2 in motion at grade: lateral bearing doubled.",
            clause("soil", "isolated_pole_factor"),
        )
        if constrained:
            notes.warn(
                "isolated_and_constrained",
                "The isolated-pole doubling (IBC 1806.3.4: a pole free to move 1/2 in at grade) is combined "
                "with the constrained equation (IBC 1807.3.2.2: a slab or rigid floor at grade holds the "
                "pole): the two describe different conditions; confirm both apply.",
            )
            notes.penalise("isolated doubling with constrained equation", 0.05)
    notes.assume("Lateral pressure capped at 15 x the tabular value.", clause("soil", "max_increase_factor"))
    notes.assume(
        "Depth not over 12 ft for computing the lateral pressure.",
        clause("soil", "max_depth_for_pressure_ft"),
    )
    notes.assume(
        "Soil values are allowable (ASD): embedment uses the ASD lateral force 0.6 W.",
        clause("wind", "asd_wind_factor"),
    )
    if shape == "square":
        notes.assume("Square footing: b = diagonal of the footing.", _FDN["eq_18_1"]["clause"])
    if depth_ft > value("soil", "max_depth_for_pressure_ft"):
        notes.warn(
            "deep_embedment",
            f"Required embedment {depth_ft:.2f} ft exceeds 12 ft: the lateral pressure was computed at "
            "12 ft (IBC 1807.3.2.1); consider a wider footing or a geotechnical design.",
        )


def embedment_result(
    *,
    lateral_force_lb: float,
    force_height_ft: float,
    diameter_ft: float,
    shape: str,
    soil_class: int | None,
    lateral_bearing_psf_per_ft: float | None,
    isolated_pole_increase: bool,
    constrained: bool,
    notes: Notes,
) -> EmbedmentResult:
    """The ``embedment`` kind: depth, pressure, iterations and concrete for one pier."""
    per_ft = lateral_bearing(soil_class, lateral_bearing_psf_per_ft, notes)
    emb = embedment(
        lateral_force_lb=lateral_force_lb,
        force_height_ft=force_height_ft,
        width_ft=diameter_ft,
        shape=shape,
        per_ft=per_ft,
        isolated=isolated_pole_increase,
        constrained=constrained,
    )
    check_embedment_limit(
        emb.depth_ft,
        lateral_force_lb=lateral_force_lb,
        force_height_ft=force_height_ft,
        width_ft=diameter_ft,
        per_ft=per_ft,
        fields=[
            ("lateral_force_lb", "is the force right (ASD level, lb)?"),
            ("force_height_ft", "is the height of the force right (ft)?"),
            ("diameter_ft", "a wider footing (up to 20 ft) gives a shallower one"),
            soil_field("", soil_class, lateral_bearing_psf_per_ft),
        ],
    )
    embedment_assumptions(
        notes, isolated=isolated_pole_increase, constrained=constrained, shape=shape, depth_ft=emb.depth_ft
    )
    notes.assume("Lateral force taken as given, at ASD level.", clause("wind", "asd_wind_factor"))
    step = value("foundation", "embedment_rounding_ft")
    rounded = round_up(emb.depth_ft, step)
    volume = concrete_yd3(shape, diameter_ft, emb.depth_ft)
    rounded_yd3 = concrete_yd3(shape, diameter_ft, rounded)
    return EmbedmentResult(
        embedment_ft=emb.depth_ft,
        embedment_rounded_ft=rounded,
        s1_psf=emb.pressure_psf,
        pressure_depth="d" if constrained else "d/3",
        lateral_bearing_psf_per_ft=per_ft,
        isolated_pole_increase=isolated_pole_increase,
        constrained=constrained,
        b_ft=emb.effective_width_ft,
        iterations=emb.iterations,
        equation=emb.equation,
        concrete_yd3=volume,
        concrete_rounded_yd3=rounded_yd3,
        checks=(check("embedment depth", emb.depth_ft, rounded, "ft", emb.equation),),
        bom=BillOfMaterials(
            concrete=(ConcreteItem("pier", shape, 1, diameter_ft, rounded, rounded_yd3),),
            concrete_yd3=rounded_yd3,
        ),
    )
