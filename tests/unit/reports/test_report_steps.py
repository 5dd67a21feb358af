"""The steps a report rebuilds for revisions whose engine did not record them."""

from __future__ import annotations

import copy
import math

from domain.reports.steps import foundation_steps, num, rebuilt_wind_steps, wind_steps
from tests.reports import report_input


def test_numbers_are_written_as_an_engineer_writes_them() -> None:
    assert num(2799.96) == "2,800"
    assert num(0.952269) == "0.9523"
    assert num(115.0) == "115"
    assert num(0.0000362) == "0.0000362"
    assert num(None) == "—"
    assert num(float("nan")) == "—"
    assert num("L/80") == "L/80"


def test_rebuilt_wind_steps_substitute_the_printed_numbers_and_give_the_result() -> None:
    """Worked example, ASCE 7-22: qh = 0.00256 x 0.9026 x 1 x 0.9785 x 115^2 = 29.90 psf;
    p = qh Kd G Cf = 29.9 x 0.85 x 0.85 x 1.8 = 38.88 psf; F = 38.89 x 72 = 2,800 lb."""
    design = report_input().design
    steps = {s.symbol: s for s in rebuilt_wind_steps(design.result, design.input)}
    qh = steps["qh"]
    assert qh.formula == "qh = 0.00256 Kz Kzt Ke V²"
    assert qh.substitution == "0.00256 × 0.9026 × 1 × 0.9785 × 115²"
    assert math.isclose(0.00256 * 0.9026 * 1 * 0.9785 * 115**2, qh.value, rel_tol=5e-4)  # type: ignore[arg-type]
    assert steps["p"].substitution == "29.9 × 0.85 × 0.85 × 1.8"
    assert steps["F"].substitution == "38.89 × 72" and num(steps["F"].value) == "2,800"
    assert steps["Kz"].substitution.endswith("2.41 × (20 / 2,460)^(2 / 9.8)")


def test_a_substitution_that_does_not_reproduce_the_stored_result_is_left_out() -> None:
    design = report_input().design
    result = copy.deepcopy(design.result)
    result["wind"]["qh_psf"] = 31.0  # not what the printed factors give (29.9)
    steps = {s.symbol: s for s in rebuilt_wind_steps(result, design.input)}
    assert steps["qh"].substitution == ""
    assert steps["qh"].value == 31.0


def test_recorded_wind_steps_replace_the_rebuilt_ones() -> None:
    design = report_input().design
    result = copy.deepcopy(design.result)
    result["wind"]["steps"] = [
        {
            "quantity": "q",
            "symbol": "qz",
            "formula": "f",
            "substitution": "s",
            "value": 1,
            "unit": "psf",
            "clause": "c",
        },
        "not a step",
    ]
    steps = wind_steps(result, design.input)
    assert [(s.symbol, s.formula, s.value) for s in steps] == [("qz", "f", 1)]


def test_embedment_by_eq_18_1_is_rebuilt_from_the_pier() -> None:
    """Worked example: P = 1,855 lb at h = 16.43 ft, b = 1.5 ft, S1 = 2 x 150 x 9.226/3 = 922.6 psf;
    A = 2.34 x 1855 / (922.6 x 1.5) = 3.137 ft; d = 0.5 x 3.137 x (1 + sqrt(1 + 4.36 x 16.43/3.137))
    = 9.226 ft, rounded up to 9.5 ft."""
    steps = {s.symbol: s for s in foundation_steps(report_input().design.result)}
    assert steps["S1"].substitution == "2 × 150 × min(9.226, 12) / 3"
    assert num(steps["A"].value) == "3.137"
    assert steps["d"].substitution == "0.5 × 3.137 × (1 + sqrt(1 + 4.36 × 16.43 / 3.137))"
    assert num(steps["d"].value) == "9.226"
    assert steps["D"].value == 9.5
