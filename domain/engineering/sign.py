"""Whole-sign design in named steps: loads (wind, dead load, per-pole load cases) -> pole selection
-> foundation, or base plate with its pier and anchors -> bill of materials.

Why per-case demands instead of one envelope: Case B adds torsion at the same force, Case C can carry
a larger force with less torsion, and the H3-6 interaction is not monotone in a mixed envelope; each
case is checked as it acts and the worst ratio governs (ASCE 7 Fig. 29.3-1 requires each case).

Each step takes the typed values of the steps before it and states its assumptions in ``notes`` in
the order a reviewer reads them (that order is part of the output).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .base_plates import AnchorLoads, design_weld, select_anchorage
from .checks import check
from .constants import CONSTANTS, clause, value
from .explain import demand_capacity, num, qty, step
from .foundations import (
    MAX_EMBEDMENT_FT,
    Embedment,
    check_embedment_limit,
    concrete_yd3,
    depth_floor,
    design_pier_reinforcement,
    embedment,
    embedment_assumptions,
    embedment_steps,
    lateral_bearing,
    pier_actions,
    pier_rebar,
    round_up,
    rounding_steps,
    soil_field,
)
from .notes import Notes
from .poles import Demand, E, PoleExposure, pole_assumptions, select_pole
from .results import (
    AnchorBoltItem,
    AnchorDesign,
    BasePlate,
    BillOfMaterials,
    Check,
    ConcreteItem,
    DeadLoad,
    Geometry,
    GustEffect,
    PierDesign,
    PierReinforcement,
    PlateItem,
    PoleLoad,
    PoleWind,
    SelectedPole,
    SignDesign,
    SteelItem,
    Wind,
    evolve,
    fast_init,
)
from .schemas import SignInput
from .sections import CATALOGUE, Section, default_grade
from .wind import (
    Panel,
    PoleWindProfile,
    design_gust_factor,
    gust_factor_flexible,
    pole_cf,
    pole_wind_profile,
    sign_wind,
)

_G_IN_S2 = 386.09  # gravity, in/s^2 (natural frequency estimate)


@dataclass(frozen=True, slots=True)
class _PierSize:
    """The width and depth of one pier and what they rest on (no notes: the anchor search sizes
    piers for layouts it may discard)."""

    width_ft: float
    chosen: bool
    emb: Embedment
    floor_ft: float
    floor_reason: str
    depth_ft: float


def _size_pier(
    *, inp: SignInput, min_width_in: float, lateral_asd_lb: float, height_ft: float, per_ft: float
) -> _PierSize:
    """The given diameter, or the smallest 6 in step >= ``min_width_in`` whose required depth is at
    most the auto depth limit (a named default, not a code value); then the depth floor (IBC 1809.4,
    1809.5) and the rounding. Raises CalcInputError past the practical depth limit."""
    fdn = inp.foundation
    step_in = value("foundation", "diameter_step_in")
    if fdn.diameter_ft is not None:
        widths = [fdn.diameter_ft]
        chosen = False
    else:
        start = round_up(max(min_width_in, value("foundation", "min_diameter_in")), step_in)
        stop = max(start, value("foundation", "max_auto_diameter_in"))
        widths = [w / 12.0 for w in _frange(start, stop, step_in)]
        chosen = True
    limit = value("foundation", "auto_max_depth_ft")
    emb = None
    width = widths[-1]
    for width in widths:
        emb = embedment(
            lateral_force_lb=lateral_asd_lb,
            force_height_ft=height_ft,
            width_ft=width,
            shape=fdn.shape,
            per_ft=per_ft,
            isolated=fdn.isolated_pole_increase,
            constrained=fdn.constrained,
        )
        if emb.depth_ft <= limit:
            break
    assert emb is not None
    if emb.depth_ft > MAX_EMBEDMENT_FT:
        if chosen:
            pier_hint = (
                f"even the automatic {width:g} ft pier is too shallow a footing for this load: "
                "give a wider diameter_ft (up to 20 ft)"
            )
        else:
            pier_hint = "a wider pier (up to 20 ft) gives a shallower one"
        check_embedment_limit(
            emb.depth_ft,
            lateral_force_lb=lateral_asd_lb,
            force_height_ft=height_ft,
            width_ft=width,
            per_ft=per_ft,
            fields=[
                ("foundation.diameter_ft", pier_hint),
                soil_field("foundation.", fdn.soil_class, fdn.lateral_bearing_psf_per_ft),
                (
                    "cabinets",
                    f"the wind on the cabinets ({inp.site.wind_speed_mph:g} mph) drives it: a smaller "
                    "sign or more poles reduce the force per pier",
                ),
            ],
        )
    floor_ft, floor_reason = depth_floor(inp.site.frost_depth_in)
    depth = round_up(max(emb.depth_ft, floor_ft), value("foundation", "embedment_rounding_ft"))
    return _PierSize(width, chosen, emb, floor_ft, floor_reason, depth)


def _pier(
    *,
    notes: Notes,
    inp: SignInput,
    min_width_in: float,
    footprint_in: float,
    lateral_asd_lb: float,
    height_ft: float,
    per_ft: float,
    size: _PierSize | None = None,
    case: str = "",
) -> PierDesign:
    """Size one pier (:func:`_size_pier`; ``size``: already sized for these arguments) and state what
    it rests on."""
    fdn = inp.foundation
    step_in = value("foundation", "diameter_step_in")
    oversize = value("foundation", "backfill_oversize_in")
    limit = value("foundation", "auto_max_depth_ft")
    if size is None:
        size = _size_pier(
            inp=inp,
            min_width_in=min_width_in,
            lateral_asd_lb=lateral_asd_lb,
            height_ft=height_ft,
            per_ft=per_ft,
        )
    width, chosen, emb = size.width_ft, size.chosen, size.emb
    floor_ft, floor_reason, depth = size.floor_ft, size.floor_reason, size.depth_ft
    if chosen:
        notes.assume(
            f"Pier width chosen: smallest {step_in:g} in step from max(pole + {oversize:g} in, "
            f"{value('foundation', 'min_diameter_in'):g} in) whose depth is <= {limit:g} ft.",
            clause("foundation", "auto_max_depth_ft"),
        )
        if emb.depth_ft > limit:
            notes.warn(
                "deep_pier",
                f"Even a {width * 12:g} in pier needs {emb.depth_ft:.2f} ft: consider a "
                "spread footing or a geotechnical design.",
            )
    if floor_ft > emb.depth_ft:
        notes.assume(
            f"Embedment raised from the required {emb.depth_ft:.2f} ft to {floor_ft:.3g} ft: {floor_reason}.",
            floor_reason,
        )
    embedment_assumptions(
        notes,
        isolated=fdn.isolated_pole_increase,
        constrained=fdn.constrained,
        shape=fdn.shape,
        depth_ft=emb.depth_ft,
    )
    notes.assume(
        "Required embedment rounded up to the next 6 in.", clause("foundation", "embedment_rounding_ft")
    )
    return PierDesign(
        shape=fdn.shape,
        diameter_ft=width,
        diameter_chosen=chosen,
        b_ft=emb.effective_width_ft,
        lateral_force_asd_lb=lateral_asd_lb,
        force_height_ft=height_ft,
        lateral_bearing_psf_per_ft=per_ft,
        s1_psf=emb.pressure_psf,
        iterations=emb.iterations,
        equation=emb.equation,
        required_embedment_ft=emb.depth_ft,
        embedment_ft=depth,
        concrete_yd3=concrete_yd3(fdn.shape, width, depth),
        embedment_check=check(
            "embedment depth",
            emb.depth_ft,
            depth,
            "ft",
            emb.equation,
            case=case,
            combination="ASD 0.6W (allowable soil values)",
            formula="d (required, Eq. 18-1/18-2, P = 0.6 W lateral per pier) <= d_design",
            substitution=f"P = {qty(lateral_asd_lb, 'lb')} at h = {qty(height_ft, 'ft')}, "
            f"d = {qty(emb.depth_ft, 'ft')}, d_design = {qty(depth, 'ft')}",
        ),
        backfill_check=check(
            "pier width for backfill",
            (footprint_in + oversize) / 12.0,
            width,
            "ft",
            clause("foundation", "backfill_oversize_in"),
            formula=f"(pole footprint + {oversize:g} in) / 12 <= pier width",
            substitution=f"({num(footprint_in)} in + {oversize:g} in) / 12 = "
            f"{qty((footprint_in + oversize) / 12.0, 'ft')}, pier {qty(width, 'ft')}",
        ),
        minimum_embedment_ft=floor_ft,
        minimum_embedment_reason=floor_reason,
        steps=embedment_steps(
            emb,
            lateral_force_lb=lateral_asd_lb,
            force_height_ft=height_ft,
            width_ft=width,
            shape=fdn.shape,
            per_ft=per_ft,
            isolated=fdn.isolated_pole_increase,
            constrained=fdn.constrained,
        )
        + rounding_steps(emb.depth_ft, floor_ft, floor_reason, depth),
    )


def _frange(start: float, stop: float, step: float) -> list[float]:
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    return [start + i * step for i in range(count)]


@dataclass(frozen=True, slots=True)
class SignLoads:
    """What the loads step hands to the others: geometry, wind, dead load and per-pole demands."""

    family: str
    grade: str
    top_ft: float  # top of the sign = pole height above grade
    sign_height_ft: float
    sign_width_ft: float
    wind: Wind
    cabinet_lb: float
    count: int
    spacing_ft: float | None
    per_pole: tuple[PoleLoad, ...]  # strength level, one per load case
    demands: tuple[Demand, ...]  # at the method's level, one per load case
    dead_factor: float
    deflection_limit_n: float
    pole_profile: PoleWindProfile  # wind on the exposed pole, per ft of Cf D
    wind_factor: float  # 0.6 (ASD) or 1.0 (LRFD) on W for member demands
    service_factor: float  # on W for the deflection check
    pole_wind: PoleWind | None = None  # filled in once the section is known

    def exposure(self) -> PoleExposure:
        """The pole wind as each tried section sees it (method level and service level)."""
        prof = self.pole_profile
        return PoleExposure(
            shear_kip=self.wind_factor * prof.force_per_cfd_lb / 1000.0,
            moment_kip_in=self.wind_factor * prof.force_per_cfd_lb * prof.resultant_height_ft * 12.0 / 1000.0,
            deflection_kip_in3=self.service_factor * prof.deflection_per_cfd_kip_in3,
            qz_psf=prof.qz_bottom_psf,
            height_ft=self.top_ft,
        )

    @property
    def governing(self) -> PoleLoad:
        """The load case with the largest lateral force on one pole (sizes the pier)."""
        return max(self.per_pole, key=lambda p: p.lateral_lb)


def design_loads(inp: SignInput, notes: Notes, gust_factor: float | None = None) -> SignLoads:
    """Step 1: geometry, wind (Cases A, B, C), dead load, and each pole's share per load case of
    the wind on the sign; the wind on the exposed poles is prepared per foot of Cf D (its section is
    chosen in step 2) and added by :func:`with_pole_wind`. ``gust_factor``: Gf of a flexible
    structure (None: rigid, G = 0.85)."""
    method = inp.criteria.method
    sup = inp.supports
    family = CATALOGUE[sup.designation].family if sup.designation else sup.family
    grade = sup.grade or default_grade(family)
    if sup.grade is None:
        notes.assume(f"Grade {grade} (default for {family}).", CONSTANTS["steel"]["default_grade"]["clause"])

    # Cabinets stacked top first, the lowest at the clearance.
    panels = [Panel(c.width_ft, c.height_ft) for c in inp.cabinets]
    s = sum(p.height_ft for p in panels)
    top = inp.clearance_ft + s
    b = max(p.width_ft for p in panels)
    notes.assume(
        "Cabinets stacked on one vertical axis (top first), treated as one sign: s = sum of heights, "
        "B = widest cabinet, As = sum of areas, resultant at the area centroid.",
        "ASCE 7 Fig. 29.3-1 (one sign face)",
    )
    notes.assume("Poles run from grade to the top of the sign (pole height = h).", "geometry (named default)")

    wind = sign_wind(
        code=inp.code,
        wind_speed_mph=inp.site.wind_speed_mph,
        exposure=inp.site.exposure,
        kzt=inp.site.kzt,
        ground_elevation_ft=inp.site.ground_elevation_ft,
        panels=panels,
        top_height_ft=top,
        solid_ratio=inp.solid_ratio,
        return_corner_ft=inp.return_corner_ft,
        notes=notes,
        flexibility_rule=False,
        gust_factor=gust_factor,
    )
    profile = pole_wind_profile(
        code=inp.code,
        exposure=inp.site.exposure,
        kzt=inp.site.kzt,
        ke_=wind.ke,
        wind_speed_mph=inp.site.wind_speed_mph,
        exposed_ft=inp.clearance_ft,
        pole_height_ft=top,
        gust=wind.g,
    )

    default_psf = value("defaults", "cabinet_weight_psf")
    cabinet_lb = 0.0
    for c in inp.cabinets:
        cabinet_lb += (c.weight_psf if c.weight_psf is not None else default_psf) * c.width_ft * c.height_ft
    if any(c.weight_psf is None for c in inp.cabinets):
        notes.assume(
            f"Cabinet weight {default_psf:g} psf where not given.", clause("defaults", "cabinet_weight_psf")
        )
    notes.assume(
        "Dead load = cabinet weight_psf x face area + pole self-weight (+ plate); used for axial, "
        "uplift on anchors and the natural-frequency estimate.",
        "ASCE 7 Sec. 2.3.1, 2.4.1",
    )

    n = sup.count
    spacing: float | None = None
    if n == 2:
        spacing = (
            sup.spacing_ft
            if sup.spacing_ft is not None
            else value("defaults", "two_pole_spacing_fraction") * b
        )
        if sup.spacing_ft is None:
            notes.assume(
                f"Pole spacing chosen as 0.6 B = {spacing:.3g} ft.",
                clause("defaults", "two_pole_spacing_fraction"),
            )
        notes.assume(
            "Two poles share the lateral load equally; Case B/C torsion adds shear F/2 + T/a to one "
            "pole; each pole is an independent cantilever (frame action of the cabinet neglected).",
            "ASCE 7 Fig. 29.3-1 Case B (eccentricity 0.2 B); shear split F/2 + T/a is a stated engineering "
            "assumption (poles as independent cantilevers)",
        )
    w_factor = value("wind", "asd_wind_factor") if method == "asd" else value("wind", "lrfd_wind_factor")
    d_factor = 1.0 if method == "asd" else 1.2
    defl_factor = value("pole", "deflection_wind_factor")
    per_pole: list[PoleLoad] = []
    demands: list[Demand] = []
    for case in wind.cases:
        if n == 1:
            lateral, torsion = case.force_lb, case.torsion_ft_lb
        else:
            assert spacing is not None
            lateral, torsion = case.force_lb / 2.0 + case.torsion_ft_lb / spacing, 0.0
        per_pole.append(PoleLoad(case.name, lateral, case.height_ft, lateral * case.height_ft, torsion))
        demands.append(
            Demand(
                case=case.name,
                moment_kip_in=w_factor * lateral * case.height_ft * 12.0 / 1000.0,
                shear_kip=w_factor * lateral / 1000.0,
                torsion_kip_in=w_factor * torsion * 12.0 / 1000.0,
                axial_kip=d_factor * cabinet_lb / n / 1000.0,
                service_force_kip=defl_factor * lateral / 1000.0,
                force_height_in=case.height_ft * 12.0,
            )
        )
    limit_n = float(CONSTANTS["pole"]["deflection_limits"][inp.criteria.deflection_limit])
    notes.assume(
        f"Pole deflection at the top under service wind {defl_factor:g}W (cantilever, P a^2 (3L - a)/(6EI)) "
        f"against {inp.criteria.deflection_limit}; the IBC sets no limit for sign poles.",
        clause("pole", "deflection_wind_factor"),
    )
    if inp.criteria.deflection_limit == "L/80":
        notes.assume(
            "Deflection limit L/80 is the documented default.", clause("pole", "default_deflection_limit")
        )
    notes.assume(
        "ASD member demands from D + 0.6W; LRFD from 1.2D + 1.0W."
        if method == "asd"
        else "LRFD member demands from 1.2D + 1.0W.",
        clause("wind", "asd_wind_factor" if method == "asd" else "lrfd_wind_factor"),
    )
    return SignLoads(
        family=family,
        grade=grade,
        top_ft=top,
        sign_height_ft=s,
        sign_width_ft=b,
        wind=wind,
        cabinet_lb=cabinet_lb,
        count=n,
        spacing_ft=spacing,
        per_pole=tuple(per_pole),
        demands=tuple(demands),
        dead_factor=d_factor,
        deflection_limit_n=limit_n,
        pole_profile=profile,
        wind_factor=w_factor,
        service_factor=defl_factor,
    )


def with_pole_wind(loads: SignLoads, section: Section, notes: Notes) -> SignLoads:
    """Step 2b: the chosen section's wind on the exposed pole added to each pole's load cases
    (shear, and base moment at the band's own resultant height), ASCE 7 Sec. 29.4.1."""
    prof = loads.pole_profile
    if prof.exposed_ft <= 0.0:
        return loads
    d_ft = section.od_in / 12.0
    cf = pole_cf(section.is_round, d_ft, loads.top_ft, prof.qz_bottom_psf)
    force = cf * d_ft * prof.force_per_cfd_lb
    moment = force * prof.resultant_height_ft
    pole_wind = PoleWind(
        exposed_height_ft=prof.exposed_ft,
        width_ft=d_ft,
        shape="round" if section.is_round else "square",
        qz_bottom_psf=prof.qz_bottom_psf,
        qz_top_psf=prof.qz_top_psf,
        d_sqrt_qz=d_ft * math.sqrt(prof.qz_bottom_psf),
        h_over_d=loads.top_ft / d_ft,
        cf=cf,
        g=loads.wind.g,
        force_lb=force,
        resultant_height_ft=prof.resultant_height_ft,
        moment_at_grade_ft_lb=moment,
    )
    per_pole = []
    for p in loads.per_pole:
        lateral = p.lateral_lb + force
        total = p.moment_ft_lb + moment
        per_pole.append(PoleLoad(p.case, lateral, total / lateral, total, p.torsion_ft_lb))
    pw = CONSTANTS["wind"]["pole_cf"]
    notes.assume(
        f"Wind on each exposed pole from grade to the sign bottom ({prof.exposed_ft:g} ft), "
        "F = qz Kd G Cf D dz integrated over the band: qz varies with height (Kz constant below zmin, "
        "power law above), integrated in closed form (no strips); resultant at the centroid of the qz "
        "profile; added to every load case's shear and base moment (no torsion: the pole is on the "
        "sign's axis).",
        "ASCE 7 Sec. 29.4.1 Eq. 29.4-1, Sec. 26.10.1",
    )
    notes.assume(
        f"Pole Cf = {cf:.3g} from Fig. 29.4-1 with h/D = {loads.top_ft:g} / {d_ft:.3g} ft (h = pole height, "
        "conservative) and D sqrt(qz) with the lowest qz on the band (conservative at the 2.5 threshold); "
        + (
            "round pole, moderately smooth steel when D sqrt(qz) > 2.5."
            if section.is_round
            else "square pole, wind normal to a face (the sign's wind direction)."
        ),
        pw["clause"],
    )
    notes.assume(
        f"Pole Kd = {value('wind', 'pole_kd'):g}: the pole is part of the sign structure.",
        clause("wind", "pole_kd"),
    )
    if loads.count == 2:
        notes.assume(
            "Two poles: each carries its own pole wind (side by side across the wind, no shielding).",
            "ASCE 7 Sec. 29.4.1 (Af of each pole)",
        )
    return evolve(loads, per_pole=tuple(per_pole), pole_wind=pole_wind)


def natural_frequency(
    section: Section, *, cabinet_lb: float, mass_height_ft: float, pole_height_ft: float
) -> float:
    """First natural frequency n1 (Hz) of one pole with its share of the cabinet, fixed at the base
    (ASCE 7 Sec. 26.2 defines flexible as n1 < 1 Hz; the method is a stated engineering model).

    Rayleigh's quotient with the static deflected shape of a point load at the cabinet centroid a:
    psi(z) = z^2 (3a - z) / (2 a^3) below a, (3z - a) / (2a) above (psi(a) = 1); stiffness 3 E I / a^3;
    mass M + m (33 a / 140 + ((3L - a)^3 - 8 a^3) / (36 a^2)) with M the cabinet, m the pole's mass per
    length and L the pole height. n1 = sqrt(k / M_eff) / (2 pi).
    """
    a = mass_height_ft
    length = max(pole_height_ft, a)
    shape_ft = 33.0 * a / 140.0 + ((3.0 * length - a) ** 3 - 8.0 * a**3) / (36.0 * a * a)
    weight_kip = (cabinet_lb + section.w_plf * shape_ft) / 1000.0
    a_in = a * 12.0
    stiffness = 3.0 * E * section.ix_in4 / a_in**3  # kip/in
    if weight_kip <= 0.0:
        return math.inf
    return math.sqrt(stiffness * _G_IN_S2 / weight_kip) / (2.0 * math.pi)


def select_sign_pole(inp: SignInput, loads: SignLoads, notes: Notes) -> SelectedPole:
    """Step 2: the given section's checks, or the lightest passing section and its alternatives;
    then the natural frequency of the chosen pole (flexible structures are flagged)."""
    sup = inp.supports
    design, alternatives = select_pole(
        family=loads.family,
        grade=loads.grade,
        method=inp.criteria.method,
        demands=list(loads.demands),
        height_ft=loads.top_ft,
        deflection_limit_n=loads.deflection_limit_n,
        designation=sup.designation,
        self_weight_factor=loads.dead_factor,
        pole_wind=loads.exposure() if loads.pole_profile.exposed_ft > 0.0 else None,
    )
    pole_assumptions(notes, inp.criteria.method, loads.family, loads.grade)
    section = CATALOGUE[design.designation]
    if sup.designation is None:
        notes.assume(
            "Pole auto-selected: lightest section of the family passing every check (sorted by weight).",
            "AISC 360-16 Ch. F, G, H; selection rule (named default)",
        )
        if not design.passed:
            notes.warn(
                "no_passing_section",
                f"No {loads.family} section in grade {loads.grade} passes; the best one is reported.",
            )

    n1 = natural_frequency(
        section,
        cabinet_lb=loads.cabinet_lb / loads.count,
        mass_height_ft=loads.wind.cases[0].height_ft,
        pole_height_ft=loads.top_ft,
    )
    return SelectedPole(
        design=design,
        alternatives=alternatives,
        grade=loads.grade,
        chosen=sup.designation is None,
        natural_frequency_hz=n1,
        height_ft=loads.top_ft,
    )


def design_foundation(
    inp: SignInput,
    loads: SignLoads,
    section: Section,
    notes: Notes,
    *,
    per_ft: float,
    min_width_in: float,
    size: _PierSize | None = None,
) -> PierDesign:
    """Step 3: the pier under one pole for the governing case's ASD lateral force (IBC 1807.3.2);
    ``size``: the pier already sized for ``min_width_in`` (by the anchor search)."""
    governing = loads.governing
    return _pier(
        notes=notes,
        inp=inp,
        min_width_in=min_width_in,
        footprint_in=section.footprint_in,
        lateral_asd_lb=value("wind", "asd_wind_factor") * governing.lateral_lb,
        height_ft=governing.height_ft,
        per_ft=per_ft,
        size=size,
        case=governing.case,
    )


def design_base_plate_and_pier(
    inp: SignInput, loads: SignLoads, section: Section, notes: Notes, *, per_ft: float
) -> tuple[BasePlate, PierDesign]:
    """Step 4 (base-plate mount): anchors and plate, then the pier that holds the bolt circle, then
    the anchors' embedment and concrete checks in that pier."""
    options = inp.base_plate.model_dump() if inp.base_plate else {}
    dead_each = (loads.cabinet_lb / loads.count + section.w_plf * loads.top_ft) / 1000.0
    anchor_loads = [
        AnchorLoads(
            p.case,
            p.moment_ft_lb * 12.0 / 1000.0,
            p.lateral_lb / 1000.0,
            p.torsion_ft_lb * 12.0 / 1000.0,
            dead_each,
        )
        for p in loads.per_pole
    ]
    given_pier_ft = inp.foundation.diameter_ft
    piers: dict[float, _PierSize] = {}

    def pier_key(min_width_in: float) -> float:
        """The starting width (in) of the pier search for a layout: its key in ``piers``."""
        if given_pier_ft is not None:
            return given_pier_ft * 12.0
        return round_up(
            max(min_width_in, value("foundation", "min_diameter_in")), value("foundation", "diameter_step_in")
        )

    def pier_for(min_width_in: float) -> tuple[float, float]:
        """The pier a layout needs (sized without notes; one per 6 in width step)."""
        key = pier_key(min_width_in)
        if key not in piers:
            governing = loads.governing
            piers[key] = _size_pier(
                inp=inp,
                min_width_in=key,
                lateral_asd_lb=value("wind", "asd_wind_factor") * governing.lateral_lb,
                height_ft=governing.height_ft,
                per_ft=per_ft,
            )
        found = piers[key]
        return found.width_ft * 12.0, found.depth_ft

    selected = select_anchorage(
        loads=anchor_loads,
        method=inp.criteria.method,
        pole_od_in=section.od_in,
        pole_footprint_in=section.footprint_in,
        options=options,
        notes=notes,
        pier_for=pier_for,
        pier_in=given_pier_ft * 12.0 if given_pier_ft is not None else None,
    )
    plate, anchors = selected.plate, selected.anchors
    pier = design_foundation(
        inp,
        loads,
        section,
        notes,
        per_ft=per_ft,
        min_width_in=selected.min_pier_width_in,
        size=piers.get(pier_key(selected.min_pier_width_in)),
    )
    if anchors.anchor_embedment_in > pier.embedment_ft * 12.0 - 3.0:
        notes.warn("anchor_too_long", "Anchor embedment exceeds the pier depth less 3 in cover.")
    plate_weight = plate.plate_width_in**2 * plate.plate_thickness_in * value("steel", "density_lb_per_in3")
    notes.assume(
        "Deflection and pole checks take the base as fixed (plate and anchor flexibility neglected).",
        "stated engineering assumption (fixed-base cantilever, AISC 360-16 Ch. F)",
    )
    fy_pole = CONSTANTS["steel"]["grades"][loads.grade]["round" if section.is_round else "square"]["Fy_ksi"]
    weld = design_weld(
        loads=anchor_loads,
        method=inp.criteria.method,
        pole_od_in=section.od_in,
        pole_round=section.is_round,
        wall_nominal_in=section.tnom_in,
        wall_design_in=section.tdes_in,
        pole_fy_ksi=fy_pole,
        plate_thickness_in=plate.plate_thickness_in,
    )
    _weld_notes(notes, weld.type)
    pier = evolve(pier, reinforcement=_pier_reinforcement(inp, loads, pier, anchors, notes))
    return BasePlate(plate=plate, anchors=anchors, plate_weight_lb=plate_weight, weld=weld), pier


def _weld_notes(notes: Notes, kind: str) -> None:
    notes.assume(
        "Pole-to-plate weld all round treated as a line (elastic method): normal force per inch "
        "M/S_w + P/L_w and shear V/(L_w/2) + T/(2 A_w) combined as a resultant; a square pole with the "
        "moment toward its corner (the smaller S_w); E70 electrode; the directional increase of Eq. J2-5 "
        "is not taken (the weld ring is loaded out of its plane).",
        "AISC 360-16 Sec. J2.4 (Eq. J2-3, Table J2.5); line method: stated engineering assumption",
    )
    notes.assume(
        "Fillet size from the demand, at least the Table J2.4 minimum for the thinner part joined; "
        + (
            "no fillet up to 5/8 in carries the demand: CJP groove weld, its strength the pole wall's."
            if kind == "cjp"
            else "the pole wall beside it is checked by the pole's own checks."
        ),
        "AISC 360-16 Table J2.4, J2.5, Sec. J4.1",
    )


def _pier_reinforcement(
    inp: SignInput, loads: SignLoads, pier: PierDesign, anchors: AnchorDesign, notes: Notes
) -> PierReinforcement:
    """Bars and ties of the pier for the largest strength-level (1.0W) moment, shear and torsion of
    the load cases at the pier top (pier top at grade)."""
    moment = shear = torsion = depth = 0.0
    m_case = v_case = t_case = ""
    for p in loads.per_pole:
        acts = pier_actions(
            moment_kip_in=p.moment_ft_lb * 12.0 / 1000.0,
            shear_kip=p.lateral_lb / 1000.0,
            torsion_kip_in=p.torsion_ft_lb * 12.0 / 1000.0,
            depth_ft=pier.embedment_ft,
        )
        if acts.moment_kip_in > moment:
            moment, depth, m_case = acts.moment_kip_in, acts.zero_shear_depth_in, p.case
        if acts.shear_kip > shear:
            shear, v_case = acts.shear_kip, p.case
        if acts.torsion_kip_in > torsion:
            torsion, t_case = acts.torsion_kip_in, p.case
    r = design_pier_reinforcement(
        shape=pier.shape,
        width_ft=pier.diameter_ft,
        depth_ft=pier.embedment_ft,
        fc_psi=anchors.concrete_fc_psi,
        moment_kip_in=moment,
        shear_kip=shear,
        torsion_kip_in=torsion,
        moment_depth_in=depth,
    )
    r = _explain_pier(r, m_case=m_case, v_case=v_case, t_case=t_case, fc_psi=anchors.concrete_fc_psi)
    notes.assume(
        "Pier under the base plate designed at strength level 1.0W with Pu = 0 (the dead load's axial "
        "compression neglected: conservative for a tension-controlled section); moment and shear from a "
        "rigid pier rotating in soil whose modulus grows linearly with depth: largest moment at zero shear "
        f"({depth / 12.0:.2f} ft below the top), largest shear at the top or at the rotation point.",
        "ACI 318-19 Sec. 5.3 (strength), 22.2-22.5; pier actions: stated engineering assumption",
    )
    notes.assume(
        f"Pier bars: {r.bar_count} {r.bar_size} Grade 60 on a {r.bar_circle_in:g} in circle, "
        f"{r.tie_size} ties at {r.tie_spacing_in:g} in, {r.cover_in:g} in cover; minimum steel 0.005 Ag and "
        "6 bars; a square pier's strength taken on its inscribed circle.",
        clause("piers", "min_steel_ratio") + "; " + clause("piers", "cover_in"),
    )
    if torsion > 0.0:
        notes.assume(
            "Single-pole pier under Case B torsion: "
            + (
                "above the threshold, closed ties designed for torsion (theta 45 deg) and Al taken from "
                "the bars' flexural area."
                if r.closed_ties_for_torsion
                else f"below the threshold phi Tth = {r.threshold_torsion_kip_in:.4g} kip-in, neglected."
            ),
            "ACI 318-19 Sec. 22.7.1.1, 22.7.4.1, 22.7.6.1",
        )
    return r


def _explain_pier(
    r: PierReinforcement, *, m_case: str, v_case: str, t_case: str, fc_psi: float
) -> PierReinforcement:
    """The pier checks labelled (case, combination) and written out with the numbers used."""
    combination = "strength 1.0W, Pu = 0"
    bars = (
        f"{r.bar_count} {r.bar_size} on a {qty(r.bar_circle_in, 'in')} circle, "
        f"As = {qty(r.steel_area_in2, 'in^2')}"
    )
    texts = {
        "pier longitudinal steel (minimum)": (
            "",
            "As,min = 0.005 Ag (+ Al) <= n Ab",
            f"As,min = {qty(r.min_steel_area_in2, 'in^2')}, "
            f"Al = {qty(r.torsion_longitudinal_in2, 'in^2')}; {bars}",
        ),
        "pier flexure": (
            m_case,
            "Mu (at zero shear) <= phi Mn (strain compatibility, eps_cu = 0.003, Whitney block)",
            f"Mu = {qty(r.moment_kip_in, 'kip_in')} at {qty(r.moment_depth_in, 'in')} below the top; {bars}, "
            f"f'c = {num(fc_psi)} psi; phi Mn = {qty(r.phi_mn_kip_in, 'kip_in')}",
        ),
        "pier shear": (
            v_case,
            "Vu <= phi (Vc + Vs), Vc = 2 sqrt(f'c) bw d, Vs = Av fyt d / s (bw = D, d = 0.8 D)",
            f"Vu = {qty(r.shear_kip, 'kip')}; {r.tie_size} ties at {qty(r.tie_spacing_in, 'in')}; "
            f"phi Vn = {qty(r.phi_vn_kip, 'kip')}",
        ),
        "pier tie spacing": (
            "",
            "s <= min(16 db, 48 dtie, D) (d/2, ph/8, 12 in where they apply)",
            f"s = {qty(r.tie_spacing_in, 'in')}",
        ),
    }
    out = []
    for c in r.checks:
        case, formula, sub = texts.get(c.name, ("", "", ""))
        if c.name.startswith("pier torsion"):
            case = t_case
            formula = (
                "Tu <= phi Tth = phi sqrt(f'c) Acp^2 / pcp (neglected below)"
                if "threshold" in c.name
                else "Tu <= phi 2 Ao At fyt / s (Ao = 0.85 Aoh, theta 45 deg)"
                if "closed" in c.name
                else "sqrt((Vu/(bw d))^2 + (Tu ph/(1.7 Aoh^2))^2) <= phi (Vc/(bw d) + 8 sqrt(f'c))"
            )
            sub = (
                f"Tu = {qty(r.torsion_kip_in, 'kip_in')}, "
                f"phi Tth = {qty(r.threshold_torsion_kip_in, 'kip_in')}"
            )
        amounts, d_text, c_text = demand_capacity(c.demand, c.capacity, c.unit)
        out.append(
            check(
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
        )
    return evolve(r, checks=tuple(out))


def bill_of_materials(
    section: Section,
    grade: str,
    count: int,
    pole_length_ft: float,
    pier: PierDesign,
    base_plate: BasePlate | None,
) -> BillOfMaterials:
    """Step 5: steel, plates, anchor rods and concrete for all poles."""
    steel_lb = pole_length_ft * section.w_plf * count
    plate_weight = base_plate.plate_weight_lb if base_plate is not None else 0.0
    plates: tuple[PlateItem, ...] = ()
    anchor_bolts: tuple[AnchorBoltItem, ...] = ()
    if base_plate is not None:
        plate, anchors = base_plate.plate, base_plate.anchors
        plates = (
            PlateItem(
                "base plate",
                plate.plate_grade,
                count,
                plate.plate_width_in,
                plate.plate_thickness_in,
                plate_weight * count,
            ),
        )
        anchor_bolts = (
            AnchorBoltItem(
                plate.anchor_grade, plate.bolt_count * count, plate.bolt_diameter_in, anchors.anchor_length_in
            ),
        )
    rebar = (
        pier_rebar(pier.reinforcement, depth_ft=pier.embedment_ft, piers=count)
        if pier.reinforcement is not None
        else ()
    )
    return BillOfMaterials(
        steel=(SteelItem("pole", section.label, grade, count, pole_length_ft, section.w_plf, steel_lb),),
        plates=plates,
        anchor_bolts=anchor_bolts,
        concrete=(
            ConcreteItem(
                "pier", pier.shape, count, pier.diameter_ft, pier.embedment_ft, pier.concrete_yd3 * count
            ),
        ),
        steel_weight_lb=steel_lb + plate_weight * count,
        concrete_yd3=pier.concrete_yd3 * count,
        rebar=rebar,
        rebar_weight_lb=sum(r.weight_lb for r in rebar),
    )


def _snapshot(notes: Notes) -> Notes:
    return Notes(
        list(notes.assumptions),
        list(notes.warnings),
        notes.confidence,
        set(notes._seen),
        set(notes._penalties),
    )


def _gust(
    inp: SignInput, loads: SignLoads, n1: float, g_used: float, iterations: int, notes: Notes | None
) -> GustEffect:
    """The gust-effect factor for the pole of natural frequency ``n1``: G = 0.85 when rigid, Gf of
    Sec. 26.11.5 when n1 < 1 Hz (with the terms a reviewer checks); ``g_used`` is the factor the loads
    were computed with. Writes its assumptions when ``notes`` is given."""
    beta = inp.criteria.damping_ratio
    flexible = n1 < value("wind", "flexible_frequency_hz")
    gust = GustEffect(n1, flexible, beta, g_used, iterations=iterations)
    if flexible:
        depth_ft = max((c.depth_in if c.depth_in is not None else 12.0) for c in inp.cabinets) / 12.0
        f = gust_factor_flexible(
            code=inp.code,
            exposure=inp.site.exposure,
            wind_speed_mph=inp.site.wind_speed_mph,
            n1_hz=n1,
            damping_ratio=beta,
            height_ft=loads.top_ft,
            width_ft=loads.sign_width_ft,
            depth_ft=depth_ft,
        )
        gust = evolve(
            gust, gf=f.gf, z_bar_ft=f.z_bar_ft, iz=f.iz, lz_ft=f.lz_ft, q=f.q, vz_fps=f.vz_fps, r=f.r, gr=f.gr
        )
    if notes is None:
        return gust
    notes.assume(
        f"Natural frequency n1 = {n1:.3g} Hz by Rayleigh's method: one pole fixed at the base as a "
        "cantilever, its share of the cabinet mass at the cabinet centroid plus the pole's self-weight "
        "along its height, static deflected shape of a point load at the centroid.",
        "ASCE 7 Sec. 26.2 (flexible: n1 < 1 Hz); Rayleigh quotient (stated engineering model)",
    )
    margin = value("wind", "fixed_base_frequency_margin")
    if n1 < margin * value("wind", "flexible_frequency_hz"):
        notes.warn(
            "fixed_base_frequency",
            f"n1 = {n1:.2f} Hz assumes a fixed base: the rotation of the pier in the soil (and a base "
            "plate's flexibility) lowers it; a geotechnical spring would give a lower n1 and a larger Gf.",
        )
    if flexible:
        assert gust.gf is not None
        notes.assume(
            f"Flexible structure (n1 < 1 Hz): gust-effect factor Gf = {gust.gf:.3f} by Eq. 26.11-10 "
            f"(h = {loads.top_ft:g} ft, B = sign width {loads.sign_width_ft:g} ft, L = cabinet depth, "
            f"damping ratio {beta:g}), floored at the rigid 0.85; G = {g_used:.3f} used for the sign and "
            "the poles.",
            clause("wind", "gust_flexible"),
        )
        if beta == value("wind", "damping_ratio_default"):
            notes.assume(
                f"Damping ratio {beta:g} (default for steel).", clause("wind", "damping_ratio_default")
            )
        notes.assume(
            "Turbulence constants of Table 26.11-1; for ASCE 7-22 the 7-16 values (unverified).",
            clause("wind", "gust_flexible"),
        )
        if inp.code == "asce7-22":
            notes.penalise("asce7-22 Table 26.11-1 unverified", 0.05)
        if iterations > 1:
            notes.assume(
                f"Gf and the pole found together in {iterations} passes: loads with G, the lightest pole "
                "for them, its n1 and Gf, until the pole's Gf is no larger than the G used "
                "(G never lowered).",
                clause("wind", "gust_flexible"),
            )
    return gust


def _with_gust_step(wind: Wind, gust: GustEffect) -> Wind:
    """The wind's gust-effect step restated with the pole's natural frequency (known only once the
    pole is chosen) and, for a flexible structure, the terms of Eq. 26.11-10."""
    n1 = gust.natural_frequency_hz
    if gust.flexible and gust.gf is not None:
        new = step(
            "Gust-effect factor (flexible structure)",
            "Gf",
            "Gf = 0.925 (1 + 1.7 Iz sqrt(gQ^2 Q^2 + gR^2 R^2)) / (1 + 1.7 gv Iz), at least 0.85; "
            "n1 by Rayleigh's method (fixed base)",
            f"n1 = {num(n1)} Hz < 1 Hz, beta = {num(gust.damping_ratio)}, Iz = {num(gust.iz or 0.0)}, "
            f"Q = {num(gust.q or 0.0)}, gR = {num(gust.gr or 0.0)}, R = {num(gust.r or 0.0)}: "
            f"Gf = {num(gust.gf)}; G used = max(Gf, 0.85) over the passes",
            gust.g,
            "",
            clause("wind", "gust_flexible"),
        )
    else:
        new = step(
            "Gust-effect factor (rigid structure)",
            "G",
            "G = 0.85 when n1 >= 1 Hz; n1 by Rayleigh's method (fixed base)",
            f"n1 = {num(n1)} Hz >= 1 Hz: G",
            gust.g,
            "",
            clause("wind", "gust_factor_rigid"),
        )
    steps = tuple(new if st.symbol in ("G", "Gf") else st for st in wind.steps)
    return evolve(wind, steps=steps)


def design_sign(inp: SignInput, notes: Notes) -> SignDesign:
    """The ``sign`` kind. See the module docstring and docs/engineering.md for the method."""
    rigid = value("wind", "gust_factor_rigid")
    before = _snapshot(notes)
    loads = design_loads(inp, notes)
    pole = select_sign_pole(inp, loads, notes)
    g_used = rigid
    iterations = 1
    gust = _gust(inp, loads, pole.natural_frequency_hz, g_used, iterations, None)
    if gust.flexible:
        # Flexible: the pole sets n1, n1 sets Gf, Gf sets the loads and so the pole. G only grows, so
        # the loop ends (finite catalogue); at the end the chosen pole's Gf is at most the G used.
        limit = 8
        while design_gust_factor(gust.natural_frequency_hz, gust.gf) > g_used + 1e-9 and iterations < limit:
            g_used = design_gust_factor(gust.natural_frequency_hz, gust.gf)
            iterations += 1
            trial = Notes()
            loads = design_loads(inp, trial, gust_factor=g_used)
            pole = select_sign_pole(inp, loads, trial)
            gust = _gust(inp, loads, pole.natural_frequency_hz, g_used, iterations, None)
        if iterations > 1:  # the notes of the rigid pass no longer apply: state the final pass's
            notes.assumptions, notes.warnings = before.assumptions, before.warnings
            notes.confidence, notes._seen = before.confidence, before._seen
            notes._penalties = before._penalties
            loads = design_loads(inp, notes, gust_factor=g_used)
            pole = select_sign_pole(inp, loads, notes)
        if gust.gf is not None and gust.gf > g_used + 1e-9:
            notes.warn("gust_not_converged", f"Gf did not settle in {limit} passes; G = {g_used:.3f} used.")
    gust = _gust(inp, loads, pole.natural_frequency_hz, g_used, iterations, notes)
    loads = evolve(loads, wind=_with_gust_step(loads.wind, gust))
    loads = with_pole_wind(loads, CATALOGUE[pole.design.designation], notes)
    section = CATALOGUE[pole.design.designation]
    n = loads.count
    soil = inp.foundation
    per_ft = lateral_bearing(soil.soil_class, soil.lateral_bearing_psf_per_ft, notes)
    base_plate: BasePlate | None = None
    checks: tuple[Check, ...]
    if inp.supports.mount == "direct_burial":
        pier = design_foundation(
            inp,
            loads,
            section,
            notes,
            per_ft=per_ft,
            min_width_in=section.footprint_in + value("foundation", "backfill_oversize_in"),
        )
        pole_length = loads.top_ft + pier.embedment_ft
        notes.assume(
            "Embedded pole length = height above grade + full pier depth (bill of materials).",
            "estimating default",
        )
        checks = pole.design.checks + (pier.embedment_check, pier.backfill_check)
    else:
        base_plate, pier = design_base_plate_and_pier(inp, loads, section, notes, per_ft=per_ft)
        pole_length = loads.top_ft
        # The pole is not embedded: no backfill annulus to check.
        assert pier.reinforcement is not None
        checks = pole.design.checks + base_plate.checks + (pier.embedment_check,) + pier.reinforcement.checks
    if n == 1 and any(p.torsion_ft_lb > 0 for p in loads.per_pole):
        notes.assume(
            "Torsion on a single pier (Case B): the soil's resistance (skin friction) is not checked"
            + ("; the pier section is (ACI 318-19 Sec. 22.7)." if base_plate is not None else "."),
            "IBC 2021 Sec. 1807.3 (lateral only)",
        )
        notes.penalise("single-pier torsion unchecked", 0.05)

    pole_weight_each = section.w_plf * loads.top_ft
    plate_weight = base_plate.plate_weight_lb if base_plate is not None else 0.0
    return SignDesign(
        geometry=Geometry(
            top_height_ft=loads.top_ft,
            sign_height_ft=loads.sign_height_ft,
            sign_width_ft=loads.sign_width_ft,
            area_ft2=loads.wind.area_ft2,
            pole_height_ft=loads.top_ft,
            support_count=n,
            spacing_ft=loads.spacing_ft,
            mount=inp.supports.mount,
        ),
        wind=loads.wind,
        dead_load=DeadLoad(
            cabinets_lb=loads.cabinet_lb,
            poles_lb=pole_weight_each * n,
            plates_lb=plate_weight * n,
            total_lb=loads.cabinet_lb + pole_weight_each * n + plate_weight * n,
        ),
        loads_per_pole=loads.per_pole,
        pole=pole,
        foundation=pier,
        base_plate=base_plate,
        checks=checks,
        passed=all(c.passed for c in checks),
        bom=bill_of_materials(section, loads.grade, n, pole_length, pier, base_plate),
        pole_wind=loads.pole_wind,
        gust=gust,
    )


fast_init(globals())
