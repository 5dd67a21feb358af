"""IBC 2021 Sec. 1807.3.2 embedment, Table 1806.2 soil values and concrete volumes."""

import math

import pytest

from domain.engineering.foundations import concrete_yd3, embedment, lateral_bearing, round_up
from domain.engineering.notes import Notes


def _emb(**kw):
    args = dict(
        lateral_force_lb=480,
        force_height_ft=5,
        width_ft=1.5,
        shape="round",
        per_ft=100,
        isolated=False,
        constrained=False,
    )
    args.update(kw)
    return embedment(**args)


def test_forum_case_eq_18_1_converges_to_6_44_ft():
    result = _emb()
    assert result.depth_ft == pytest.approx(6.44, abs=0.005)
    assert result.pressure_psf == pytest.approx(100 * result.depth_ft / 3, rel=1e-5)
    assert 1 < result.iterations < 30


def test_forum_case_with_isolated_pole_doubling_gives_about_4_88_ft():
    assert _emb(isolated=True).depth_ft == pytest.approx(4.88, abs=0.01)


def test_eq_18_1_solution_satisfies_the_equation_at_its_own_s1():
    r = _emb(lateral_force_lb=1500, force_height_ft=17, width_ft=2.0, per_ft=150)
    assert r.depth_ft < 12
    a = 2.34 * 1500 / (r.pressure_psf * 2.0)
    assert r.depth_ft == pytest.approx(0.5 * a * (1 + math.sqrt(1 + 4.36 * 17 / a)), rel=1e-9)
    assert r.pressure_psf == pytest.approx(150 * r.depth_ft / 3, rel=1e-5)


def test_constrained_case_matches_the_closed_form_of_eq_18_2():
    r = _emb(constrained=True)
    assert r.depth_ft == pytest.approx((4.25 * 480 * 5 / (100 * 1.5)) ** (1 / 3), rel=1e-5)


def test_square_footing_uses_its_diagonal_as_b():
    square = _emb(shape="square", width_ft=1.5)
    round_ = _emb(width_ft=1.5 * math.sqrt(2))
    assert square.effective_width_ft == pytest.approx(1.5 * math.sqrt(2))
    assert square.depth_ft == pytest.approx(round_.depth_ft)


def test_lateral_pressure_is_computed_with_d_not_over_12_ft():
    r = _emb(lateral_force_lb=20000, force_height_ft=20)
    assert r.depth_ft > 12
    assert r.pressure_psf == pytest.approx(100 * 12 / 3)


def test_lateral_pressure_never_exceeds_15_times_the_tabular_value():
    from domain.engineering.foundations import _pressure

    assert _pressure(100, 12, 1.0, True) == pytest.approx(1500)  # 2 x 100 x 12 = 2400 -> capped at 15 x 100


def test_soil_class_values_come_from_table_1806_2_and_default_to_class_5():
    notes = Notes()
    assert [lateral_bearing(c, None, notes) for c in (1, 2, 3, 4, 5)] == [1200, 400, 200, 150, 100]
    assert lateral_bearing(None, 275.0, notes) == 275.0
    fresh = Notes()
    assert lateral_bearing(None, None, fresh) == 100
    assert any(w.code == "soil_assumed" for w in fresh.warnings)


def test_concrete_volume_of_round_and_square_piers():
    assert concrete_yd3("round", 2.0, 9.0) == pytest.approx(math.pi * 1.0 * 9 / 27)
    assert concrete_yd3("square", 2.0, 9.0) == pytest.approx(4 * 9 / 27)


def test_round_up_to_half_foot_tolerates_float_noise():
    assert round_up(6.44, 0.5) == 6.5
    assert round_up(6.5000000000001, 0.5) == 6.5
    assert round_up(6.51, 0.5) == 7.0
