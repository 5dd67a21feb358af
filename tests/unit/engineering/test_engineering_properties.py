"""Property tests: monotonicity in wind and size, determinism, validity and error naming.

The strategies stay inside the input bounds of domain/engineering/schemas.py (wind 50..250 mph,
cabinets 0.5..100 ft x 0.5..50 ft, top of the sign <= 200 ft, lateral bearing 25..2400 psf/ft...).
"""

import copy
import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.engineering import CalcInputError, calculate
from tests.unit.engineering.examples import SIGN

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

codes = st.sampled_from(["asce7-16", "asce7-22"])
exposures = st.sampled_from(["B", "C", "D"])
speeds = st.floats(min_value=50, max_value=250)
base_speeds = st.floats(min_value=50, max_value=200)  # + up to 50 mph stays within the 250 mph bound
families = st.sampled_from(["pipe", "round_hss", "square_hss"])


@st.composite
def sign_payloads(draw):
    count = draw(st.sampled_from([1, 2]))
    family = draw(families)
    return {
        "code": draw(codes),
        "site": {
            "wind_speed_mph": draw(speeds),
            "exposure": draw(exposures),
            "kzt": draw(st.floats(1.0, 1.5)),
            "ground_elevation_ft": draw(st.none() | st.floats(-300, 15000)),
        },
        "cabinets": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"width_ft": st.floats(0.5, 40), "height_ft": st.floats(0.5, 15)},
                    optional={"weight_psf": st.floats(0, 60), "depth_in": st.floats(1, 48)},
                ),
                min_size=1,
                max_size=3,
            )
        ),
        "clearance_ft": draw(st.floats(0, 40)),
        "solid_ratio": draw(st.floats(0.7, 1.0)),
        "return_corner_ft": draw(st.floats(0, 10)),
        "supports": {
            "count": count,
            "family": family,
            "mount": draw(st.sampled_from(["direct_burial", "base_plate"])),
        },
        "foundation": {
            "shape": draw(st.sampled_from(["round", "square"])),
            "soil_class": draw(st.none() | st.integers(1, 5)),
            "isolated_pole_increase": draw(st.booleans()),
            "constrained": draw(st.booleans()),
        },
        "criteria": {
            "method": draw(st.sampled_from(["asd", "lrfd"])),
            "deflection_limit": draw(st.sampled_from(["L/60", "L/80", "L/120"])),
        },
    }


@FAST
@given(
    code=codes,
    exposure=exposures,
    v=base_speeds,
    dv=st.floats(0, 50),
    width=st.floats(0.5, 60),
    height=st.floats(0.5, 20),
    clearance=st.floats(0, 60),
)
def test_more_wind_never_gives_a_smaller_force_moment_or_torsion(
    code, exposure, v, dv, width, height, clearance
):
    base = {
        "code": code,
        "exposure": exposure,
        "width_ft": width,
        "height_ft": height,
        "top_height_ft": height + clearance,
    }
    low = calculate("wind", dict(base, wind_speed_mph=v))["result"]
    high = calculate("wind", dict(base, wind_speed_mph=v + dv))["result"]
    for key in ("force_lb", "force_asd_lb", "moment_at_grade_ft_lb", "torsion_ft_lb"):
        assert high[key] >= low[key], key


@FAST
@given(
    p=st.floats(10, 50000),
    dp=st.floats(0, 5000),
    h=st.floats(0.5, 40),
    b=st.floats(0.5, 6),
    soil=st.integers(1, 5),
    iso=st.booleans(),
    constrained=st.booleans(),
)
def test_more_lateral_force_never_gives_a_shallower_embedment(p, dp, h, b, soil, iso, constrained):
    base = {
        "force_height_ft": h,
        "diameter_ft": b,
        "soil_class": soil,
        "isolated_pole_increase": iso,
        "constrained": constrained,
    }

    def depth(force):
        """Required embedment, or infinity when it is past the practical limit (refused)."""
        try:
            return calculate("embedment", dict(base, lateral_force_lb=force))["result"]["embedment_ft"]
        except CalcInputError as exc:
            assert {e["field"] for e in exc.errors} >= {"lateral_force_lb", "diameter_ft"}
            assert all("practical limit" in e["message"] for e in exc.errors)
            return math.inf

    assert depth(p + dp) >= depth(p)


@FAST
@given(v=st.floats(85, 180), dv=st.floats(0, 40), diameter=st.floats(2, 4))
def test_more_wind_on_a_sign_never_gives_a_smaller_base_moment_or_embedment(v, dv, diameter):
    def run(speed):
        payload = copy.deepcopy(SIGN)
        payload["site"]["wind_speed_mph"] = speed
        payload["foundation"]["diameter_ft"] = diameter
        return calculate("sign", payload)["result"]

    low, high = run(v), run(v + dv)
    assert max(p["moment_ft_lb"] for p in high["loads_per_pole"]) >= max(
        p["moment_ft_lb"] for p in low["loads_per_pole"]
    )
    assert high["foundation"]["required_embedment_ft"] >= low["foundation"]["required_embedment_ft"]
    assert high["pole"]["w_plf"] >= low["pole"]["w_plf"]


@FAST
@given(
    width=st.floats(2, 30),
    height=st.floats(1, 10),
    grow=st.floats(1.0, 2.0),
    family=families,
    count=st.sampled_from([1, 2]),
)
def test_a_larger_sign_never_gets_a_lighter_pole(width, height, grow, family, count):
    def run(w, h):
        payload = copy.deepcopy(SIGN)
        payload["cabinets"] = [{"width_ft": w, "height_ft": h, "weight_psf": 12}]
        payload["supports"].update(family=family, grade=None, count=count)
        return calculate("sign", payload)["result"]["pole"]["w_plf"]

    small = run(width, height)
    assert run(width * grow, height * grow) >= small  # uniformly larger
    assert run(width * grow, height) >= small  # wider


def _outcome(kind, payload):
    """The envelope as finite JSON, or the input errors; any other exception fails the test."""
    try:
        return json.dumps(calculate(kind, copy.deepcopy(payload)), sort_keys=True, allow_nan=False)
    except CalcInputError as exc:
        return exc.errors


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=sign_payloads())
def test_no_valid_sign_raises_and_the_output_is_deterministic_finite_json(payload):
    first, second = _outcome("sign", payload), _outcome("sign", payload)
    assert first == second
    if isinstance(first, list):
        # The only refusal of an in-range sign: a pier deeper than the practical embedment limit,
        # naming the pier, the soil and the cabinets.
        assert {e["field"] for e in first} >= {"foundation.diameter_ft", "cabinets"}, first
        assert all("practical limit" in e["message"] for e in first)


@st.composite
def given_pier_sign_payloads(draw):
    """Signs with a given pier diameter, both mounts and every family: the pier may be too small."""
    payload = draw(sign_payloads())
    payload["foundation"]["diameter_ft"] = draw(st.floats(0.5, 20))
    if payload["supports"]["mount"] == "base_plate" and draw(st.booleans()):
        payload["base_plate"] = {"bolt_circle_in": draw(st.floats(6, 120))}
    return payload


ALLOWED_REFUSALS = {
    "foundation.diameter_ft": ("cannot hold the anchors", "practical limit"),
    "base_plate.bolt_circle_in": ("cannot hold the anchors", "inside"),
    "foundation.soil_class": ("practical limit",),
    "cabinets": ("practical limit",),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payload=given_pier_sign_payloads())
def test_a_given_pier_is_designed_or_refused_with_a_named_field_never_an_exception(payload):
    outcome = _outcome("sign", payload)
    if isinstance(outcome, list):
        for error in outcome:
            assert any(key in error["message"] for key in ALLOWED_REFUSALS[error["field"]]), error


NUMERIC_FIELDS = [
    ("site", "wind_speed_mph"),
    ("site", "kzt"),
    ("cabinets", 0, "width_ft"),
    ("cabinets", 0, "height_ft"),
    ("cabinets", 0, "weight_psf"),
    ("clearance_ft",),
    ("solid_ratio",),
    ("foundation", "diameter_ft"),
]


@FAST
@given(
    path=st.sampled_from(NUMERIC_FIELDS),
    bad=st.sampled_from([math.nan, math.inf, -math.inf, -1.0, 1e12, "12", None, [1]]),
)
def test_invalid_values_raise_calc_input_error_naming_the_field(path, bad):
    payload = copy.deepcopy(SIGN)
    target = payload
    for key in path[:-1]:
        target = target[key]
    if bad is None and path[-1] in ("weight_psf", "diameter_ft"):
        return  # null is valid there ("choose for me" / default)
    target[path[-1]] = bad
    try:
        calculate("sign", payload)
    except CalcInputError as exc:
        assert ".".join(str(p) for p in path) in {e["field"] for e in exc.errors}
    else:
        raise AssertionError(f"{path} = {bad!r} was accepted")
