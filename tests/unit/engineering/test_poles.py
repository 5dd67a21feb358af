"""AISC 360-16 pole checks on the AISC v16 catalogue: F8 / F7 flexure, allowables, selection."""

import pytest

from domain.engineering.poles import Demand, check_pole, flexure, select_pole, shear_strength
from domain.engineering.sections import CATALOGUE, designations

E = 29000.0


@pytest.mark.parametrize(("fy", "lambda_p"), [(35, 58.0), (42, 48.3), (46, 44.1), (50, 40.6)])
def test_f8_compact_limit_lambda_p_at_each_grade(fy, lambda_p):
    assert flexure(CATALOGUE["Pipe8STD"], fy).lambda_p == pytest.approx(lambda_p, abs=0.05)


@pytest.mark.parametrize(
    ("label", "fy", "compactness"),
    [
        ("Pipe24STD", 35, "noncompact"),  # D/t 68.8 > 58.0
        ("HSS10.750X0.250", 46, "noncompact"),  # D/t 46.1 > 44.1
        ("HSS10.750X0.250", 42, "compact"),  # 46.1 <= 48.3
        ("Pipe8STD", 50, "compact"),
        ("HSS28.000X0.500", 50, "noncompact"),  # 60.2 between 40.6 and 310
    ],
)
def test_f8_classification_of_reference_sections(label, fy, compactness):
    assert flexure(CATALOGUE[label], fy).compactness == compactness


def test_compact_round_allowable_is_fy_z_over_omega_from_the_catalogue():
    s = CATALOGUE["Pipe8STD"]
    f = flexure(s, 35)
    assert f.mn_kip_in == pytest.approx(35 * 20.8)  # Zx = 20.8 in3 from AISC v16
    assert f.clause.endswith("F8-1")
    assert f.mn_kip_in / 1.67 == pytest.approx(435.93, abs=0.01)


def test_noncompact_round_uses_f8_2_with_the_aisc_elastic_modulus():
    s = CATALOGUE["Pipe24STD"]
    assert flexure(s, 35).mn_kip_in == pytest.approx((0.021 * E / 68.8 + 35) * 152)


def test_slender_round_uses_f8_3():
    s = CATALOGUE["HSS28.000X0.500"]
    f = flexure(s, 180)  # artificial Fy: 0.31 E/Fy = 49.9 < D/t 60.2 < 0.45 E/Fy = 72.5
    assert f.compactness == "slender"
    assert f.mn_kip_in == pytest.approx(0.33 * E / 60.2 * s.sx_in3)


def test_tdes_based_properties_are_the_aisc_values_not_nominal():
    assert CATALOGUE["Pipe4STD"].sx_in3 == 3.03  # nominal-wall packages print 3.21
    assert CATALOGUE["Pipe4STD"].tdes_in == 0.221


def test_square_hss_uses_f7_with_flange_limits():
    compact = CATALOGUE["HSS8X8X1/2"]
    assert flexure(compact, 50).compactness == "compact"
    nonc = CATALOGUE["HSS8X8X1/4"]  # b/t 31.3 between 27.0 and 33.7
    f = flexure(nonc, 50)
    mp = 50 * nonc.zx_in3
    expected = mp - (mp - 50 * nonc.sx_in3) * (3.57 * 31.3 * (50 / E) ** 0.5 - 4.0)
    assert f.compactness == "noncompact" and f.mn_kip_in == pytest.approx(expected)
    slender = flexure(CATALOGUE["HSS22X22X1/2"], 50)
    assert slender.compactness == "slender"
    assert slender.mn_kip_in < 50 * CATALOGUE["HSS22X22X1/2"].sx_in3


def test_round_shear_is_capped_at_0_6_fy_times_half_the_area():
    s = CATALOGUE["Pipe8STD"]
    vn, clause = shear_strength(s, 35, 240)
    assert vn == pytest.approx(0.6 * 35 * 7.85 / 2) and "G5" in clause


def _demand(m_kip_in, v=1.0, t=0.0, p=0.0, service=0.0, height_in=200.0):
    return Demand("A", m_kip_in, v, t, p, service, height_in)


def test_selection_returns_the_lightest_passing_section_of_the_family():
    demands = [_demand(300.0, service=0.5)]
    chosen, alternatives = select_pole(
        family="pipe",
        grade="A53B",
        method="asd",
        demands=demands,
        height_ft=20,
        deflection_limit_n=80,
        designation=None,
    )
    brute = [
        label
        for label in designations("pipe")
        if check_pole(CATALOGUE[label], 35, "asd", demands, 20, 80).passed
    ]
    assert chosen.designation == brute[0]
    assert [a.designation for a in alternatives] == brute[1:6]
    weights = [chosen.w_plf] + [a.w_plf for a in alternatives]
    assert weights == sorted(weights)


def test_selection_reports_the_best_failing_section_when_nothing_passes():
    chosen, alternatives = select_pole(
        family="pipe",
        grade="A53B",
        method="asd",
        demands=[_demand(1e6)],
        height_ft=20,
        deflection_limit_n=80,
        designation=None,
    )
    assert not chosen.passed and alternatives == ()


def test_lrfd_uses_phi_0_9_and_asd_omega_1_67():
    s = CATALOGUE["Pipe8STD"]
    asd = check_pole(s, 35, "asd", [_demand(100)], 20, None)
    lrfd = check_pole(s, 35, "lrfd", [_demand(100)], 20, None)
    assert asd.allowable_kip_in == pytest.approx(35 * 20.8 / 1.67)
    assert lrfd.allowable_kip_in == pytest.approx(0.9 * 35 * 20.8)


def test_significant_torsion_enters_the_h3_6_interaction():
    s = CATALOGUE["Pipe4STD"]
    small = check_pole(s, 35, "asd", [_demand(50, v=1, t=1)], 20, None)
    large = check_pole(s, 35, "asd", [_demand(50, v=1, t=40)], 20, None)
    combined = {c.name: c for c in large.checks}["pole combined forces"]
    assert combined.clause.endswith("H3-6")
    assert {c.name: c for c in small.checks}["pole combined forces"].clause.endswith("H1-1b")


def test_cantilever_deflection_at_the_top_uses_p_a2_3l_minus_a_over_6ei():
    s = CATALOGUE["Pipe8STD"]
    r = check_pole(s, 35, "asd", [_demand(100, service=1.0, height_in=180)], 20, 80)
    expected = 1.0 * 180**2 * (3 * 240 - 180) / (6 * E * s.ix_in4)
    assert r.deflection_in == pytest.approx(expected)
    defl = {c.name: c for c in r.checks}["pole deflection"]
    assert defl.capacity == pytest.approx(240 / 80)
