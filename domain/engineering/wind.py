"""Wind on solid freestanding signs, ASCE 7-16 and ASCE 7-22 Chapters 26 and 29 (Sec. 29.3).

Why the edition is explicit everywhere: 7-16 puts Kd in the velocity pressure (Eq. 26.10-1) while
7-22 moves it into the force equation (Eq. 29.3-1); mixing the two applies Kd twice. All forces here
are strength level (ASCE 7 wind maps); ASD users multiply by 0.6 (Sec. 2.4.1).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from .constants import CONSTANTS, clause, value
from .explain import num, qty, step
from .notes import Notes
from .results import CalcStep, CaseC, CaseCStrip, LoadCase, Wind, fast_init

_W = CONSTANTS["wind"]
_CF = _W["cf_ab"]
_CC = _W["case_c"]


def kz(code: str, exposure: str, z_ft: float) -> float:
    """Velocity pressure exposure coefficient by formula (ASCE 7 Table 26.10-1 notes).

    Kz = c (max(z, zmin)/zg)^(2/alpha); z is capped at zg where the formula ends.
    """
    row = _W["kz"][code][exposure]
    zmin = _W["kz_min_height_ft"][code][exposure]
    z = min(max(z_ft, zmin), row["zg_ft"])
    return float(row["c"] * (z / row["zg_ft"]) ** (2.0 / row["alpha"]))


def ke(ground_elevation_ft: float | None) -> float:
    """Ground elevation factor, ASCE 7 Table 26.9-1 note: Ke = exp(-0.0000362 zg); 1.0 when unknown
    (always permitted, conservative). Below sea level Ke is taken as 1.0 (no increase)."""
    if ground_elevation_ft is None:
        return 1.0
    return min(1.0, math.exp(-value("wind", "ke_coefficient_per_ft") * ground_elevation_ft))


def velocity_pressure(code: str, kz_: float, kzt: float, ke_: float, v_mph: float) -> float:
    """qz in psf. ASCE 7-16 Eq. 26.10-1 includes Kd; ASCE 7-22 does not (Kd goes to the force)."""
    q = float(value("wind", "velocity_pressure_coefficient")) * kz_ * kzt * ke_ * v_mph**2
    if _W["kd_placement"][code] == "velocity_pressure":
        q *= value("wind", "kd_signs")
    return q


def _interp(xs: Sequence[float], x: float) -> tuple[int, float]:
    """Index i and fraction t so that x lies between xs[i] and xs[i+1]; clamps outside the table."""
    if x <= xs[0]:
        return 0, 0.0
    if x >= xs[-1]:
        return len(xs) - 2, 1.0
    i = bisect_right(xs, x) - 1
    return i, (x - xs[i]) / (xs[i + 1] - xs[i])


def cf_cases_ab(s_over_h: float, b_over_s: float) -> float:
    """Cf for Cases A and B from ASCE 7 Fig. 29.3-1, bilinear interpolation between rows (s/h) and
    columns (B/s), as the figure permits; s/h below 0.16 and B/s outside 0.05..45 use the edge row or
    column (the figure's "<= 0.16", "<= 0.05" and ">= 45")."""
    i, ti = _interp(_CF["s_over_h"], s_over_h)
    j, tj = _interp(_CF["b_over_s"], b_over_s)
    t = _CF["table"]
    low = t[i][j] + (t[i][j + 1] - t[i][j]) * tj
    high = t[i + 1][j] + (t[i + 1][j + 1] - t[i + 1][j]) * tj
    return float(low + (high - low) * ti)


def cf_cases_ab_text(s_over_h: float, b_over_s: float) -> str:
    """How :func:`cf_cases_ab` read Fig. 29.3-1: the bracketing rows and columns, their four values and
    the interpolation fractions (the table is listed with s/h falling, so rows are named as read)."""
    i, ti = _interp(_CF["s_over_h"], s_over_h)
    j, tj = _interp(_CF["b_over_s"], b_over_s)
    rows, cols, t = _CF["s_over_h"], _CF["b_over_s"], _CF["table"]
    return (
        f"Fig. 29.3-1, s/h = {num(s_over_h)} between rows {rows[i]:g} and {rows[i + 1]:g} "
        f"(t = {num(ti)}), B/s = {num(b_over_s)} between columns {cols[j]:g} and {cols[j + 1]:g} "
        f"(t = {num(tj)}): {t[i][j]:g}, {t[i][j + 1]:g} / {t[i + 1][j]:g}, {t[i + 1][j + 1]:g}"
    )


def opening_factor(solid_ratio: float) -> float:
    """ASCE 7 Fig. 29.3-1 note: Cf of a solid sign with openings may be multiplied by
    1 - (1 - eps)^1.5, eps = solid area / gross area."""
    return 1.0 if solid_ratio >= 1.0 else 1.0 - (1.0 - solid_ratio) ** 1.5


def return_corner_factor(lr_over_s: float) -> float:
    """Reduction of the starred Case C values for a return corner (ASCE 7 Fig. 29.3-1 note);
    no reduction below Lr/s = 0.3 (no extrapolation), 0.60 at Lr/s >= 2, linear between."""
    rc = _W["return_corner"]
    xs, fs = rc["lr_over_s"], rc["factor"]
    if lr_over_s < xs[0]:
        return 1.0
    i, t = _interp(xs, lr_over_s)
    return float(fs[i] + (fs[i + 1] - fs[i]) * t)


@dataclass(frozen=True, slots=True)
class CaseCRegion:
    start_s: float  # distance from the windward edge, in multiples of s
    end_s: float
    cf: float
    starred: bool


def case_c_regions(b_over_s: float, s_over_h: float, lr_over_s: float = 0.0) -> list[CaseCRegion]:
    """Case C coefficients by horizontal region (ASCE 7 Fig. 29.3-1), for B/s >= 2.

    Rows are interpolated region by region on the 7-region layout of the B/s = 13 row; a region that
    the lower row lacks takes the upper row's value; regions are clipped at B. The s/h > 0.8 factor
    (1.8 - s/h) and the return-corner factor on the starred (first) region are applied here.
    """
    rows = _CC["b_over_s"]
    i, t = _interp(rows, b_over_s)
    lower, upper = _CC["table"][i], _CC["table"][i + 1]
    edges = _CC["region_edges_s"]
    tall = _W["case_c_tall_factor"]
    k_tall = tall["intercept"] - s_over_h if s_over_h > tall["threshold_s_over_h"] else 1.0
    starred = b_over_s >= _CC["starred_from_b_over_s"]
    k_rc = return_corner_factor(lr_over_s) if starred else 1.0
    regions: list[CaseCRegion] = []
    for r in range(len(lower)):
        start = edges[r]
        end = edges[r + 1] if edges[r + 1] is not None else math.inf
        if start >= b_over_s:
            break
        lo, hi = lower[r], upper[r]
        if hi is None and lo is None:
            continue
        if lo is None:
            cf = float(hi)
        elif hi is None:
            cf = float(lo)
        else:
            cf = float(lo + (hi - lo) * t)
        cf *= k_tall
        star = starred and r == 0
        if star:
            cf *= k_rc
        regions.append(CaseCRegion(start, min(end, b_over_s), cf, star))
    return regions


@dataclass(frozen=True, slots=True)
class Panel:
    """One cabinet face: width (B direction) and height (s direction), ft."""

    width_ft: float
    height_ft: float


def _strip_area_and_torsion_arm(
    panels: Sequence[Panel], b_ft: float, x0: float, x1: float
) -> tuple[float, float]:
    """Face area between x0 and x1 (ft from the windward edge) and its first moment about the
    sign centre line; cabinets are centred on one vertical axis."""
    area = 0.0
    first_moment = 0.0
    centre = b_ft / 2.0
    for p in panels:
        a = max(x0, centre - p.width_ft / 2.0)
        b = min(x1, centre + p.width_ft / 2.0)
        if b > a:
            area += p.height_ft * (b - a)
            first_moment += p.height_ft * ((b - centre) ** 2 - (a - centre) ** 2) / 2.0
    return area, first_moment


def sign_wind(
    *,
    code: str,
    wind_speed_mph: float,
    exposure: str,
    kzt: float,
    ground_elevation_ft: float | None,
    panels: Sequence[Panel],
    top_height_ft: float,
    solid_ratio: float,
    return_corner_ft: float,
    notes: Notes,
    flexibility_rule: bool = True,
    gust_factor: float | None = None,
) -> Wind:
    """Design wind on a stack of cabinets (first panel on top), Sec. 29.3.

    Returns the strength and ASD forces and the load cases A, B (and C) that the pole and
    foundation design check one by one. The stack is one sign: s = sum of heights, B = widest cabinet,
    As = sum of the cabinet areas, resultant at the area centroid. ``flexibility_rule`` applies the
    height/width rule of thumb; the ``sign`` kind turns it off and estimates n1 from the chosen pole.
    ``gust_factor`` replaces the rigid G = 0.85 (the ``sign`` kind passes Gf of Sec. 26.11.5 when
    the structure is flexible); the caller states its basis.
    """
    h = top_height_ft
    s = sum(p.height_ft for p in panels)
    b = max(p.width_ft for p in panels)
    area = sum(p.width_ft * p.height_ft for p in panels)
    s_over_h = s / h
    b_over_s = b / s

    kz_ = kz(code, exposure, h)
    ke_ = ke(ground_elevation_ft)
    kd = value("wind", "kd_signs")
    g = value("wind", "gust_factor_rigid") if gust_factor is None else gust_factor
    qh = velocity_pressure(code, kz_, kzt, ke_, wind_speed_mph)
    kd_in_force = _W["kd_placement"][code] == "force"
    kd_force = kd if kd_in_force else 1.0
    k_open = opening_factor(solid_ratio)
    cf_raw = cf_cases_ab(s_over_h, b_over_s)
    cf = cf_raw * k_open
    pressure = qh * kd_force * g * cf
    p_min = value("wind", "minimum_pressure_psf")
    minimum_governs = pressure < p_min
    force = max(pressure, p_min) * area  # Sec. 29.7 minimum, 16 psf x As

    # Resultant height: area centroid of the stack; raised 0.05 h when s/h = 1 (Fig. 29.3-1 note).
    y = h
    moment_area = 0.0
    for p in panels:
        moment_area += p.width_ft * p.height_ft * (y - p.height_ft / 2.0)
        y -= p.height_ft
    centroid = moment_area / area
    raised = s_over_h >= 1.0 - 1e-9
    if raised:
        centroid = min(h, centroid + value("wind", "resultant_raise_sh1") * h)

    ecc = value("wind", "case_b_eccentricity") * b
    torsion_b = ecc * force
    cases = [
        LoadCase("A", force, 0.0, centroid),
        LoadCase("B", force, torsion_b, centroid),
    ]

    asd = value("wind", "asd_wind_factor")
    case_c: CaseC | None = None
    if b_over_s >= value("wind", "case_c_min_b_over_s"):
        regions = case_c_regions(b_over_s, s_over_h, return_corner_ft / s)
        out_regions: list[CaseCStrip] = []
        force_c = 0.0
        torsion_c = 0.0
        for r in regions:
            x0, x1 = r.start_s * s, r.end_s * s
            strip_area, first_moment = _strip_area_and_torsion_arm(panels, b, x0, x1)
            p_c = qh * kd_force * g * r.cf * k_open
            f = p_c * strip_area
            force_c += f
            torsion_c += p_c * first_moment
            out_regions.append(CaseCStrip(x0, x1, r.cf, r.starred, p_c, strip_area, f))
        # Windward edge on either side: the torsion's sign is immaterial for design.
        torsion_c = abs(torsion_c)
        cases.append(LoadCase("C", force_c, torsion_c, centroid))
        case_c = CaseC(
            regions=tuple(out_regions),
            force_lb=force_c,
            force_asd_lb=asd * force_c,
            torsion_ft_lb=torsion_c,
            moment_at_grade_ft_lb=force_c * centroid,
            tall_sign_factor=(
                _W["case_c_tall_factor"]["intercept"] - s_over_h
                if s_over_h > _W["case_c_tall_factor"]["threshold_s_over_h"]
                else 1.0
            ),
            return_corner_factor=(
                return_corner_factor(return_corner_ft / s)
                if b_over_s >= _CC["starred_from_b_over_s"]
                else 1.0
            ),
        )
        notes.assume(
            "Case C applied (B/s >= 2): Fig. 29.3-1 region coefficients interpolated region by region "
            "between tabulated B/s rows; a region missing in the lower row takes the upper row's value.",
            _CC["clause"],
        )
        if b_over_s > _CC["b_over_s"][-1]:
            notes.assume(
                f"B/s = {b_over_s:.4g} > 45 (a long sign or freestanding wall): the figure's '>= 45' row "
                f"for Case C and column for Cases A and B; the last Case C region (> 10 s, Cf "
                f"{_CC['table'][-1][-1]:g} before factors) runs to the far end, and the Case C torsion "
                "is the first moment of every region's force about the centre of the face.",
                _CC["clause"],
            )
        if s_over_h > _W["case_c_tall_factor"]["threshold_s_over_h"]:
            notes.assume(
                f"Case C coefficients multiplied by (1.8 - s/h) = "
                f"{_W['case_c_tall_factor']['intercept'] - s_over_h:.3g} (s/h > 0.8).",
                _W["case_c_tall_factor"]["clause"],
            )
        if return_corner_ft > 0:
            notes.assume(
                "Return-corner factor applied to the starred Case C value only (none below Lr/s = 0.3).",
                _W["return_corner"]["clause"],
            )

    # -- assumptions, each with its clause --
    notes.assume(
        f"Kz by the Table 26.10-1 formula (not the rounded printed table) at the top of the sign, "
        f"z = {h:g} ft, z floored at {_W['kz_min_height_ft'][code][exposure]:g} ft.",
        _W["kz"]["clause"],
    )
    if code == "asce7-22":
        notes.assume(
            "ASCE 7-22: Kd applied in the force equation F = qh Kd G Cf As, not in qh (placement "
            "unverified against the printed standard; versioned constant wind.kd_placement).",
            _W["kd_placement"]["clause"],
        )
        notes.assume(
            "ASCE 7-22: z floored at 15 ft for every exposure (whether 7-22 floors exposure B at 30 ft "
            "is unverified; versioned constant wind.kz_min_height_ft).",
            _W["kz_min_height_ft"]["clause"],
        )
        notes.penalise("asce7-22 unverified Kd placement", 0.05)
    else:
        notes.assume("ASCE 7-16: Kd = 0.85 applied in qz (Eq. 26.10-1).", _W["kd_placement"]["clause"])
    notes.assume(f"Kd = {kd:g} for solid freestanding signs.", clause("wind", "kd_signs"))
    if ground_elevation_ft is None:
        notes.assume(
            "Ke = 1.0 (ground elevation not given; always permitted).",
            clause("wind", "ke_coefficient_per_ft"),
        )
    else:
        notes.assume(
            f"Ke = exp(-0.0000362 x {ground_elevation_ft:g} ft) from the ground elevation.",
            clause("wind", "ke_coefficient_per_ft"),
        )
    notes.assume(
        f"Kzt = {kzt:g} as given (1.0 unless a topographic study says otherwise).", "ASCE 7 Sec. 26.8"
    )
    if gust_factor is None:
        notes.assume("G = 0.85, rigid structure.", clause("wind", "gust_factor_rigid"))
    notes.assume("Cf for Cases A and B by bilinear interpolation in s/h and B/s.", _CF["clause"])
    if k_open < 1.0:
        notes.assume(
            f"Openings: Cf multiplied by 1 - (1 - {solid_ratio:g})^1.5 = {k_open:.4f}.",
            clause("wind", "solid_threshold"),
        )
    notes.assume(
        "Case B: resultant offset 0.2 B horizontally, torsion T = 0.2 B F.",
        clause("wind", "case_b_eccentricity"),
    )
    if raised:
        notes.assume(
            "s/h = 1: resultant raised 0.05 h above the face centre.", clause("wind", "resultant_raise_sh1")
        )
    notes.assume(
        "Wind forces are strength level (ASCE 7 risk-category maps); ASD forces are 0.6 W.",
        clause("wind", "asd_wind_factor"),
    )
    if minimum_governs:
        notes.warn(
            "minimum_load",
            f"Design pressure {pressure:.2f} psf is below 16 psf: the Sec. 29.7 minimum governs.",
        )
        notes.assume("Minimum design wind load 16 psf x As governs.", clause("wind", "minimum_pressure_psf"))
    ratio = h / min(b, s)
    if flexibility_rule and ratio > value("wind", "flexibility_height_to_width"):
        notes.warn(
            "possibly_flexible",
            f"Height / least sign dimension = {ratio:.1f} > 4: the structure may be flexible (n1 < 1 Hz); "
            "G = 0.85 assumes a rigid structure (Sec. 26.11): verify the natural frequency.",
        )
        notes.penalise("possibly flexible", 0.05)

    steps = _wind_steps(
        code=code,
        exposure=exposure,
        v=wind_speed_mph,
        h=h,
        s=s,
        b=b,
        area=area,
        kz_=kz_,
        kd=kd,
        ke_=ke_,
        kzt=kzt,
        ground_elevation_ft=ground_elevation_ft,
        qh=qh,
        g=g,
        gust_given=gust_factor is not None,
        cf_raw=cf_raw,
        k_open=k_open,
        solid_ratio=solid_ratio,
        pressure=pressure,
        force=force,
        centroid=centroid,
        raised=raised,
        panels=panels,
        cases=cases,
        case_c=case_c,
    )
    return Wind(
        code=code,
        wind_speed_mph=wind_speed_mph,
        exposure=exposure,
        kz=kz_,
        kzt=kzt,
        kd=kd,
        ke=ke_,
        g=g,
        qh_psf=qh,
        s_ft=s,
        b_ft=b,
        top_height_ft=h,
        area_ft2=area,
        s_over_h=s_over_h,
        b_over_s=b_over_s,
        cf=cf,
        cf_table=cf_raw,
        opening_factor=k_open,
        design_pressure_psf=max(pressure, p_min),
        minimum_governs=minimum_governs,
        force_lb=force,
        force_asd_lb=asd * force,
        resultant_height_ft=centroid,
        moment_at_grade_ft_lb=force * centroid,
        moment_at_grade_asd_ft_lb=asd * force * centroid,
        eccentricity_ft=ecc,
        torsion_ft_lb=torsion_b,
        torsion_asd_ft_lb=asd * torsion_b,
        case_c=case_c,
        cases=tuple(cases),
        steps=steps,
    )


def _wind_steps(
    *,
    code: str,
    exposure: str,
    v: float,
    h: float,
    s: float,
    b: float,
    area: float,
    kz_: float,
    kd: float,
    ke_: float,
    kzt: float,
    ground_elevation_ft: float | None,
    qh: float,
    g: float,
    gust_given: bool,
    cf_raw: float,
    k_open: float,
    solid_ratio: float,
    pressure: float,
    force: float,
    centroid: float,
    raised: bool,
    panels: Sequence[Panel],
    cases: list[LoadCase],
    case_c: CaseC | None,
) -> tuple[CalcStep, ...]:
    """The wind analysis step by step (see :class:`~.results.CalcStep`), with the numbers used."""
    row = _W["kz"][code][exposure]
    zmin = _W["kz_min_height_ft"][code][exposure]
    z = min(max(h, zmin), row["zg_ft"])
    coeff = value("wind", "velocity_pressure_coefficient")
    kd_in_q = _W["kd_placement"][code] == "velocity_pressure"
    steps = [
        step(
            "Velocity pressure exposure coefficient",
            "Kz",
            "Kz = c (z / zg)^(2/alpha), z = max(h, zmin) <= zg",
            f"exposure {exposure}: c = {row['c']:g}, alpha = {row['alpha']:g}, zg = {row['zg_ft']:g} ft, "
            f"zmin = {zmin:g} ft, z = {num(z)} ft; "
            f"{row['c']:g} x ({num(z)} / {row['zg_ft']:g})^(2/{row['alpha']:g})",
            kz_,
            "",
            _W["kz"]["clause"],
        ),
        step(
            "Wind directionality factor",
            "Kd",
            "Kd for solid freestanding signs" + (" (in qz, ASCE 7-16)" if kd_in_q else " (in F, ASCE 7-22)"),
            "Kd",
            kd,
            "",
            clause("wind", "kd_signs"),
        ),
        step(
            "Ground elevation factor",
            "Ke",
            "Ke = exp(-0.0000362 zg), at most 1.0; 1.0 when the elevation is not given",
            "ground elevation not given: Ke"
            if ground_elevation_ft is None
            else f"exp(-{num(value('wind', 'ke_coefficient_per_ft'))} x {num(ground_elevation_ft)} ft)",
            ke_,
            "",
            clause("wind", "ke_coefficient_per_ft"),
        ),
        step("Topographic factor", "Kzt", "Kzt as given (Sec. 26.8)", "Kzt", kzt, "", "ASCE 7 Sec. 26.8"),
        step(
            "Velocity pressure at the top of the sign",
            "qh",
            f"qh = {coeff:g} Kz Kzt {'Kd ' if kd_in_q else ''}Ke V^2 (z = h)",
            f"{coeff:g} x {num(kz_)} x {num(kzt)} x "
            f"{num(kd) + ' x ' if kd_in_q else ''}{num(ke_)} x {num(v)}^2",
            qh,
            "psf",
            "ASCE 7 Eq. 26.10-1",
        ),
    ]
    if gust_given:
        steps.append(
            step(
                "Gust-effect factor (flexible structure)",
                "Gf",
                "Gf of Sec. 26.11.5 (n1 < 1 Hz), at least 0.85",
                "Gf",
                g,
                "",
                clause("wind", "gust_flexible"),
            )
        )
    else:
        steps.append(
            step(
                "Gust-effect factor (rigid structure)",
                "G",
                "G = 0.85 (n1 >= 1 Hz)",
                "G",
                g,
                "",
                clause("wind", "gust_factor_rigid"),
            )
        )
    steps += [
        step("Aspect ratio", "s/h", "s / h", f"{num(s)} ft / {num(h)} ft", s / h, "", _CF["clause"]),
        step("Aspect ratio", "B/s", "B / s", f"{num(b)} ft / {num(s)} ft", b / s, "", _CF["clause"]),
        step(
            "Force coefficient, Cases A and B",
            "Cf",
            "Cf by bilinear interpolation in s/h and B/s",
            cf_cases_ab_text(s / h, b / s),
            cf_raw,
            "",
            _CF["clause"],
        ),
    ]
    cf = cf_raw * k_open
    if k_open < 1.0:
        steps.append(
            step(
                "Reduction for openings",
                "k",
                "k = 1 - (1 - epsilon)^1.5, Cf = k Cf(table)",
                f"1 - (1 - {num(solid_ratio)})^1.5",
                k_open,
                "",
                clause("wind", "solid_threshold"),
            )
        )
    kd_f = "" if kd_in_q else " Kd"
    kd_v = "" if kd_in_q else f" x {num(kd)}"
    p_min = value("wind", "minimum_pressure_psf")
    steps.append(
        step(
            "Design pressure",
            "p",
            f"p = max(qh{kd_f} G Cf, {p_min:g} psf)",
            f"max({num(qh)} psf{kd_v} x {num(g)} x {num(cf)}, {p_min:g} psf)",
            max(pressure, p_min),
            "psf",
            "ASCE 7 Eq. 29.3-1, Sec. 29.7",
        )
    )
    steps.append(
        step(
            "Design force (strength level)",
            "F",
            f"F = qh{kd_f} G Cf As (at least {p_min:g} psf x As)",
            f"{num(max(pressure, p_min))} psf x {num(area)} ft^2",
            force,
            "lb",
            "ASCE 7 Eq. 29.3-1",
        )
    )
    if len(panels) == 1:
        centroid_text = f"{num(h)} ft - {num(s)} ft / 2"
    else:
        centroid_text = "sum(Ai yi) / sum(Ai) over the cabinets"
    if raised:
        centroid_text += f" + 0.05 x {num(h)} ft (s/h = 1)"
    steps.append(
        step(
            "Height of the resultant above grade",
            "y",
            "y = centroid of the sign area" + (" + 0.05 h" if raised else ""),
            centroid_text,
            centroid,
            "ft",
            "ASCE 7 Fig. 29.3-1 (Case A: resultant at the geometric centre)",
        )
    )
    steps.append(
        step(
            "Moment at grade (Cases A and B)",
            "M",
            "M = F y",
            f"{num(force)} lb x {num(centroid)} ft",
            force * centroid,
            "ft_lb",
            "statics",
        )
    )
    ecc = value("wind", "case_b_eccentricity")
    steps.append(
        step(
            "Torsion, Case B",
            "T",
            f"T = {ecc:g} B F",
            f"{ecc:g} x {num(b)} ft x {num(force)} lb",
            ecc * b * force,
            "ft_lb",
            clause("wind", "case_b_eccentricity"),
        )
    )
    if case_c is not None:
        parts = " + ".join(f"{num(r.pressure_psf)} x {num(r.area_ft2)}" for r in case_c.regions)
        steps.append(
            step(
                "Design force, Case C",
                "F_C",
                f"F_C = sum(qh{kd_f} G Cf_i As_i) over the regions from the windward edge"
                + (" (Cf_i x (1.8 - s/h))" if case_c.tall_sign_factor != 1.0 else ""),
                f"sum(p_i psf x A_i ft^2) = {parts}",
                case_c.force_lb,
                "lb",
                _CC["clause"],
            )
        )
        steps.append(
            step(
                "Torsion, Case C",
                "T_C",
                "T_C = sum(p_i x first moment of A_i about the centre of the face)",
                f"sum over the {len(case_c.regions)} regions",
                case_c.torsion_ft_lb,
                "ft_lb",
                _CC["clause"],
            )
        )
    worst = max(cases, key=lambda c: (c.force_lb, c.torsion_ft_lb))
    listing = "; ".join(
        f"{c.name}: F = {qty(c.force_lb, 'lb')}, T = {qty(c.torsion_ft_lb, 'ft_lb')}" for c in cases
    )
    steps.append(
        CalcStep(
            "Load cases",
            "F_max",
            "each case checked as it acts; the largest force governs shear and base moment, "
            "the largest torsion the torsion checks",
            f"{listing}; largest force: Case {worst.name} = {qty(worst.force_lb, 'lb')}",
            worst.force_lb,
            "lb",
            "ASCE 7 Fig. 29.3-1 (Cases A, B, C)",
        )
    )
    asd = value("wind", "asd_wind_factor")
    steps.append(
        step(
            "Design force at ASD level",
            "F_ASD",
            f"F_ASD = {asd:g} F",
            f"{asd:g} x {num(force)} lb",
            asd * force,
            "lb",
            clause("wind", "asd_wind_factor"),
        )
    )
    return tuple(steps)


# ---------------------------------------------------------------- wind on the exposed poles
_PCF = _W["pole_cf"]


@dataclass(frozen=True, slots=True)
class PoleWindProfile:
    """Velocity pressure of one edition and site integrated over the exposed pole, grade to the bottom
    of the sign (ASCE 7 Sec. 29.4.1, qz varying with height per Sec. 26.10).

    No discretisation error: Kz is constant below zmin and c (z/zg)^(2/alpha) above (Table 26.10-1),
    so the integrals are taken in closed form. Every value is per foot of Cf x D (the section's
    coefficient and width, not known until a section is tried), strength level, G and the edition's
    force Kd included: a pole of width D ft and coefficient Cf carries F = Cf D force_per_cfd_lb.
    """

    exposed_ft: float
    pole_height_ft: float
    force_per_cfd_lb: float  # integral of qz Kd G dz, lb per ft of Cf D
    resultant_height_ft: float  # centroid of the qz profile on the band
    deflection_per_cfd_kip_in3: float  # integral of w z^2 (3L - z)/6 dz per ft of Cf D, kip in^3
    qz_bottom_psf: float  # lowest qz on the band (Cf threshold D sqrt(qz), conservative)
    qz_top_psf: float


def _power_integrals(
    k_min: float, z_min: float, a: float, p: float, c: float, length: float
) -> tuple[float, ...]:
    """Integrals over 0..c of Kz, Kz z and Kz z^2 (3L - z)/6 for Kz = k_min below z_min and
    a z^p above (closed form)."""
    lo = min(c, z_min)
    i0 = k_min * lo
    i1 = k_min * lo * lo / 2.0
    i2 = k_min * (length * lo**3 / 6.0 - lo**4 / 24.0)
    if c > z_min:

        def prim(n: float) -> float:
            return (c ** (p + n) - z_min ** (p + n)) / (p + n)

        i0 += a * prim(1.0)
        i1 += a * prim(2.0)
        i2 += a * (3.0 * length * prim(3.0) - prim(4.0)) / 6.0
    return i0, i1, i2


def pole_wind_profile(
    *,
    code: str,
    exposure: str,
    kzt: float,
    ke_: float,
    wind_speed_mph: float,
    exposed_ft: float,
    pole_height_ft: float,
    gust: float,
) -> PoleWindProfile:
    """The exposed band's integrals (see :class:`PoleWindProfile`)."""
    row = _W["kz"][code][exposure]
    z_min = _W["kz_min_height_ft"][code][exposure]
    p = 2.0 / row["alpha"]
    a = row["c"] / row["zg_ft"] ** p
    k_min = kz(code, exposure, z_min)
    q0 = velocity_pressure(code, 1.0, kzt, ke_, wind_speed_mph)  # qz per unit Kz
    kd_force = value("wind", "pole_kd") if _W["kd_placement"][code] == "force" else 1.0
    if _W["kd_placement"][code] == "velocity_pressure":
        # velocity_pressure() applied the sign's Kd; the pole's Kd (a named constant) replaces it.
        q0 *= value("wind", "pole_kd") / value("wind", "kd_signs")
    if exposed_ft <= 0.0:
        return PoleWindProfile(0.0, pole_height_ft, 0.0, 0.0, 0.0, q0 * k_min, q0 * k_min)
    i0, i1, i2 = _power_integrals(k_min, z_min, a, p, exposed_ft, pole_height_ft)
    scale = q0 * kd_force * gust
    return PoleWindProfile(
        exposed_ft=exposed_ft,
        pole_height_ft=pole_height_ft,
        force_per_cfd_lb=scale * i0,
        resultant_height_ft=i1 / i0,
        deflection_per_cfd_kip_in3=scale * i2 * 1728.0 / 1000.0,
        qz_bottom_psf=q0 * k_min,
        qz_top_psf=q0 * kz(code, exposure, exposed_ft),
    )


def pole_cf(round_section: bool, width_ft: float, height_ft: float, qz_psf: float) -> float:
    """Cf of a pole, ASCE 7 Fig. 29.4-1: round by D sqrt(qz) (> 2.5 moderately smooth, else the
    all-surfaces row) and h/D; square with the wind normal to a face. Linear in h/D between 1, 7 and
    25 (Note 2), the end columns outside."""
    xs = _PCF["h_over_d"]
    if round_section:
        row = (
            _PCF["round_moderately_smooth"]
            if width_ft * math.sqrt(qz_psf) > _PCF["round_smooth_d_sqrt_qz_above"]
            else _PCF["round_low_d_sqrt_qz"]
        )
    else:
        row = _PCF["square_normal"]
    i, t = _interp(xs, height_ft / width_ft)
    return float(row[i] + (row[i + 1] - row[i]) * t)


# ---------------------------------------------------------------- gust-effect factor, flexible
_GF = _W["gust_flexible"]


@dataclass(frozen=True, slots=True)
class FlexibleGust:
    """The terms of ASCE 7 Eq. 26.11-10 for one structure (all dimensionless unless named)."""

    gf: float
    z_bar_ft: float
    iz: float
    lz_ft: float
    q: float
    vz_fps: float
    n1_reduced: float
    rn: float
    rh: float
    rb: float
    rl: float
    r: float
    gr: float


def _r_eta(eta: float) -> float:
    """R_l of Eq. 26.11-15a (1 for eta = 0, Eq. 26.11-15b)."""
    if eta <= 0.0:
        return 1.0
    return 1.0 / eta - (1.0 - math.exp(-2.0 * eta)) / (2.0 * eta * eta)


def gust_factor_flexible(
    *,
    code: str,
    exposure: str,
    wind_speed_mph: float,
    n1_hz: float,
    damping_ratio: float,
    height_ft: float,
    width_ft: float,
    depth_ft: float,
) -> FlexibleGust:
    """Gf of a flexible structure, ASCE 7 Sec. 26.11.5:

    Gf = 0.925 (1 + 1.7 Iz sqrt(gQ^2 Q^2 + gR^2 R^2)) / (1 + 1.7 gv Iz)          (26.11-10)
    gR = sqrt(2 ln(3600 n1)) + 0.577 / sqrt(2 ln(3600 n1))                       (26.11-11)
    R^2 = (1/beta) Rn Rh RB (0.53 + 0.47 RL)                                     (26.11-12)
    Rn = 7.47 N1 / (1 + 10.3 N1)^(5/3), N1 = n1 Lz / Vz                          (26.11-13, -14)
    Rl = 1/eta - (1 - e^(-2 eta)) / (2 eta^2); eta = 4.6 n1 h/Vz, 4.6 n1 B/Vz, 15.4 n1 L/Vz (26.11-15)
    Iz = c (33/z)^(1/6), Lz = l (z/33)^eps, Q^2 = 1/(1 + 0.63 ((B + h)/Lz)^0.63)  (26.11-7 to -9)
    Vz = b (z/33)^alpha (88/60) V, z = max(0.6 h, zmin)                          (26.11-16, Table 26.11-1)
    """
    t = _GF[code][exposure]
    z = max(_GF["z_bar_fraction"] * height_ft, t["z_min_ft"])
    iz = t["c"] * (33.0 / z) ** (1.0 / 6.0)
    lz = t["l_ft"] * (z / 33.0) ** t["eps_bar"]
    q = math.sqrt(1.0 / (1.0 + 0.63 * ((width_ft + height_ft) / lz) ** 0.63))
    vz = t["b_bar"] * (z / 33.0) ** t["alpha_bar"] * (88.0 / 60.0) * wind_speed_mph
    n1r = n1_hz * lz / vz
    rn = 7.47 * n1r / (1.0 + 10.3 * n1r) ** (5.0 / 3.0)
    rh = _r_eta(4.6 * n1_hz * height_ft / vz)
    rb = _r_eta(4.6 * n1_hz * width_ft / vz)
    rl = _r_eta(15.4 * n1_hz * depth_ft / vz)
    r = math.sqrt(rn * rh * rb * (0.53 + 0.47 * rl) / damping_ratio)
    ln = 2.0 * math.log(3600.0 * n1_hz)
    gr = math.sqrt(ln) + 0.577 / math.sqrt(ln)
    mult = _GF["intensity_multiplier"]
    gf = (
        _GF["factor"]
        * (1.0 + mult * iz * math.sqrt((_GF["gq"] * q) ** 2 + (gr * r) ** 2))
        / (1.0 + mult * _GF["gv"] * iz)
    )
    return FlexibleGust(gf, z, iz, lz, q, vz, n1r, rn, rh, rb, rl, r, gr)


def design_gust_factor(n1_hz: float, gf: float | None) -> float:
    """The gust-effect factor a design uses: G = 0.85 for a rigid structure (n1 >= 1 Hz, Sec. 26.11.1),
    else Gf of Sec. 26.11.5 floored at 0.85 (stated engineering assumption: a flexible structure is
    never designed for less than a rigid one; Eq. 26.11-10 dips just below 0.85 for stiff, low-turbulence
    cases near 1 Hz)."""
    rigid = float(value("wind", "gust_factor_rigid"))
    if n1_hz >= value("wind", "flexible_frequency_hz") or gf is None:
        return rigid
    return max(rigid, gf)


fast_init(globals())
