"""The estimate of a sign: line items worked by hand, determinism, overrides and refused input."""

from __future__ import annotations

import copy
import json
import math
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from domain.engineering import calculate
from domain.engineering.examples import SIGN_EXAMPLE
from domain.engineering.schemas import SignInput
from domain.errors import InvalidInput
from domain.pricing import PRICE_LISTS, EstimateRequest, estimate, price_design

SINGLE = "signage.single_pole.direct_burial"
TWO_PLATES = "signage.two_pole.base_plate"


def _request(module: str = SINGLE, sign: dict[str, Any] | None = None, **extra: Any) -> EstimateRequest:
    body = {"module": module, "input": sign or SIGN_EXAMPLE, **extra}
    # Through JSON, as the API receives it (the engine's input models are strict).
    return EstimateRequest.model_validate_json(json.dumps(body))


def _sign(**changes: Any) -> dict[str, Any]:
    sign = copy.deepcopy(SIGN_EXAMPLE)
    for dotted, value in changes.items():
        *path, leaf = dotted.split("__")
        target = sign
        for key in path:
            target = target[key]
        target[leaf] = value
    return sign


def _lines(est: Any) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    return {i.code: (i.quantity, i.unit_price, i.amount) for i in est.line_items}


def _fields(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.errors()}


def D(text: str) -> Decimal:
    return Decimal(text)


def test_reference_sign_is_priced_line_by_line_as_worked_by_hand():
    """The README's reference sign (12 x 6 ft cabinet at 14 ft on one Pipe10STD, 9.5 ft embedment
    in a 1.5 ft pier) on price list v1, no overrides:

    steel        Pipe10STD 40.5 lb/ft x (20 + 9.5) ft = 1194.75 lb x $1.10    = 1314.225 -> 1314.23
    concrete     0.621774 yd3 -> 0.62 yd3 x $150                              =   93.00
    cabinet      12 x 6 = 72 ft2, illuminated double face x $75               = 5400.00
    fabrication  2 + 0.5 x 11.9475 + 1 x 1 pole + 0.25 x 0 holes = 8.97 h -> 9.00 h x $105 = 945.00
    installation 4 + 2 x 1 + 1.5 x 0.621774 + 1.5 x 1 + 0.1 x 20 = 10.43 h -> 10.50 h x $105 = 1102.50
    equipment    20 ft <= 35 ft: bucket truck, ceil(10.5 / 8) = 2 days x $450 =  900.00
    construction                                                             = 9754.73
    fees         permit $250 + engineering flat (20 ft <= 25 ft) $200         =  450.00
    contingency  20 % x 9754.73 = 1950.946                                   -> 1950.95
    markup       25 % x (9754.73 + 1950.95 = 11705.68) = 2926.42
    total        9754.73 + 450 + 1950.95 + 2926.42                           = 15082.10
    """
    est = estimate(_request())
    assert _lines(est) == {
        "steel.Pipe10STD": (D("1194.75"), D("1.10"), D("1314.23")),
        "concrete": (D("0.62"), D("150"), D("93.00")),
        "cabinet.1": (D("72.00"), D("75"), D("5400.00")),
        "labour.fabrication": (D("9.00"), D("105"), D("945.00")),
        "labour.installation": (D("10.50"), D("105"), D("1102.50")),
        "equipment.bucket_truck": (D("2"), D("450"), D("900.00")),
        "fees.permit": (D("1"), D("250"), D("250.00")),
        "fees.engineering": (D("1"), D("200"), D("200.00")),
        "contingency": (D("9754.73"), D("0.20"), D("1950.95")),
        "markup": (D("11705.68"), D("0.25"), D("2926.42")),
    }
    assert [i.code for i in est.line_items][:2] == ["steel.Pipe10STD", "concrete"]
    assert est.subtotals == {
        "materials": D("1407.23"),
        "cabinets": D("5400.00"),
        "labour": D("2047.50"),
        "equipment": D("900.00"),
        "fees": D("450.00"),
        "adjustments": D("4877.37"),
    }
    assert est.total == D("15082.10")
    assert est.price_list == "v1" and est.currency == "USD" and est.module == SINGLE
    assert any("options.cabinets" in a["text"] for a in est.assumptions)
    body = est.model_dump(mode="json")
    assert body["total"] == 15082.1 and body["line_items"][0]["unit_price"] == 1.1
    assert set(body["line_items"][0]) >= {
        "code",
        "label",
        "group",
        "quantity",
        "unit",
        "unit_price",
        "amount",
    }


def test_base_plates_and_anchor_rods_are_priced_by_weight():
    """Two poles on base plates: 12 F1554-36 rods of 1 in x 43.0 in (1 in yield-line plate) weigh
    12 x pi/4 x 1 in2 x 43.0 in x 490/1728 lb/in3 = 114.92 lb; x $2.50 = 287.30.
    Fabrication counts the 12 holes: 2 + 0.5 x 13.079 + 1 x 2 + 0.25 x 12 = 13.54 h -> 13.75 h."""
    sign = _sign(supports__count=2, supports__spacing_ft=8, supports__mount="base_plate")
    result = calculate("sign", sign)["result"]
    rods = result["bom"]["anchor_bolts"][0]
    weight = rods["count"] * math.pi / 4 * rods["diameter_in"] ** 2 * rods["length_in"] * 490 / 1728
    est = estimate(_request(TWO_PLATES, sign))
    lines = _lines(est)
    assert (rods["count"], rods["diameter_in"], rods["length_in"]) == (12, 1.0, 43.0)
    assert lines["anchor_rods.F1554-36"] == (D("114.92"), D("2.50"), D("287.30"))
    assert round(weight, 2) == 114.92
    plate = result["bom"]["plates"][0]
    assert lines["plate.A36"][0] == Decimal(repr(plate["weight_lb"])).quantize(D("0.01"))
    assert lines["labour.fabrication"][0] == D("13.75")


def test_a_tall_sign_needs_a_crane_and_the_higher_engineering_fee():
    est = estimate(_request(sign=_sign(clearance_ft=40)))  # 46 ft overall
    lines = _lines(est)
    assert "equipment.crane" in lines and "equipment.bucket_truck" not in lines
    assert lines["equipment.crane"][1] == D("1400")
    assert lines["fees.engineering"][2] == D("300.00")


def test_equal_requests_give_byte_equal_estimates():
    first = estimate(_request(overrides={"concrete_per_yd3": "162.50"}))
    second = estimate(_request(overrides={"concrete_per_yd3": 162.5}))
    assert first.model_dump_json() == second.model_dump_json()
    assert json.dumps(first.model_dump(mode="json")) == json.dumps(
        estimate(_request(overrides={"concrete_per_yd3": 162.5})).model_dump(mode="json")
    )


def test_price_design_prices_an_engine_result_without_running_the_engine_again():
    result = calculate("sign", SIGN_EXAMPLE)["result"]
    direct = price_design(result, SignInput.model_validate(SIGN_EXAMPLE), PRICE_LISTS["v1"], module=SINGLE)
    assert direct == estimate(_request())


def test_price_overrides_replace_the_list_price_and_flow_into_the_totals():
    est = estimate(
        _request(
            overrides={
                "concrete_per_yd3": 200,
                "steel_per_lb": {"pipe": {"A53B": "1.50"}},
                "labour_rate_per_hour": 90,
                "engineering": {"flat_fee_up_to_height": 250},
                "contingency_percent": 0,
                "profit": {"mode": "markup", "markup_percent": 0},
            }
        )
    )
    lines = _lines(est)
    assert lines["concrete"] == (D("0.62"), D("200"), D("124.00"))
    assert lines["steel.Pipe10STD"][2] == D("1792.13")  # 1194.75 x 1.50 = 1792.125
    assert lines["labour.fabrication"][2] == D("810.00")  # 9 h x $90
    assert lines["fees.engineering"][2] == D("250.00")
    assert lines["contingency"][2] == lines["markup"][2] == D("0.00")
    # Nothing else moved: the list itself is not changed by an estimate's overrides.
    assert PRICE_LISTS["v1"].concrete_per_yd3 == D("150")
    assert est.total == sum(i.amount for i in est.line_items)


def test_margin_of_twenty_percent_equals_a_markup_of_twenty_five():
    markup = estimate(_request())
    margin = estimate(_request(overrides={"profit": {"mode": "margin", "margin_percent": 20}}))
    assert _lines(margin)["margin"][1:] == (D("0.250000"), D("2926.42"))
    assert margin.total == markup.total


def test_engineering_as_a_percent_of_construction():
    est = estimate(_request(overrides={"engineering": {"mode": "percent", "percent_of_construction": 12}}))
    assert _lines(est)["fees.engineering"] == (D("9754.73"), D("0.12"), D("1170.57"))


def test_cabinet_type_options_and_fee_add_ons():
    est = estimate(
        _request(
            options={"cabinets": [{"illuminated": False, "faces": 1}], "calc_packet": True, "hard_copies": 3}
        )
    )
    lines = _lines(est)
    assert lines["cabinet.1"] == (D("72.00"), D("30"), D("2160.00"))
    assert lines["fees.calc_packet"][2] == D("100.00")
    assert lines["fees.hard_copies"] == (D("3"), D("25"), D("75.00"))
    assert not any("options.cabinets" in a["text"] for a in est.assumptions)


def test_line_overrides_replace_quantity_or_unit_price_and_are_marked():
    est = estimate(
        _request(overrides={"lines": {"concrete": {"quantity": 1}, "fees.permit": {"unit_price": "1200"}}})
    )
    lines = _lines(est)
    assert lines["concrete"] == (D("1"), D("150"), D("150.00"))
    assert lines["fees.permit"][2] == D("1200.00")
    marked = {i.code for i in est.line_items if i.overridden}
    assert marked == {"concrete", "fees.permit"}
    # The contingency follows the overridden concrete: (9754.73 - 93 + 150) x 20 %.
    assert _lines(est)["contingency"][0] == D("9811.73")


def test_an_unknown_price_list_version_names_the_field():
    with pytest.raises(ValidationError) as exc:
        _request(price_list="v0")
    assert _fields(exc.value) == {"price_list"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"concrete_per_yd3": -1}, "overrides.concrete_per_yd3"),
        ({"steel_per_lb": {"pipe": {"A53B": 5000}}}, "overrides.steel_per_lb.pipe.A53B"),
        ({"labour_rate_per_hour": "NaN"}, "overrides.labour_rate_per_hour"),
        ({"fabrication_hours": {"per_pole": -0.5}}, "overrides.fabrication_hours.per_pole"),
        ({"profit": {"margin_percent": 100}}, "overrides.profit.margin_percent"),
        ({"contingency_percent": 250}, "overrides.contingency_percent"),
        ({"equipment": {"hours_per_day": 0}}, "overrides.equipment.hours_per_day"),
        ({"equipment": {"hours_per_day": 5e-324}}, "overrides.equipment.hours_per_day"),
        ({"lines": {"concrete": {"unit_price": -3}}}, "overrides.lines.concrete.unit_price"),
        ({"concrete": 100}, "overrides.concrete"),
        ({"sources": {}}, "overrides.sources"),
    ],
)
def test_a_negative_absurd_or_unknown_override_names_the_field(overrides, field):
    with pytest.raises(ValidationError) as exc:
        _request(overrides=overrides)
    assert field in _fields(exc.value)


def _refusal(request: EstimateRequest) -> dict[str, str]:
    with pytest.raises(InvalidInput) as exc:
        estimate(request)
    return {f["field"]: f["message"] for f in exc.value.fields}


def test_a_module_that_disagrees_with_the_supports_names_module():
    fields = _refusal(_request(TWO_PLATES))
    assert set(fields) == {"module"}
    assert "supports.count 1" in fields["module"]
    fields = _refusal(_request("signage.single_pole.base_plate"))
    assert set(fields) == {"module"}


def test_overrides_the_list_cannot_price_are_refused_by_field():
    fields = _refusal(
        _request(
            overrides={
                "steel_per_lb": {"square_hss": {"A53B": 1}},
                "lines": {"steel.Pipe99": {"quantity": 1}, "markup": {"unit_price": 0}},
            },
            options={"cabinets": [{}, {}]},
        )
    )
    assert set(fields) == {"overrides.steel_per_lb.square_hss.A53B", "options.cabinets"}
    # Line codes are checked against the priced lines, once the rest is valid.
    fields = _refusal(
        _request(overrides={"lines": {"steel.Pipe99": {"quantity": 1}, "markup": {"unit_price": 0}}})
    )
    assert set(fields) == {"overrides.lines.steel.Pipe99", "overrides.lines.markup"}
    assert "profit" in fields["overrides.lines.markup"]


def test_every_bad_field_is_named_at_once_including_the_engines_refusals():
    sign = _sign(supports__spacing_ft=5)  # spacing with one pole: the engine's cross-field rule
    fields = _refusal(_request(TWO_PLATES, sign))
    assert set(fields) == {"module", "input.supports.spacing_ft"}
