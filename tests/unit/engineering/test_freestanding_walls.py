"""Solid freestanding walls in the ``wind`` kind (ASCE 7 Sec. 29.3, Fig. 29.3-1), up to 1,000 ft long."""

from __future__ import annotations

import pytest

from domain.engineering import CalcInputError, calculate

WALL = {
    "code": "asce7-16",
    "wind_speed_mph": 115,
    "exposure": "C",
    "width_ft": 1000,
    "height_ft": 6,
    "top_height_ft": 6,
}


def test_a_1000_ft_screen_wall_gets_cases_a_b_and_c_with_their_torsion():
    """1,000 x 6 ft wall at grade (s/h = 1, B/s = 166.7), 115 mph, exposure C, ASCE 7-16.
    Kz at the 15 ft floor = 2.01 (15/900)^(2/9.5) = 0.8489; qh = 0.00256 x 0.8489 x 0.85 x 115^2
    = 24.43 psf; qh G = 20.765 psf.
    Cases A/B: Cf at s/h = 1, B/s >= 45 = 1.30; F = 20.765 x 1.30 x 6,000 = 161,963 lb at
    3 + 0.05 x 6 = 3.3 ft (s/h = 1 raise); Case B torsion 0.2 x 1,000 x F = 32,393 kip-ft.
    Case C, '>= 45' row x (1.8 - 1) = 0.8: 3.44, 2.04, 1.56, 1.48, 1.48 on 0-30 ft (36 ft2 each),
    0.88 on 30-60 ft (180 ft2), 0.44 on 60-1,000 ft (5,640 ft2):
    sum Cf A = 36 x 10.00 + 158.4 + 2,481.6 = 3,000 -> F = 20.765 x 3,000 = 62,294 lb.
    Torsion about the centre (x = 500 ft): 6/2 x sum Cf ((x1 - 500)^2 - (x0 - 500)^2)
    = 3 x (3.44 x -5,964 + 2.04 x -5,892 + 1.56 x -5,820 + 1.48 x -5,748 + 1.48 x -5,676
    + 0.88 x -27,300 + 0.44 x 56,400) = 3 x -57,730.6 = -173,192 ft3 -> |T| = 20.765 x 173,192
    = 3,596 kip-ft."""
    env = calculate("wind", WALL)
    w = env["result"]
    assert w["qh_psf"] == pytest.approx(24.43, rel=1e-3)
    assert w["cf"] == pytest.approx(1.30)
    assert w["force_lb"] == pytest.approx(161_963, rel=1e-4)
    assert w["resultant_height_ft"] == pytest.approx(3.3)
    assert w["torsion_ft_lb"] == pytest.approx(0.2 * 1000 * w["force_lb"], rel=1e-5)
    c = w["case_c"]
    assert [r["cf"] for r in c["regions"]] == pytest.approx([3.44, 2.04, 1.56, 1.48, 1.48, 0.88, 0.44])
    assert c["regions"][-1]["to_ft"] == 1000.0
    assert c["force_lb"] == pytest.approx(62_294, rel=1e-4)
    assert c["torsion_ft_lb"] == pytest.approx(3_596_240, rel=1e-4)
    assert any("B/s = 166.7 > 45" in a["text"] for a in env["assumptions"])


def test_a_wall_at_b_over_s_45_uses_the_45_row_exactly_and_beyond_it_the_same_coefficients():
    at_45 = calculate("wind", {**WALL, "width_ft": 270})["result"]["case_c"]["regions"]
    beyond = calculate("wind", {**WALL, "width_ft": 600})["result"]["case_c"]["regions"]
    assert [r["cf"] for r in at_45] == [r["cf"] for r in beyond]


def test_walls_longer_than_1000_ft_are_refused_naming_the_field():
    with pytest.raises(CalcInputError) as info:
        calculate("wind", {**WALL, "width_ft": 1000.5})
    assert [e["field"] for e in info.value.errors] == ["width_ft"]


def test_sign_cabinets_keep_their_100_ft_limit():
    with pytest.raises(CalcInputError) as info:
        calculate(
            "sign",
            {
                "code": "asce7-16",
                "site": {"wind_speed_mph": 115, "exposure": "C"},
                "cabinets": [{"width_ft": 101, "height_ft": 6}],
                "clearance_ft": 4,
            },
        )
    assert [e["field"] for e in info.value.errors] == ["cabinets.0.width_ft"]
