"""Base plate and anchor rods of a base-plate pole, with ACI 318-19 Chapter 17 anchor checks.

Why two load levels: the plate is a steel element checked by the selected method (ASD 0.6W or LRFD
1.0W, AISC 360-16), while ACI 318 Chapter 17 is a strength-design code: anchors are always checked
at factored loads (0.9D + 1.0W, ASCE 7 Sec. 2.3.1, which maximises uplift) whatever the method.

Simplifications (stated in the assumptions and lowering the confidence):
- bolts on one circle, elastic bolt-group distribution: T = 4M/(n Dbc) - P/n;
- plate bending bolt by bolt: cantilever from the bolt to the pole face, effective width
  min(2c, pi OD / n) (45-degree spread limited by the bolt's share of the pole perimeter);
- concrete breakout of the most loaded anchor with the projected area shared equally between
  adjacent anchors (width min(s, 3 hef)) and limited by the pier edge (17.6.2);
- concrete shear breakout and pryout (17.7.2, 17.7.3) are not checked.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any

from .checks import check, ratio
from .constants import CONSTANTS, clause, value
from .errors import CalcInputError
from .foundations import round_up
from .notes import Notes
from .results import AnchorDesign, AnchorForces, AnchorReinforcement, Check, PlateDesign

_A = CONSTANTS["anchors"]
_P = CONSTANTS["plates"]


@dataclass(frozen=True, slots=True)
class AnchorLoads:
    """Per-pole loads at the base for one load case: W at strength level, D unfactored (kip, kip-in)."""

    case: str
    moment_w_kip_in: float
    shear_w_kip: float
    torsion_w_kip_in: float
    dead_kip: float


def tensile_area(diameter_in: float) -> float:
    """Ase = pi/4 (da - 0.9743/nt)^2 (ACI 318-19 R17.6.1.2, UNC threads)."""
    nt = float(_A["threads_per_inch"][repr(float(diameter_in))])
    return math.pi / 4.0 * (diameter_in - 0.9743 / nt) ** 2


def bearing_area(diameter_in: float) -> float:
    """Net bearing area of a heavy hex nut head: hexagon (across flats 1.5 da + 1/8 in) less the rod."""
    flats = 1.5 * diameter_in + 0.125
    return math.sqrt(3.0) / 2.0 * flats * flats - math.pi * diameter_in**2 / 4.0


def min_bolt_circle(pole_od_in: float, diameter_in: float) -> float:
    """Smallest bolt circle whose nuts (across flats 1.5 da + 1/8 in) clear the pole's outside face."""
    return pole_od_in + 1.5 * diameter_in + 0.125


def min_pier(bolt_circle_in: float, diameter_in: float) -> float:
    """Smallest pier (in) holding a bolt circle with the minimum edge distance each side: torqued
    cast-in anchors need 6 da (ACI 318-19 Sec. 17.9.2); closer, breakout and blowout vanish."""
    return float(bolt_circle_in + 2.0 * value("anchors", "pier_edge_bolt_diameters") * diameter_in)


def _layouts(
    *,
    counts: list[int],
    diameters: list[float],
    given_dbc: float | None,
    pole_od_in: float,
    pole_footprint_in: float,
    clearance_in: float,
    pier_in: float | None,
    options: dict[str, Any],
) -> list[tuple[int, float, float]]:
    """Anchor layouts (count, diameter, bolt circle) to try, least total steel area first.

    Layouts that cannot exist are dropped, and when none is left the input is refused
    (CalcInputError naming the fields): a given bolt circle must put the nuts outside the pole
    (Dbc >= OD + 1.5 da + 1/8 in), and a given pier must hold the bolt circle plus 6 da each side.
    """
    layouts = []
    for _, n, db in sorted((n * tensile_area(d), n, d) for n in counts for d in diameters):
        dbc = given_dbc or round_up(pole_footprint_in + 2.0 * (1.5 * db + clearance_in), 1.0)
        layouts.append((n, db, dbc))
    if given_dbc:
        clear = [c for c in layouts if given_dbc >= min_bolt_circle(pole_od_in, c[1]) - 1e-9]
        if not clear:
            db_min = min(diameters)
            raise CalcInputError(
                [
                    {
                        "field": "base_plate.bolt_circle_in",
                        "message": f"a {given_dbc:g} in bolt circle puts {db_min:g} in anchor nuts inside "
                        f"the {pole_od_in:g} in pole: at least OD + 1.5 da + 1/8 in = "
                        f"{min_bolt_circle(pole_od_in, db_min):g} in is needed",
                    }
                ]
            )
        layouts = clear
    if pier_in is not None:
        fitting = [c for c in layouts if pier_in >= min_pier(c[2], c[1]) - 1e-9]
        if not fitting:
            n, db, dbc = min(layouts, key=lambda c: (min_pier(c[2], c[1]), c[1]))
            need_in = min_pier(dbc, db)
            need_ft = math.ceil(need_in / 12.0 * 100.0 - 1e-9) / 100.0
            k = value("anchors", "pier_edge_bolt_diameters")
            message = (
                f"a {pier_in / 12.0:g} ft ({pier_in:g} in) pier cannot hold the anchors: the smallest "
                f"layout, {n} x {db:g} in on a {dbc:g} in bolt circle, needs {k:g} da = {k * db:g} in "
                f"edge distance each side (ACI 318-19 Sec. 17.9.2), so at least {need_ft:.2f} ft "
                f"({need_in:g} in)"
            )
            errors = [
                {
                    "field": "foundation.diameter_ft",
                    "message": message + "; give a larger diameter_ft or null",
                }
            ]
            for name in ("bolt_circle_in", "bolt_diameter_in"):
                if options.get(name):
                    errors.append({"field": "base_plate." + name, "message": message})
            raise CalcInputError(errors)
        layouts = fitting
    return layouts


def _futa(grade: str) -> float:
    g = _A["grades"][grade]
    cap = _A["futa_cap"]
    return float(min(g["futa_ksi"], cap["factor_on_fya"] * g["fya_ksi"], cap["max_ksi"]))


def _anchor_forces(loads: list[AnchorLoads], n: int, dbc: float) -> AnchorForces:
    """Governing factored tension and shear per anchor (kip), each the maximum over the load cases
    (using both maxima together in the 17.8 interaction is conservative)."""
    nua = vua = 0.0
    for c in loads:
        t = 4.0 * c.moment_w_kip_in / (n * dbc) - 0.9 * c.dead_kip / n
        v = c.shear_w_kip / n + c.torsion_w_kip_in / (n * dbc / 2.0)
        nua, vua = max(nua, t), max(vua, v)
    return AnchorForces(max(nua, 0.0), vua)


def _steel_checks(grade: str, db: float, nua: float, vua: float) -> tuple[Check, Check]:
    """Anchor steel in tension and in shear, in that order."""
    ase = tensile_area(db)
    futa = _futa(grade)
    phi_nsa = value("anchors", "phi_steel_tension") * ase * futa
    phi_vsa = (
        value("anchors", "phi_steel_shear")
        * value("anchors", "shear_steel_factor")
        * ase
        * futa
        * value("anchors", "grout_pad_factor")
    )
    return (
        check("anchor steel tension", nua, phi_nsa, "kip", "ACI 318-19 Eq. 17.6.1.2 (phi 0.75)"),
        check(
            "anchor steel shear", vua, phi_vsa, "kip", "ACI 318-19 Eq. 17.7.1.2b x 0.8 grout pad (phi 0.65)"
        ),
    )


def _pulloutcheck(db: float, fc_psi: float, nua: float) -> Check:
    """Pullout of a headed anchor, Np = 8 Abrg f'c (ACI 318-19 Eq. 17.6.3.2.2a), cracked, phi 0.70."""
    npn = value("anchors", "pullout_bearing_coefficient") * bearing_area(db) * fc_psi / 1000.0
    return check(
        "anchor pullout",
        nua,
        value("anchors", "phi_concrete_tension") * npn,
        "kip",
        "ACI 318-19 Eq. 17.6.3.1, 17.6.3.2.2a",
    )


def development_length(bar_diameter_in: float, fc_psi: float) -> float:
    """Straight-bar development length, ACI 318-19 Table 25.4.2.3 (Grade 60, uncoated, clear spacing
    and cover at least db with ties): fy/(25 sqrt f'c) db for #6 and smaller, fy/(20 sqrt f'c) db above;
    at least 12 in."""
    fy_psi = float(_A["reinforcement"]["fy_ksi"]) * 1000.0
    divisor = 25.0 if bar_diameter_in <= 0.75 + 1e-9 else 20.0
    return max(12.0, fy_psi / (divisor * math.sqrt(fc_psi)) * bar_diameter_in)


def anchor_reinforcement(nua: float, fc_psi: float) -> AnchorReinforcement:
    """Smallest bars (count per anchor, then size) whose phi As fy carries the anchor tension
    (ACI 318-19 Sec. 17.5.2.1), with the development length they need."""
    rf = _A["reinforcement"]
    best: tuple[str, int, float, float] | None = None
    for count in rf["bars_per_anchor"]:
        for name, (dia, area) in rf["bars"].items():
            if rf["phi"] * count * area * rf["fy_ksi"] >= nua:
                best = (name, count, dia, area)
                break
        if best:
            break
    if best is None:
        name, (dia, area) = list(rf["bars"].items())[-1]
        best = (name, rf["bars_per_anchor"][-1], dia, area)
    name, count, dia, area = best
    capacity = rf["phi"] * count * area * rf["fy_ksi"]
    return AnchorReinforcement(
        bar_size=name,
        bars_per_anchor=count,
        development_length_in=development_length(dia, fc_psi),
        grade_ksi=rf["fy_ksi"],
        check=check("anchor reinforcement (replaces concrete breakout)", nua, capacity, "kip", rf["clause"]),
    )


def _concrete_checks(
    *,
    db: float,
    n: int,
    dbc: float,
    hef: float,
    pier_in: float,
    fc_psi: float,
    nua: float,
    vua: float,
    steel_tension: Check,
    steel_shear: Check,
    reinforcement: AnchorReinforcement | None,
) -> list[Check]:
    """Breakout (17.6.2, or the anchor reinforcement check replacing it, 17.5.2.1), pullout (17.6.3),
    side-face blowout (17.6.4) and interaction (17.8.3)."""
    lam = value("anchors", "lambda_a")
    root_fc = math.sqrt(fc_psi)
    ca1 = max((pier_in - dbc) / 2.0, 0.0)
    spacing = dbc * math.sin(math.pi / n)
    a_nco = 9.0 * hef * hef
    a_nc = min(spacing, 3.0 * hef) * (min(ca1, 1.5 * hef) + 1.5 * hef)
    psi_ed = 1.0 if ca1 >= 1.5 * hef else 0.7 + 0.3 * ca1 / (1.5 * hef)
    nb = value("anchors", "kc_cast_in") * lam * root_fc * hef**1.5 / 1000.0  # kip
    ncb = min(a_nc / a_nco, 1.0) * psi_ed * value("anchors", "psi_c_n") * nb
    phi_c = value("anchors", "phi_concrete_tension")
    abrg = bearing_area(db)
    checks = [_pulloutcheck(db, fc_psi, nua)]
    breakout = check(
        "anchor concrete breakout",
        nua,
        phi_c * ncb,
        "kip",
        "ACI 318-19 Sec. 17.6.2 (Eq. 17.6.2.1a, 17.6.2.2.1)",
    )
    checks.insert(0, breakout if reinforcement is None or breakout.passed else reinforcement.check)
    phi_nn = min(c.capacity for c in [*checks, steel_tension])
    if ca1 < 0.4 * hef:
        nsb = 160.0 * ca1 * math.sqrt(abrg) * lam * root_fc / 1000.0
        checks.append(check("anchor side-face blowout", nua, phi_c * nsb, "kip", "ACI 318-19 Eq. 17.6.4.1"))
        phi_nn = min(phi_nn, phi_c * nsb)
    phi_vn = steel_shear.capacity
    # A zero capacity (no edge distance, no breakout area) gives an infinite ratio: fails, no crash.
    n_ratio, v_ratio = ratio(nua, phi_nn), ratio(vua, phi_vn)
    lim = _A["interaction_limit"]
    if n_ratio > lim["threshold"] and v_ratio > lim["threshold"]:
        checks.append(
            check("anchor tension-shear interaction", n_ratio + v_ratio, lim["value"], "ratio", lim["clause"])
        )
    return checks


def design_base_plate(
    *,
    loads: list[AnchorLoads],
    method: str,
    pole_od_in: float,
    pole_footprint_in: float,
    options: dict[str, Any],
    notes: Notes,
    pier_in: float | None = None,
) -> PlateDesign:
    """Anchor count, diameter and bolt circle, then plate width and thickness (null = choose).

    ``pier_in`` is a pier diameter given by the user: only layouts it can hold (see
    :func:`_layouts`) are tried. The concrete checks need the pier (diameter and depth), so they
    are added by :func:`anchor_concrete` once the foundation is known.
    """
    grade = options.get("anchor_grade") or _A["default_grade"]["value"]
    fc = options.get("concrete_fc_psi") or value("anchors", "default_concrete_psi")
    plate_grade = options.get("plate_grade") or _P["default_grade"]["value"]
    w_factor = value("wind", "asd_wind_factor") if method == "asd" else value("wind", "lrfd_wind_factor")
    d_factor = 1.0 if method == "asd" else 1.2
    clearance = value("plates", "bolt_clearance_in")

    counts = [options["bolt_count"]] if options.get("bolt_count") else list(value("anchors", "counts"))
    diameters = (
        [options["bolt_diameter_in"]]
        if options.get("bolt_diameter_in")
        else list(value("anchors", "diameters_in"))
    )
    given_dbc = options.get("bolt_circle_in")
    layouts = _layouts(
        counts=counts,
        diameters=diameters,
        given_dbc=given_dbc,
        pole_od_in=pole_od_in,
        pole_footprint_in=pole_footprint_in,
        clearance_in=clearance,
        pier_in=pier_in,
        options=options,
    )

    # Pullout screens the layouts here and is checked again with the concrete checks.
    chosen: tuple[int, float, float, tuple[Check, Check], AnchorForces] | None = None
    for n, db, dbc in layouts:
        forces = _anchor_forces(loads, n, dbc)
        tension, shear = _steel_checks(grade, db, forces.tension_kip, forces.shear_kip)
        passes = tension.passed and shear.passed and _pulloutcheck(db, fc, forces.tension_kip).passed
        if chosen is None or passes:
            chosen = (n, db, dbc, (tension, shear), forces)
        if passes:
            break
    assert chosen is not None
    n, db, dbc, (tension, shear), forces = chosen

    # Plate: method-level bolt force, compression side (leveling nuts) carries 4M/(n Dbc) + P/n.
    bolt_force = max(
        4.0 * w_factor * c.moment_w_kip_in / (n * dbc) + d_factor * c.dead_kip / n for c in loads
    )
    c_arm = max((dbc - pole_od_in) / 2.0, 0.0)
    b_eff = max(min(2.0 * c_arm, math.pi * pole_od_in / n), 1e-6)
    fy_plate = _P["grades"][plate_grade]["Fy_ksi"]
    factor = value("plates", "omega") if method == "asd" else 1.0 / value("plates", "phi")
    m_plate = bolt_force * c_arm
    width = options.get("plate_width_in") or round_up(
        dbc + 2.0 * value("plates", "edge_bolt_diameters") * db, 1.0
    )
    thicknesses = (
        [options["plate_thickness_in"]]
        if options.get("plate_thickness_in")
        else [t for t in value("plates", "thicknesses_in") if t >= db - 1e-9]
        or [max(value("plates", "thicknesses_in"))]
    )
    plate_check: Check | None = None
    tp = thicknesses[-1]
    for tp in thicknesses:
        capacity = fy_plate * b_eff * tp * tp / 4.0 / factor
        plate_check = check(
            "base plate bending", m_plate, capacity, "kip_in", "AISC 360-16 Eq. F11-1 (Mn = Fy Z)"
        )
        if plate_check.passed:
            break
    assert plate_check is not None
    if tp < db:
        notes.warn("thin_plate", "Plate thinner than the anchor diameter (practice: plate >= bolt diameter).")

    notes.assume(
        "Anchor rods on one bolt circle; elastic bolt-group tension T = 4M/(n Dbc) - P/n.",
        "engineering reference Sec. 4 (bolt group on a circle)",
    )
    notes.assume(
        "Anchors checked at strength level 0.9D + 1.0W (ACI 318 is strength design).",
        clause("wind", "lrfd_wind_factor"),
    )
    notes.assume(
        "Anchor shear: V/n plus torsion T/(n Dbc/2); built-up grout pad factor 0.8.",
        clause("anchors", "grout_pad_factor"),
    )
    notes.assume(
        "Plate bending bolt by bolt: cantilever from the bolt to the pole face, effective width "
        "min(2c, pi OD/n); a simplified method, not a yield-line analysis.",
        "AISC 360-16 Sec. F11 (simplified effective width, named default)",
    )
    notes.assume(
        f"Anchor rods ASTM {grade}, futa = {_futa(grade):g} ksi; plate {plate_grade} Fy {fy_plate:g} ksi.",
        _A["grades"]["clause"],
    )
    notes.penalise("simplified base plate", 0.05)
    return PlateDesign(
        bolt_count=n,
        bolt_diameter_in=db,
        bolt_circle_in=dbc,
        anchor_grade=grade,
        anchor_tensile_area_in2=tensile_area(db),
        tension_per_bolt_kip=forces.tension_kip,
        shear_per_bolt_kip=forces.shear_kip,
        plate_grade=plate_grade,
        plate_width_in=width,
        plate_thickness_in=tp,
        plate_moment_kip_in=m_plate,
        plate_effective_width_in=b_eff,
        forces=forces,
        anchor_tension=tension,
        anchor_shear=shear,
        plate_bending=plate_check,
    )


def anchor_concrete(
    plate: PlateDesign, *, pier_in: float, pier_depth_ft: float, options: dict[str, Any], notes: Notes
) -> AnchorDesign:
    """Choose the anchor embedment hef (null = smallest passing, within the pier depth) and run the
    ACI 318-19 concrete checks of ``plate``'s anchors in a pier of ``pier_in``."""
    fc = options.get("concrete_fc_psi") or value("anchors", "default_concrete_psi")
    nua, vua = plate.forces.tension_kip, plate.forces.shear_kip
    max_hef = max(pier_depth_ft * 12.0 - 3.0, 6.0)
    hefs = (
        [options["anchor_embedment_in"]]
        if options.get("anchor_embedment_in")
        else [h for h in value("anchors", "embedments_in") if h <= max_hef] or [max_hef]
    )
    use_bars = options.get("anchor_reinforcement", _A["reinforcement"]["default_enabled"])
    bars = anchor_reinforcement(nua, fc) if use_bars else None
    checks: list[Check] = []
    hef = hefs[-1]
    reinforcement: AnchorReinforcement | None = None
    concrete_checks = partial(
        _concrete_checks,
        db=plate.bolt_diameter_in,
        n=plate.bolt_count,
        dbc=plate.bolt_circle_in,
        pier_in=pier_in,
        fc_psi=fc,
        nua=nua,
        vua=vua,
        steel_tension=plate.anchor_tension,
        steel_shear=plate.anchor_shear,
    )
    for hef in hefs:
        checks = concrete_checks(hef=hef, reinforcement=None)
        if all(c.passed for c in checks):
            break
    else:
        if bars is not None:
            # Plain concrete breakout fails at every hef: anchor reinforcement carries the tension;
            # the anchor must reach past the bars' development length.
            need = bars.development_length_in + _A["reinforcement"]["extra_embedment_in"]
            hef = next((h for h in hefs if h >= need), hefs[-1])
            checks = concrete_checks(hef=hef, reinforcement=bars)
            reinforcement = bars
            notes.assume(
                "Plain-concrete breakout is insufficient: vertical pier bars next to each anchor, developed "
                "on both sides of the breakout surface, carry the anchor tension instead.",
                _A["reinforcement"]["clause"],
            )
            notes.assume(
                "Anchor embedment at least the bar development length + 3 in.",
                _A["reinforcement"]["development_clause"],
            )
            if hef < need:
                notes.warn(
                    "anchor_development",
                    f"Anchor embedment {hef:g} in is shorter than the bar development "
                    f"length + 3 in ({need:.1f} in): lengthen the anchors or deepen the pier.",
                )
    anchors = AnchorDesign(
        anchor_reinforcement=reinforcement,
        anchor_embedment_in=hef,
        concrete_fc_psi=fc,
        edge_distance_in=max((pier_in - plate.bolt_circle_in) / 2.0, 0.0),
        anchor_length_in=hef + plate.plate_thickness_in + value("anchors", "projection_above_pier_in"),
        checks=tuple(checks),
    )
    if hef > pier_depth_ft * 12.0 - 3.0:
        notes.warn("anchor_too_long", "Anchor embedment exceeds the pier depth less 3 in cover.")
    notes.assume(
        f"Concrete f'c = {fc:g} psi, normal weight, cracked (psi_c,N = 1.0), cast-in headed anchors "
        "with heavy hex nuts, Condition B (phi 0.70).",
        clause("anchors", "phi_concrete_tension"),
    )
    notes.assume(
        "Breakout of the most loaded anchor with the projected area shared with adjacent anchors "
        "(width min(s, 3 hef)) and limited by the pier edge; Nb = 24 sqrt(f'c) hef^1.5.",
        clause("anchors", "kc_cast_in"),
    )
    notes.warn(
        "anchor_shear_concrete_unchecked",
        "Anchor concrete shear breakout and pryout (ACI 318-19 17.7.2, 17.7.3) are not checked: "
        "provide pier ties / anchor reinforcement or check them separately.",
    )
    notes.penalise("anchor shear breakout unchecked", 0.05)
    return anchors
