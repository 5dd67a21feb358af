"""The engine's typed results: what the designer, the report and the API read, and their JSON."""

import copy
import dataclasses
import json

import pytest

from domain.engineering import (
    BasePlate,
    Calculation,
    Check,
    EmbedmentResult,
    PoleResult,
    SignDesign,
    WindResult,
    calculate,
    run,
)
from domain.engineering.notes import Notes
from domain.engineering.results import json_field, to_json
from domain.engineering.schemas import SignInput
from domain.engineering.sign import design_loads, select_sign_pole
from tests.unit.engineering.examples import EMBEDMENT, POLE, SIGN, WIND


def _base_plate_sign():
    payload = copy.deepcopy(SIGN)
    payload["supports"].update({"family": "round_hss", "mount": "base_plate", "count": 2})
    return payload


@pytest.mark.parametrize(
    ("kind", "payload", "model"),
    [
        ("wind", WIND, WindResult),
        ("embedment", EMBEDMENT, EmbedmentResult),
        ("pole", POLE, PoleResult),
        ("sign", SIGN, SignDesign),
    ],
)
def test_run_returns_the_typed_result_whose_json_is_the_envelope(kind, payload, model):
    calc = run(kind, copy.deepcopy(payload))
    assert isinstance(calc, Calculation) and isinstance(calc.result, model)
    assert json.dumps(calc.to_json(), sort_keys=True) == json.dumps(calculate(kind, payload), sort_keys=True)
    assert all(isinstance(c, Check) for c in calc.result.checks)


def test_a_sign_design_is_read_by_attribute_and_matches_its_json():
    calc = run("sign", _base_plate_sign())
    design, out = calc.result, calc.to_json()["result"]
    assert isinstance(design, SignDesign) and isinstance(design.base_plate, BasePlate)
    assert design.pole.design.designation == out["pole"]["designation"]
    assert [c.name for c in design.checks] == [c["name"] for c in out["checks"]]
    assert design.passed is out["pass"]
    assert [p.case for p in design.loads_per_pole] == [c.name for c in design.wind.cases] == ["A", "B", "C"]
    assert design.base_plate.plate.bolt_count == out["base_plate"]["bolt_count"]
    assert design.bom.anchor_bolts[0].count == out["bom"]["anchor_bolts"][0]["count"]
    # The checks of each step are named values, not positions in a list.
    assert design.base_plate.plate.anchor_tension.name == "anchor steel tension"
    assert design.foundation.embedment_check in design.checks
    assert design.foundation.backfill_check not in design.checks  # a base-plate pole is not embedded
    # Values passed between steps stay out of the JSON.
    assert "forces" not in out["base_plate"] and "embedment_check" not in out["foundation"]
    assert {a.text for a in calc.assumptions} == {a["text"] for a in out["assumptions"]}


def test_results_are_immutable():
    design = run("sign", copy.deepcopy(SIGN)).result
    with pytest.raises(dataclasses.FrozenInstanceError):
        design.checks[0].passed = True  # type: ignore[misc]


def test_the_steps_of_a_sign_design_can_run_one_by_one():
    inp = SignInput.model_validate(copy.deepcopy(SIGN))
    notes = Notes()
    loads = design_loads(inp, notes)
    assert loads.top_ft == 20 and len(loads.demands) == len(loads.per_pole) == 3
    assert loads.governing.lateral_lb == max(p.lateral_lb for p in loads.per_pole)
    pole = select_sign_pole(inp, loads, notes)
    assert pole.design.designation == run("sign", copy.deepcopy(SIGN)).result.pole.design.designation


def test_the_serialisation_renames_flattens_omits_orders_and_rounds():
    @dataclasses.dataclass(frozen=True, slots=True)
    class Inner:
        a: float
        b: str
        hidden: int = json_field(internal=True, default=0)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Outer:
        first: int
        inner: Inner = json_field(flatten=True, omit=("b",))
        again: Inner = json_field(order=("b", "a"), default=Inner(2.0, "y"))
        ok: bool = json_field(key="pass", default=True)
        values: tuple[float, ...] = (1 / 3, float("inf"))

    out = to_json(Outer(1, Inner(1234567.89, "x", 5)))
    assert out == {
        "first": 1,
        "a": 1234570.0,
        "again": {"b": "y", "a": 2.0},
        "pass": True,
        "values": [0.333333, None],
    }
    assert list(out) == ["first", "a", "again", "pass", "values"]
    assert list(out["again"]) == ["b", "a"]
