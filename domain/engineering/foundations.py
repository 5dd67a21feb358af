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
from functools import cache

from .checks import check
from .constants import CONSTANTS, clause, value
from .errors import CalcInputError
from .explain import num, step
from .notes import Notes
from .results import (
    BillOfMaterials,
    CalcStep,
    Check,
    ConcreteItem,
    EmbedmentResult,
    PierReinforcement,
    RebarItem,
    fast_init,
)

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
    depth = min(d_ft, _MAX_PRESSURE_DEPTH_FT) * fraction
    p = per_ft * depth
    if isolated:
        p *= _ISOLATED_FACTOR
    return min(p, _MAX_INCREASE * per_ft)


# The constants of _pressure (IBC 2021 Sec. 1807.3.2.1, 1806.3.4), read once: the depth solver
# calls it a dozen times per pier.
_MAX_PRESSURE_DEPTH_FT = float(value("soil", "max_depth_for_pressure_ft"))
_ISOLATED_FACTOR = value("soil", "isolated_pole_factor")
_MAX_INCREASE = float(value("soil", "max_increase_factor"))


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
    d, pressure = g(d)  # report the equation's own value at the converged S1
    equation = "IBC 2021 Eq. 18-2 (Sec. 1807.3.2.2)" if constrained else "IBC 2021 Eq. 18-1 (Sec. 1807.3.2.1)"
    return Embedment(d, pressure, iterations, b, equation)


def embedment_steps(
    emb: Embedment,
    *,
    lateral_force_lb: float,
    force_height_ft: float,
    width_ft: float,
    shape: str,
    per_ft: float,
    isolated: bool,
    constrained: bool,
) -> tuple[CalcStep, ...]:
    """The embedment calculation step by step with the numbers of the converged solution: the S1 (or
    S3) of the last pass, the A and d it gives (d is the equation's own value at that S1)."""
    p, h, b, d = lateral_force_lb, force_height_ft, emb.effective_width_ft, emb.depth_ft
    eq1 = _FDN["eq_18_1"]
    factor = value("soil", "isolated_pole_factor") if isolated else 1.0
    cap = value("soil", "max_increase_factor")
    d_max = value("soil", "max_depth_for_pressure_ft")
    b_step = (
        step(
            "Effective width",
            "b",
            "b = side x sqrt(2) (diagonal)",
            f"{num(width_ft)} ft x sqrt(2)",
            b,
            "ft",
            eq1["clause"],
        )
        if shape == "square"
        else step("Effective width", "b", "b = diameter", f"{num(width_ft)} ft", b, "ft", eq1["clause"])
    )
    factor_text = f"{factor:g} x " if isolated else ""
    if constrained:
        s3 = emb.pressure_psf
        return (
            b_step,
            step(
                "Allowable lateral pressure at d",
                "S3",
                f"S3 = {'2 x ' if isolated else ''}value x min(d, {d_max:g} ft) <= {cap:g} x value",
                f"{factor_text}{num(per_ft)} psf/ft x {num(min(d, d_max))} ft",
                s3,
                "psf",
                clause("soil", "max_increase_factor"),
            ),
            step(
                "Required embedment (constrained)",
                "d",
                "d = sqrt(4.25 P h / (S3 b))",
                f"sqrt({_FDN['eq_18_2']['coefficient']:g} x {num(p)} lb x {num(h)} ft / ({num(s3)} psf x "
                f"{num(b)} ft)) (iterated: {emb.iterations} passes, S3 at d)",
                d,
                "ft",
                _FDN["eq_18_2"]["clause"],
            ),
        )
    s1 = emb.pressure_psf
    a = eq1["a_coefficient"] * p / (s1 * b)
    return (
        b_step,
        step(
            "Allowable lateral pressure at d/3",
            "S1",
            f"S1 = {'2 x ' if isolated else ''}value x min(d, {d_max:g} ft) / 3 <= {cap:g} x value",
            f"{factor_text}{num(per_ft)} psf/ft x {num(min(d, d_max))} ft / 3",
            s1,
            "psf",
            clause("soil", "isolated_pole_factor") if isolated else clause("soil", "max_increase_factor"),
        ),
        step(
            "Eq. 18-1 factor",
            "A",
            f"A = {eq1['a_coefficient']:g} P / (S1 b)",
            f"{eq1['a_coefficient']:g} x {num(p)} lb / ({num(s1)} psf x {num(b)} ft)",
            a,
            "ft",
            eq1["clause"],
        ),
        step(
            "Required embedment (nonconstrained)",
            "d",
            f"d = A/2 (1 + sqrt(1 + {eq1['h_coefficient']:g} h / A)), S1 at d/3 (iterated)",
            f"{num(a)} ft / 2 x (1 + sqrt(1 + {eq1['h_coefficient']:g} x {num(h)} ft / {num(a)} ft)) "
            f"({emb.iterations} passes)",
            d,
            "ft",
            eq1["clause"],
        ),
    )


def rounding_steps(
    required_ft: float, floor_ft: float, floor_reason: str, design_ft: float
) -> tuple[CalcStep, ...]:
    """The minimum depth (IBC 1809.4 / 1809.5) and the rounding to the design depth."""
    r = value("foundation", "embedment_rounding_ft")
    return (
        step(
            "Design embedment",
            "d_design",
            f"d_design = max(d, d_min) rounded up to {r:g} ft; d_min: {floor_reason}",
            f"max({num(required_ft)} ft, {num(floor_ft)} ft) rounded up to {r:g} ft",
            design_ft,
            "ft",
            clause("foundation", "embedment_rounding_ft"),
        ),
    )


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
    step_ft = value("foundation", "embedment_rounding_ft")
    rounded = round_up(emb.depth_ft, step_ft)
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
        checks=(
            check(
                "embedment depth",
                emb.depth_ft,
                rounded,
                "ft",
                emb.equation,
                combination="ASD, P as given",
                formula="d (required, Eq. 18-1/18-2) <= d_design",
                substitution=f"d = {num(emb.depth_ft)} ft, d_design = {num(rounded)} ft",
            ),
        ),
        bom=BillOfMaterials(
            concrete=(ConcreteItem("pier", shape, 1, diameter_ft, rounded, rounded_yd3),),
            concrete_yd3=rounded_yd3,
        ),
        steps=embedment_steps(
            emb,
            lateral_force_lb=lateral_force_lb,
            force_height_ft=force_height_ft,
            width_ft=diameter_ft,
            shape=shape,
            per_ft=per_ft,
            isolated=isolated_pole_increase,
            constrained=constrained,
        )
        + (
            step(
                "Design embedment",
                "d_design",
                f"d_design = d rounded up to {step_ft:g} ft",
                f"{num(emb.depth_ft)} ft rounded up to {step_ft:g} ft",
                rounded,
                "ft",
                clause("foundation", "embedment_rounding_ft"),
            ),
        ),
    )


# ---------------------------------------------------------------- minimum depth (IBC 1809.4, 1809.5)
def depth_floor(frost_depth_in: float | None) -> tuple[float, str]:
    """The shallowest embedment allowed (ft) and why: 12 in below undisturbed ground (IBC 2021
    Sec. 1809.4), or below the site's frost depth (Sec. 1809.5(1)) when that is deeper."""
    minimum = float(value("foundation", "min_embedment_ft"))
    if frost_depth_in is not None and frost_depth_in / 12.0 > minimum:
        return frost_depth_in / 12.0, (
            f"below the frost depth {frost_depth_in:g} in ({clause('foundation', 'frost_clause')})"
        )
    return minimum, clause("foundation", "min_embedment_ft")


# ---------------------------------------------------------------- pier reinforcement (ACI 318-19)
_PR = CONSTANTS["piers"]


@dataclass(frozen=True, slots=True)
class PierActions:
    """Strength-level actions in the pier (kip, kip-in): moment and shear at the critical sections."""

    moment_kip_in: float
    shear_kip: float
    torsion_kip_in: float
    zero_shear_depth_in: float
    rotation_depth_in: float


def pier_actions(
    *, moment_kip_in: float, shear_kip: float, torsion_kip_in: float, depth_ft: float
) -> PierActions:
    """Moment and shear in a rigid pier of depth d loaded at its top by M and V (stated engineering
    assumption: the pier rotates rigidly about a depth z_r, the soil modulus grows linearly with
    depth as the IBC 1806.2 lateral values do, so the soil reaction per unit depth is
    k z (z_r - z)). Equilibrium gives z_r = d (3d + 4e)/(2 (3e + 2d)) with e = M/V, and
    k = V/(z_r d^2/2 - d^3/3); the largest moment is at zero shear above z_r, the largest shear is
    V at the top or V - k z_r^3/6 at z_r. k cancels out: the actions do not depend on the soil."""
    d = depth_ft * 12.0
    if shear_kip <= 0.0 or d <= 0.0:
        return PierActions(moment_kip_in, shear_kip, torsion_kip_in, 0.0, 0.0)
    e = moment_kip_in / shear_kip
    z_r = d * (3.0 * d + 4.0 * e) / (2.0 * (3.0 * e + 2.0 * d))
    k = shear_kip / (z_r * d * d / 2.0 - d**3 / 3.0)

    def shear_at(z: float) -> float:
        return shear_kip - k * (z_r * z * z / 2.0 - z**3 / 3.0)

    # Zero shear: Newton on V(z) from the root without the cubic term (V(z) is concave and falls
    # from V to V - k z_r^3/6 < 0 on [0, z_r], so the iteration converges from the left).
    z0 = min(math.sqrt(2.0 * shear_kip / (k * z_r)), z_r)
    tol = 1e-9 * d
    for _ in range(12):
        slope = -k * (z_r * z0 - z0 * z0)
        # shear_at(z0) / slope, and z0 - step kept on [0, z_r], written out (the hot loop of a pier)
        step = (shear_kip - k * (z_r * z0 * z0 / 2.0 - z0**3 / 3.0)) / slope if slope < 0.0 else 0.0
        z0 -= step
        if z0 < 0.0:
            z0 = 0.0
        if z0 > z_r:
            z0 = z_r
        if abs(step) < tol:
            break
    m_max = moment_kip_in + shear_kip * z0 - k * (z_r * z0**3 / 6.0 - z0**4 / 12.0)
    v_max = max(shear_kip, abs(shear_at(z_r)))
    return PierActions(m_max, v_max, torsion_kip_in, z0, z_r)


@cache
def _bar(size: str) -> tuple[float, float, float]:
    dia, area, plf = _PR["bars"][size]
    return float(dia), float(area), float(plf)


@cache
def flexural_strength(
    diameter_in: float, bar_circle_in: float, count: int, bar_area_in2: float, fc_psi: float
) -> tuple[float, float]:
    """(phi Mn kip-in, phi) of a round section with ``count`` bars on a circle, Pu = 0: strain
    compatibility (ACI 318-19 Sec. 22.2.1-22.2.2: plane sections, eps_cu = 0.003, Whitney block
    0.85 f'c over beta1 c, Table 22.2.2.4.3), bars elastic-plastic (20.2.2.1), phi by the extreme
    bar strain (Table 21.2.2, tied). Bars taken with one at the extreme fibre and midway; the
    smaller strength is used."""
    fc = fc_psi / 1000.0
    fy, es = value("piers", "fy_ksi"), value("piers", "es_ksi")
    beta1 = min(0.85, max(0.65, 0.85 - 0.05 * (fc_psi - 4000.0) / 1000.0))
    big_r, r_b = diameter_in / 2.0, bar_circle_in / 2.0
    eps_y = fy / es
    phi_lo, phi_hi = value("piers", "phi_flexure")
    best = (math.inf, 0.9)
    for offset in (0.0, math.pi / count):
        ys = [r_b * math.cos(offset + 2.0 * math.pi * i / count) for i in range(count)]

        def forces(c: float, ys: list[float] = ys) -> tuple[float, float]:
            """Net axial force (compression +) and moment about the centre for a neutral axis c."""
            a = min(beta1 * c, diameter_in)
            cos_t = (big_r - a) / big_r
            theta = math.acos(max(-1.0, min(1.0, cos_t)))
            sin_t = math.sin(theta)
            area = big_r * big_r * (theta - sin_t * cos_t)
            cc = 0.85 * fc * area
            mc = cc * (2.0 / 3.0 * big_r**3 * sin_t**3 / area) if area > 0 else 0.0
            n_sum, m_sum = cc, mc
            for y in ys:
                depth = big_r - y
                stress = max(-fy, min(fy, es * 0.003 * (c - depth) / c))
                if depth < a:
                    stress -= 0.85 * fc  # concrete displaced by the bar
                n_sum += stress * bar_area_in2
                m_sum += stress * bar_area_in2 * y
            return n_sum, m_sum

        lo, hi = 1e-3, diameter_in
        for _ in range(36):
            mid = 0.5 * (lo + hi)
            if forces(mid)[0] > 0.0:
                hi = mid
            else:
                lo = mid
        c = 0.5 * (lo + hi)
        mn = forces(c)[1]
        eps_t = 0.003 * (big_r + max(-y for y in ys) - c) / c
        phi = min(phi_hi, max(phi_lo, phi_lo + (phi_hi - phi_lo) * (eps_t - eps_y) / 0.003))
        if phi * mn < best[0]:
            best = (phi * mn, phi)
    return best


@cache
def _tie_for(bar_size: str) -> str:
    """No. 3 ties for bars up to No. 10, No. 4 above (ACI 318-19 Sec. 25.7.2.2)."""
    return "#3" if _bar(bar_size)[0] <= _bar("#10")[0] + 1e-9 else "#4"


def design_pier_reinforcement(
    *,
    shape: str,
    width_ft: float,
    depth_ft: float,
    fc_psi: float,
    moment_kip_in: float,
    shear_kip: float,
    torsion_kip_in: float,
    moment_depth_in: float = 0.0,
) -> PierReinforcement:
    """Bars and ties of a pier under a base plate for the strength-level actions at its top
    (1.0W, Pu = 0), ACI 318-19.

    Longitudinal: at least 0.005 Ag (10.6.1.1 on the reduced area of 10.3.1.2) and 6 bars, on a
    circle inside 3 in cover (20.5.1.3.1) and the ties; the smallest bar size giving a centre
    spacing of at least 6 in (or the minimum count), more bars until phi Mn >= Mu at the section of
    zero shear (:func:`pier_actions`), clear spacing at least max(1.5 in, 1.5 db) (25.2.3). A square
    pier is taken as its inscribed circle for strength, its gross area for the minimum.
    Shear: Vc = 2 lambda sqrt(f'c) bw d, bw = D, d = 0.8 D (22.5.5.1, 22.5.2.2), Vs = Av fyt d/s with
    two legs of a tie (22.5.8.5.3), Vs <= 8 sqrt(f'c) bw d (22.5.1.2). Torsion: neglected below
    phi Tth = phi lambda sqrt(f'c) Acp^2/pcp (22.7.1.1, Table 22.7.4.1(a)); above it closed ties with
    At/s = Tu/(phi 2 Ao fyt), Ao = 0.85 Aoh, theta = 45 deg (22.7.6.1), Al = (At/s) ph fyt/fy taken
    out of the bars' flexural area, the section limit of 22.7.7.1(a) and the minimum transverse
    steel (Av + 2At)/s >= max(0.75 sqrt(f'c), 50) bw/fyt (9.6.4.2). Tie spacing at most
    min(16 db, 48 dtie, D) (25.7.2.1), d/2 with shear steel (10.7.6.5.2), ph/8 and 12 in with
    torsion steel (9.7.6.3.3)."""
    fy = value("piers", "fy_ksi")
    phi_v = value("piers", "phi_shear")
    cover = value("piers", "cover_in")
    dia = width_ft * 12.0
    root = math.sqrt(fc_psi) / 1000.0  # ksi
    if shape == "square":
        a_g, p_cp = dia * dia, 4.0 * dia
    else:
        a_g, p_cp = math.pi * dia * dia / 4.0, math.pi * dia
    as_min = value("piers", "min_steel_ratio") * a_g
    min_bars = int(value("piers", "min_bars"))
    # shear and torsion (the tie size follows the bars; #3 unless bars above #10)
    bw, d = dia, 0.8 * dia
    vc = 2.0 * root * bw * d
    t_th = root * a_g * a_g / p_cp
    torsion_on = torsion_kip_in >= phi_v * t_th
    sizes = list(value("piers", "longitudinal_sizes"))

    def ties(
        bar: str, with_checks: bool = True
    ) -> tuple[str, float, float, float, float, float, list[Check]]:
        """tie size, spacing, phi Vn, Al, Aoh, ph and the tie checks (none unless ``with_checks``:
        the bar search needs only Al) for longitudinal ``bar``."""
        tie = _tie_for(bar)
        dt, at, _ = _bar(tie)
        core = dia - 2.0 * cover - dt
        aoh, ph = (
            (core * core, 4.0 * core) if shape == "square" else (math.pi * core * core / 4.0, math.pi * core)
        )
        av_s = max(shear_kip / phi_v - vc, 0.0) / (fy * d)
        at_s = torsion_kip_in / (phi_v * 2.0 * 0.85 * aoh * fy) if torsion_on else 0.0
        need = av_s + 2.0 * at_s
        if shear_kip > 0.5 * phi_v * vc or torsion_on:
            need = max(need, max(0.75 * root * 1000.0, 50.0) / 1000.0 * bw / fy)
        s_max = min(16.0 * _bar(bar)[0], 48.0 * dt, dia)
        if av_s > 0:
            s_max = min(s_max, d / 2.0)
        if torsion_on:
            s_max = min(s_max, ph / 8.0, 12.0)
        s = min(s_max, 2.0 * at / need if need > 0 else s_max)
        s = max(math.floor(s * 2.0 + 1e-9) / 2.0, 1.0)  # to 1/2 in
        vs = min(2.0 * at * fy * d / s, 8.0 * root * bw * d)
        al = (at / s) * ph if torsion_on else 0.0
        if torsion_on:
            al = max(al, 5.0 * root * a_g / fy - min(at / s, 25.0 / 1000.0 * bw / fy) * ph)
        if not with_checks:
            return tie, s, phi_v * (vc + vs), al, aoh, ph, []
        checks = [
            check(
                "pier shear",
                shear_kip,
                phi_v * (vc + vs),
                "kip",
                "ACI 318-19 Sec. 22.5.1.1, Eq. 22.5.5.1, 22.5.8.5.3 (bw = D, d = 0.8 D, 22.5.2.2; phi 0.75)",
            ),
            check(
                "pier tie spacing",
                s,
                s_max,
                "in",
                "ACI 318-19 Sec. 25.7.2.1"
                + (", 10.7.6.5.2" if av_s > 0 else "")
                + (", 9.7.6.3.3" if torsion_on else ""),
            ),
        ]
        if torsion_kip_in > 0.0 and not torsion_on:
            checks.append(
                check(
                    "pier torsion below threshold (neglected)",
                    torsion_kip_in,
                    phi_v * t_th,
                    "kip_in",
                    "ACI 318-19 Sec. 22.7.1.1, Table 22.7.4.1(a) (phi 0.75)",
                )
            )
        elif torsion_on:
            checks.append(
                check(
                    f"pier torsion, closed {tie} ties",
                    torsion_kip_in,
                    phi_v * 2.0 * 0.85 * aoh * max(at - av_s * s / 2.0, 0.0) * fy / s,
                    "kip_in",
                    "ACI 318-19 Eq. 22.7.6.1a (Ao = 0.85 Aoh, theta 45 deg; phi 0.75)",
                )
            )
            stress = math.hypot(shear_kip / (bw * d), torsion_kip_in * ph / (1.7 * aoh * aoh))
            checks.append(
                check(
                    "pier torsion section limit",
                    stress,
                    phi_v * (vc / (bw * d) + 8.0 * root),
                    "ksi",
                    "ACI 318-19 Eq. 22.7.7.1a",
                )
            )
        return tie, s, phi_v * (vc + vs), al, aoh, ph, checks

    chosen: tuple[str, int, float, float, float] | None = None  # bar, count, circle, phi Mn, Al
    last: tuple[str, int, float, float, float] | None = None
    for i, bar in enumerate(sizes):
        db, ab, _ = _bar(bar)
        dt = _bar(_tie_for(bar))[0]
        circle = dia - 2.0 * cover - 2.0 * dt - db
        if circle <= 0:
            continue
        al = ties(bar, with_checks=False)[3]
        clear_min = max(value("piers", "tie_clear_spacing"), 1.5 * db)
        n_max = int(math.floor(math.pi * circle / (db + clear_min) + 1e-9))
        n = max(min_bars, math.ceil((as_min + al) / ab - 1e-9))
        while n <= n_max:
            phi_mn = flexural_strength(dia, circle, n, ab - al / n, fc_psi)[0]
            last = (bar, n, circle, phi_mn, al)
            if phi_mn >= moment_kip_in:
                break
            n += 1
        else:
            continue
        spacing = math.pi * circle / n
        if n == min_bars or spacing >= value("piers", "min_bar_spacing_in") or i == len(sizes) - 1:
            chosen = last
            break
    if chosen is None:
        chosen = last
    assert chosen is not None, "pier too small for any bar"
    bar, n, circle, phi_mn, al = chosen
    tie, s, phi_vn, al, _aoh, _ph, tie_checks = ties(bar)
    ab = _bar(bar)[1]
    checks = [
        check(
            "pier longitudinal steel (minimum)",
            as_min + al,
            n * ab,
            "in2",
            clause("piers", "min_steel_ratio") + ("; + Al, ACI 318-19 Eq. 22.7.6.1b" if al > 0 else ""),
        ),
        check(
            "pier flexure",
            moment_kip_in,
            phi_mn,
            "kip_in",
            "ACI 318-19 Sec. 22.2, 22.3 (strain compatibility, Pu = 0), Table 21.2.2",
        ),
        *tie_checks,
    ]
    return PierReinforcement(
        bar_count=n,
        bar_size=bar,
        bar_circle_in=circle,
        steel_area_in2=n * ab,
        min_steel_area_in2=as_min,
        torsion_longitudinal_in2=al,
        tie_size=tie,
        tie_spacing_in=s,
        closed_ties_for_torsion=torsion_on,
        cover_in=cover,
        moment_kip_in=moment_kip_in,
        shear_kip=shear_kip,
        torsion_kip_in=torsion_kip_in,
        moment_depth_in=moment_depth_in,
        phi_mn_kip_in=phi_mn,
        phi_vn_kip=phi_vn,
        threshold_torsion_kip_in=phi_v * t_th,
        checks=tuple(checks),
    )


def pier_rebar(r: PierReinforcement, *, depth_ft: float, piers: int) -> tuple[RebarItem, ...]:
    """Bars of ``piers`` piers: longitudinal bars over the depth less cover top and bottom; ties
    (round: a hoop on the tie line with a 12 in lap, ACI 318-19 25.7.2.4) at the spacing."""
    length_ft = max(depth_ft - 2.0 * r.cover_in / 12.0, 0.0)
    bar_plf = _bar(r.bar_size)[2]
    dt, _, tie_plf = _bar(r.tie_size)
    tie_len_ft = (
        math.pi * (r.bar_circle_in + _bar(r.bar_size)[0] + dt) + value("piers", "lap_tie_in")
    ) / 12.0
    ties = int(math.floor(length_ft * 12.0 / r.tie_spacing_in + 1e-9)) + 1
    return (
        RebarItem(
            "pier longitudinal",
            r.bar_size,
            r.bar_count * piers,
            length_ft,
            r.bar_count * piers * length_ft * bar_plf,
        ),
        RebarItem("pier ties", r.tie_size, ties * piers, tie_len_ft, ties * piers * tie_len_ft * tie_plf),
    )


fast_init(globals())
