"""Public API contract: kinds, input models, envelope shape, determinism and input errors."""

import copy
import json
import math

import pytest

from domain.engineering import GRADES, INPUT_MODELS, KINDS, CalcInputError, calculate, designations
from tests.unit.engineering.examples import EMBEDMENT, POLE, SIGN, WIND

PAYLOADS = {"wind": WIND, "embedment": EMBEDMENT, "pole": POLE, "sign": SIGN}


def test_kinds_and_input_models_are_the_public_contract():
    assert KINDS == ("wind", "embedment", "pole", "sign")
    assert set(INPUT_MODELS) == set(KINDS)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_returns_the_envelope_with_trace_hashes(kind):
    env = calculate(kind, copy.deepcopy(PAYLOADS[kind]))
    assert set(env) == {"result", "assumptions", "confidence", "trace"}
    assert 0 < env["confidence"] <= 1
    trace = env["trace"]
    assert trace["kind"] == kind
    assert {"engine_version", "constants_version", "inputs_sha256", "result_sha256"} <= set(trace)
    assert len(trace["inputs_sha256"]) == 64 and len(trace["result_sha256"]) == 64
    assert all(a["text"] and a["clause"] for a in env["assumptions"])
    result = env["result"]
    assert {"checks", "warnings", "assumptions", "bom"} <= set(result)
    for check in result["checks"]:
        assert list(check) == [
            "name",
            "demand",
            "capacity",
            "unit",
            "ratio",
            "pass",
            "clause",
            "case",
            "combination",
            "formula",
            "substitution",
        ]
        assert check["formula"] and check["substitution"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_same_input_gives_byte_identical_json(kind):
    a = json.dumps(calculate(kind, copy.deepcopy(PAYLOADS[kind])), sort_keys=True)
    b = json.dumps(calculate(kind, copy.deepcopy(PAYLOADS[kind])), sort_keys=True)
    assert a == b


def test_floats_are_rounded_to_six_significant_digits():
    env = calculate("wind", WIND)
    assert env["result"]["qh_psf"] == 27.2024
    assert env["result"]["force_lb"] == 5297.73


def test_wind_result_has_the_contract_keys():
    result = calculate("wind", WIND)["result"]
    assert {
        "kz",
        "qh_psf",
        "cf",
        "force_lb",
        "force_asd_lb",
        "moment_at_grade_ft_lb",
        "torsion_ft_lb",
        "case_c",
    } <= set(result)


def test_embedment_result_has_the_contract_keys():
    result = calculate("embedment", EMBEDMENT)["result"]
    assert {"embedment_ft", "s1_psf", "iterations", "concrete_yd3"} <= set(result)
    assert result["embedment_ft"] == pytest.approx(6.44, abs=0.005)


def test_pole_result_has_the_contract_keys():
    result = calculate("pole", POLE)["result"]
    assert {"mn_kip_in", "allowable_kip_in", "compactness", "ratio", "pass"} <= set(result)


def _errors(kind, payload):
    with pytest.raises(CalcInputError) as info:
        calculate(kind, payload)
    return {e["field"]: e["message"] for e in info.value.errors}


def test_unknown_kind_is_an_input_error():
    assert "kind" in _errors("beam", {})


def test_every_bad_field_is_reported_at_once_with_dotted_paths():
    bad = copy.deepcopy(SIGN)
    bad["site"]["wind_speed_mph"] = math.nan
    bad["cabinets"][0]["width_ft"] = -3
    bad["supports"]["grade"] = "A999"
    bad["supports"]["designation"] = "Pipe99STD"
    bad["criteria"]["method"] = "guess"
    del bad["clearance_ft"]
    fields = _errors("sign", bad)
    assert {
        "site.wind_speed_mph",
        "cabinets.0.width_ft",
        "supports.grade",
        "supports.designation",
        "criteria.method",
        "clearance_ft",
    } <= set(fields)
    assert "see designations()" in fields["supports.designation"]


@pytest.mark.parametrize("value", [math.inf, -1.0, 0.0, 1e9, "115", True, None])
def test_absurd_or_mistyped_wind_speed_is_rejected(value):
    payload = dict(WIND, wind_speed_mph=value)
    assert "wind_speed_mph" in _errors("wind", payload)


def test_unknown_fields_are_rejected_not_ignored():
    assert "wind_speedmph" in _errors("wind", dict(WIND, wind_speedmph=100))


def test_cross_field_rules_name_their_field():
    assert "top_height_ft" in _errors("wind", dict(WIND, top_height_ft=4))
    sign = copy.deepcopy(SIGN)
    sign["supports"].update(family="square_hss", grade="A53B")
    assert "supports.grade" in _errors("sign", sign)
    sign = copy.deepcopy(SIGN)
    sign["supports"].update(family="pipe", designation="HSS8X8X1/4")
    assert "supports.designation" in _errors("sign", sign)
    sign = copy.deepcopy(SIGN)
    sign["supports"].update(count=1, spacing_ft=5)
    assert "supports.spacing_ft" in _errors("sign", sign)
    assert "lateral_bearing_psf_per_ft" in _errors(
        "embedment", dict(EMBEDMENT, lateral_bearing_psf_per_ft=150)
    )
    assert "grade" in _errors("pole", dict(POLE, designation="HSS8X8X1/4", grade="A53B"))


def test_payload_must_be_an_object():
    assert "payload" in _errors("wind", [1, 2])


def test_openapi_schema_lists_grades_and_designations_as_enums_with_units():
    schema = INPUT_MODELS["sign"].model_json_schema()
    supports = schema["$defs"]["Supports"]["properties"]
    grade_enum = supports["grade"]["anyOf"][0]["enum"]
    assert tuple(grade_enum) == GRADES
    assert set(supports["designation"]["anyOf"][0]["enum"]) == set(designations())
    assert "mph" in schema["$defs"]["Site"]["properties"]["wind_speed_mph"]["description"]
    assert schema["additionalProperties"] is False


# The result hash goes through orjson when that gives the canonical json.dumps bytes; every case
# where the two texts differ must fall back (else a saved design's hash would change).
@pytest.mark.parametrize(
    "value",
    [
        1e-05,  # json.dumps '1e-05', orjson '0.00001'
        -6.81415e-07,  # '-6.81415e-07' against '-6.81415e-7'
        "b\x7f",  # DEL: escaped by json.dumps only
        "\u00e9",  # non-ASCII: escaped by json.dumps only
        2**64,  # refused by orjson
    ],
)
def test_result_hash_is_the_canonical_text_hash_where_orjson_writes_otherwise(value):
    from domain.engineering.envelope import _result_sha256, _sha256
    from domain.engineering.results import to_json, unusual_float_count

    mark = unusual_float_count()
    obj = {"a": [to_json(value), 0.5], "checks": "x"}
    unusual = unusual_float_count() != mark
    assert unusual == isinstance(value, float)
    assert _result_sha256(obj, unusual) == _sha256(obj)


def test_result_hash_of_a_whole_design_is_the_canonical_text_hash():
    from domain.engineering import run
    from domain.engineering.envelope import _sha256

    for supports in ({}, {"mount": "base_plate", "count": 2, "family": "round_hss"}):
        payload = copy.deepcopy(SIGN)
        payload["supports"].update(supports)
        calc = run("sign", payload)
        assert calc.trace.result_sha256 == _sha256(calc.result_json)
