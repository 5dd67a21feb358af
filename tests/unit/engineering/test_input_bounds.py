"""Realistic input bounds, result-level refusals of absurd combinations, and zero-capacity checks."""

import copy
import math

import pytest

from domain.engineering import INPUT_MODELS, CalcInputError, calculate
from domain.engineering.base_plates import (
    AnchorLoads,
    _concrete_checks,
    _pier_geometry,
    _steel_checks,
    _tension_groups,
)
from domain.engineering.checks import check, ratio
from domain.engineering.foundations import MAX_EMBEDMENT_FT
from tests.unit.engineering.examples import EMBEDMENT, SIGN, WIND


def _fields(kind, payload):
    with pytest.raises(CalcInputError) as info:
        calculate(kind, payload)
    return {e["field"]: e["message"] for e in info.value.errors}


def _numeric_properties(schema, defs, prefix=""):
    """(dotted name, number schema, description) of every numeric field, nested models included."""
    for name, prop in schema["properties"].items():
        alts = prop.get("anyOf", [prop])
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
        ref = ref or next((a["$ref"] for a in alts if "$ref" in a), None)
        if ref:
            yield from _numeric_properties(defs[ref.split("/")[-1]], defs, f"{prefix}{name}.")
            continue
        number = next((a for a in alts if a.get("type") == "number" and "enum" not in a), None)
        if number is not None:
            yield prefix + name, number, prop.get("description", "")


@pytest.mark.parametrize("kind", list(INPUT_MODELS))
def test_every_numeric_field_has_both_bounds_and_says_why(kind):
    schema = INPUT_MODELS[kind].model_json_schema()
    found = list(_numeric_properties(schema, schema.get("$defs", {})))
    assert found
    for name, number, description in found:
        assert "minimum" in number or "exclusiveMinimum" in number, name
        assert "maximum" in number, name
        assert ".." in description or "Up to" in description, f"{name}: no reason for its bounds"


# ---------------------------------------------------------------- the absurd inputs
def test_a_vanishing_lateral_bearing_is_rejected_not_turned_into_a_1e302_ft_pier():
    payload = {k: v for k, v in EMBEDMENT.items() if k != "soil_class"}
    assert "lateral_bearing_psf_per_ft" in _fields(
        "embedment", dict(payload, lateral_bearing_psf_per_ft=1e-300)
    )
    sign = copy.deepcopy(SIGN)
    sign["foundation"].update(soil_class=None, lateral_bearing_psf_per_ft=1e-300)
    assert "foundation.lateral_bearing_psf_per_ft" in _fields("sign", sign)


@pytest.mark.parametrize("bearing", [25.0, 2400.0])
def test_lateral_bearing_bounds_are_accepted(bearing):
    payload = {k: v for k, v in EMBEDMENT.items() if k != "soil_class"}
    result = calculate("embedment", dict(payload, lateral_bearing_psf_per_ft=bearing))["result"]
    assert 0 < result["embedment_ft"] <= MAX_EMBEDMENT_FT


def test_a_hair_thin_sign_is_rejected_not_given_b_over_s_of_two_million():
    sign = copy.deepcopy(SIGN)
    sign["cabinets"][0]["height_ft"] = 0.0001
    assert "cabinets.0.height_ft" in _fields("sign", sign)
    assert "height_ft" in _fields("wind", dict(WIND, height_ft=0.0001))


def test_a_megapound_at_500_ft_is_out_of_range():
    fields = _fields("embedment", dict(EMBEDMENT, lateral_force_lb=1e6, force_height_ft=500, diameter_ft=0.5))
    assert {"lateral_force_lb", "force_height_ft"} <= set(fields)


def test_an_in_range_force_on_a_tiny_pier_is_refused_naming_the_inputs_that_drive_the_depth():
    fields = _fields(
        "embedment", dict(EMBEDMENT, lateral_force_lb=500_000, force_height_ft=200, diameter_ft=0.5)
    )
    assert set(fields) == {"lateral_force_lb", "force_height_ft", "diameter_ft", "soil_class"}
    assert all(f"exceeds the {MAX_EMBEDMENT_FT:g} ft practical limit" in m for m in fields.values())
    assert "P = 500000 lb" in fields["diameter_ft"] and "wider footing" in fields["diameter_ft"]


def test_the_embedment_limit_names_a_given_lateral_bearing_and_keeps_depths_below_it():
    payload = {k: v for k, v in EMBEDMENT.items() if k != "soil_class"}
    deep = dict(payload, lateral_force_lb=20_000, force_height_ft=20, lateral_bearing_psf_per_ft=25.0)
    assert "lateral_bearing_psf_per_ft" in _fields("embedment", deep)
    ok = calculate("embedment", dict(deep, diameter_ft=20.0))["result"]  # wider: within the limit
    assert ok["embedment_ft"] <= MAX_EMBEDMENT_FT


def test_a_sign_taller_than_200_ft_names_clearance_and_cabinets():
    sign = copy.deepcopy(SIGN)
    sign["clearance_ft"] = 195.0  # + 6 ft cabinet = 201 ft
    fields = _fields("sign", sign)
    assert {"clearance_ft", "cabinets"} <= set(fields)
    assert "201 ft" in fields["clearance_ft"]


@pytest.mark.parametrize(
    ("kind", "field", "good", "bad"),
    [
        ("wind", "wind_speed_mph", 250.0, 251.0),
        ("wind", "kzt", 3.2, 3.3),
        ("wind", "width_ft", 0.5, 0.49),
        ("wind", "top_height_ft", 200.0, 201.0),
        ("embedment", "lateral_force_lb", 1.0, 0.5),
        ("embedment", "force_height_ft", 200.0, 201.0),
    ],
)
def test_bounds_are_inclusive_and_one_step_past_is_rejected(kind, field, good, bad):
    base = {"wind": WIND, "embedment": EMBEDMENT}[kind]
    calculate(kind, dict(base, **{field: good}))
    assert field in _fields(kind, dict(base, **{field: bad}))


# ---------------------------------------------------------------- zero capacities
def test_a_zero_or_non_finite_capacity_gives_an_infinite_ratio_and_fails():
    for capacity in (0.0, -1.0, math.nan):
        c = check("x", 1.0, capacity, "kip", "clause")
        assert c.ratio == math.inf and c.passed is False
    assert check("x", 0.0, 0.0, "kip", "clause").passed is False
    assert ratio(math.inf, 5.0) == math.inf and ratio(2.0, 4.0) == 0.5


def test_anchor_checks_with_no_edge_distance_fail_instead_of_dividing_by_zero():
    # The old crash: pier diameter = bolt circle -> ca1 = 0 -> zero capacities -> division by zero.
    tension, shear = _steel_checks("F1554-36", 1.0, 10.0, 5.0)
    geo = _pier_geometry(4, 1.0, 18.0, 18.0, 5.0)
    loads = [AnchorLoads("A", 4 * 10.0 * 4 * 18.0 / 4 / 4, 20.0, 0.0, 0.0)]
    checks = _concrete_checks(
        geo=geo,
        groups=_tension_groups(loads, 4, geo.r),
        hef=12.0,
        fc_psi=3000.0,
        nua=10.0,
        vua=5.0,  # > 0.2 of the steel shear strength: the interaction is checked
        steel_tension=tension,
        steel_shear=shear,
        reinforcement=None,
        development=None,
        shear_reinforcement="none",
    )
    by_name = {c.name: c for c in checks}
    assert by_name["anchor side-face blowout"].ratio == math.inf
    assert by_name["anchor concrete shear breakout"].ratio == math.inf
    assert by_name["anchor tension-shear interaction"].passed is False
