"""ASCE 7 wind on solid freestanding signs, against the public examples of the reference."""

import math

import pytest

from domain.engineering.notes import Notes
from domain.engineering.wind import (
    Panel,
    case_c_regions,
    cf_cases_ab,
    ke,
    kz,
    opening_factor,
    return_corner_factor,
    sign_wind,
    velocity_pressure,
)


def _wind(**kw):
    args = dict(
        code="asce7-16",
        wind_speed_mph=115,
        exposure="C",
        kzt=1.0,
        ground_elevation_ft=None,
        panels=[Panel(16, 8)],
        top_height_ft=25,
        solid_ratio=1.0,
        return_corner_ft=0.0,
    )
    args.update(kw)
    notes = Notes()
    result = sign_wind(notes=notes, **args)
    return result, result.cases, notes


def test_medeek_example_kz_qz_cf_and_forces_match_the_published_numbers():
    kz_ = kz("asce7-16", "D", 20)
    qz = velocity_pressure("asce7-16", kz_, 1.0, 1.0, 155)
    cf = cf_cases_ab(3 / 20, 1.0)
    force = qz * 0.85 * cf * 7.48
    assert kz_ == pytest.approx(1.083, abs=5e-4)
    assert qz == pytest.approx(56.62, abs=0.01)
    assert cf == pytest.approx(1.80)
    assert force == pytest.approx(648, abs=0.5)
    assert 0.6 * force == pytest.approx(389, abs=0.5)


def test_derived_115_mph_exposure_c_case_matches_kz_qh_cf_force_and_torsion():
    result, cases, _ = _wind()
    assert result.kz == pytest.approx(0.9453, abs=5e-5)
    assert result.qh_psf == pytest.approx(27.20, abs=0.005)
    assert result.cf == pytest.approx(1.79)
    assert result.force_lb == pytest.approx(5298, abs=1)
    assert result.torsion_ft_lb == pytest.approx(16953, abs=1)
    assert result.force_asd_lb == pytest.approx(0.6 * result.force_lb)
    assert result.moment_at_grade_ft_lb == pytest.approx(result.force_lb * 21.0)
    assert [c.name for c in cases] == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("asce7-16", {15: (0.575, 0.849, 1.030), 30: (0.701, 0.982, 1.162), 60: (0.854, 1.137, 1.311)}),
        ("asce7-22", {15: (0.573, 0.851, 1.035), 30: (0.689, 0.980, 1.168), 60: (0.829, 1.129, 1.317)}),
    ],
)
def test_kz_by_formula_matches_the_reference_table_for_both_editions(code, expected):
    for z, values in expected.items():
        for exposure, value in zip("BCD", values, strict=True):
            assert kz(code, exposure, z) == pytest.approx(value, abs=5e-4), (code, exposure, z)


def test_kz_is_floored_at_15_ft():
    assert kz("asce7-16", "C", 3) == kz("asce7-16", "C", 15)


@pytest.mark.parametrize(
    ("elevation", "expected"), [(1000, 0.964), (3000, 0.897), (5000, 0.834), (None, 1.0)]
)
def test_ke_from_ground_elevation(elevation, expected):
    assert ke(elevation) == pytest.approx(expected, abs=5e-4)


def test_asce7_22_applies_kd_once_in_the_force_not_in_qh():
    r16, _, _ = _wind(code="asce7-16")
    r22, _, notes = _wind(code="asce7-22")
    q22 = 0.00256 * r22.kz * 115**2
    assert r22.qh_psf == pytest.approx(q22)
    assert r22.force_lb == pytest.approx(q22 * 0.85 * 0.85 * r22.cf * 128)
    assert r16.qh_psf == pytest.approx(0.00256 * r16.kz * 0.85 * 115**2)
    assert any("unverified" in a.text for a in notes.assumptions)


@pytest.mark.parametrize(
    ("s_over_h", "b_over_s", "cf"),
    [
        (1.0, 0.05, 1.80),
        (1.0, 45, 1.30),
        (0.16, 0.05, 1.95),
        (0.16, 45, 1.95),
        (0.5, 2, 1.70),
        (0.7, 4, 1.60),
        (0.9, 10, 1.40),
        (0.3, 20, 1.85),
        (0.2, 30, 1.90),
    ],
)
def test_cf_cells_of_figure_29_3_1(s_over_h, b_over_s, cf):
    assert cf_cases_ab(s_over_h, b_over_s) == pytest.approx(cf)


def test_cf_interpolates_bilinearly_between_rows_and_columns():
    # s/h 0.6 between rows 0.5 and 0.7; B/s 1.5 between columns 1 and 2
    row05 = 1.75 + 0.5 * (1.70 - 1.75)
    row07 = 1.65 + 0.5 * (1.60 - 1.65)
    assert cf_cases_ab(0.6, 1.5) == pytest.approx((row05 + row07) / 2)
    assert cf_cases_ab(0.32, 2.0) == pytest.approx(1.79)


def test_cf_clamps_outside_the_figure_range():
    assert cf_cases_ab(0.01, 0.001) == pytest.approx(1.95)
    assert cf_cases_ab(0.1, 100) == pytest.approx(1.95)


def test_case_c_regions_follow_the_tabulated_rows():
    regions = case_c_regions(4.0, 0.3)
    assert [(r.start_s, r.end_s, r.cf) for r in regions] == [
        (0, 1, pytest.approx(2.90)),
        (1, 2, pytest.approx(1.90)),
        (2, 3, pytest.approx(1.30)),
        (3, 4, pytest.approx(1.10)),
    ]
    assert [r.cf for r in case_c_regions(13.0, 0.3)] == pytest.approx(
        [4.00, 2.60, 2.00, 1.50, 1.35, 0.90, 0.55]
    )
    assert [r.cf for r in case_c_regions(60.0, 0.3)] == pytest.approx(
        [4.30, 2.55, 1.95, 1.85, 1.85, 1.10, 0.55]
    )


def test_case_c_interpolates_region_by_region_and_takes_the_upper_row_for_new_regions():
    regions = case_c_regions(2.5, 0.3)
    assert [r.cf for r in regions] == pytest.approx([(2.25 + 2.60) / 2, (1.50 + 1.70) / 2, 1.15])
    assert regions[-1].end_s == 2.5


def test_case_c_tall_sign_factor_applies_above_s_over_h_0_8():
    base = case_c_regions(3.0, 0.8)[0].cf
    assert case_c_regions(3.0, 0.9)[0].cf == pytest.approx(base * (1.8 - 0.9))
    assert base == pytest.approx(2.60)


def test_return_corner_reduces_only_starred_values_and_never_extrapolates_below_0_3():
    assert return_corner_factor(0.1) == 1.0
    assert return_corner_factor(0.3) == pytest.approx(0.90)
    assert return_corner_factor(1.0) == pytest.approx(0.75)
    assert return_corner_factor(1.5) == pytest.approx(0.675)
    assert return_corner_factor(5.0) == pytest.approx(0.60)
    starred = case_c_regions(6.0, 0.3, lr_over_s=1.0)
    assert starred[0].starred and starred[0].cf == pytest.approx(3.30 * 0.75)
    assert starred[1].cf == pytest.approx(2.15)
    assert not case_c_regions(4.0, 0.3, lr_over_s=1.0)[0].starred


def test_case_c_is_required_only_when_b_over_s_is_at_least_2():
    narrow, cases, _ = _wind(panels=[Panel(15.9, 8)])
    assert narrow.case_c is None and len(cases) == 2
    wide, _, _ = _wind(panels=[Panel(16, 8)])
    assert wide.case_c is not None
    assert wide.case_c.force_lb == pytest.approx(sum(r.force_lb for r in wide.case_c.regions))


def test_openings_reduce_cf_by_one_minus_one_minus_epsilon_to_the_1_5():
    assert opening_factor(1.0) == 1.0
    assert opening_factor(0.75) == pytest.approx(1 - 0.25**1.5)
    full, _, _ = _wind()
    holed, _, _ = _wind(solid_ratio=0.75)
    assert holed.force_lb == pytest.approx(full.force_lb * (1 - 0.25**1.5))


def test_minimum_16_psf_governs_a_low_wind_sign():
    result, _, notes = _wind(wind_speed_mph=50, exposure="B")
    assert result.minimum_governs
    assert result.force_lb == pytest.approx(16 * 128)
    assert any(w.code == "minimum_load" for w in notes.warnings)


def test_s_over_h_of_1_raises_the_resultant_by_5_percent_of_h():
    result, _, _ = _wind(panels=[Panel(8, 8)], top_height_ft=8)
    assert result.resultant_height_ft == pytest.approx(4 + 0.05 * 8)


def test_stacked_cabinets_put_the_resultant_at_the_area_centroid():
    result, _, _ = _wind(panels=[Panel(10, 4), Panel(6, 2)], top_height_ft=20)
    expected = (40 * 18 + 12 * 15) / 52
    assert result.resultant_height_ft == pytest.approx(expected)
    assert result.area_ft2 == 52 and result.s_ft == 6 and result.b_ft == 10


def test_tall_narrow_sign_is_flagged_as_possibly_flexible():
    _, _, notes = _wind(panels=[Panel(2, 2)], top_height_ft=30)
    assert any(w.code == "possibly_flexible" for w in notes.warnings)
    assert math.isclose(notes.confidence, 0.95)
