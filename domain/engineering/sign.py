"""Whole-sign design: wind -> per-pole load cases -> pole selection -> footing or base plate -> BOM.

Why per-case demands instead of one envelope: Case B adds torsion at the same force, Case C can carry
a larger force with less torsion, and the H3-6 interaction is not monotone in a mixed envelope; each
case is checked as it acts and the worst ratio governs (ASCE 7 Fig. 29.3-1 requires each case).
"""

from __future__ import annotations

import math
from typing import Any

from .base_plates import AnchorLoads, anchor_concrete, design_base_plate
from .checks import check
from .constants import CONSTANTS, clause, value
from .foundations import (
    check_embedment_limit,
    concrete_yd3,
    embedment,
    embedment_assumptions,
    lateral_bearing,
    round_up,
    soil_field,
)
from .notes import Notes
from .poles import Demand, E, pole_assumptions, select_pole
from .schemas import SignInput
from .sections import CATALOGUE, default_grade
from .wind import Panel, sign_wind

_G_IN_S2 = 386.09  # gravity, in/s^2 (natural frequency estimate)


def _pier(
    *,
    notes: Notes,
    inp: SignInput,
    min_width_in: float,
    footprint_in: float,
    lateral_asd_lb: float,
    height_ft: float,
    per_ft: float,
) -> dict[str, Any]:
    """Size one pier: the given diameter, or the smallest 6 in step >= ``min_width_in`` whose required
    depth is at most the auto depth limit (a named default, not a code value)."""
    fdn = inp.foundation
    step_in = value("foundation", "diameter_step_in")
    oversize = value("foundation", "backfill_oversize_in")
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
                f"the wind on the cabinets ({inp.site.wind_speed_mph:g} mph) drives it: a smaller sign "
                "or more poles reduce the force per pier",
            ),
        ],
    )
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
    depth = round_up(emb.depth_ft, value("foundation", "embedment_rounding_ft"))
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
    checks = [
        check("embedment depth", emb.depth_ft, depth, "ft", emb.equation),
        check(
            "pier width for backfill",
            (footprint_in + oversize) / 12.0,
            width,
            "ft",
            clause("foundation", "backfill_oversize_in"),
        ),
    ]
    return {
        "shape": fdn.shape,
        "diameter_ft": width,
        "diameter_chosen": chosen,
        "b_ft": emb.effective_width_ft,
        "lateral_force_asd_lb": lateral_asd_lb,
        "force_height_ft": height_ft,
        "lateral_bearing_psf_per_ft": per_ft,
        "s1_psf": emb.pressure_psf,
        "iterations": emb.iterations,
        "equation": emb.equation,
        "required_embedment_ft": emb.depth_ft,
        "embedment_ft": depth,
        "concrete_yd3": concrete_yd3(fdn.shape, width, depth),
        "checks": checks,
    }


def _frange(start: float, stop: float, step: float) -> list[float]:
    count = int(math.floor((stop - start) / step + 1e-9)) + 1
    return [start + i * step for i in range(count)]


def design_sign(inp: SignInput, notes: Notes) -> dict[str, Any]:
    """The ``sign`` kind. See the module docstring and docs/engineering.md for the method."""
    method = inp.criteria.method
    sup = inp.supports
    family = CATALOGUE[sup.designation].family if sup.designation else sup.family
    grade = sup.grade or default_grade(family)
    if sup.grade is None:
        notes.assume(f"Grade {grade} (default for {family}).", CONSTANTS["steel"]["default_grade"]["clause"])

    # --- geometry: cabinets stacked top first, the lowest at the clearance ---
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

    wind, cases = sign_wind(
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
    )

    # --- dead load ---
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

    # --- supports and per-pole load cases ---
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
            "ASCE 7 Fig. 29.3-1 Case B; engineering reference Sec. 1",
        )
    w_factor = value("wind", "asd_wind_factor") if method == "asd" else value("wind", "lrfd_wind_factor")
    d_factor = 1.0 if method == "asd" else 1.2
    defl_factor = value("pole", "deflection_wind_factor")
    per_pole: list[dict[str, Any]] = []
    demands: list[Demand] = []
    for case in cases:
        if n == 1:
            lateral, torsion = case.force_lb, case.torsion_ft_lb
        else:
            assert spacing is not None
            lateral, torsion = case.force_lb / 2.0 + case.torsion_ft_lb / spacing, 0.0
        per_pole.append(
            {
                "case": case.name,
                "lateral_lb": lateral,
                "height_ft": case.height_ft,
                "moment_ft_lb": lateral * case.height_ft,
                "torsion_ft_lb": torsion,
            }
        )
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

    pole, alternatives = select_pole(
        family=family,
        grade=grade,
        method=method,
        demands=demands,
        height_ft=top,
        deflection_limit_n=limit_n,
        designation=sup.designation,
        self_weight_factor=d_factor,
    )
    pole_assumptions(notes, method, family, grade)
    section = CATALOGUE[pole["designation"]]
    if sup.designation is None:
        notes.assume(
            "Pole auto-selected: lightest section of the family passing every check (sorted by weight).",
            "AISC 360-16 Ch. F, G, H; selection rule (named default)",
        )
        if not pole["pass"]:
            notes.warn(
                "no_passing_section",
                f"No {family} section in grade {grade} passes; the best one is reported.",
            )

    # Natural frequency of one pole with the cabinet mass lumped at the resultant height (Sec. 26.2).
    y = cases[0].height_ft * 12.0
    stiffness = 3.0 * E * section.ix_in4 / y**3
    mass = (cabinet_lb / n + 0.24 * section.w_plf * top) / 1000.0 / _G_IN_S2
    n1 = math.sqrt(stiffness / mass) / (2.0 * math.pi) if mass > 0 else math.inf
    if n1 < value("wind", "flexible_frequency_hz"):
        notes.warn(
            "flexible",
            f"Estimated natural frequency {n1:.2f} Hz < 1 Hz: the structure is flexible and G "
            "should be computed per ASCE 7 Sec. 26.11.5 (Gf); G = 0.85 was used.",
        )
        notes.penalise("flexible structure", 0.15)
    notes.assume(
        "Natural frequency estimated as a cantilever with the cabinet and 24 % of the pole mass at the "
        "resultant height.",
        clause("wind", "flexible_frequency_hz"),
    )

    checks: list[dict[str, Any]] = list(pole.pop("checks"))
    pole["alternatives"] = alternatives
    pole["grade"] = grade
    pole["chosen"] = sup.designation is None
    pole["natural_frequency_hz"] = n1
    pole["height_ft"] = top

    # --- foundation ---
    soil = inp.foundation
    per_ft = lateral_bearing(soil.soil_class, soil.lateral_bearing_psf_per_ft, notes)
    asd = value("wind", "asd_wind_factor")
    governing = max(per_pole, key=lambda p: p["lateral_lb"])
    lateral_asd = asd * governing["lateral_lb"]
    base_plate: dict[str, Any] | None = None
    plate_weight = 0.0
    pole_weight_each = section.w_plf * top
    oversize = value("foundation", "backfill_oversize_in")
    if sup.mount == "direct_burial":
        foundation = _pier(
            notes=notes,
            inp=inp,
            min_width_in=section.footprint_in + oversize,
            footprint_in=section.footprint_in,
            lateral_asd_lb=lateral_asd,
            height_ft=governing["height_ft"],
            per_ft=per_ft,
        )
        pole_length = top + foundation["embedment_ft"]
        notes.assume(
            "Embedded pole length = height above grade + full pier depth (bill of materials).",
            "estimating default",
        )
    else:
        options = inp.base_plate.model_dump() if inp.base_plate else {}
        dead_each = (cabinet_lb / n + pole_weight_each) / 1000.0
        loads = [
            AnchorLoads(
                p["case"],
                p["moment_ft_lb"] * 12.0 / 1000.0,
                p["lateral_lb"] / 1000.0,
                p["torsion_ft_lb"] * 12.0 / 1000.0,
                dead_each,
            )
            for p in per_pole
        ]
        base_plate = design_base_plate(
            loads=loads,
            method=method,
            pole_od_in=section.od_in,
            pole_footprint_in=section.footprint_in,
            options=options,
            notes=notes,
            pier_in=inp.foundation.diameter_ft * 12.0 if inp.foundation.diameter_ft is not None else None,
        )
        edge = value("anchors", "pier_edge_bolt_diameters") * base_plate["bolt_diameter_in"]
        min_width = max(base_plate["bolt_circle_in"] + 2.0 * edge, base_plate["plate_width_in"])
        foundation = _pier(
            notes=notes,
            inp=inp,
            min_width_in=min_width,
            footprint_in=section.footprint_in,
            lateral_asd_lb=lateral_asd,
            height_ft=governing["height_ft"],
            per_ft=per_ft,
        )
        foundation["checks"] = foundation["checks"][:1]  # the pole is not embedded: no backfill annulus
        anchor_concrete(
            base_plate,
            pier_in=foundation["diameter_ft"] * 12.0,
            pier_depth_ft=foundation["embedment_ft"],
            options=options,
            notes=notes,
        )
        base_plate.pop("_forces")
        checks += base_plate.pop("checks")
        plate_weight = (
            base_plate["plate_width_in"] ** 2
            * base_plate["plate_thickness_in"]
            * value("steel", "density_lb_per_in3")
        )
        base_plate["plate_weight_lb"] = plate_weight
        pole_length = top
        notes.assume(
            "Deflection and pole checks take the base as fixed (plate and anchor flexibility neglected).",
            "engineering reference Sec. 2 (cantilever)",
        )
    checks += foundation.pop("checks")
    if n == 1:
        notes.assume(
            "Torsion on a single pier (Case B) is not checked (skin friction not computed).",
            "IBC 2021 Sec. 1807.3 (lateral only)",
        )

    # --- bill of materials ---
    steel_lb = pole_length * section.w_plf * n
    bom: dict[str, Any] = {
        "steel": [
            {
                "item": "pole",
                "designation": section.label,
                "grade": grade,
                "count": n,
                "length_ft": pole_length,
                "w_plf": section.w_plf,
                "weight_lb": steel_lb,
            }
        ],
        "plates": [],
        "anchor_bolts": [],
        "concrete": [
            {
                "item": "pier",
                "shape": foundation["shape"],
                "count": n,
                "width_ft": foundation["diameter_ft"],
                "depth_ft": foundation["embedment_ft"],
                "yd3": foundation["concrete_yd3"] * n,
            }
        ],
    }
    if base_plate is not None:
        bom["plates"].append(
            {
                "item": "base plate",
                "grade": base_plate["plate_grade"],
                "count": n,
                "width_in": base_plate["plate_width_in"],
                "thickness_in": base_plate["plate_thickness_in"],
                "weight_lb": plate_weight * n,
            }
        )
        bom["anchor_bolts"].append(
            {
                "grade": base_plate["anchor_grade"],
                "count": base_plate["bolt_count"] * n,
                "diameter_in": base_plate["bolt_diameter_in"],
                "length_in": base_plate["anchor_length_in"],
            }
        )
    bom["steel_weight_lb"] = steel_lb + plate_weight * n
    bom["concrete_yd3"] = foundation["concrete_yd3"] * n

    dead = {
        "cabinets_lb": cabinet_lb,
        "poles_lb": pole_weight_each * n,
        "plates_lb": plate_weight * n,
        "total_lb": cabinet_lb + pole_weight_each * n + plate_weight * n,
    }
    return {
        "geometry": {
            "top_height_ft": top,
            "sign_height_ft": s,
            "sign_width_ft": b,
            "area_ft2": wind["area_ft2"],
            "pole_height_ft": top,
            "support_count": n,
            "spacing_ft": spacing,
            "mount": sup.mount,
        },
        "wind": wind,
        "dead_load": dead,
        "loads_per_pole": per_pole,
        "pole": pole,
        "foundation": foundation,
        "base_plate": base_plate,
        "checks": checks,
        "pass": all(c["pass"] for c in checks),
        "bom": bom,
    }
