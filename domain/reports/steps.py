"""The calculation steps a report prints: formula, values substituted, result, clause.

Engines that record their steps put them on the result (``wind.steps``, ``foundation.steps``,
``base_plate.steps``: ``quantity, symbol, formula, substitution, value, unit, clause``); they are
printed as recorded. A revision saved by an engine that did not record them still gets the wind
and embedment steps, rebuilt here from the numbers the result does carry, each with its ASCE 7 or
IBC clause. A rebuilt substitution is printed only when the formula, evaluated on the printed
numbers, gives back the stored result (to 0.5 %): the report never shows an equation that does not
hold; otherwise the step shows the formula and the stored value alone.

Pure: plain dicts in, plain data out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from domain.engineering.constants import CONSTANTS

_W = CONSTANTS["wind"]


@dataclass(frozen=True, slots=True)
class Step:
    quantity: str
    symbol: str
    formula: str
    substitution: str
    value: float | str | None
    unit: str
    clause: str


UNITS = {
    "kip_in": "kip-in",
    "kip_per_in": "kip/in",
    "ft_lb": "ft-lb",
    "in2": "in²",
    "ft2": "ft²",
    "yd3": "yd³",
    "ratio": "",
    "psf_per_ft": "psf/ft",
}


def unit(text: str | None) -> str:
    return UNITS.get(text or "", text or "")


def num(x: Any, digits: int = 4) -> str:
    """A number as an engineer writes it: 4 significant digits, thousands separated, no exponent
    for the sizes a sign has; text as it is; None as an em dash."""
    if x is None:
        return "—"
    if isinstance(x, bool) or not isinstance(x, int | float):
        return str(x)
    if isinstance(x, float) and not math.isfinite(x):
        return "—"
    if abs(x) >= 10 ** (digits - 1) and abs(x) >= 1000:
        return f"{x:,.0f}"
    if x == int(x) and abs(x) < 1e6:
        return f"{int(x)}"
    text = f"{x:.{digits}g}"
    if "e" in text:  # very small: fixed point with enough decimals to show 'digits' digits
        decimals = min(12, digits - 1 - math.floor(math.log10(abs(x))))
        text = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return text


def _shown(x: Any) -> float:
    """The value as printed (so a substitution multiplies the numbers the reader sees)."""
    return float(num(x).replace(",", ""))


def _close(a: float, b: float, tol: float = 5e-3) -> bool:
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-9)


def _f(d: dict[str, Any], key: str) -> float | None:
    v = d.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def recorded(block: dict[str, Any] | None) -> list[Step]:
    """The steps an engine recorded on a result block, tolerant of missing keys."""
    out: list[Step] = []
    for raw in (block or {}).get("steps") or []:
        if not isinstance(raw, dict):
            continue
        out.append(
            Step(
                quantity=str(raw.get("quantity") or ""),
                symbol=str(raw.get("symbol") or ""),
                formula=str(raw.get("formula") or ""),
                substitution=str(raw.get("substitution") or ""),
                value=raw.get("value"),
                unit=str(raw.get("unit") or ""),
                clause=str(raw.get("clause") or ""),
            )
        )
    return out


def edition(code: str) -> str:
    return {"asce7-16": "ASCE 7-16", "asce7-22": "ASCE 7-22"}.get(code, code.upper())


def kd_in_velocity_pressure(code: str) -> bool:
    placement: dict[str, str] = _W["kd_placement"]
    return placement.get(code, "velocity_pressure") == "velocity_pressure"


def wind_steps(result: dict[str, Any], sign_input: dict[str, Any]) -> list[Step]:
    """The wind analysis, step by step: recorded ones when the engine left them, else rebuilt."""
    wind = result.get("wind") or {}
    steps = recorded(wind)
    return steps if steps else rebuilt_wind_steps(result, sign_input)


def rebuilt_wind_steps(result: dict[str, Any], sign_input: dict[str, Any]) -> list[Step]:
    w: dict[str, Any] = result.get("wind") or {}
    code = str(w.get("code") or sign_input.get("code") or "asce7-16")
    ed = edition(code)
    exposure = str(w.get("exposure") or "")
    site = sign_input.get("site") or {}
    steps: list[Step] = []
    h = _f(w, "top_height_ft")
    kz, kzt, kd, ke, g = (_f(w, k) for k in ("kz", "kzt", "kd", "ke", "g"))
    v = _f(w, "wind_speed_mph")
    qh = _f(w, "qh_psf")

    # Kz by the Table 26.10-1 formula, with this edition's constants when they reproduce it.
    row = (_W["kz"].get(code) or {}).get(exposure)
    zmin = (_W["kz_min_height_ft"].get(code) or {}).get(exposure)
    sub = ""
    if row and zmin is not None and h is not None and kz is not None:
        z = min(max(h, float(zmin)), float(row["zg_ft"]))
        calc = float(row["c"]) * (z / float(row["zg_ft"])) ** (2.0 / float(row["alpha"]))
        if _close(calc, kz):
            sub = (
                f"z = max({num(h)}, {num(zmin)}) = {num(z)} ft; "
                f"{num(row['c'])} × ({num(z)} / {num(row['zg_ft'])})^(2 / {num(row['alpha'])})"
            )
    steps.append(
        Step(
            "Velocity pressure exposure coefficient at h (exposure " + exposure + ")",
            "Kz",
            "Kz = c (z / zg)^(2/alpha), z = max(h, zmin)",
            sub,
            kz,
            "",
            f"{ed} Table 26.10-1, notes",
        )
    )
    steps.append(
        Step(
            "Topographic factor",
            "Kzt",
            "Kzt (1.0 on flat sites)",
            "",
            kzt,
            "",
            f"{ed} Sec. 26.8",
        )
    )
    elevation = site.get("ground_elevation_ft")
    if isinstance(elevation, int | float) and ke is not None:
        coefficient = float(_W["ke_coefficient_per_ft"]["value"])
        calc = min(1.0, math.exp(-coefficient * float(elevation)))
        sub = f"exp(-{num(coefficient, 3)} × {num(elevation)})" if _close(calc, ke) else ""
        steps.append(
            Step(
                "Ground elevation factor", "Ke", "Ke = exp(-0.0000362 zg)", sub, ke, "", f"{ed} Table 26.9-1"
            )
        )
    else:
        steps.append(
            Step(
                "Ground elevation factor",
                "Ke",
                "Ke = 1.0 (ground elevation not given; always permitted)",
                "",
                ke,
                "",
                f"{ed} Table 26.9-1",
            )
        )
    steps.append(
        Step(
            "Wind directionality factor (solid freestanding sign)",
            "Kd",
            "Kd",
            "",
            kd,
            "",
            f"{ed} Table 26.6-1",
        )
    )

    kd_in_q = kd_in_velocity_pressure(code)
    if kd_in_q:
        formula = "qh = 0.00256 Kz Kzt Kd Ke V²"
        factors = [kz, kzt, kd, ke]
        clause = f"{ed} Eq. 26.10-1"
    else:
        formula = "qh = 0.00256 Kz Kzt Ke V²"
        factors = [kz, kzt, ke]
        clause = f"{ed} Eq. 26.10-1 (Kd applied in the force, Eq. 29.3-1)"
    sub = ""
    if v is not None and qh is not None and all(f is not None for f in factors):
        shown = [_shown(f) for f in factors if f is not None]
        calc = 0.00256 * math.prod(shown) * _shown(v) ** 2
        if _close(calc, qh):
            sub = "0.00256 × " + " × ".join(num(f) for f in shown) + f" × {num(v)}²"
    steps.append(
        Step("Velocity pressure at the top of the sign (z = h)", "qh", formula, sub, qh, "psf", clause)
    )

    # Gust-effect factor: rigid, or Gf of Sec. 26.11.5 when the pole is flexible.
    gust = result.get("gust") or {}
    n1 = _f(gust, "natural_frequency_hz")
    if gust.get("flexible"):
        terms = ", ".join(
            f"{label} = {num(gust.get(key))}"
            for label, key in (("zbar", "z_bar_ft"), ("Izbar", "iz"), ("Q", "q"), ("R", "r"), ("gR", "gr"))
            if gust.get(key) is not None
        )
        steps.append(
            Step(
                "Gust-effect factor, flexible structure" + (f" (n1 = {num(n1)} Hz < 1 Hz)" if n1 else ""),
                "Gf",
                "Gf = 0.925 (1 + 1.7 Izbar sqrt(gQ² Q² + gR² R²)) / (1 + 1.7 gv Izbar)",
                terms,
                g,
                "",
                f"{ed} Sec. 26.11.5, Eq. 26.11-10",
            )
        )
    else:
        steps.append(
            Step(
                "Gust-effect factor, rigid structure" + (f" (n1 = {num(n1)} Hz ≥ 1 Hz)" if n1 else ""),
                "G",
                "G = 0.85",
                "",
                g,
                "",
                f"{ed} Sec. 26.11.1",
            )
        )

    s, b = _f(w, "s_ft"), _f(w, "b_ft")
    s_h, b_s = _f(w, "s_over_h"), _f(w, "b_over_s")
    if s is not None and h is not None:
        steps.append(
            Step(
                "Sign height to top height",
                "s/h",
                "s / h",
                f"{num(s)} / {num(h)}",
                s_h,
                "",
                f"{ed} Fig. 29.3-1",
            )
        )
    if s is not None and b is not None:
        steps.append(
            Step("Aspect ratio", "B/s", "B / s", f"{num(b)} / {num(s)}", b_s, "", f"{ed} Fig. 29.3-1")
        )
    cf, cf_table, k_open = _f(w, "cf"), _f(w, "cf_table"), _f(w, "opening_factor")
    sub = ""
    if cf_table is not None and k_open is not None:
        sub = f"{num(cf_table)} × {num(k_open)}"
    steps.append(
        Step(
            "Force coefficient, Cases A and B",
            "Cf",
            "Cf = Cf,table(s/h, B/s) × (1 - (1 - solid ratio)^1.5)",
            sub,
            cf,
            "",
            f"{ed} Fig. 29.3-1 (bilinear interpolation), note on openings",
        )
    )

    p = _f(w, "design_pressure_psf")
    if kd_in_q:
        formula, factors = "p = qh G Cf ≥ 16 psf", [qh, g, cf]
    else:
        formula, factors = "p = qh Kd G Cf ≥ 16 psf", [qh, kd, g, cf]
    sub = ""
    if p is not None and all(f is not None for f in factors):
        shown = [_shown(f) for f in factors if f is not None]
        calc = math.prod(shown)
        if w.get("minimum_governs"):
            sub = " × ".join(num(f) for f in shown) + f" = {num(calc)} < 16: minimum governs"
        elif _close(calc, p):
            sub = " × ".join(num(f) for f in shown)
    steps.append(
        Step(
            "Design wind pressure on the sign face",
            "p",
            formula,
            sub,
            p,
            "psf",
            f"{ed} Eq. 29.3-1, Sec. 29.7 (16 psf minimum)",
        )
    )
    area, force = _f(w, "area_ft2"), _f(w, "force_lb")
    sub = ""
    if p is not None and area is not None and force is not None and _close(_shown(p) * _shown(area), force):
        sub = f"{num(p)} × {num(area)}"
    steps.append(
        Step(
            "Design wind force, Cases A and B (strength)",
            "F",
            "F = p As",
            sub,
            force,
            "lb",
            f"{ed} Eq. 29.3-1",
        )
    )

    y = _f(w, "resultant_height_ft")
    m = _f(w, "moment_at_grade_ft_lb")
    if y is not None:
        steps.append(
            Step(
                "Height of the resultant above grade",
                "yc",
                "yc = centroid of the sign area",
                "",
                y,
                "ft",
                f"{ed} Fig. 29.3-1 (resultant at the geometric centre of the face)",
            )
        )
    if force is not None and y is not None and m is not None:
        sub = f"{num(force)} × {num(y)}" if _close(_shown(force) * _shown(y), m) else ""
        steps.append(Step("Overturning moment at grade, Case A", "M", "M = F yc", sub, m, "ft-lb", "statics"))
    ecc, torsion = _f(w, "eccentricity_ft"), _f(w, "torsion_ft_lb")
    if ecc is not None and b is not None:
        steps.append(
            Step(
                "Case B eccentricity",
                "e",
                "e = 0.2 B",
                f"0.2 × {num(b)}",
                ecc,
                "ft",
                f"{ed} Fig. 29.3-1 Case B",
            )
        )
    if torsion is not None and force is not None and ecc is not None:
        sub = f"{num(force)} × {num(ecc)}" if _close(_shown(force) * _shown(ecc), torsion) else ""
        steps.append(
            Step("Case B torsion", "T", "T = F e", sub, torsion, "ft-lb", f"{ed} Fig. 29.3-1 Case B")
        )
    case_c = w.get("case_c")
    if isinstance(case_c, dict):
        steps.append(
            Step(
                "Case C force (B/s ≥ 2), sum over the regions",
                "FC",
                "FC = sum of qh (Kd) G Cf,i As,i",
                "regions in the Case C table below",
                _f(case_c, "force_lb"),
                "lb",
                f"{ed} Fig. 29.3-1 Case C",
            )
        )
    asd = _f(w, "force_asd_lb")
    if asd is not None and force is not None:
        steps.append(
            Step(
                "Wind force at ASD level",
                "0.6 W",
                "F_ASD = 0.6 F",
                f"0.6 × {num(force)}",
                asd,
                "lb",
                "ASCE 7 Sec. 2.4.1",
            )
        )

    pw = result.get("pole_wind")
    if isinstance(pw, dict):
        cf_p, width, exposed = _f(pw, "cf"), _f(pw, "width_ft"), _f(pw, "exposed_height_ft")
        steps.append(
            Step(
                "Force coefficient of one exposed pole",
                "Cf,pole",
                "Fig. 29.4-1 by h/D and D sqrt(qz)",
                f"h/D = {num(pw.get('h_over_d'))}, D sqrt(qz) = {num(pw.get('d_sqrt_qz'))}",
                cf_p,
                "",
                f"{ed} Fig. 29.4-1",
            )
        )
        steps.append(
            Step(
                "Wind on one exposed pole, grade to the sign bottom",
                "Fp",
                "Fp = ∫ qz Kd G Cf D dz over 0..hp",
                f"D = {num(width)} ft, hp = {num(exposed)} ft, qz = {num(pw.get('qz_bottom_psf'))}"
                f"..{num(pw.get('qz_top_psf'))} psf, G = {num(pw.get('g'))}",
                _f(pw, "force_lb"),
                "lb",
                f"{ed} Sec. 29.4.1 Eq. 29.4-1",
            )
        )
    return steps


def foundation_steps(result: dict[str, Any]) -> list[Step]:
    """The embedment, step by step: recorded ones when the engine left them, else rebuilt from the
    pier's numbers (IBC 2021 Sec. 1807.3.2)."""
    fdn = result.get("foundation") or {}
    steps = recorded(fdn)
    if steps:
        return steps
    p, hgt = _f(fdn, "lateral_force_asd_lb"), _f(fdn, "force_height_ft")
    b, s1 = _f(fdn, "b_ft"), _f(fdn, "s1_psf")
    d_req, d = _f(fdn, "required_embedment_ft"), _f(fdn, "embedment_ft")
    per_ft = _f(fdn, "lateral_bearing_psf_per_ft")
    equation = str(fdn.get("equation") or "IBC 2021 Sec. 1807.3.2")
    out = [
        Step(
            "Lateral force on one pier (ASD, 0.6 W)",
            "P",
            "P = 0.6 W on one pole",
            "",
            p,
            "lb",
            "ASCE 7 Sec. 2.4.1",
        ),
        Step("Height of P above grade", "h", "h", "", hgt, "ft", "IBC 2021 Sec. 1807.3.2.1"),
        Step(
            "Allowable lateral bearing",
            "lambda",
            "Table 1806.2 value (or geotechnical)",
            "",
            per_ft,
            "psf/ft",
            "IBC 2021 Table 1806.2",
        ),
    ]
    constrained = "18-2" in equation or "18-3" in equation
    if not constrained and None not in (p, hgt, b, s1, d_req):
        assert p is not None and hgt is not None and b is not None and s1 is not None and d_req is not None
        sub = ""
        if per_ft:
            factor = s1 / (per_ft * min(d_req, 12.0) / 3.0)
            if _close(factor, round(factor)) and round(factor) in (1, 2):
                k = " 2 ×" if round(factor) == 2 else ""
                sub = f"{k} {num(per_ft)} × min({num(d_req)}, 12) / 3".strip()
        out.append(
            Step(
                "Allowable lateral soil pressure at d/3",
                "S1",
                "S1 = lambda × min(d, 12 ft) / 3 (× 2 for an isolated pole, ≤ 15 lambda)",
                sub,
                s1,
                "psf",
                "IBC 2021 Sec. 1806.3.4, 1807.3.2.1",
            )
        )
        a = 2.34 * p / (s1 * b)
        d_calc = 0.5 * a * (1.0 + math.sqrt(1.0 + 4.36 * hgt / a))
        out.append(
            Step(
                "Eq. 18-1 term",
                "A",
                "A = 2.34 P / (S1 b)",
                f"2.34 × {num(p)} / ({num(s1)} × {num(b)})",
                a,
                "ft",
                equation,
            )
        )
        out.append(
            Step(
                "Required embedment (nonconstrained)",
                "d",
                "d = 0.5 A (1 + sqrt(1 + 4.36 h / A))",
                f"0.5 × {num(a)} × (1 + sqrt(1 + 4.36 × {num(hgt)} / {num(a)}))"
                if _close(d_calc, d_req)
                else "",
                d_req,
                "ft",
                equation,
            )
        )
    else:
        out.append(Step("Required embedment", "d", equation, "", d_req, "ft", equation))
    out.append(
        Step(
            "Embedment provided (rounded up to 6 in)",
            "D",
            "D ≥ d, ≥ minimum",
            f"min. {num(fdn.get('minimum_embedment_ft'))} ft "
            f"({fdn.get('minimum_embedment_reason') or 'IBC 2021'})",
            d,
            "ft",
            "IBC 2021 Sec. 1807.3.2, 1809.4",
        )
    )
    return out


def base_plate_steps(result: dict[str, Any]) -> list[Step]:
    """Recorded base-plate steps; the plate and anchors are otherwise shown by their tables."""
    return recorded(result.get("base_plate"))
