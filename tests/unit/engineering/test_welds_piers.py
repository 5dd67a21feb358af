"""Pole-to-plate weld (AISC 360-16 J2), yield-line base plate, and the reinforced pier under a base
plate (ACI 318-19 Ch. 22, 25; IBC 1809.4/1809.5), each against numbers worked by hand."""

from __future__ import annotations

import copy

import pytest

from domain.engineering import calculate
from domain.engineering.base_plates import AnchorLoads, _yield_line, design_weld, min_fillet
from domain.engineering.foundations import depth_floor, design_pier_reinforcement, pier_actions

SMALL_BASE_PLATE = {
    "code": "asce7-16",
    "site": {"wind_speed_mph": 95, "exposure": "C"},
    "cabinets": [{"width_ft": 8, "height_ft": 8}],
    "clearance_ft": 2,
    "supports": {"mount": "base_plate"},
    "foundation": {"soil_class": 2},
}


def test_fillet_weld_is_sized_from_the_demand_with_the_table_j2_4_minimum():
    """Round pole OD 10 in, ASD (0.6W): M = 0.6 x 600 = 360 kip-in, V = 0.6 x 5 = 3 kip.
    Weld line: S_w = pi r^2 = pi x 25 = 78.54 in2, L_w = 31.42 in.
    f_n = 360 / 78.54 = 4.584 kip/in; f_v = 3 / (31.42/2) = 0.191 kip/in; f = 4.588 kip/in.
    Per inch of leg: 0.60 x 70 x 0.7071 / 2.00 = 14.849 kip/in -> w = 4.588 / 14.849 = 0.309 in
    -> 5/16 in (Table J2.4 minimum for a 0.365 in wall: 3/16 in). Capacity 0.3125 x 14.849 = 4.640."""
    loads = [AnchorLoads("A", 600.0, 5.0, 0.0, 0.0)]
    w = design_weld(
        loads=loads,
        method="asd",
        pole_od_in=10.0,
        pole_round=True,
        wall_nominal_in=0.365,
        wall_design_in=0.340,
        pole_fy_ksi=35.0,
        plate_thickness_in=1.0,
    )
    assert w.type == "fillet"
    assert w.force_per_in_kip == pytest.approx(4.588, rel=1e-3)
    assert w.required_size_in == pytest.approx(0.309, rel=2e-3)
    assert w.size_in == 0.3125 and w.min_size_in == 0.1875
    assert w.check.capacity == pytest.approx(4.640, rel=1e-3) and w.check.passed
    assert "J2.4" in w.check.clause and "Table J2.4" in w.check.clause


def test_minimum_fillet_and_cjp_when_no_fillet_works():
    """Table J2.4: 1/4 in -> 1/8, 3/8 -> 3/16, 5/8 -> 1/4, 1 in -> 5/16. Tenfold moment (6000 kip-in):
    f = 45.8 kip/in needs w = 3.09 in > 5/8 in: CJP, checked as the wall (J4.1(a)) 0.340 x 35 / 1.67
    = 7.126 kip/in, which fails (ratio 6.4)."""
    assert [min_fillet(t) for t in (0.25, 0.375, 0.625, 1.0)] == [0.125, 0.1875, 0.25, 0.3125]
    w = design_weld(
        loads=[AnchorLoads("A", 6000.0, 5.0, 0.0, 0.0)],
        method="asd",
        pole_od_in=10.0,
        pole_round=True,
        wall_nominal_in=0.365,
        wall_design_in=0.340,
        pole_fy_ksi=35.0,
        plate_thickness_in=1.0,
    )
    assert w.type == "cjp" and w.size_in == 0.365
    assert w.check.capacity == pytest.approx(0.340 * 35.0 / 1.67, rel=1e-6)
    assert not w.check.passed


def test_yield_line_toward_a_bolt_governs_four_bolts():
    """n = 4, r = 5 in, plate 13 in, round pole OD 4.5 in (c = 2.25 in), ASD M = 0.6 x 100 = 60 kip-in.
    Toward a bolt (side): C = 2 x 60 x 1/(4 x 5) = 6 kip, arm 5 - 2.25 = 2.75 in -> 16.5 kip-in on a
    13 in line (1.269 kip-in/in). Toward a corner: two bolts at y = 3.536 in, C = 4.243 kip,
    2 x 4.243 x 1.286 = 10.91 kip-in on a 2 (6.5 sqrt 2 - 2.25) = 13.885 in line (0.786/in)."""
    m, line = _yield_line(4, 5.0, 6.5, 4.5, True, 0.6, 1.0, [AnchorLoads("A", 100.0, 1.0, 0.0, 0.0)])
    assert m == pytest.approx(16.5, rel=1e-9) and line == pytest.approx(13.0, rel=1e-9)


def test_pier_actions_of_a_rigid_pier():
    """M = 1000 kip-in, V = 5 kip at the top of a 96 in pier: e = 200 in,
    z_r = 96 (288 + 800) / (2 (600 + 192)) = 65.94 in; k = 5 / (65.94 x 96^2/2 - 96^3/3) = 5.593e-4;
    zero shear at z0 = 18.23 in; M = 1000 + 5 x 18.23 - k (65.94 x 18.23^3/6 - 18.23^4/12) = 1059.0;
    shear at z_r: 5 - k 65.94^3/6 = -21.73 kip."""
    a = pier_actions(moment_kip_in=1000.0, shear_kip=5.0, torsion_kip_in=0.0, depth_ft=8.0)
    assert a.rotation_depth_in == pytest.approx(65.94, rel=1e-3)
    assert a.zero_shear_depth_in == pytest.approx(18.23, rel=1e-3)
    assert a.moment_kip_in == pytest.approx(1059.0, rel=1e-3)
    assert a.shear_kip == pytest.approx(21.73, rel=1e-3)


def test_pier_bars_ties_and_torsion_threshold():
    """30 in round pier, f'c 3000: Ag = 706.9 in2, As,min = 0.005 Ag = 3.534 in2; #5 needs 12 bars on
    a 22.625 in circle (5.92 in apart, under 6 in) -> #6: 9 bars = 3.96 in2. #3 ties at
    min(16 x 0.75, 48 x 0.375, 30) = 12 in. phi Tth = 0.75 x 54.77 x 706.9^2 / 94.25 / 1000 = 217.8 kip-in:
    150 kip-in is below (neglected); 400 kip-in needs closed ties (spacing at most ph/8 and 12 in)."""
    r = design_pier_reinforcement(
        shape="round",
        width_ft=2.5,
        depth_ft=8.0,
        fc_psi=3000.0,
        moment_kip_in=1059.0,
        shear_kip=21.7,
        torsion_kip_in=150.0,
    )
    assert (r.bar_count, r.bar_size, r.steel_area_in2) == (9, "#6", pytest.approx(3.96))
    assert r.min_steel_area_in2 == pytest.approx(3.534, rel=1e-3)
    assert (r.tie_size, r.tie_spacing_in) == ("#3", 12.0)
    assert r.threshold_torsion_kip_in == pytest.approx(217.8, rel=1e-3)
    names = {c.name: c for c in r.checks}
    assert names["pier torsion below threshold (neglected)"].passed
    assert all(c.passed for c in r.checks)
    t = design_pier_reinforcement(
        shape="round",
        width_ft=2.5,
        depth_ft=8.0,
        fc_psi=3000.0,
        moment_kip_in=1059.0,
        shear_kip=21.7,
        torsion_kip_in=400.0,
    )
    assert t.closed_ties_for_torsion and t.torsion_longitudinal_in2 > 0
    assert t.tie_spacing_in <= 12.0
    assert {"pier torsion, closed #3 ties", "pier torsion section limit"} <= {c.name for c in t.checks}
    assert all(c.passed for c in t.checks)


def test_base_plate_sign_reports_weld_pier_bars_and_rebar_in_the_bill():
    """The 8 x 8 ft sign on Pipe4STD: 24 in pier 4.5 ft deep; As,min = 0.005 x 452.4 = 2.262 in2 ->
    8 #5 (2.48 in2) on a 16.625 in circle (6.53 in apart). Bars 4.5 - 2 x 3/12 = 4.0 ft: 8 x 4.0 x 1.043
    = 33.38 lb; #3 ties at min(16 x 0.625, 18, 24) = 10 in: floor(48/10) + 1 = 5 hoops of
    (pi x 17.625 + 12)/12 = 5.614 ft, 5 x 5.614 x 0.376 = 10.55 lb."""
    r = calculate("sign", copy.deepcopy(SMALL_BASE_PLATE))["result"]
    pier = r["foundation"]["reinforcement"]
    assert (pier["bar_count"], pier["bar_size"], pier["tie_spacing_in"]) == (8, "#5", 10.0)
    longitudinal, ties = r["bom"]["rebar"]
    assert longitudinal["length_ft"] == 4.0 and longitudinal["weight_lb"] == pytest.approx(33.38, rel=1e-3)
    assert ties["count"] == 5 and ties["length_ft"] == pytest.approx(5.614, rel=1e-3)
    assert r["bom"]["rebar_weight_lb"] == pytest.approx(33.38 + 10.55, rel=1e-3)
    names = {c["name"] for c in r["checks"]}
    assert {"pier flexure", "pier shear", "pier tie spacing", "pier longitudinal steel (minimum)"} <= names
    assert "pier torsion below threshold (neglected)" in names  # single pole, Case B
    assert r["base_plate"]["weld"]["type"] == "fillet"
    assert any(c["name"].startswith("pole-to-plate fillet weld") for c in r["checks"])


def test_frost_depth_is_a_floor_with_its_reason():
    """Required 4.37 ft; a 100 in frost depth (8.33 ft) -> 8.5 ft, reported with IBC 1809.5; without it
    the floor is 12 in (1809.4) and the required depth governs (4.5 ft)."""
    assert depth_floor(None)[0] == 1.0 and depth_floor(100.0)[0] == pytest.approx(8.333, rel=1e-3)
    assert "1809.4" in depth_floor(None)[1] and "1809.5" in depth_floor(100.0)[1]
    payload = copy.deepcopy(SMALL_BASE_PLATE)
    payload["site"]["frost_depth_in"] = 100.0
    env = calculate("sign", payload)
    f = env["result"]["foundation"]
    assert f["embedment_ft"] == 8.5 and f["minimum_embedment_ft"] == pytest.approx(8.333, rel=1e-3)
    assert "1809.5" in f["minimum_embedment_reason"]
    assert any("raised" in a["text"] and "1809.5" in a["clause"] for a in env["assumptions"])
    plain = calculate("sign", copy.deepcopy(SMALL_BASE_PLATE))["result"]["foundation"]
    assert plain["embedment_ft"] == 4.5 and plain["minimum_embedment_ft"] == 1.0
