"""Each check and step carries its formula, the numbers used and the result (a plan reviewer can
recompute every printed result from the printed values), and each check names its load case and
combination."""

import copy
import math
import re

import pytest

from domain.engineering import calculate
from tests.unit.engineering.examples import EMBEDMENT, SIGN, WIND

NUMBER = r"-?[\d,]+(?:\.\d+)?"


def _value(text):
    return float(text.replace(",", ""))


def _half_unit(text):
    """Half a unit in the last printed digit of ``text`` (a rounding bound)."""
    digits = text.split(".")[1] if "." in text else ""
    return 0.5 * 10.0 ** (-len(digits))


def _step(steps, symbol):
    (found,) = [s for s in steps if s["symbol"] == symbol]
    return found


def _check_qz(steps):
    qh = _step(steps, "qh")
    sub = qh["substitution"]
    match = re.fullmatch(
        rf"({NUMBER}) x ({NUMBER}) x ({NUMBER}) x (?:({NUMBER}) x )?({NUMBER}) x ({NUMBER})\^2"
        rf" = ({NUMBER}) psf",
        sub,
    )
    assert match, sub
    printed = [g for g in match.groups()[:-1] if g is not None]
    factors = [_value(g) for g in printed]
    recomputed = math.prod(factors[:-1]) * factors[-1] ** 2
    result_text = match.group(7)
    result = _value(result_text)
    # Relative rounding of each printed factor (V squared counts twice), plus the printed result's.
    rel = sum(_half_unit(t) / abs(_value(t)) for t in printed) + _half_unit(printed[-1]) / factors[-1]
    assert recomputed == pytest.approx(result, rel=rel, abs=_half_unit(result_text))
    assert qh["value"] == pytest.approx(result, abs=_half_unit(result_text))
    return result


def test_qz_substitution_recomputes_from_the_printed_values_issue_example():
    """The issue's example: qz = 0.00256 x 0.9026 x 1 x 0.9785 x 115^2 = 29.9 psf (ASCE 7-22,
    exposure C, h = 20 ft: Kz = 2.41 (20/2460)^(2/9.8) = 0.9026; Ke = exp(-0.0000362 x 600) = 0.9785;
    0.00256 x 0.9026 x 0.9785 x 13225 = 29.90)."""
    env = calculate("sign", copy.deepcopy(SIGN))
    steps = env["result"]["wind"]["steps"]
    assert _check_qz(steps) == 29.9
    assert _step(steps, "qh")["formula"] == "qh = 0.00256 Kz Kzt Ke V^2 (z = h)"


def test_qz_substitution_of_asce7_16_includes_kd():
    """ASCE 7-16, the reference's derived case: 0.00256 x 0.9453 x 1 x 0.85 x 1 x 115^2 = 27.2 psf."""
    steps = calculate("wind", copy.deepcopy(WIND))["result"]["steps"]
    assert _check_qz(steps) == pytest.approx(27.2, abs=0.05)


def test_embedment_substitution_recomputes_a_and_d_from_the_printed_values():
    """Eq. 18-1 forum case: P = 480 lb at 5 ft, b = 1.5 ft, class 5 (100 psf/ft): S1 = 100 x 6.44/3 =
    214.7 psf, A = 2.34 x 480 / (214.7 x 1.5) = 3.488 ft, d = 3.488/2 (1 + sqrt(1 + 4.36 x 5 / 3.488))
    = 6.44 ft."""
    steps = calculate("embedment", copy.deepcopy(EMBEDMENT))["result"]["steps"]
    s1, a, d = _step(steps, "S1"), _step(steps, "A"), _step(steps, "d")
    m = re.fullmatch(rf"({NUMBER}) psf/ft x ({NUMBER}) ft / 3 = ({NUMBER}) psf", s1["substitution"])
    assert m, s1["substitution"]
    assert _value(m.group(1)) * _value(m.group(2)) / 3 == pytest.approx(_value(m.group(3)), rel=2e-3)
    m = re.fullmatch(
        rf"2\.34 x ({NUMBER}) lb / \(({NUMBER}) psf x ({NUMBER}) ft\) = ({NUMBER}) ft", a["substitution"]
    )
    assert m, a["substitution"]
    p, s1v, b, av = (_value(g) for g in m.groups())
    assert 2.34 * p / (s1v * b) == pytest.approx(av, rel=2e-3)
    m = re.fullmatch(
        rf"({NUMBER}) ft / 2 x \(1 \+ sqrt\(1 \+ 4\.36 x ({NUMBER}) ft / ({NUMBER}) ft\)\) "
        rf"\(\d+ passes\) = ({NUMBER}) ft",
        d["substitution"],
    )
    assert m, d["substitution"]
    a1, h, a2, dv = (_value(g) for g in m.groups())
    assert a1 == a2 == av
    assert a1 / 2 * (1 + math.sqrt(1 + 4.36 * h / a1)) == pytest.approx(dv, rel=2e-3)
    assert dv == pytest.approx(6.44, abs=0.005)


def test_the_sign_pier_shows_the_same_embedment_steps():
    r = calculate("sign", copy.deepcopy(SIGN))["result"]
    steps = r["foundation"]["steps"]
    d = _step(steps, "d")
    assert d["value"] == pytest.approx(r["foundation"]["required_embedment_ft"], rel=1e-5)
    assert _step(steps, "d_design")["value"] == r["foundation"]["embedment_ft"]


def test_every_sign_check_has_formula_substitution_and_combination():
    for mount in ("direct_burial", "base_plate"):
        payload = copy.deepcopy(SIGN)
        payload["supports"]["mount"] = mount
        checks = calculate("sign", payload)["result"]["checks"]
        for c in checks:
            assert c["formula"] and c["substitution"], c["name"]
            assert c["combination"] or c["name"].startswith("pier width"), c["name"]
            assert c["case"] in ("", "A", "B", "C")
            # the printed ratio is the ratio used
            tail = c["substitution"].rsplit("= ", 1)[1]
            assert _value(tail) == pytest.approx(c["ratio"], rel=1e-3), (c["name"], tail)


def test_anchor_checks_are_at_strength_level_and_the_plate_at_the_method_level():
    payload = copy.deepcopy(SIGN)
    payload["supports"]["mount"] = "base_plate"
    checks = {c["name"]: c for c in calculate("sign", payload)["result"]["checks"]}
    assert checks["anchor steel tension"]["combination"].startswith("LRFD 0.9D + 1.0W")
    assert checks["base plate bending (yield line)"]["combination"] == "ASD D + 0.6W"
    assert checks["embedment depth"]["combination"].startswith("ASD 0.6W")
    assert checks["pole deflection"]["combination"] == "service 0.6W"
    # Case B carries the torsion of the single pole
    assert checks["pole torsion"]["case"] == "B"


def test_wind_steps_run_in_order_and_name_the_governing_case():
    steps = calculate("sign", copy.deepcopy(SIGN))["result"]["wind"]["steps"]
    symbols = [s["symbol"] for s in steps]
    assert symbols[:9] == ["Kz", "Kd", "Ke", "Kzt", "qh", "G", "s/h", "B/s", "Cf"]
    assert {"p", "F", "y", "M", "T", "F_C", "F_max", "F_ASD"} <= set(symbols)
    assert "largest force: Case C" in _step(steps, "F_max")["substitution"]
    assert "n1 = 3.577 Hz" in _step(steps, "G")["substitution"]
    assert all(s["clause"] for s in steps)
