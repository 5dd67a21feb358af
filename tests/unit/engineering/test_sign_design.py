"""Whole-sign design: the issue's example, supports, mounts, foundations and the bill of materials."""

import copy

import pytest

from domain.engineering import CalcInputError, calculate
from domain.engineering.sections import CATALOGUE
from tests.unit.engineering.examples import SIGN


def _sign(**changes):
    payload = copy.deepcopy(SIGN)
    for dotted, value in changes.items():
        target = payload
        *path, leaf = dotted.split("__")
        for key in path:
            target = target[key]
        target[leaf] = value
    return calculate("sign", payload)


def test_issue_example_designs_a_passing_pipe_sign_with_foundation_and_bom():
    env = _sign()
    r = env["result"]
    assert r["pass"] is True
    assert r["pole"]["designation"] == "Pipe10STD"
    assert r["pole"]["chosen"] is True and len(r["pole"]["alternatives"]) == 5
    assert r["foundation"]["embedment_ft"] >= r["foundation"]["required_embedment_ft"]
    assert r["foundation"]["concrete_yd3"] > 0
    assert r["base_plate"] is None
    assert r["bom"]["steel"][0]["weight_lb"] == pytest.approx(
        40.5 * r["bom"]["steel"][0]["length_ft"], rel=1e-5
    )
    assert {c["name"] for c in r["checks"]} >= {
        "pole flexure",
        "pole shear",
        "pole deflection",
        "embedment depth",
    }
    assert r["wind"]["case_c"] is not None  # B/s = 2


def test_given_designation_is_checked_not_replaced():
    r = _sign(supports__designation="Pipe6STD")["result"]
    assert r["pole"]["designation"] == "Pipe6STD" and r["pole"]["chosen"] is False
    assert r["pass"] is False  # too small: reported, not raised


def test_two_poles_share_the_load_and_torsion_adds_f_over_2_plus_t_over_a():
    r = _sign(supports__count=2, supports__spacing_ft=8.0)["result"]
    wind = r["wind"]
    case_b = next(p for p in r["loads_per_pole"] if p["case"] == "B")
    pole = r["pole_wind"]["force_lb"]  # each pole also carries the wind on its own exposed length
    assert case_b["lateral_lb"] == pytest.approx(
        wind["force_lb"] / 2 + wind["torsion_ft_lb"] / 8.0 + pole, rel=1e-5
    )
    assert r["geometry"]["spacing_ft"] == 8.0
    assert r["bom"]["steel"][0]["count"] == 2


def test_two_poles_without_spacing_get_the_documented_default():
    env = _sign(supports__count=2)
    assert env["result"]["geometry"]["spacing_ft"] == pytest.approx(0.6 * 12)
    assert any("0.6 B" in a["text"] for a in env["assumptions"])


def test_lighter_pole_for_two_supports_than_for_one():
    one = _sign()["result"]["pole"]
    two = _sign(supports__count=2)["result"]["pole"]
    assert two["w_plf"] <= one["w_plf"]


def test_base_plate_mount_designs_anchors_plate_and_pier():
    r = _sign(supports__mount="base_plate")["result"]
    bp = r["base_plate"]
    assert bp is not None
    assert bp["plate_thickness_in"] >= bp["bolt_diameter_in"]
    names = {c["name"] for c in r["checks"]}
    assert {
        "anchor steel tension",
        "anchor steel shear",
        "base plate bending (yield line)",
        "anchor pullout",
    } <= names
    assert names & {"anchor concrete breakout", "anchor reinforcement (replaces concrete breakout)"}
    assert r["bom"]["anchor_bolts"][0]["count"] == bp["bolt_count"]
    assert r["bom"]["plates"][0]["weight_lb"] > 0
    assert r["foundation"]["embedment_ft"] > 0


def test_base_plate_tension_follows_the_bolt_circle_formula():
    r = _sign(
        supports__mount="base_plate",
        base_plate={"bolt_count": 4, "bolt_diameter_in": 1.5, "bolt_circle_in": 18.0},
    )["result"]
    bp = r["base_plate"]
    governing = max(r["loads_per_pole"], key=lambda p: p["moment_ft_lb"])
    dead = r["dead_load"]["cabinets_lb"] + r["dead_load"]["poles_lb"]
    expected = 4 * governing["moment_ft_lb"] * 12 / 1000 / (4 * 18.0) - 0.9 * dead / 1000 / 4
    assert bp["tension_per_bolt_kip"] == pytest.approx(expected, rel=1e-5)


def test_pier_narrower_than_pole_plus_4_in_fails_the_backfill_check():
    r = _sign(supports__designation="Pipe12STD", foundation__diameter_ft=1.25)["result"]
    backfill = next(c for c in r["checks"] if c["name"] == "pier width for backfill")
    assert backfill["pass"] is False and r["pass"] is False


def test_auto_pier_starts_at_pole_plus_4_in_rounded_to_6_in():
    r = _sign()["result"]
    od = CATALOGUE[r["pole"]["designation"]].od_in
    assert r["foundation"]["diameter_ft"] * 12 >= od + 4
    assert (r["foundation"]["diameter_ft"] * 12) % 6 == 0


def test_lrfd_and_stricter_deflection_limits_are_selectable():
    lrfd = _sign(criteria__method="lrfd")["result"]
    assert lrfd["pass"] is True
    strict = _sign(criteria__deflection_limit="L/240")["result"]["pole"]
    assert strict["w_plf"] >= _sign()["result"]["pole"]["w_plf"]


def test_square_hss_family_and_square_pier_use_the_diagonal():
    r = _sign(supports__family="square_hss", supports__grade="A500C", foundation__shape="square")["result"]
    assert r["pole"]["family"] == "square_hss"
    assert r["foundation"]["b_ft"] == pytest.approx(r["foundation"]["diameter_ft"] * 2**0.5, rel=1e-5)


def test_stacked_cabinets_and_default_weight_are_reported():
    env = _sign(cabinets=[{"width_ft": 12, "height_ft": 6}, {"width_ft": 8, "height_ft": 3}])
    r = env["result"]
    assert r["geometry"]["sign_height_ft"] == 9 and r["geometry"]["top_height_ft"] == 23
    assert r["dead_load"]["cabinets_lb"] == pytest.approx(10 * (72 + 24))
    assert any("10 psf" in a["text"] for a in env["assumptions"])


def test_a_huge_sign_reports_failure_and_warnings_instead_of_raising():
    # On a pier that can hold it (20 ft in bedrock: 18.6 ft deep) the failing pole is reported.
    env = _sign(
        cabinets=[{"width_ft": 100, "height_ft": 50}],
        site__wind_speed_mph=200,
        foundation__diameter_ft=20.0,
        foundation__soil_class=1,
    )
    r = env["result"]
    assert r["pass"] is False
    assert any(w["code"] == "no_passing_section" for w in r["warnings"])
    assert r["foundation"]["required_embedment_ft"] < 50


def test_a_huge_sign_on_an_auto_pier_in_sand_is_refused_naming_the_inputs_that_drive_the_depth():
    # The 6 ft automatic pier in class 4 sand would need 298 ft (186 ft before the flexible pole's
    # Gf = 1.37 and the pole wind): refused, not returned.
    with pytest.raises(CalcInputError) as info:
        _sign(cabinets=[{"width_ft": 100, "height_ft": 50}], site__wind_speed_mph=200)
    errors = {e["field"]: e["message"] for e in info.value.errors}
    assert set(errors) == {"foundation.diameter_ft", "foundation.soil_class", "cabinets"}
    assert all("exceeds the 50 ft practical limit" in m for m in errors.values())
    assert (
        "298" in errors["foundation.diameter_ft"] and "wider diameter_ft" in errors["foundation.diameter_ft"]
    )


def _base_plate_on(diameter_ft, **changes):
    return _sign(
        supports__mount="base_plate",
        supports__family="square_hss",
        supports__grade=None,
        supports__count=2,
        foundation__diameter_ft=diameter_ft,
        **changes,
    )


def test_a_given_pier_smaller_than_the_bolt_circle_is_an_input_error_not_a_crash():
    # Regression: ca1 = 0 gave a zero breakout capacity and a ZeroDivisionError in the interaction.
    with pytest.raises(CalcInputError) as info:
        _base_plate_on(0.5)
    errors = {e["field"]: e["message"] for e in info.value.errors}
    assert set(errors) == {"foundation.diameter_ft"}
    message = errors["foundation.diameter_ft"]
    assert (
        "cannot hold the anchors" in message and "6 da" in message and "at least 2.17 ft (26 in)" in message
    )


def test_the_minimum_pier_in_the_error_is_accepted_and_keeps_6_da_edge_distance():
    with pytest.raises(CalcInputError) as info:
        _base_plate_on(26 / 12 - 0.01)
    assert "(26 in)" in info.value.errors[0]["message"]
    r = _base_plate_on(26 / 12)["result"]
    bp = r["base_plate"]
    assert bp["edge_distance_in"] >= 6 * bp["bolt_diameter_in"] - 1e-6
    assert all(c["ratio"] is not None for c in r["checks"])


def test_a_given_pier_gets_the_lightest_anchor_layout_it_can_hold():
    auto = _sign(supports__mount="base_plate")["result"]  # 6 x 1 1/8 in on 17 in, 3 ft pier
    same = _sign(supports__mount="base_plate", foundation__diameter_ft=3.0)["result"]
    assert same["pass"] is True and same["base_plate"] == auto["base_plate"]
    # A 2 ft pier holds only smaller layouts, and none of them passes every check: the best one
    # is reported with what limits it.
    env = _sign(supports__mount="base_plate", foundation__diameter_ft=2.0)
    bp = env["result"]["base_plate"]
    assert bp["bolt_diameter_in"] < auto["base_plate"]["bolt_diameter_in"]
    assert bp["bolt_circle_in"] + 12 * bp["bolt_diameter_in"] <= 24.0 + 1e-9
    assert env["result"]["pass"] is False
    (warning,) = [w for w in env["result"]["warnings"] if w["code"] == "no_passing_anchor_layout"]
    assert "limited by anchor tension-shear interaction" in warning["message"]


def test_a_given_bolt_circle_too_large_for_the_given_pier_names_both_fields():
    with pytest.raises(CalcInputError) as info:
        _base_plate_on(2.0, base_plate={"bolt_circle_in": 30.0})
    assert {e["field"] for e in info.value.errors} == {"foundation.diameter_ft", "base_plate.bolt_circle_in"}


def test_a_bolt_circle_inside_the_pole_is_an_input_error():
    with pytest.raises(CalcInputError) as info:
        _sign(
            supports__mount="base_plate",
            supports__designation="Pipe12STD",
            base_plate={"bolt_circle_in": 10.0},
        )
    (error,) = info.value.errors
    assert error["field"] == "base_plate.bolt_circle_in" and "inside" in error["message"]


def test_worked_example_in_the_docs_matches_the_engine_output():
    """docs/engineering.md shows one real output; this keeps it from drifting."""
    import json
    import re
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "engineering.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```json\n(.*?)\n```", doc, flags=re.S)
    # The direct-burial example, then the base-plate example: each payload, then its excerpt.
    for payload_text, excerpt_text in ((blocks[0], blocks[1]), (blocks[2], blocks[3])):
        payload, excerpt = json.loads(payload_text), json.loads(excerpt_text)
        env = calculate("sign", payload)
        assert env["trace"]["inputs_sha256"] == excerpt["trace"]["inputs_sha256"]
        assert env["trace"]["result_sha256"] == excerpt["trace"]["result_sha256"]
        assert env["result"]["pole"]["designation"] == excerpt["result"]["pole"]["designation"]
    base_plate = calculate("sign", json.loads(blocks[2]))["result"]
    assert (
        base_plate["base_plate"]["bolt_count"] == json.loads(blocks[3])["result"]["base_plate"]["bolt_count"]
    )
    shown = {c["name"]: c for c in json.loads(blocks[3])["result"]["checks"]}
    assert all(c == shown[c["name"]] for c in base_plate["checks"] if c["name"] in shown)
