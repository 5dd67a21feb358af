"""Citations and the texts a plan reviewer reads: the right clause, no vague references, an
assumption only where it applies, a warning for conflicting options, and a confidence that does
not praise a failing design."""

import copy

from domain.engineering import calculate
from tests.unit.engineering.examples import EMBEDMENT, SIGN


def _sign(**changes):
    payload = copy.deepcopy(SIGN)
    for dotted, value in changes.items():
        target = payload
        *path, leaf = dotted.split("__")
        for key in path:
            target = target[key]
        target[leaf] = value
    return calculate("sign", payload)


def test_the_15x_cap_cites_ibc_1806_3_3():
    env = calculate("embedment", EMBEDMENT)
    (cap,) = [a for a in env["assumptions"] if "15 x" in a["text"]]
    assert "1806.3.3" in cap["clause"]


def test_no_assumption_rests_on_an_unnamed_engineering_reference():
    for env in (
        _sign(),
        _sign(supports__count=2, supports__mount="base_plate"),
        _sign(supports__mount="base_plate"),
    ):
        assert not [a for a in env["assumptions"] if "engineering reference" in a["clause"]]


def test_the_tall_sign_case_c_factor_is_stated_only_when_s_over_h_exceeds_0_8():
    """SIGN: s = 6 ft, h = 20 ft, s/h = 0.3: no factor. At 0 ft clearance s/h = 1.0 and B/s = 2:
    Case C x (1.8 - 1.0) = 0.8."""
    assert not [a for a in _sign()["assumptions"] if "1.8 - s/h" in a["text"]]
    tall = [a for a in _sign(clearance_ft=0)["assumptions"] if "1.8 - s/h" in a["text"]]
    assert len(tall) == 1 and "= 0.8 " in tall[0]["text"]


def test_isolated_doubling_with_the_constrained_equation_warns():
    env = _sign(foundation__constrained=True)  # SIGN has isolated_pole_increase
    assert any(w["code"] == "isolated_and_constrained" for w in env["result"]["warnings"])
    plain = _sign(foundation__constrained=True, foundation__isolated_pole_increase=False)
    assert not any(w["code"] == "isolated_and_constrained" for w in plain["result"]["warnings"])


def test_a_failing_design_does_not_show_a_high_confidence():
    failing = _sign(supports__designation="Pipe6STD")
    assert failing["result"]["pass"] is False and failing["confidence"] <= 0.5
    passing = _sign()
    assert passing["result"]["pass"] is True and passing["confidence"] > 0.5


def test_an_unchecked_single_pier_torsion_lowers_the_confidence():
    """One pole with Case B torsion: the pier torsion is not checked (-0.05); two poles carry the
    torsion as shear and lose nothing for it."""
    one = _sign()
    two = _sign(supports__count=2)
    assert any("Torsion on a single pier" in a["text"] for a in one["assumptions"])
    assert not any("Torsion on a single pier" in a["text"] for a in two["assumptions"])
    assert one["confidence"] == round(two["confidence"] - 0.05, 2)
