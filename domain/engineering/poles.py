"""Steel pole checks, AISC 360-16: flexure (F7 square HSS, F8 round), shear (G4, G5), torsion (H3),
axial (E3, E7), interaction (H1-1, H3-6), cantilever deflection, and auto-selection.

Why per-section strengths are cached: auto-selection scans a whole family (up to 189 round HSS)
for every design, and the flexural strength of a section depends only on (section, grade, method).
Units inside: kip, in, ksi. Section properties are the AISC v16 tdes-based values.
"""

from __future__ import annotations

import itertools
import math
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from .checks import TOLERANCE, check
from .checks import ratio as safe_ratio
from .constants import CONSTANTS, clause, value
from .explain import num, qty
from .notes import Notes
from .results import Alternative, Check, PoleDesign, evolve, fast_init
from .sections import CATALOGUE, Section, grade_properties
from .wind import pole_cf

E = float(value("steel", "E_ksi"))


@dataclass(frozen=True, slots=True)
class Flexure:
    mn_kip_in: float
    compactness: str  # "compact" | "noncompact" | "slender" | "not_applicable"
    slenderness: float
    lambda_p: float
    lambda_r: float
    clause: str


def flexure(section: Section, fy: float) -> Flexure:
    """Nominal flexural strength Mn (kip-in).

    Round (pipe, round HSS), AISC 360-16 Sec. F8, Table B4.1b case 20: compact D/t <= 0.07 E/Fy
    -> Mp = Fy Z (F8-1); noncompact <= 0.31 E/Fy -> (0.021 E/(D/t) + Fy) S (F8-2); slender
    -> 0.33 E/(D/t) S (F8-3); F8 applies only for D/t < 0.45 E/Fy.
    Square HSS, Sec. F7 (flange local buckling governs a square tube: its web limit 2.42 sqrt(E/Fy)
    exceeds the flange limit): compact b/t <= 1.12 sqrt(E/Fy) -> Mp; noncompact <= 1.40 sqrt(E/Fy)
    -> F7-2; slender -> Fy Se (F7-3) with be from F7-4.
    """
    lam = section.slenderness
    mp = fy * section.zx_in3
    if section.is_round:
        lp, lr = 0.07 * E / fy, 0.31 * E / fy
        if lam >= 0.45 * E / fy:
            return Flexure(0.0, "not_applicable", lam, lp, lr, "AISC 360-16 Sec. F8 (D/t >= 0.45 E/Fy)")
        if lam <= lp:
            return Flexure(mp, "compact", lam, lp, lr, "AISC 360-16 Eq. F8-1")
        if lam <= lr:
            return Flexure(
                (0.021 * E / lam + fy) * section.sx_in3, "noncompact", lam, lp, lr, "AISC 360-16 Eq. F8-2"
            )
        return Flexure(0.33 * E / lam * section.sx_in3, "slender", lam, lp, lr, "AISC 360-16 Eq. F8-3")
    root = math.sqrt(E / fy)
    lp, lr = 1.12 * root, 1.40 * root
    if lam <= lp:
        return Flexure(mp, "compact", lam, lp, lr, "AISC 360-16 Eq. F7-1")
    if lam <= lr:
        mn = mp - (mp - fy * section.sx_in3) * (3.57 * lam / root - 4.0)
        return Flexure(min(mn, mp), "noncompact", lam, lp, lr, "AISC 360-16 Eq. F7-2")
    return Flexure(fy * _effective_modulus(section, fy), "slender", lam, lp, lr, "AISC 360-16 Eq. F7-3, F7-4")


def _effective_modulus(section: Section, fy: float) -> float:
    """Se of a square HSS with a slender compression flange (AISC 360-16 F7-4).

    be = 1.92 t sqrt(E/Fy) (1 - 0.38/(b/t) sqrt(E/Fy)) <= b; the lost strip (b - be) t is removed from
    the compression flange at (B - t)/2 and the neutral axis shifts (thin-wall approximation).
    """
    t = section.tdes_in
    b = section.slenderness * t
    root = math.sqrt(E / fy)
    be = min(b, 1.92 * t * root * (1.0 - 0.38 / section.slenderness * root))
    lost = (b - be) * t
    y = (section.od_in - t) / 2.0
    area = section.a_in2 - lost
    shift = lost * y / area
    inertia = section.ix_in4 - lost * y * y - area * shift * shift
    return inertia / (section.od_in / 2.0 + shift)


def shear_strength(section: Section, fy: float, length_in: float) -> tuple[float, str]:
    """Nominal shear strength Vn (kip).

    Round: AISC 360-16 Sec. G5, Fcr = max(1.60 E/(sqrt(Lv/D) (D/t)^1.25), 0.78 E/(D/t)^1.5) <= 0.6 Fy,
    Vn = Fcr Ag / 2, with Lv = the pole height (a cantilever carries its shear over its whole length).
    Square: Sec. G4, Vn = 0.6 Fy Aw Cv2, Aw = 2 h t, kv = 5 (Sec. G2.2).
    """
    d_t = section.slenderness
    if section.is_round:
        lv = max(length_in, section.od_in)
        fcr = max(1.60 * E / (math.sqrt(lv / section.od_in) * d_t**1.25), 0.78 * E / d_t**1.5)
        return min(fcr, 0.6 * fy) * section.a_in2 / 2.0, "AISC 360-16 Eq. G5-1"
    h_t = section.h_t
    t = section.tdes_in
    limit = math.sqrt(5.0 * E / fy)
    if h_t <= 1.10 * limit:
        cv2 = 1.0
    elif h_t <= 1.37 * limit:
        cv2 = 1.10 * limit / h_t
    else:
        cv2 = 1.51 * 5.0 * E / (h_t**2 * fy)
    return 0.6 * fy * (2.0 * h_t * t * t) * cv2, "AISC 360-16 Eq. G2-1 via Sec. G4"


def torsion_strength(section: Section, fy: float, length_in: float) -> tuple[float, str]:
    """Nominal torsional strength Tn = Fcr C (kip-in), AISC 360-16 Sec. H3.1.

    Round: Fcr = max(1.23 E/(sqrt(L/D) (D/t)^1.25), 0.60 E/(D/t)^1.5) <= 0.6 Fy (H3-2a, H3-2b).
    Square: by h/t against 2.45 and 3.07 sqrt(E/Fy) (H3-3 to H3-5).
    """
    if section.is_round:
        d_t = section.slenderness
        length = max(length_in, section.od_in)
        fcr = max(1.23 * E / (math.sqrt(length / section.od_in) * d_t**1.25), 0.60 * E / d_t**1.5)
        return min(fcr, 0.6 * fy) * section.c_in3, "AISC 360-16 Eq. H3-1, H3-2a/b"
    h_t = section.h_t
    root = math.sqrt(E / fy)
    if h_t <= 2.45 * root:
        fcr = 0.6 * fy
    elif h_t <= 3.07 * root:
        fcr = 0.6 * fy * 2.45 * root / h_t
    else:
        fcr = 0.458 * math.pi**2 * E / h_t**2
    return fcr * section.c_in3, "AISC 360-16 Eq. H3-1, H3-3 to H3-5"


def compression_strength(section: Section, fy: float, length_in: float) -> tuple[float, str]:
    """Nominal axial strength Pn (kip) of the cantilever, AISC 360-16 Sec. E3 with K = 2.1
    (fixed-free, Commentary Table C-A-7.1) and local buckling by Sec. E7 (round: E7-6 effective
    area; square: effective width E7-2/E7-3 with c1 = 0.20, c2 = 1.38)."""
    k = value("steel", "k_cantilever")
    slender = k * length_in / section.rx_in
    fe = math.pi**2 * E / slender**2
    fcr = 0.658 ** (fy / fe) * fy if fy / fe <= 2.25 else 0.877 * fe
    area = section.a_in2
    lam = section.slenderness
    if section.is_round:
        if lam > 0.11 * E / fy:
            area *= min(1.0, 0.038 * E / (fy * lam) + 2.0 / 3.0)
    else:
        lr = 1.40 * math.sqrt(E / fy)
        if lam > lr * math.sqrt(fy / fcr):
            fel = (1.38 * lr / lam) ** 2 * fy
            ratio = math.sqrt(fel / fcr)
            t = section.tdes_in
            b = lam * t
            be = b * (1.0 - 0.20 * ratio) * ratio
            area -= 4.0 * max(0.0, b - be) * t
    return fcr * area, "AISC 360-16 Eq. E3-1 to E3-3, Sec. E7"


@dataclass(frozen=True, slots=True)
class Demand:
    """Required strengths for one load case at the method's level (ASD: D + 0.6W, LRFD: 1.2D + 1.0W),
    plus the service-level lateral force and its height for the deflection check."""

    case: str
    moment_kip_in: float
    shear_kip: float
    torsion_kip_in: float
    axial_kip: float
    service_force_kip: float = 0.0
    force_height_in: float = 0.0


@dataclass(frozen=True, slots=True)
class PoleExposure:
    """Wind on the exposed pole below the sign (ASCE 7 Sec. 29.4), per foot of Cf x D: the section
    decides D and Cf (Fig. 29.4-1), so each section tried adds its own share to every load case.

    ``shear_kip`` and ``moment_kip_in`` are at the method's level (0.6W or 1.0W), ``deflection_kip_in3``
    at the service level: the integral of w z^2 (3L - z)/6 over the band, so that the tip deflection
    it adds is this value times Cf D / (E I)."""

    shear_kip: float
    moment_kip_in: float
    deflection_kip_in3: float
    qz_psf: float  # qz for the D sqrt(qz) threshold of Fig. 29.4-1
    height_ft: float  # h for h/D
    least_cf_round: float = 0.5  # smallest Cf of Fig. 29.4-1 (screening only)
    least_cf_square: float = 1.3

    def cfd_ft(self, section: Section) -> float:
        """Cf x D of ``section`` (D: OD, or the face width of a square HSS with the wind normal to it)."""
        d_ft = section.od_in / 12.0
        return pole_cf(section.is_round, d_ft, self.height_ft, self.qz_psf) * d_ft


@lru_cache(maxsize=4)
def _factors(method: str) -> tuple[float, float, float, float]:
    """(Omega or 1/phi) for flexure, shear, torsion, compression: available = nominal / factor."""
    if method == "asd":
        return (
            value("steel", "omega_b"),
            value("steel", "omega_v"),
            value("steel", "omega_t"),
            value("steel", "omega_c"),
        )
    return (
        1.0 / value("steel", "phi_b"),
        1.0 / value("steel", "phi_v"),
        1.0 / value("steel", "phi_t"),
        1.0 / value("steel", "phi_c"),
    )


@lru_cache(maxsize=64)
def _family_table(family: str, grade: str, method: str) -> tuple[tuple[Section, float, Flexure], ...]:
    """Sections of ``family`` lightest first with their available flexural strength Mc (kip-in).
    Cached: the selection loop screens on Mc before running the full check."""
    props = grade_properties(grade, family)
    if props is None:
        return ()
    fy = props["Fy_ksi"]
    om_b = _factors(method)[0]
    rows = sorted((s for s in CATALOGUE.values() if s.family == family), key=lambda s: (s.w_plf, s.label))
    out = []
    for s in rows:
        f = flexure(s, fy)
        out.append((s, f.mn_kip_in / om_b, f))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Screen:
    """The screening numbers of a family table, row by row (same order): whether round, OD, Ix, the
    flexural screen limit Mc (1 + 1e-9), and the running maxima of the last two along the table, so
    that the selection starts at the first row that can pass the flexure and inertia screens (a
    bisection) instead of testing every lighter row."""

    is_round: tuple[bool, ...]
    od_in: tuple[float, ...]
    ix_in4: tuple[float, ...]
    mc_limit: tuple[float, ...]
    mc_limit_max: tuple[float, ...]  # max of mc_limit over rows 0..i
    ix_max: tuple[float, ...]  # max of ix_in4 over rows 0..i


@lru_cache(maxsize=64)
def _family_screen(family: str, grade: str, method: str) -> _Screen:
    table = _family_table(family, grade, method)
    mc_limit = tuple(mc * (1.0 + 1e-9) for _, mc, _ in table)
    ix = tuple(s.ix_in4 for s, _, _ in table)
    return _Screen(
        is_round=tuple(s.is_round for s, _, _ in table),
        od_in=tuple(s.od_in for s, _, _ in table),
        ix_in4=ix,
        mc_limit=mc_limit,
        mc_limit_max=tuple(itertools.accumulate(mc_limit, max)),
        ix_max=tuple(itertools.accumulate(ix, max)),
    )


@lru_cache(maxsize=4096)
def _strengths(
    label: str, fy: float, length_in: float, axial: bool
) -> tuple[float, str, float, str, float, str]:
    """(Vn, clause, Tn, clause, Pn, clause) of catalogue section ``label``: pure functions of the
    section, Fy and the member length (Pn only when ``axial``, else infinity), kept per process
    because the selection asks for the same sections on every design of a pole height."""
    section = CATALOGUE[label]
    vn, v_clause = shear_strength(section, fy, length_in)
    tn, t_clause = torsion_strength(section, fy, length_in)
    pn, p_clause = compression_strength(section, fy, length_in) if axial else (math.inf, "")
    return vn, v_clause, tn, t_clause, pn, p_clause


@dataclass(frozen=True, slots=True)
class _PoleText:
    """Formula and substitution texts of one section's checks (the numbers the checks used)."""

    section: Section
    fy: float
    method: str
    flex: Flexure
    length_in: float
    add_m: float
    add_v: float

    def _avail(self, symbol: str, nominal: float, available: float, unit: str) -> tuple[str, str]:
        """('Mn / Omega', 'Mn / Omega = 1,291 / 1.67 = 773.4 kip_in') or the LRFD phi form."""
        factor = nominal / available if available > 0 else math.inf
        if self.method == "asd":
            return (
                f"{symbol} / Omega",
                f"{symbol} / Omega = {num(nominal)} / {num(factor)} = {qty(available, unit)}",
            )
        return (
            f"phi {symbol}",
            f"phi {symbol} = {num(1.0 / factor)} x {num(nominal)} = {qty(available, unit)}",
        )

    def _demand(self, symbol: str, value_: float, unit: str, added: float) -> str:
        wind = f" (incl. pole wind {qty(added, unit)})" if added > 0 else ""
        return f"{symbol} = {qty(value_, unit)}{wind}"

    def flexure(self, m: float, mc: float) -> dict[str, str]:
        s, fy, f = self.section, self.fy, self.flex
        mn = f.mn_kip_in
        if f.compactness == "not_applicable":
            form, sub = "Mn = 0 (F8 applies only for D/t < 0.45 E/Fy)", f"D/t = {num(f.slenderness)}"
        elif "F8-2" in f.clause:
            form = "Mn = (0.021 E / (D/t) + Fy) S"
            sub = f"(0.021 x {E:g} ksi / {num(f.slenderness)} + {num(fy)} ksi) x {num(s.sx_in3)} in^3"
        elif "F8-3" in f.clause:
            form = "Mn = 0.33 E / (D/t) S"
            sub = f"0.33 x {E:g} ksi / {num(f.slenderness)} x {num(s.sx_in3)} in^3"
        elif "F7-2" in f.clause:
            form = "Mn = Mp - (Mp - Fy S)(3.57 (b/t) sqrt(Fy/E) - 4.0) <= Mp, Mp = Fy Z"
            sub = (
                f"Mp = {num(fy)} ksi x {num(s.zx_in3)} in^3, b/t = {num(f.slenderness)}, "
                f"S = {num(s.sx_in3)} in^3"
            )
        elif "F7-3" in f.clause:
            form = "Mn = Fy Se (Se from F7-4)"
            sub = f"{num(fy)} ksi x {num(mn / fy)} in^3"
        else:
            form = "Mn = Mp = Fy Z"
            sub = f"{num(fy)} ksi x {num(s.zx_in3)} in^3"
        lam = (
            f"{f.compactness}, D/t or b/t = {num(f.slenderness)} "
            f"(lambda_p {num(f.lambda_p)}, lambda_r {num(f.lambda_r)})"
        )
        cap_symbol, cap_text = self._avail("Mn", mn, mc, "kip_in")
        return {
            "formula": f"M <= {cap_symbol}; {form}",
            "substitution": f"{lam}; Mn = {sub} = {qty(mn, 'kip_in')}; {cap_text}; "
            + self._demand("M", m, "kip_in", self.add_m),
        }

    def shear(self, v: float, vn: float, vc: float) -> dict[str, str]:
        s = self.section
        if s.is_round:
            form = (
                "Vn = Fcr Ag / 2, Fcr = max(1.60 E / (sqrt(Lv/D) (D/t)^1.25), 0.78 E / (D/t)^1.5) <= 0.6 Fy"
            )
            sub = f"Fcr = {qty(2.0 * vn / s.a_in2, 'ksi')}, Lv = {qty(self.length_in, 'in')}; Vn = " + (
                f"{num(2.0 * vn / s.a_in2)} ksi x {num(s.a_in2)} in^2 / 2 = {qty(vn, 'kip')}"
            )
        else:
            aw = 2.0 * s.h_t * s.tdes_in * s.tdes_in
            form = "Vn = 0.6 Fy Aw Cv2, Aw = 2 h t (kv = 5)"
            cv2 = vn / (0.6 * self.fy * aw)
            sub = f"0.6 x {num(self.fy)} ksi x {num(aw)} in^2 x {num(cv2)} = {qty(vn, 'kip')}"
        cap_symbol, cap_text = self._avail("Vn", vn, vc, "kip")
        return {
            "formula": f"V <= {cap_symbol}; {form}",
            "substitution": f"{sub}; {cap_text}; " + self._demand("V", v, "kip", self.add_v),
        }

    def torsion(self, t: float, tn: float, tc: float) -> dict[str, str]:
        s = self.section
        cap_symbol, cap_text = self._avail("Tn", tn, tc, "kip_in")
        return {
            "formula": f"T <= {cap_symbol}; Tn = Fcr C (H3-1)",
            "substitution": f"Fcr = {qty(tn / s.c_in3, 'ksi')}, C = {num(s.c_in3)} in^3; Tn = "
            f"{num(tn / s.c_in3)} ksi x {num(s.c_in3)} in^3 = {qty(tn, 'kip_in')}; {cap_text}; "
            f"T = {qty(t, 'kip_in')}",
        }

    def axial(self, p: float, self_kip: float, pn: float, pc: float) -> dict[str, str]:
        cap_symbol, cap_text = self._avail("Pn", pn, pc, "kip")
        k = value("steel", "k_cantilever")
        return {
            "formula": f"P <= {cap_symbol}; Pn = Fcr Ae (E3, E7), KL/r with K = {k:g}",
            "substitution": f"KL/r = {k:g} x {num(self.length_in)} in / {num(self.section.rx_in)} in = "
            f"{num(k * self.length_in / self.section.rx_in)}; Pn = {qty(pn, 'kip')}; {cap_text}; "
            f"P = {qty(p, 'kip')} (incl. pole self-weight {qty(self_kip, 'kip')})",
        }

    def combined(self, clause_text: str, terms: tuple[float, float, float, float]) -> dict[str, str]:
        pr, mr, vr, tr = terms
        if "H3-6" in clause_text:
            form = "(Pr/Pc + Mr/Mc) + (Vr/Vc + Tr/Tc)^2 <= 1.0"
            sub = f"({num(pr)} + {num(mr)}) + ({num(vr)} + {num(tr)})^2"
        elif "H1-1a" in clause_text:
            form = "Pr/Pc + 8/9 Mr/Mc <= 1.0 (Pr/Pc >= 0.2)"
            sub = f"{num(pr)} + 8/9 x {num(mr)}"
        else:
            form = "Pr/(2 Pc) + Mr/Mc <= 1.0 (Pr/Pc < 0.2)"
            sub = f"{num(pr)} / 2 + {num(mr)}"
        return {"formula": form, "substitution": sub}

    def deflection(self, d: Demand, extra: float, worst: float, n: float) -> dict[str, str]:
        a = min(d.force_height_in, self.length_in)
        inertia = self.section.ix_in4
        wind = f" + {qty(extra / (E * inertia), 'in')} (pole wind)" if extra > 0 else ""
        return {
            "formula": f"Delta = P a^2 (3L - a) / (6 E I) (+ pole wind) <= L/{n:g}",
            "substitution": f"{num(d.service_force_kip)} kip x ({num(a)} in)^2 x "
            f"(3 x {num(self.length_in)} in - {num(a)} in) / (6 x {E:g} ksi x {num(inertia)} in^4){wind} = "
            f"{qty(worst, 'in')}; L/{n:g} = "
            f"{num(self.length_in)} in / {n:g} = {qty(self.length_in / n, 'in')}",
        }


@dataclass(slots=True)  # not frozen: built for every section tried, never handed out
class _PoleNumbers:
    """Every number the checks of one section rest on, before any check object or text is built:
    the selection ranks candidates on :meth:`ratios` and builds a :class:`PoleDesign` only for the
    section it reports."""

    section: Section
    fy: float
    method: str
    demands: list[Demand]
    deflection_limit_n: float | None
    flex: Flexure
    add_m: float
    add_v: float
    extra_deflection: float
    length_in: float
    mc: float
    vn: float
    v_clause: str
    vc: float
    tn: float
    t_clause: str
    tc: float
    self_kip: float
    m_max: float
    v_max: float
    t_max: float
    p_max: float
    pn: float
    p_clause: str
    pc: float
    inter: float
    inter_clause: str
    inter_case: Demand
    inter_terms: tuple[float, float, float, float]
    worst: float  # tip deflection of the worst case (0 without a limit)
    worst_d: Demand

    def ratios(self) -> tuple[float, str, bool]:
        """(governing ratio, governing check's name, every check passes) without building the checks:
        the same ratios, in the same order, as :func:`_pole_checks`."""
        ratio, name = safe_ratio(self.m_max, self.mc), "pole flexure"
        passed = ratio <= 1.0 + TOLERANCE and self.flex.compactness != "not_applicable"
        for cand, cname, present in (
            (safe_ratio(self.v_max, self.vc), "pole shear", True),
            (safe_ratio(self.t_max, self.tc), "pole torsion", self.t_max > 0),
            (safe_ratio(self.p_max, self.pc), "pole axial", self.p_max > 0),
            (safe_ratio(self.inter, 1.0), "pole combined forces", True),
            (
                safe_ratio(self.worst, self.length_in / self.deflection_limit_n)
                if self.deflection_limit_n is not None
                else 0.0,
                "pole deflection",
                self.deflection_limit_n is not None,
            ),
        ):
            if present:
                passed = passed and cand <= 1.0 + TOLERANCE
                if cand > ratio:  # max() keeps the first of equal ratios
                    ratio, name = cand, cname
        return ratio, name, passed


def _maxima(demands: list[Demand]) -> tuple[float, float, float, float]:
    """The largest moment, shear, torsion and axial demand over the load cases (one pass)."""
    first = demands[0]
    m, v, t, p = first.moment_kip_in, first.shear_kip, first.torsion_kip_in, first.axial_kip
    for d in demands:
        if d.moment_kip_in > m:
            m = d.moment_kip_in
        if d.shear_kip > v:
            v = d.shear_kip
        if d.torsion_kip_in > t:
            t = d.torsion_kip_in
        if d.axial_kip > p:
            p = d.axial_kip
    return m, v, t, p


def _pole_numbers(
    section: Section,
    fy: float,
    method: str,
    demands: list[Demand],
    height_ft: float | None,
    deflection_limit_n: float | None,
    flex: Flexure | None = None,
    self_weight_factor: float = 0.0,
    pole_wind: PoleExposure | None = None,
) -> _PoleNumbers:
    """The strengths, governing demands, interaction and deflection of one section (see
    :func:`check_pole`)."""
    flex = flex or flexure(section, fy)
    k = pole_wind.cfd_ft(section) if pole_wind is not None else 0.0
    add_m = k * pole_wind.moment_kip_in if pole_wind is not None else 0.0
    add_v = k * pole_wind.shear_kip if pole_wind is not None else 0.0
    extra_deflection = k * pole_wind.deflection_kip_in3 if pole_wind is not None else 0.0
    om_b, om_v, om_t, om_c = _factors(method)
    length_in = height_ft * 12.0 if height_ft is not None else math.inf
    mc = flex.mn_kip_in / om_b
    self_kip = self_weight_factor * section.w_plf * (height_ft or 0.0) / 1000.0
    m_max, v_max, t_max, p_max = _maxima(demands)
    m_max += add_m
    v_max += add_v
    p_max += self_kip
    if CATALOGUE.get(section.label) is section:
        vn, v_clause, tn, t_clause, pn, p_clause = _strengths(section.label, fy, length_in, p_max > 0)
    else:  # a section built outside the catalogue: nothing to key a cache on
        vn, v_clause = shear_strength(section, fy, length_in)
        tn, t_clause = torsion_strength(section, fy, length_in)
        pn, p_clause = compression_strength(section, fy, length_in) if p_max > 0 else (math.inf, "")
    vc = vn / om_v
    tc = tn / om_t
    t_neglect = value("steel", "torsion_neglect_fraction")
    pc = pn / om_c
    inter = 0.0
    inter_clause = "AISC 360-16 Eq. H1-1b"
    inter_case = demands[0]
    inter_terms = (0.0, 0.0, 0.0, 0.0)
    # safe_ratio written out (this loop runs for every load case of every section tried): a zero
    # strength gives an infinite ratio (a failed check), never a ZeroDivisionError.
    pc_ok, mc_ok = pc > 0, mc > 0
    t_limit = t_neglect * tc
    inf = math.inf
    for d in demands:
        a = d.axial_kip + self_kip
        pr = a / pc if pc_ok and a - a == 0.0 else inf
        m = d.moment_kip_in + add_m
        mr = m / mc if mc_ok and m - m == 0.0 else inf
        if pr >= 0.2:
            ratio, cl = pr + 8.0 / 9.0 * mr, "AISC 360-16 Eq. H1-1a"
        else:
            ratio, cl = pr / 2.0 + mr, "AISC 360-16 Eq. H1-1b"
        if d.torsion_kip_in > t_limit:
            h36 = pr + mr + (safe_ratio(d.shear_kip + add_v, vc) + safe_ratio(d.torsion_kip_in, tc)) ** 2
            if h36 > ratio:
                ratio, cl = h36, "AISC 360-16 Eq. H3-6"
        if ratio > inter:
            inter, inter_clause, inter_case = ratio, cl, d
            inter_terms = (pr, mr, safe_ratio(d.shear_kip + add_v, vc), safe_ratio(d.torsion_kip_in, tc))

    worst = 0.0
    worst_d = demands[0]
    if deflection_limit_n is not None:
        inertia = section.ix_in4
        for d in demands:
            a = min(d.force_height_in, length_in)
            # Cantilever, point load P at height a: tip deflection P a^2 (3L - a) / (6 E I).
            # Plus the exposed pole's distributed wind: integral of w z^2 (3L - z)/6 dz / (E I).
            delta = (d.service_force_kip * a * a * (3.0 * length_in - a) / 6.0 + extra_deflection) / (
                E * inertia
            )
            if delta > worst:
                worst, worst_d = delta, d
    return _PoleNumbers(
        section,
        fy,
        method,
        demands,
        deflection_limit_n,
        flex,
        add_m,
        add_v,
        extra_deflection,
        length_in,
        mc,
        vn,
        v_clause,
        vc,
        tn,
        t_clause,
        tc,
        self_kip,
        m_max,
        v_max,
        t_max,
        p_max,
        pn,
        p_clause,
        pc,
        inter,
        inter_clause,
        inter_case,
        inter_terms,
        worst,
        worst_d,
    )


def check_pole(
    section: Section,
    fy: float,
    method: str,
    demands: list[Demand],
    height_ft: float | None,
    deflection_limit_n: float | None,
    flex: Flexure | None = None,
    self_weight_factor: float = 0.0,
    pole_wind: PoleExposure | None = None,
    combination: str = "",
    explain: bool = True,
) -> PoleDesign:
    """All member checks of one pole for every load case; governing values per check, each labelled
    with its governing load case and ``combination`` (default: the method's wind combination), and
    with its formula and substitution when ``explain``.

    ``height_ft`` None (the ``pole`` kind without a height) takes the long-member lower bounds of
    G5/H3 and needs no axial load. ``self_weight_factor`` adds the pole's own weight (times the
    dead-load factor) to the axial demand. ``pole_wind`` adds the wind on the exposed pole (its
    shear and moment, and its deflection) to every load case.
    """
    numbers = _pole_numbers(
        section, fy, method, demands, height_ft, deflection_limit_n, flex, self_weight_factor, pole_wind
    )
    return _pole_design(numbers, combination, explain)


def _pole_design(n: _PoleNumbers, combination: str = "", explain: bool = True) -> PoleDesign:
    """The checks and design of one section's numbers."""
    section, flex, demands = n.section, n.flex, n.demands
    asd = n.method == "asd"
    combo = combination or ("ASD D + 0.6W" if asd else "LRFD 1.2D + 1.0W")
    m_case = max(demands, key=lambda d: d.moment_kip_in).case
    v_case = max(demands, key=lambda d: d.shear_kip).case
    t_case = max(demands, key=lambda d: d.torsion_kip_in).case
    text = _PoleText(section, n.fy, n.method, flex, n.length_in, n.add_m, n.add_v) if explain else None
    flex_check = check(
        "pole flexure",
        n.m_max,
        n.mc,
        "kip_in",
        flex.clause,
        case=m_case,
        combination=combo,
        **(text.flexure(n.m_max, n.mc) if text else {}),
    )
    if flex.compactness == "not_applicable":
        flex_check = evolve(flex_check, passed=False)
    checks: list[Check] = [
        flex_check,
        check(
            "pole shear",
            n.v_max,
            n.vc,
            "kip",
            n.v_clause,
            case=v_case,
            combination=combo,
            **(text.shear(n.v_max, n.vn, n.vc) if text else {}),
        ),
    ]
    if n.t_max > 0:
        checks.append(
            check(
                "pole torsion",
                n.t_max,
                n.tc,
                "kip_in",
                n.t_clause,
                case=t_case,
                combination=combo,
                **(text.torsion(n.t_max, n.tn, n.tc) if text else {}),
            )
        )
    if n.p_max > 0:
        checks.append(
            check(
                "pole axial",
                n.p_max,
                n.pc,
                "kip",
                n.p_clause,
                combination=combo,
                **(text.axial(n.p_max, n.self_kip, n.pn, n.pc) if text else {}),
            )
        )
    checks.append(
        check(
            "pole combined forces",
            n.inter,
            1.0,
            "ratio",
            n.inter_clause,
            case=n.inter_case.case if len(demands) > 1 or n.inter_case.case != "given" else "",
            combination=combo,
            **(text.combined(n.inter_clause, n.inter_terms) if text else {}),
        )
    )
    deflection_in: float | None = None  # no limit given (the ``pole`` kind): not computed
    limit_n = n.deflection_limit_n
    if limit_n is not None:
        deflection_in = n.worst
        factor = value("pole", "deflection_wind_factor")
        checks.append(
            check(
                "pole deflection",
                n.worst,
                n.length_in / limit_n,
                "in",
                "cantilever P a^2 (3L - a)/(6EI) (+ pole wind) under service wind, "
                f"limit L/{limit_n:g} "
                "(IBC sets none for sign poles; selectable, default L/80)",
                case=n.worst_d.case,
                combination=f"service {factor:g}W",
                **(text.deflection(n.worst_d, n.extra_deflection, n.worst, limit_n) if text else {}),
            )
        )
    governing = max(checks, key=lambda c: c.ratio)
    return PoleDesign(
        designation=section.label,
        family=section.family,
        fy_ksi=n.fy,
        w_plf=section.w_plf,
        od_in=section.od_in,
        tdes_in=section.tdes_in,
        mn_kip_in=flex.mn_kip_in,
        allowable_kip_in=n.mc,
        compactness=flex.compactness,
        slenderness=flex.slenderness,
        lambda_p=flex.lambda_p,
        lambda_r=flex.lambda_r,
        vn_kip=n.vn,
        tn_kip_in=n.tn,
        pn_kip=n.pn,
        deflection_in=deflection_in,
        ratio=governing.ratio,
        governing=governing.name,
        passed=all(c.passed for c in checks),
        checks=tuple(checks),
    )


def select_pole(
    *,
    family: str,
    grade: str,
    method: str,
    demands: list[Demand],
    height_ft: float | None,
    deflection_limit_n: float | None,
    designation: str | None,
    self_weight_factor: float = 0.0,
    pole_wind: PoleExposure | None = None,
) -> tuple[PoleDesign, tuple[Alternative, ...]]:
    """The given section's checks, or the lightest passing section of ``family`` and up to N ranked
    alternatives (the next lightest passing sections). When nothing passes, the section with the
    smallest governing ratio is returned (with ``pass`` false) so the caller can report it."""
    props = grade_properties(grade, family)
    assert props is not None  # validated by the schema
    fy = props["Fy_ksi"]
    if designation is not None:
        return check_pole(
            CATALOGUE[designation],
            fy,
            method,
            demands,
            height_ft,
            deflection_limit_n,
            self_weight_factor=self_weight_factor,
            pole_wind=pole_wind,
        ), ()
    wanted = 1 + int(value("pole", "alternatives_count"))
    m_max = max(d.moment_kip_in for d in demands)
    # (numbers, ratio, governing check) of the passing sections, lightest first, and of the failing
    # section with the smallest ratio; only the one reported becomes a PoleDesign with its texts.
    passing: list[tuple[_PoleNumbers, float, str]] = []
    best_failing: tuple[_PoleNumbers, float, str] | None = None
    table = _family_table(family, grade, method)
    # Cheap screens before the full check: flexure alone, and the inertia the deflection limit needs.
    i_required = 0.0
    i_per_cfd = 0.0  # inertia the pole wind adds per ft of Cf D
    m_per_cfd = pole_wind.moment_kip_in if pole_wind is not None else 0.0
    if deflection_limit_n is not None and height_ft is not None:
        length_in = height_ft * 12.0
        allowed = E * length_in / deflection_limit_n
        for d in demands:
            a = min(d.force_height_in, length_in)
            i_required = max(
                i_required,
                d.service_force_kip * a * a * (3.0 * length_in - a) / (6.0 * allowed),
            )
        if pole_wind is not None:
            i_per_cfd = pole_wind.deflection_kip_in3 / allowed
    # Screen with the least Cf of Fig. 29.4-1 (0.5 round, 1.3 square): never skips a section that passes.
    cf_least = (pole_wind.least_cf_round, pole_wind.least_cf_square) if pole_wind is not None else (0.0, 0.0)
    screen = _family_screen(family, grade, method)
    i_limit = i_required * (1.0 - 1e-9)
    start = 0
    if m_per_cfd >= 0.0 and i_per_cfd >= 0.0 and cf_least[0] >= 0.0 and cf_least[1] >= 0.0:
        # Every row before the first whose running maximum reaches m_max (or the inertia needed
        # without the pole wind) fails the screen below: the pole wind only adds to both demands.
        start = max(bisect_left(screen.mc_limit_max, m_max), bisect_left(screen.ix_max, i_limit))
    is_round, od_in, ix_in4, mc_limit = screen.is_round, screen.od_in, screen.ix_in4, screen.mc_limit
    for i in range(start, len(table)):
        k = cf_least[0 if is_round[i] else 1] * od_in[i] / 12.0
        if (
            m_max + k * m_per_cfd > mc_limit[i]
            or ix_in4[i] < (i_required + k * i_per_cfd) * (1.0 - 1e-9)
            or table[i][2].compactness == "not_applicable"
        ):
            continue
        section, _, flex = table[i]
        numbers = _pole_numbers(
            section, fy, method, demands, height_ft, deflection_limit_n, flex, self_weight_factor, pole_wind
        )
        ratio, governing, passed = numbers.ratios()
        if passed:
            passing.append((numbers, ratio, governing))
            if len(passing) >= wanted:
                break
        elif best_failing is None or ratio < best_failing[1]:
            best_failing = (numbers, ratio, governing)
    if passing:
        alternatives = tuple(
            Alternative(n.section.label, n.section.w_plf, ratio, governing)
            for n, ratio, governing in passing[1:]
        )
        return _pole_design(passing[0][0]), alternatives
    if best_failing is None:  # even flexure fails everywhere: report the strongest in flexure
        section, _, flex = max(table, key=lambda row: (row[1], -row[0].w_plf))
        return check_pole(
            section, fy, method, demands, height_ft, deflection_limit_n, flex, self_weight_factor, pole_wind
        ), ()
    return _pole_design(best_failing[0]), ()


def pole_assumptions(notes: Notes, method: str, family: str, grade: str) -> None:
    """The statements every pole check rests on."""
    steel = CONSTANTS["steel"]
    notes.assume(
        "Section properties from the AISC Shapes Database v16.0, computed with the design wall "
        "tdes = 0.93 tnom (not the nominal wall used by older sign packages).",
        "AISC 360-16 Sec. B4.2; AISC Shapes Database v16.0",
    )
    if grade == "A1085":
        notes.assume(
            "A1085 permits the nominal wall (B4.2); the tdes-based AISC properties are used (conservative).",
            "AISC 360-16 Sec. B4.2",
        )
    props = grade_properties(grade, family)
    if props is not None:
        notes.assume(
            f"{steel['grades'][grade]['title']}: Fy = {props['Fy_ksi']:g} ksi, E = {E:g} ksi.",
            steel["grades"]["clause"],
        )
    if method == "asd":
        notes.assume(
            "ASD: available strength = Rn / Omega, Omega = 1.67 (flexure, shear, torsion, axial).",
            clause("steel", "omega_b"),
        )
    else:
        notes.assume(
            "LRFD: design strength = phi Rn, phi = 0.90 (flexure, shear, torsion, axial).",
            clause("steel", "phi_b"),
        )
    notes.assume(
        "Torsion neglected in the interaction when Tr <= 0.2 Tc; otherwise H3-6 is checked.",
        clause("steel", "torsion_neglect_fraction"),
    )
    notes.assume(
        "Shear length Lv and torsion length L taken as the pole height.", "AISC 360-16 Sec. G5, H3.1"
    )
    notes.assume("Axial strength with K = 2.1 (fixed-free cantilever).", clause("steel", "k_cantilever"))
    if family == "pipe":
        notes.assume(
            "Pipe torsional constant C = 2 J / OD (AISC v16 lists no C for pipe).", "AISC 360-16 Sec. H3.1"
        )
    if family == "square_hss":
        notes.assume(
            "Square HSS: flange local buckling (F7) governs; slender-flange Se by a thin-wall effective "
            "width calculation (corners ignored).",
            "AISC 360-16 Sec. F7",
        )


fast_init(globals())
