"""Base plate and anchor rods of a base-plate pole, with ACI 318-19 Chapter 17 anchor checks.

Why two load levels: the plate is a steel element checked by the selected method (ASD 0.6W or LRFD
1.0W, AISC 360-16), while ACI 318 Chapter 17 is a strength-design code: anchors are always checked
at factored loads (0.9D + 1.0W, ASCE 7 Sec. 2.3.1, which maximises uplift) whatever the method.

Why the selection evaluates the whole anchorage: the concrete limit states (breakout, side-face
blowout, shear breakout, pryout) and the 17.8 interaction depend on the pier that holds the bolt
circle, so a layout is accepted only when every check reported for it passes, with the pier it
needs (see :func:`select_anchorage`). When none passes, the layout with the lowest governing ratio
is reported with a warning naming what limits it.

Stated engineering assumptions (reported with the results):
- bolts on one circle, elastic bolt-group distribution T_i = 2 M y_i/(n r^2) - 0.9 D/n;
- plate bending by straight yield lines tangent to the pole face for several directions of the
  moment (see :func:`_yield_line`); the pole-to-plate weld as a line (see :func:`design_weld`);
- the projected areas of 17.6.2.1 and 17.7.2.1 are taken in polar form on a round pier (an annular
  sector 1.5 hef either side of the tension anchors, clipped by the pier edge); a square pier is
  taken as its inscribed circle.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from .checks import TOLERANCE, check, ratio
from .constants import CONSTANTS, clause, value
from .errors import CalcInputError
from .explain import demand_capacity, num, qty
from .foundations import round_up
from .notes import Notes
from .results import (
    AnchorDesign,
    AnchorForces,
    AnchorReinforcement,
    Check,
    PlateDesign,
    WeldDesign,
    evolve,
    fast_init,
)

_A = CONSTANTS["anchors"]
_P = CONSTANTS["plates"]
_TWO_PI = 2.0 * math.pi
_PSI_ED_N = _A["psi_ed_n"]
_KC_LAMBDA = value("anchors", "kc_cast_in") * value("anchors", "lambda_a")
_PSI_C_CP = value("anchors", "psi_c_n") * value("anchors", "psi_cp_n")


@dataclass(frozen=True, slots=True)
class AnchorLoads:
    """Per-pole loads at the base for one load case: W at strength level, D unfactored (kip, kip-in)."""

    case: str
    moment_w_kip_in: float
    shear_w_kip: float
    torsion_w_kip_in: float
    dead_kip: float


@cache
def tensile_area(diameter_in: float) -> float:
    """Ase = pi/4 (da - 0.9743/nt)^2 (ACI 318-19 R17.6.1.2, UNC threads)."""
    nt = float(_A["threads_per_inch"][repr(float(diameter_in))])
    return math.pi / 4.0 * (diameter_in - 0.9743 / nt) ** 2


@cache
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


Layout = tuple[int, float, float]  # count, diameter (in), bolt circle (in)


@lru_cache(maxsize=1024)
def _on_circles(
    counts: tuple[int, ...],
    diameters: tuple[float, ...],
    given_dbc: float | None,
    pole_footprint_in: float,
    clearance_in: float,
    enlarge_in: float,
) -> tuple[Layout, ...]:
    """Every (count, diameter) pair, least total tensile area first (then fewer, then thinner rods),
    on the given bolt circle or the smallest one whose nuts clear the pole plus ``enlarge_in`` (a
    pure function of the pole's footprint: kept per process)."""
    layouts = []
    for _, n, db in sorted((n * tensile_area(d), n, d) for n in counts for d in diameters):
        dbc = given_dbc or round_up(pole_footprint_in + 2.0 * (1.5 * db + clearance_in), 1.0) + enlarge_in
        layouts.append((n, db, dbc))
    return tuple(layouts)


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
    enlarge_in: float = 0.0,
) -> list[Layout]:
    """Anchor layouts (count, diameter, bolt circle) to try, least total steel area first, on the
    smallest bolt circle plus ``enlarge_in``.

    Layouts that cannot exist are dropped, and when none is left on the smallest circle the input
    is refused (CalcInputError naming the fields): a given bolt circle must put the nuts outside the
    pole (Dbc >= OD + 1.5 da + 1/8 in), and a given pier must hold the bolt circle plus 6 da each side.
    """
    layouts = list(
        _on_circles(tuple(counts), tuple(diameters), given_dbc, pole_footprint_in, clearance_in, enlarge_in)
    )
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
        if not fitting and enlarge_in > 0:
            return []
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


@cache
def _futa(grade: str) -> float:
    g = _A["grades"][grade]
    cap = _A["futa_cap"]
    return float(min(g["futa_ksi"], cap["factor_on_fya"] * g["fya_ksi"], cap["max_ksi"]))


def _anchor_forces(loads: list[AnchorLoads], n: int, dbc: float) -> AnchorForces:
    """Governing factored tension and shear per anchor (kip), each the maximum over the load cases
    (using both maxima together in the 17.8 interaction is conservative)."""
    return AnchorForces(*_anchor_force_values(loads, n, dbc))


def _anchor_force_values(loads: list[AnchorLoads], n: int, dbc: float) -> tuple[float, float]:
    """(tension, shear) of :func:`_anchor_forces` as plain numbers (the search screens on them)."""
    nua = vua = 0.0
    for c in loads:
        t = 4.0 * c.moment_w_kip_in / (n * dbc) - 0.9 * c.dead_kip / n
        v = c.shear_w_kip / n + c.torsion_w_kip_in / (n * dbc / 2.0)
        if t > nua:
            nua = t
        if v > vua:
            vua = v
    return nua, vua


@cache
def _steel_strengths(grade: str, db: float) -> tuple[float, float]:
    """(phi Nsa, phi Vsa) of one anchor rod, kip: Eq. 17.6.1.2 and Eq. 17.7.1.2b x 0.8 grout pad."""
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
    return phi_nsa, phi_vsa


def _steel_checks(grade: str, db: float, nua: float, vua: float) -> tuple[Check, Check]:
    """Anchor steel in tension and in shear, in that order."""
    phi_nsa, phi_vsa = _steel_strengths(grade, db)
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


def _hairpin_check(vua: float) -> Check:
    """Hairpins enclosing each anchor (two legs of the smallest bar whose phi 2 Ab fy carries the
    anchor shear) replacing concrete shear breakout (ACI 318-19 17.5.2.1, R17.7.2.5.1)."""
    sr = _A["shear_reinforcement"]
    capacity = 0.0
    name = ""
    for bar, (_dia, area) in sr["bars"].items():
        name, capacity = bar, sr["phi"] * sr["legs"] * area * sr["fy_ksi"]
        if capacity >= vua:
            break
    return check(
        f"anchor shear reinforcement, {name} hairpin (replaces concrete shear breakout)",
        vua,
        capacity,
        "kip",
        sr["clause"],
    )


# ---------------------------------------------------------------- concrete checks
@dataclass(frozen=True, slots=True)
class _Pier:
    """Where the anchors sit: bolt-circle radius r, pier radius R (a square pier: its inscribed
    circle), ca1 = R - r (toward the edge), ca2 = sqrt(R^2 - r^2) (along the edge), pier depth ha."""

    n: int
    db: float
    r: float
    big_r: float
    ca1: float
    ca2: float
    ha: float


def _pier_geometry(n: int, db: float, dbc: float, pier_in: float, pier_depth_ft: float) -> _Pier:
    r = dbc / 2.0
    big_r = max(pier_in / 2.0, r)
    return _Pier(n, db, r, big_r, big_r - r, math.sqrt(max(big_r * big_r - r * r, 0.0)), pier_depth_ft * 12.0)


@dataclass(frozen=True, slots=True)
class _TensionGroup:
    """The anchors in tension for one orientation of the moment: count, total and largest tension
    (kip), angle they span on the bolt circle, and the eccentricity e'N of their resultant."""

    count: int
    total_kip: float
    max_kip: float
    span_rad: float
    eccentricity_in: float


@cache
def _bolt_cosines(n: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """cos of each of ``n`` bolts' angles on the circle from the moment's direction, the moment
    toward a bolt and midway between two (the y_i / r of :func:`_tension_groups`)."""
    alpha = _TWO_PI / n
    toward, between = (tuple(math.cos(offset + i * alpha) for i in range(n)) for offset in (0.0, alpha / 2.0))
    return toward, between


def _tension_groups(loads: list[AnchorLoads], n: int, r: float) -> list[_TensionGroup]:
    """Tension anchors of the governing load case with the moment toward an anchor and between two
    anchors (the first gives the largest single tension, the second can load a wider group):
    T_i = 2 M y_i/(n r^2) - 0.9 D/n (elastic, about the bolt-circle centre)."""
    case = max(loads, key=lambda c: 2.0 * c.moment_w_kip_in / (n * r) - 0.9 * c.dead_kip / n)
    alpha = _TWO_PI / n
    m2, den, dead = 2.0 * case.moment_w_kip_in, n * r * r, 0.9 * case.dead_kip / n
    groups = []
    for cosines in _bolt_cosines(n):  # moment toward an anchor, then between two
        ts: list[float] = []
        ys: list[float] = []
        for cos_i in cosines:
            y = r * cos_i
            t = m2 * y / den - dead
            if t > 1e-12:
                ts.append(t)
                ys.append(y)
        if not ts:
            continue
        total = sum(ts)
        centroid = sum(ys) / len(ys)
        resultant = sum([t * y for t, y in zip(ts, ys, strict=True)]) / total
        groups.append(
            _TensionGroup(len(ts), total, max(ts), (len(ts) - 1) * alpha, max(resultant - centroid, 0.0))
        )
    return groups


def breakout_strength(geo: _Pier, hef: float, fc_psi: float, count: int, span: float, ecc: float) -> float:
    """Ncbg (kip) of ``count`` adjacent anchors spanning ``span`` rad on the bolt circle, ACI 318-19
    Eq. 17.6.2.1b: ANc/ANco psi_ec,N psi_ed,N psi_c,N psi_cp,N Nb with ANco = 9 hef^2 (17.6.2.1.4),
    Nb = kc lambda_a sqrt(f'c) hef^1.5 (17.6.2.2.1), psi_ec,N = 1/(1 + e'N/(1.5 hef)) (17.6.2.3.1),
    psi_ed,N (17.6.2.4.1). ANc is the annular sector within 1.5 hef of the anchors, clipped by the
    pier edge (at most count x ANco, 17.6.2.1.1). In a pier narrower than 1.5 hef on every side
    (R + r < 1.5 hef) hef is replaced by max(ca,max/1.5, s/3) with ca,max = R + r (17.6.2.1.2)."""
    h = hef
    if geo.big_r + geo.r < 1.5 * hef:
        s_max = 2.0 * geo.r * math.sin(min(span, math.pi) / 2.0)
        h = min(hef, max((geo.big_r + geo.r) / 1.5, s_max / 3.0))
    # The min/max of the formulas written as comparisons (the anchor search calls this per hef):
    # min(x, y) is y if y < x else x, max(x, y) is y if y > x else x, as the builtins decide.
    r, big_r = geo.r, geo.big_r
    half = 1.5 * h
    inner = r - half
    if inner < 0.0:  # max(r - 1.5 hef, 0)
        inner = 0.0
    outer = r + half
    if big_r < outer:  # min(r + 1.5 hef, R)
        outer = big_r
    angle = _TWO_PI
    if r > 0:
        angle = span + 2.0 * half / r
        if angle > _TWO_PI:
            angle = _TWO_PI
    a_nco = 9.0 * h * h
    a_nc = angle / 2.0 * (outer * outer - inner * inner)
    if count * a_nco < a_nc:  # at most count x ANco
        a_nc = count * a_nco
    if a_nc < 0.0:
        a_nc = 0.0
    psi_ed = 1.0 if geo.ca1 >= half else _PSI_ED_N["base"] + _PSI_ED_N["slope"] * geo.ca1 / half
    psi_ec = 1.0 / (1.0 + ecc / half)
    nb = _KC_LAMBDA * math.sqrt(fc_psi) * h**1.5 / 1000.0
    return a_nc / a_nco * psi_ec * psi_ed * _PSI_C_CP * nb


def _worst(items: list[tuple[float, float]], name: str, unit: str, clause_text: str) -> Check:
    """The check of the (demand, capacity) pair with the largest ratio (the first of equal ones),
    named ``name``; the pairs it beats become no check object."""
    demand, capacity = max(items, key=lambda dc: ratio(dc[0], dc[1]))
    return check(name, demand, capacity, unit, clause_text)


def _breakout_check(geo: _Pier, groups: list[_TensionGroup], hef: float, fc_psi: float) -> Check:
    phi = value("anchors", "phi_concrete_tension")
    items = [
        (g.total_kip, phi * breakout_strength(geo, hef, fc_psi, g.count, g.span_rad, g.eccentricity_in))
        for g in groups
    ] or [(0.0, 1.0)]
    return _worst(
        items,
        "anchor concrete breakout",
        "kip",
        "ACI 318-19 Sec. 17.6.2 (Eq. 17.6.2.1b, 17.6.2.2.1; group of the tension anchors, phi 0.70)",
    )


def _side_face_check(geo: _Pier, groups: list[_TensionGroup], fc_psi: float) -> Check:
    """Side-face blowout of the anchor nearest the edge and of the tension anchors along the edge:
    Nsb (Eq. 17.6.4.1) x (1 + ca2/ca1)/4 when ca2 < 3 ca1 (17.6.4.1.1); a group with spacing below
    6 ca1: Nsbg = (1 + s/(6 ca1)) Nsb, s between the outer anchors along the edge (17.6.4.2)."""
    sf = _A["side_face_blowout"]
    ca1 = geo.ca1
    nsb = sf["coefficient"] * ca1 * math.sqrt(bearing_area(geo.db)) * value("anchors", "lambda_a")
    nsb *= math.sqrt(fc_psi) / 1000.0
    if ca1 > 0 and geo.ca2 < 3.0 * ca1:
        nsb *= (1.0 + min(max(geo.ca2 / ca1, 1.0), 3.0)) / 4.0
    phi_nsb = value("anchors", "phi_concrete_tension") * nsb
    items: list[tuple[float, float]] = []
    spacing = 2.0 * geo.r * math.sin(math.pi / geo.n)
    limit = sf["group_spacing_ca1"] * ca1
    for g in groups:
        items.append((g.max_kip, phi_nsb))
        if g.count > 1 and spacing < limit:
            s_outer = 2.0 * geo.r * math.sin(min(g.span_rad, math.pi) / 2.0)  # between the outer anchors
            items.append((g.total_kip, (1.0 + min(s_outer / limit, 1.0)) * phi_nsb))
    return _worst(items or [(0.0, phi_nsb)], "anchor side-face blowout", "kip", sf["clause"])


def _shear_breakout_check(geo: _Pier, hef: float, fc_psi: float, vua: float, reinforcement: str) -> Check:
    """Concrete breakout in shear of the anchor nearest the edge toward it, each anchor carrying
    its share Vua (ACI 318-19 17.7.2): Vcb = AVc/AVco psi_ed,V psi_c,V psi_h,V Vb (Eq. 17.7.2.1a),
    AVco = 4.5 ca1^2; AVc = (width) x min(1.5 ca1, ha), width = 2 min(1.5 ca1, ca2, half the arc
    of the pier face between adjacent anchors) (17.7.2.1.1 group overlap); hairpins replace it."""
    if reinforcement == "hairpins":
        return _hairpin_check(vua)
    sb = _A["shear_breakout"]
    ca1, db = geo.ca1, geo.db
    le = min(hef, sb["le_max_diameters"] * db)
    lam_root = value("anchors", "lambda_a") * math.sqrt(fc_psi)
    vb = min(sb["coefficient_a"] * (le / db) ** 0.2 * math.sqrt(db), sb["coefficient_b"]) * lam_root
    vb *= ca1**1.5 / 1000.0
    half_width = min(1.5 * ca1, geo.ca2, geo.big_r * math.pi / geo.n)
    a_vc = 2.0 * half_width * min(1.5 * ca1, geo.ha)
    a_vco = 4.5 * ca1 * ca1
    psi_ed = 1.0 if geo.ca2 >= 1.5 * ca1 else 0.7 + 0.3 * geo.ca2 / (1.5 * ca1)
    psi_h = max(1.0, math.sqrt(1.5 * ca1 / geo.ha)) if geo.ha > 0 else 1.0
    psi_c = _A["psi_c_v"]["ties" if reinforcement == "ties" else "none"]
    phi = value(
        "anchors", "phi_concrete_shear_condition_a" if reinforcement == "ties" else "phi_concrete_shear"
    )
    vcb = a_vc / a_vco * psi_ed * psi_c * psi_h * vb if a_vco > 0 else 0.0
    text = sb["clause"] + ("; " + _A["psi_c_v"]["clause"] if reinforcement == "ties" else "")
    return check("anchor concrete shear breakout", vua, phi * vcb, "kip", text)


def _pryout_check(geo: _Pier, hef: float, fc_psi: float, vua: float) -> Check:
    """Pryout of the whole group, Vcpg = kcp Ncpg with Ncpg = Ncbg of every anchor (17.7.3),
    against the total anchor shear n Vua."""
    pr = _A["pryout"]
    kcp = pr["kcp"] if hef >= pr["min_hef_in"] else 1.0
    ncbg = breakout_strength(geo, hef, fc_psi, geo.n, (geo.n - 1) * _TWO_PI / geo.n, 0.0)
    phi = value("anchors", "phi_concrete_shear")
    return check("anchor pryout", geo.n * vua, phi * kcp * ncbg, "kip", pr["clause"])


def _concrete_checks(
    *,
    geo: _Pier,
    groups: list[_TensionGroup],
    hef: float,
    fc_psi: float,
    nua: float,
    vua: float,
    steel_tension: Check,
    steel_shear: Check,
    reinforcement: AnchorReinforcement | None,
    development: Check | None,
    shear_reinforcement: str,
) -> list[Check]:
    """Breakout (17.6.2, or the anchor reinforcement check replacing it, 17.5.2.1, with its
    development), pullout (17.6.3), side-face blowout (17.6.4, when hef > 2.5 ca1), shear breakout
    (17.7.2, or hairpins), pryout (17.7.3) and the interaction (17.8) of the governing ratios."""
    breakout = _breakout_check(geo, groups, hef, fc_psi)
    checks = [breakout if reinforcement is None or breakout.passed else reinforcement.check]
    if development is not None and not breakout.passed:
        checks.append(development)
    checks.append(_pulloutcheck(geo.db, fc_psi, nua))
    if hef > _A["side_face_blowout"]["hef_over_ca1"] * geo.ca1:
        checks.append(_side_face_check(geo, groups, fc_psi))
    tension = [steel_tension, *checks]
    shear = [
        steel_shear,
        _shear_breakout_check(geo, hef, fc_psi, vua, shear_reinforcement),
        _pryout_check(geo, hef, fc_psi, vua),
    ]
    checks += shear[1:]
    # A zero capacity (no edge distance, no breakout area) gives an infinite ratio: fails, no crash.
    n_ratio = max(c.ratio for c in tension if c.unit == "kip")
    v_ratio = max(c.ratio for c in shear)
    lim = _A["interaction_limit"]
    if n_ratio > lim["threshold"] and v_ratio > lim["threshold"]:
        checks.append(
            check("anchor tension-shear interaction", n_ratio + v_ratio, lim["value"], "ratio", lim["clause"])
        )
    return checks


# ---------------------------------------------------------------- plate, anchors, selection
def _chord(half_width: float, c: float, cos_t: float, sin_t: float) -> float:
    """Length of the line {x . u = c}, u = (cos t, sin t), inside the square plate |x|, |y| <= half_width."""
    lo, hi = -math.inf, math.inf
    # points c u + s v with v = (-sin t, cos t): |c cos t - s sin t| <= h and |c sin t + s cos t| <= h
    for a, b in ((c * cos_t, -sin_t), (c * sin_t, cos_t)):
        if abs(b) < 1e-12:
            if abs(a) > half_width:
                return 0.0
            continue
        s1, s2 = (-half_width - a) / b, (half_width - a) / b
        lo, hi = max(lo, min(s1, s2)), min(hi, max(s1, s2))
    return max(hi - lo, 0.0)


@cache
def _orientations(n: int) -> tuple[tuple[float, float, tuple[float, ...]], ...]:
    """Directions of the moment tried for the yield line (toward a plate side, a plate corner, a
    bolt, midway between bolts): (cos t, sin t, y_i of the bolts on a unit circle along t)."""
    alpha = _TWO_PI / n
    angles = sorted({0.0, alpha / 2.0, math.pi / 4.0, abs(math.pi / 4.0 - alpha / 2.0)})
    return tuple((math.cos(t), math.sin(t), tuple(math.cos(i * alpha - t) for i in range(n))) for t in angles)


@cache
def _lines(
    n: int, r: float, half_width: float, pole_od_in: float, pole_round: bool
) -> tuple[tuple[float, float, tuple[float, ...]], ...]:
    """The yield lines of a plate geometry: (distance c from the centre, length, y_i/r of the bolts
    beyond the line) per direction of the moment; a line off the plate gets a vanishing length."""
    lines = []
    for cos_t, sin_t, ys in _orientations(n):
        c = pole_od_in / 2.0 if pole_round else pole_od_in / 2.0 * (abs(cos_t) + abs(sin_t))
        length = max(_chord(half_width, c, cos_t, sin_t), 1e-6)
        lines.append((c, length, tuple(y for y in ys if r * y > c)))
    return tuple(lines)


def _yield_line(
    n: int,
    r: float,
    half_width: float,
    pole_od_in: float,
    pole_round: bool,
    w_factor: float,
    d_factor: float,
    loads: list[AnchorLoads],
) -> tuple[float, float]:
    """Governing straight yield line of the plate: (moment of the bolt forces about it, kip-in; its
    length, in). Stated engineering assumption: for each direction of the moment the plate beyond a
    straight line tangent to the pole face (a round pole: at OD/2 from the centre; a square pole: its
    support distance OD/2 (|cos t| + |sin t|)), perpendicular to the moment, rotates as a rigid
    overhang about it; the work equation gives mp L = sum C_i (y_i - c) over the bolts beyond the
    line, C_i = 2 M y_i/(n r^2) + P/n the compression-side (leveling nut) bolt force at the method's
    level. The direction with the largest moment per inch of line governs."""
    case = max(loads, key=lambda c: c.moment_w_kip_in * w_factor + 0.5 * r * d_factor * c.dead_kip)
    m = w_factor * case.moment_w_kip_in
    p = d_factor * case.dead_kip / n
    best = (0.0, 2.0 * half_width)
    worst = -1.0
    for c, length, ys in _lines(n, r, half_width, pole_od_in, pole_round):
        demand = 0.0
        for y1 in ys:
            demand += (2.0 * m * y1 / (n * r) + p) * (r * y1 - c)
        if demand / length > worst:
            worst, best = demand / length, (demand, length)
    return best


@dataclass(frozen=True, slots=True)
class _PlateNumbers:
    """The steel numbers of one candidate layout, before any check object is built: the search
    screens candidates on these ratios and builds :class:`PlateDesign` only for the ones it keeps."""

    layout: Layout
    grade: str
    forces: AnchorForces
    phi_nsa: float
    phi_vsa: float
    plate_grade: str
    width: float
    m_plate: float
    line: float
    thickness: float
    plate_capacity: float

    def bound(self, fc_psi: float) -> float:
        """The largest ratio of the checks that need no pier: anchor steel, plate, pullout."""
        forces = self.forces
        anchors = _anchor_bound(
            forces.tension_kip, forces.shear_kip, self.phi_nsa, self.phi_vsa, self.layout[1], fc_psi
        )
        return max(anchors, ratio(self.m_plate, self.plate_capacity))


@cache
def _phi_pullout(db: float, fc_psi: float) -> float:
    """phi Np = phi 8 Abrg f'c of one headed anchor, kip (ACI 318-19 Eq. 17.6.3.2.2a, phi 0.70)."""
    return (
        value("anchors", "phi_concrete_tension")
        * value("anchors", "pullout_bearing_coefficient")
        * bearing_area(db)
        * fc_psi
        / 1000.0
    )


def _anchor_bound(nua: float, vua: float, phi_nsa: float, phi_vsa: float, db: float, fc_psi: float) -> float:
    """The largest ratio of the anchor checks that need neither pier nor plate: steel tension and
    shear, pullout (in the order :meth:`_PlateNumbers.bound` takes them)."""
    return max(ratio(nua, phi_nsa), ratio(vua, phi_vsa), ratio(nua, _phi_pullout(db, fc_psi)))


def _plate_numbers(
    layout: Layout,
    grade: str,
    loads: list[AnchorLoads],
    method: str,
    pole_od_in: float,
    options: dict[str, Any],
    pole_round: bool = True,
) -> _PlateNumbers:
    """Anchor forces and steel strengths of ``layout`` and the plate (thickness: the given one or the
    thinnest stock size >= da that passes)."""
    n, db, dbc = layout
    forces = _anchor_forces(loads, n, dbc)
    phi_nsa, phi_vsa = _steel_strengths(grade, db)
    plate_grade = options.get("plate_grade") or _P["default_grade"]["value"]
    w_factor = value("wind", "asd_wind_factor") if method == "asd" else value("wind", "lrfd_wind_factor")
    d_factor = 1.0 if method == "asd" else 1.2
    width = options.get("plate_width_in") or round_up(
        dbc + 2.0 * value("plates", "edge_bolt_diameters") * db, 1.0
    )
    m_plate, line = _yield_line(n, dbc / 2.0, width / 2.0, pole_od_in, pole_round, w_factor, d_factor, loads)
    fy_plate = _P["grades"][plate_grade]["Fy_ksi"]
    factor = value("plates", "omega") if method == "asd" else 1.0 / value("plates", "phi")
    thicknesses = (
        [options["plate_thickness_in"]]
        if options.get("plate_thickness_in")
        else [t for t in value("plates", "thicknesses_in") if t >= db - 1e-9]
        or [max(value("plates", "thicknesses_in"))]
    )
    # Thinnest candidate with mp L = Fy t^2/4 L / factor >= sum C_i (y_i - c), checked once.
    t_needed = math.sqrt(4.0 * m_plate * factor / (fy_plate * line)) if m_plate > 0 and line > 0 else 0.0
    tp = next((t for t in thicknesses if t >= t_needed * (1.0 - 1e-12)), thicknesses[-1])
    capacity = fy_plate * line * tp * tp / 4.0 / factor
    return _PlateNumbers(
        layout, grade, forces, phi_nsa, phi_vsa, plate_grade, width, m_plate, line, tp, capacity
    )


def _plate_design(p: _PlateNumbers) -> PlateDesign:
    """The checks and design of a candidate's plate numbers."""
    n, db, dbc = p.layout
    forces = p.forces
    return PlateDesign(
        bolt_count=n,
        bolt_diameter_in=db,
        bolt_circle_in=dbc,
        anchor_grade=p.grade,
        anchor_tensile_area_in2=tensile_area(db),
        tension_per_bolt_kip=forces.tension_kip,
        shear_per_bolt_kip=forces.shear_kip,
        plate_grade=p.plate_grade,
        plate_width_in=p.width,
        plate_thickness_in=p.thickness,
        plate_moment_kip_in=p.m_plate,
        plate_yield_line_in=p.line,
        forces=forces,
        anchor_tension=check(
            "anchor steel tension", forces.tension_kip, p.phi_nsa, "kip", "ACI 318-19 Eq. 17.6.1.2 (phi 0.75)"
        ),
        anchor_shear=check(
            "anchor steel shear",
            forces.shear_kip,
            p.phi_vsa,
            "kip",
            "ACI 318-19 Eq. 17.7.1.2b x 0.8 grout pad (phi 0.65)",
        ),
        plate_bending=check(
            "base plate bending (yield line)",
            p.m_plate,
            p.plate_capacity,
            "kip_in",
            "AISC 360-16 Sec. F11.1 (mp = Fy t^2/4 per unit length, Eq. F11-1 with Z = t^2/4); yield-line "
            "mechanism: stated engineering assumption",
        ),
    )


def _plate(
    layout: Layout,
    grade: str,
    loads: list[AnchorLoads],
    method: str,
    pole_od_in: float,
    options: dict[str, Any],
    pole_round: bool = True,
) -> PlateDesign:
    """Steel checks of the anchors of ``layout`` and the plate."""
    return _plate_design(_plate_numbers(layout, grade, loads, method, pole_od_in, options, pole_round))


@dataclass(frozen=True, slots=True)
class _Anchorage:
    """One candidate: plate, anchors in their pier, and what the notes need to say about it."""

    plate: PlateDesign
    anchors: AnchorDesign
    pier_in: float
    development_need_in: float | None
    lengthened: bool
    enlarge_in: float
    pier_depth_ft: float = 0.0

    @property
    def checks(self) -> tuple[Check, ...]:
        return self.plate.checks + self.anchors.checks

    @property
    def governing(self) -> Check:
        return max(self.checks, key=lambda c: c.ratio)


def _anchors(
    plate: PlateDesign,
    loads: list[AnchorLoads],
    *,
    pier_in: float,
    pier_depth_ft: float,
    options: dict[str, Any],
) -> tuple[AnchorDesign, float | None, bool]:
    """Embedment hef (given, or the smallest passing within the pier depth less 3 in) and the
    concrete checks; when plain-concrete breakout fails at every hef and anchor reinforcement is
    allowed, the bars carry the tension and hef is lengthened to ld + 3 in if the pier allows it
    (17.5.2.1(a)); otherwise the development check fails. Returns the design, the embedment the
    bars need (None without bars) and whether hef was lengthened past the stock list."""
    fc = options.get("concrete_fc_psi") or value("anchors", "default_concrete_psi")
    nua, vua = plate.forces.tension_kip, plate.forces.shear_kip
    max_hef = max(pier_depth_ft * 12.0 - 3.0, 6.0)
    given_hef = options.get("anchor_embedment_in")
    hefs = (
        [given_hef]
        if given_hef
        else [h for h in value("anchors", "embedments_in") if h <= max_hef] or [max_hef]
    )
    use_bars = options.get("anchor_reinforcement", _A["reinforcement"]["default_enabled"])
    shear_rf = options.get("anchor_shear_reinforcement") or "none"
    geo = _pier_geometry(
        plate.bolt_count, plate.bolt_diameter_in, plate.bolt_circle_in, pier_in, pier_depth_ft
    )
    groups = _tension_groups(loads, plate.bolt_count, geo.r)

    def run(hef: float, bars: AnchorReinforcement | None, development: Check | None) -> list[Check]:
        return _concrete_checks(
            geo=geo,
            groups=groups,
            hef=hef,
            fc_psi=fc,
            nua=nua,
            vua=vua,
            steel_tension=plate.anchor_tension,
            steel_shear=plate.anchor_shear,
            reinforcement=bars,
            development=development,
            shear_reinforcement=shear_rf,
        )

    checks: list[Check] = []
    hef = hefs[-1]
    reinforcement: AnchorReinforcement | None = None
    need: float | None = None
    lengthened = False
    last: tuple[float, list[Check]] | None = None
    for hef in hefs:
        # Plain-concrete breakout first: where it fails the other checks cannot make hef pass.
        phi_c = value("anchors", "phi_concrete_tension")
        if any(
            g.total_kip
            > phi_c
            * breakout_strength(geo, hef, fc, g.count, g.span_rad, g.eccentricity_in)
            * (1 + TOLERANCE)
            for g in groups
        ):
            continue
        checks = run(hef, None, None)
        last = (hef, checks)
        if all(c.passed for c in checks):
            break
    else:
        if last is None and use_bars:
            bars = anchor_reinforcement(nua, fc)
            need = bars.development_length_in + _A["reinforcement"]["extra_embedment_in"]
            if given_hef:
                hef = given_hef
            else:
                step = value("anchors", "hef_step_in")
                stock = next((h for h in hefs if h >= need - 1e-9), None)
                if stock is not None:
                    hef = stock
                else:
                    hef = min(round_up(need, step), math.floor(max_hef / step + 1e-9) * step)
                    lengthened = hef > hefs[-1]
            development = check(
                "anchor embedment for reinforcement development",
                need,
                hef,
                "in",
                _A["reinforcement"]["development_clause"] + "; ACI 318-19 Sec. 17.5.2.1(a) (developed on "
                "both sides of the breakout surface: hef >= ld + 3 in)",
            )
            checks = run(hef, bars, development)
            reinforcement = bars
        else:
            hef, checks = last if last is not None else (hefs[-1], run(hefs[-1], None, None))
    design = AnchorDesign(
        anchor_reinforcement=reinforcement,
        anchor_embedment_in=hef,
        concrete_fc_psi=fc,
        edge_distance_in=max((pier_in - plate.bolt_circle_in) / 2.0, 0.0),
        anchor_length_in=hef + plate.plate_thickness_in + value("anchors", "projection_above_pier_in"),
        checks=tuple(checks),
    )
    return design, need, lengthened


_W = CONSTANTS["welds"]


def min_fillet(thinner_in: float) -> float:
    """Minimum fillet leg by the thinner part joined, AISC 360-16 Table J2.4."""
    return float(next(w for t, w in _W["min_fillet_table_j2_4"]["value"] if thinner_in <= t + 1e-9))


def design_weld(
    *,
    loads: list[AnchorLoads],
    method: str,
    pole_od_in: float,
    pole_round: bool,
    wall_nominal_in: float,
    wall_design_in: float,
    pole_fy_ksi: float,
    plate_thickness_in: float,
) -> WeldDesign:
    """Pole-to-plate weld all round, treated as a line (AISC 360-16 J2.4, elastic line method).

    Force per inch at the method's level, the largest over the load cases: normal
    f_n = M/S_w + P/L_w and shear f_v = V/(L_w/2) + T/(2 A_w), resultant sqrt(f_n^2 + f_v^2).
    Round pole (line radius r = OD/2): S_w = pi r^2, L_w = pi OD, A_w = pi r^2; square pole (side b),
    moment toward the corner (the smaller modulus): S_w = 2 sqrt(2) b^2/3, L_w = 4 b, A_w = b^2.
    Fillet strength per inch phi (or 1/Omega) x 0.60 FEXX x 0.707 w (Eq. J2-3, Table J2.5), without
    the directional increase of Eq. J2-5 (the ring is loaded out of its plane, which J2.4(a) does not
    cover). The size is the larger of the demand and Table J2.4's minimum, in 1/16 in; above the
    practical fillet limit a CJP groove weld is specified, whose strength is the wall's (Table J2.5,
    matching filler), checked as tensile yielding phi Fy t per inch (J4.1(a)). The wall itself is
    checked by the pole's flexure and shear checks.
    """
    asd = method == "asd"
    w_factor = value("wind", "asd_wind_factor") if asd else value("wind", "lrfd_wind_factor")
    d_factor = 1.0 if asd else 1.2
    if pole_round:
        radius = pole_od_in / 2.0
        s_w, l_w, a_w = math.pi * radius * radius, math.pi * pole_od_in, math.pi * radius * radius
    else:
        b = pole_od_in
        s_w, l_w, a_w = 2.0 * math.sqrt(2.0) * b * b / 3.0, 4.0 * b, b * b
    force = 0.0
    case = ""
    for c in loads:
        f_n = w_factor * c.moment_w_kip_in / s_w + d_factor * c.dead_kip / l_w
        f_v = w_factor * c.shear_w_kip / (l_w / 2.0) + w_factor * c.torsion_w_kip_in / (2.0 * a_w)
        if math.hypot(f_n, f_v) > force:
            force, case = math.hypot(f_n, f_v), c.case
    combo = "ASD D + 0.6W" if asd else "LRFD 1.2D + 1.0W"
    geometry = f"Sw = {qty(s_w, 'in^2')}, Lw = {qty(l_w, 'in')}, Aw = {qty(a_w, 'in^2')}"
    phi_w = 1.0 / value("welds", "omega") if asd else value("welds", "phi")
    phi_bm = 1.0 / value("welds", "omega_base_metal") if asd else value("welds", "phi_base_metal")
    fexx = value("welds", "electrode_fexx_ksi")
    per_leg = phi_w * value("welds", "fillet_strength_factor") * fexx * value("welds", "throat_factor")
    base_metal = phi_bm * pole_fy_ksi * wall_design_in
    w_min = min_fillet(min(wall_nominal_in, plate_thickness_in))
    w_req = force / per_leg
    size = max(round_up(w_req, value("welds", "size_step_in")), w_min)
    if size <= value("welds", "max_fillet_in") + 1e-9:
        chk = check(
            f"pole-to-plate fillet weld {size:g} in all round",
            force,
            per_leg * size,
            "kip_per_in",
            "AISC 360-16 Sec. J2.4 Eq. J2-3, Table J2.5 (Fnw = 0.60 FEXX on 0.707 w, E70); minimum size "
            "Table J2.4",
            case=case,
            combination=combo,
            formula="f = sqrt((M/Sw + P/Lw)^2 + (V/(Lw/2) + T/(2 Aw))^2) <= phi 0.60 FEXX 0.707 w",
            substitution=f"{geometry}; f = {qty(force, 'kip_per_in')}; {num(phi_w)} x "
            f"{value('welds', 'fillet_strength_factor'):g} x {num(fexx)} ksi x "
            f"{value('welds', 'throat_factor'):g} x {num(size)} in = {qty(per_leg * size, 'kip_per_in')}",
        )
        return WeldDesign("fillet", size, w_min, w_req, fexx, force, l_w, chk)
    chk = check(
        "pole-to-plate CJP groove weld all round (pole wall at the weld)",
        force,
        base_metal,
        "kip_per_in",
        "AISC 360-16 Table J2.5 (CJP with matching filler: base metal strength), Sec. J4.1(a) tensile "
        "yielding of the wall, taken elastically per inch",
        case=case,
        combination=combo,
        formula="f = sqrt((M/Sw + P/Lw)^2 + (V/(Lw/2) + T/(2 Aw))^2) <= phi Fy t (wall)",
        substitution=f"{geometry}; f = {qty(force, 'kip_per_in')}; {num(phi_bm)} x {num(pole_fy_ksi)} ksi x "
        f"{num(wall_design_in)} in = {qty(base_metal, 'kip_per_in')}",
    )
    return WeldDesign("cjp", wall_nominal_in, w_min, w_req, fexx, force, l_w, chk)


PierFor = Callable[[float], tuple[float, float]]
"""The pier for a layout: minimum width (in) -> (diameter in, depth ft)."""


@dataclass(frozen=True, slots=True)
class Anchorage:
    """The selected plate and anchors, the pier width they were checked in, and the search."""

    plate: PlateDesign
    anchors: AnchorDesign
    min_pier_width_in: float
    passed: bool
    tried: int


def pier_min_width(plate: PlateDesign) -> float:
    """Narrowest pier for a plate: the bolt circle with 6 da each side (17.9.2) and the plate."""
    return max(min_pier(plate.bolt_circle_in, plate.bolt_diameter_in), plate.plate_width_in)


def select_anchorage(
    *,
    loads: list[AnchorLoads],
    method: str,
    pole_od_in: float,
    pole_footprint_in: float,
    options: dict[str, Any],
    notes: Notes,
    pier_for: PierFor,
    pier_in: float | None = None,
) -> Anchorage:
    """Anchor count, diameter, grade and bolt circle, plate and embedment (null options = choose).

    Candidates in order: on the smallest bolt circle, every layout (least steel area first) in the
    default grade, then in F1554-55 and F1554-105; then the same on bolt circles enlarged by the
    named increments (a larger plate and pier). Each candidate is checked in full, with the pier
    ``pier_for`` gives it (or the given ``pier_in``): steel, plate, breakout or anchor reinforcement
    with its development, pullout, side-face blowout, shear breakout, pryout and the interaction.
    The first candidate passing every check is chosen; when none passes, the one with the lowest
    governing ratio is reported with a warning naming what limits it.
    """
    given_grade = options.get("anchor_grade")
    grades = [given_grade] if given_grade else list(value("anchors", "grades_tried"))
    given_dbc = options.get("bolt_circle_in")
    enlargements = [0.0] if given_dbc else list(value("anchors", "bolt_circle_increments_in"))
    counts = [options["bolt_count"]] if options.get("bolt_count") else list(value("anchors", "counts"))
    diameters = (
        [options["bolt_diameter_in"]]
        if options.get("bolt_diameter_in")
        else list(value("anchors", "diameters_in"))
    )
    fc = options.get("concrete_fc_psi") or value("anchors", "default_concrete_psi")
    pole_round = abs(pole_footprint_in - pole_od_in) < 1e-9
    best: _Anchorage | None = None
    best_ratio = math.inf
    tried = 0
    chosen: _Anchorage | None = None
    # (bound, order, numbers, bolt circle increase) of candidates failing a check that needs no pier;
    # bound None: an anchor check failed before the plate was sized (sized only if nothing passes).
    deferred: list[tuple[float | None, int, _PlateNumbers | tuple[Layout, str], float]] = []

    def evaluate(plate: PlateDesign, enlarge: float) -> _Anchorage:
        width, depth = pier_for(pier_min_width(plate))
        anchors, need, lengthened = _anchors(
            plate, loads, pier_in=width, pier_depth_ft=depth, options=options
        )
        return _Anchorage(plate, anchors, width, need, lengthened, enlarge, depth)

    limit = 1.0 + TOLERANCE
    for enlarge in enlargements:
        layouts = _layouts(
            counts=counts,
            diameters=diameters,
            given_dbc=given_dbc,
            pole_od_in=pole_od_in,
            pole_footprint_in=pole_footprint_in,
            clearance_in=value("plates", "bolt_clearance_in"),
            pier_in=pier_in,
            options=options,
            enlarge_in=enlarge,
        )
        for grade in grades:
            for layout in layouts:
                tried += 1
                # Checks that need no pier: when one fails, the candidate waits (it can only be
                # the best of failing candidates, looked for once nothing passes). The anchor rod
                # checks first: when one fails, the plate is not sized now.
                n, db, dbc = layout
                phi_nsa, phi_vsa = _steel_strengths(grade, db)
                nua, vua = _anchor_force_values(loads, n, dbc)
                # _anchor_bound(...) > limit, one ratio at a time (the first failing one decides)
                if (
                    ratio(nua, phi_nsa) > limit
                    or ratio(vua, phi_vsa) > limit
                    or ratio(nua, _phi_pullout(db, fc)) > limit
                ):
                    deferred.append((None, tried, (layout, grade), enlarge))
                    continue
                numbers = _plate_numbers(layout, grade, loads, method, pole_od_in, options, pole_round)
                bound = numbers.bound(fc)
                if bound > 1.0 + TOLERANCE:
                    deferred.append((bound, tried, numbers, enlarge))
                    continue
                cand = evaluate(_plate_design(numbers), enlarge)
                if all(c.passed for c in cand.checks):
                    chosen = cand
                    break
                if cand.governing.ratio < best_ratio:
                    best, best_ratio = cand, cand.governing.ratio
            if chosen:
                break
        if chosen:
            break
    if chosen is None:
        sized: list[tuple[float, int, _PlateNumbers, float]] = []
        for maybe, order, item, enlarge in deferred:
            if isinstance(item, _PlateNumbers):
                assert maybe is not None
                sized.append((maybe, order, item, enlarge))
            else:
                numbers = _plate_numbers(item[0], item[1], loads, method, pole_od_in, options, pole_round)
                sized.append((numbers.bound(fc), order, numbers, enlarge))
        for bound, _, numbers, enlarge in sorted(sized, key=lambda d: (d[0], d[1])):
            if bound >= best_ratio:
                break  # every remaining candidate is at least this bad
            cand = evaluate(_plate_design(numbers), enlarge)
            if cand.governing.ratio < best_ratio:
                best, best_ratio = cand, cand.governing.ratio
    result = chosen or best
    assert result is not None
    result = _explained(result, loads, method, fc)
    _anchorage_notes(
        notes, result, passed=chosen is not None, grades=grades, enlargements=enlargements, tried=tried
    )
    return Anchorage(
        plate=result.plate,
        anchors=result.anchors,
        min_pier_width_in=pier_min_width(result.plate),
        passed=chosen is not None,
        tried=tried,
    )


_ANCHOR_COMBINATION = "LRFD 0.9D + 1.0W (ACI 318 strength design)"


def _explained(a: _Anchorage, loads: list[AnchorLoads], method: str, fc: float) -> _Anchorage:
    """The chosen candidate with each check labelled (load case, combination) and written out
    (formula, the numbers used). Done once, for the reported candidate only: the search does not
    format text for the candidates it discards."""
    plate, anchors = a.plate, a.anchors
    n, db, dbc = plate.bolt_count, plate.bolt_diameter_in, plate.bolt_circle_in
    t_case = max(loads, key=lambda c: 4.0 * c.moment_w_kip_in / (n * dbc) - 0.9 * c.dead_kip / n).case
    v_case = max(loads, key=lambda c: c.shear_w_kip / n + c.torsion_w_kip_in / (n * dbc / 2.0)).case
    asd = method == "asd"
    plate_combo = "ASD D + 0.6W" if asd else "LRFD 1.2D + 1.0W"
    ase, futa = tensile_area(db), _futa(plate.anchor_grade)
    geo = _pier_geometry(n, db, dbc, a.pier_in, a.pier_depth_ft)
    hef = anchors.anchor_embedment_in
    abrg = bearing_area(db)
    where = (
        f"da = {num(db)} in, hef = {num(hef)} in, f'c = {num(fc)} psi, ca1 = {num(geo.ca1)} in, "
        f"ca2 = {num(geo.ca2)} in"
    )
    fy_plate = _P["grades"][plate.plate_grade]["Fy_ksi"]
    tp = plate.plate_thickness_in
    omega_text = f"/ {value('plates', 'omega'):g}" if asd else f"x {value('plates', 'phi'):g}"
    nua, vua = plate.forces.tension_kip, plate.forces.shear_kip
    # Each text is written only for a check the candidate has.
    texts: dict[str, Callable[[], tuple[str, str, str]]] = {
        "anchor steel tension": lambda: (
            t_case,
            "Nua = 4 M / (n Dbc) - 0.9 D / n <= phi Nsa = phi Ase futa",
            f"Nua = {qty(nua, 'kip')}; phi Nsa = {value('anchors', 'phi_steel_tension'):g} x "
            f"{num(ase)} in^2 x "
            f"{num(futa)} ksi = {qty(plate.anchor_tension.capacity, 'kip')}",
        ),
        "anchor steel shear": lambda: (
            v_case,
            "Vua = V / n + T / (n Dbc / 2) <= phi 0.6 Ase futa x 0.8 (grout pad)",
            f"Vua = {qty(vua, 'kip')}; phi Vsa = {value('anchors', 'phi_steel_shear'):g} x 0.6 x "
            f"{num(ase)} in^2 x {num(futa)} ksi x {value('anchors', 'grout_pad_factor'):g} = "
            f"{qty(plate.anchor_shear.capacity, 'kip')}",
        ),
        "base plate bending (yield line)": lambda: (
            t_case,
            "sum C_i (y_i - c) <= mp L = Fy t^2 / 4 x L (/ Omega or x phi)",
            f"moment of the bolt forces about the yield line {qty(plate.plate_moment_kip_in, 'kip_in')}; "
            f"{num(fy_plate)} ksi x ({num(tp)} in)^2 / 4 x {num(plate.plate_yield_line_in)} in "
            f"{omega_text} = "
            f"{qty(plate.plate_bending.capacity, 'kip_in')}",
        ),
        "anchor concrete breakout": lambda: (
            t_case,
            "N (tension group) <= phi Ncbg = phi ANc/ANco psi_ec,N psi_ed,N psi_c,N psi_cp,N Nb, "
            "Nb = kc lambda sqrt(f'c) hef^1.5",
            f"{where}; Nb = {value('anchors', 'kc_cast_in'):g} x sqrt({num(fc)}) x {num(hef)}^1.5 / 1000 = "
            f"{qty(_KC_LAMBDA * math.sqrt(fc) * hef**1.5 / 1000.0, 'kip')}",
        ),
        "anchor pullout": lambda: (
            t_case,
            "Nua <= phi Np = phi 8 Abrg f'c",
            f"{value('anchors', 'phi_concrete_tension'):g} x "
            f"{value('anchors', 'pullout_bearing_coefficient'):g} x "
            f"{num(abrg)} in^2 x {num(fc / 1000.0)} ksi",
        ),
        "anchor side-face blowout": lambda: (
            t_case,
            "N <= phi Nsb (x (1 + s/(6 ca1)) for a group), Nsb = 160 ca1 sqrt(Abrg) lambda sqrt(f'c) "
            "x (1 + ca2/ca1)/4",
            f"{where}, Abrg = {num(abrg)} in^2",
        ),
        "anchor concrete shear breakout": lambda: (
            v_case,
            "Vua <= phi Vcb = phi AVc/AVco psi_ed,V psi_c,V psi_h,V Vb, "
            "Vb = min(7 (le/da)^0.2 sqrt(da), 9) lambda sqrt(f'c) ca1^1.5",
            f"{where}, le = {num(min(hef, _A['shear_breakout']['le_max_diameters'] * db))} in, "
            f"ha = {num(geo.ha)} in",
        ),
        "anchor pryout": lambda: (v_case, "n Vua <= phi kcp Ncpg (Ncpg = Ncbg of all anchors)", where),
        "anchor embedment for reinforcement development": lambda: (
            t_case,
            "ld + 3 in <= hef (ld: Table 25.4.2.3)",
            f"hef = {qty(hef, 'in')}",
        ),
    }

    def interaction_terms() -> tuple[float, float]:
        """The governing tension and shear ratios the 17.8 interaction adds."""
        ratios = {c.name: c.ratio for c in (*plate.checks, *anchors.checks)}
        tension_names = [
            k
            for k in ratios
            if k.startswith(
                (
                    "anchor steel tension",
                    "anchor concrete breakout",
                    "anchor reinforcement",
                    "anchor pullout",
                    "anchor side-face",
                )
            )
        ]
        shear_names = [
            k
            for k in ratios
            if k.startswith(
                ("anchor steel shear", "anchor concrete shear", "anchor shear reinforcement", "anchor pryout")
            )
        ]
        tension_ratio = max((ratios[k] for k in tension_names), default=0.0)
        shear_ratio = max((ratios[k] for k in shear_names), default=0.0)
        return tension_ratio, shear_ratio

    def explain(c: Check, combination: str) -> Check:
        if c.name == "anchor tension-shear interaction":
            tension_ratio, shear_ratio = interaction_terms()
            case = t_case if t_case == v_case else ""
            formula = "Nua/phi Nn + Vua/phi Vn <= 1.2 (both > 0.2)"
            sub = f"{num(tension_ratio)} + {num(shear_ratio)}"
        elif c.name.startswith("anchor reinforcement"):
            rf = _A["reinforcement"]
            bars = anchors.anchor_reinforcement
            case, formula = t_case, "Nua <= phi n As fy (bars developed both sides of the breakout surface)"
            area = rf["bars"][bars.bar_size][1] if bars else 0.0
            count = bars.bars_per_anchor if bars else 0
            sub = f"{rf['phi']:g} x {count} x {num(area)} in^2 x {num(rf['fy_ksi'])} ksi"
        elif c.name.startswith("anchor shear reinforcement"):
            case, formula, sub = (
                v_case,
                "Vua <= phi 2 Ab fy (two legs of a hairpin)",
                f"Vua = {qty(vua, 'kip')}",
            )
        else:
            text = texts.get(c.name)
            case, formula, sub = text() if text is not None else ("", "", "")
        if not formula:
            return evolve(c, case=case, combination=combination)
        amounts, d_text, c_text = demand_capacity(c.demand, c.capacity, c.unit)
        return check(
            c.name,
            c.demand,
            c.capacity,
            c.unit,
            c.clause,
            case=case,
            combination=combination,
            formula=formula,
            substitution=f"{sub}; {amounts}",
            demand_text=d_text,
            capacity_text=c_text,
        )

    new_plate = evolve(
        plate,
        anchor_tension=explain(plate.anchor_tension, _ANCHOR_COMBINATION),
        anchor_shear=explain(plate.anchor_shear, _ANCHOR_COMBINATION),
        plate_bending=explain(plate.plate_bending, plate_combo),
    )
    new_anchors = evolve(anchors, checks=tuple(explain(c, _ANCHOR_COMBINATION) for c in anchors.checks))
    return evolve(a, plate=new_plate, anchors=new_anchors)


def _anchorage_notes(
    notes: Notes, a: _Anchorage, *, passed: bool, grades: list[str], enlargements: list[float], tried: int
) -> None:
    """The assumptions and warnings of the selected anchorage, in the order a reviewer reads them."""
    plate, anchors = a.plate, a.anchors
    if plate.plate_thickness_in < plate.bolt_diameter_in:
        notes.warn("thin_plate", "Plate thinner than the anchor diameter (practice: plate >= bolt diameter).")
    notes.assume(
        "Anchor rods on one bolt circle; elastic bolt-group tension T_i = 2 M y_i/(n r^2) - P/n "
        "(most loaded: 4M/(n Dbc) - P/n), leveling nuts carrying compression.",
        "stated engineering assumption (elastic bolt group on a circle)",
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
        "Plate bending by yield lines: for the moment toward a plate side, a corner, a bolt and midway "
        "between bolts, a straight yield line tangent to the pole face (round pole: at OD/2; square "
        "pole: its support distance) perpendicular to the moment, the plate beyond it rotating as a "
        "rigid overhang; mp L = sum C_i (y_i - c) with C_i = 2 M y_i/(n r^2) + P/n on the "
        "compression (leveling-nut) side, mp = Fy t^2/4; the direction with the largest moment per inch "
        "of line governs. Bolts on the circle with one on a plate axis.",
        "AISC 360-16 Sec. F11.1 (mp = Fy Z per unit width); yield-line mechanism: stated engineering "
        "assumption (upper-bound method, one straight-line family)",
    )
    fy_plate = _P["grades"][plate.plate_grade]["Fy_ksi"]
    notes.assume(
        f"Anchor rods ASTM {plate.anchor_grade}, futa = {_futa(plate.anchor_grade):g} ksi; plate "
        f"{plate.plate_grade} Fy {fy_plate:g} ksi.",
        _A["grades"]["clause"],
    )
    notes.penalise("simplified base plate", 0.05)
    if plate.anchor_grade != grades[0]:
        notes.assume(
            f"Anchor grade raised to {plate.anchor_grade}: no {grades[0]} layout passes every check.",
            clause("anchors", "grades_tried"),
        )
    if a.enlarge_in > 0:
        notes.assume(
            f"Bolt circle enlarged by {a.enlarge_in:g} in (larger plate and pier): no layout passes every "
            "check on the smallest circle.",
            clause("anchors", "bolt_circle_increments_in"),
        )
    if len(enlargements) > 1 or len(grades) > 1:
        notes.assume(
            "Anchor layout auto-selected: the first candidate (least steel area, default grade, smallest "
            "bolt circle first) passing every anchor, plate and concrete check with the pier it needs.",
            "selection rule (named default)",
        )
    fc = anchors.concrete_fc_psi
    notes.assume(
        f"Concrete f'c = {fc:g} psi, normal weight, cracked (psi_c,N = 1.0), cast-in headed anchors "
        "with heavy hex nuts, Condition B (phi 0.70) unless stated.",
        clause("anchors", "phi_concrete_tension"),
    )
    notes.assume(
        "Tension breakout of the anchors in tension as a group (moment toward an anchor and between two), "
        "Ncbg = ANc/ANco psi_ec,N psi_ed,N psi_c,N psi_cp,N Nb, Nb = 24 sqrt(f'c) hef^1.5 (the Eq. "
        "17.6.2.2.3 alternative for 11 to 25 in is not used); ANc taken as the annular sector of the round "
        "pier within 1.5 hef of the anchors (a square pier: its inscribed circle), a stated engineering "
        "assumption for a bolt circle; hef' of 17.6.2.1.2 when the pier is within 1.5 hef on every side.",
        "ACI 318-19 Sec. 17.6.2",
    )
    notes.assume(
        "Side-face blowout with ca1 = pier radius - bolt-circle radius and ca2 = sqrt(R^2 - r^2) (to the "
        "pier edge along the tangent), the tension anchors along the edge as one group.",
        _A["side_face_blowout"]["clause"],
    )
    shear_rf = next(
        (
            c
            for c in anchors.checks
            if "shear reinforcement" in c.name or c.name == "anchor concrete shear breakout"
        ),
        None,
    )
    notes.assume(
        "Shear breakout of the anchor nearest the edge toward it, each anchor carrying V/n + T/(n r) "
        "(shear shared by all anchors through the plate); projected width limited by ca2 and by the "
        "neighbouring anchors' surfaces on the round pier face (stated engineering assumption); pryout "
        "of the whole group against the total shear.",
        _A["shear_breakout"]["clause"] + "; " + _A["pryout"]["clause"],
    )
    if shear_rf is not None and "hairpin" in shear_rf.name:
        notes.assume(
            "Hairpins around each anchor, developed both sides of the shear breakout surface, carry the "
            "anchor shear instead of the concrete.",
            _A["shear_reinforcement"]["clause"],
        )
    elif shear_rf is not None and "Table 17.7.2.5.1" in shear_rf.clause:
        notes.assume(
            "Pier ties (No. 4 or larger) between the anchors and the edge: psi_c,V = 1.2, Condition A "
            "(phi 0.75) for shear breakout.",
            _A["psi_c_v"]["clause"],
        )
    if anchors.anchor_reinforcement is not None:
        notes.assume(
            "Plain-concrete breakout is insufficient: vertical pier bars next to each anchor, developed "
            "on both sides of the breakout surface, carry the anchor tension instead.",
            _A["reinforcement"]["clause"],
        )
        notes.assume(
            "Anchor embedment at least the bar development length + 3 in; the anchor is lengthened up to "
            "the pier depth less 3 in cover when the stock embedments are too short.",
            _A["reinforcement"]["development_clause"],
        )
        need = a.development_need_in or 0.0
        if anchors.anchor_embedment_in < need - 1e-9:
            notes.warn(
                "anchor_development",
                f"Anchor embedment {anchors.anchor_embedment_in:g} in is shorter than the bar development "
                f"length + 3 in ({need:.1f} in): the anchor reinforcement is not developed and is not "
                "credited (ACI 318-19 17.5.2.1(a)); deepen the pier or widen it for plain-concrete breakout.",
            )
        elif a.lengthened:
            notes.assume(
                f"Anchor embedment lengthened to {anchors.anchor_embedment_in:g} in to develop the "
                f"reinforcement (ld + 3 in = {need:.1f} in); the rod length in the bill of materials "
                "follows.",
                _A["reinforcement"]["development_clause"],
            )
    if not passed:
        g = a.governing
        notes.warn(
            "no_passing_anchor_layout",
            f"No anchor layout passes every check ({tried} tried: anchor grades {', '.join(grades)}, "
            f"bolt circles up to +{max(enlargements):g} in). Reported: the lowest "
            f"governing ratio, {plate.bolt_count} x {plate.bolt_diameter_in:g} in {plate.anchor_grade} on a "
            f"{plate.bolt_circle_in:g} in bolt circle, limited by {g.name} (ratio {g.ratio:.3g}).",
        )


fast_init(globals())
