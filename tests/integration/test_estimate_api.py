"""POST /api/v1/estimate on the real stack: the estimate of the pure package, in the envelope."""

from __future__ import annotations

import json

from domain.engineering.examples import SIGN_EXAMPLE
from domain.pricing import EstimateRequest, estimate

BODY = {"module": "signage.single_pole.direct_burial", "input": SIGN_EXAMPLE, "price_list": "v1"}


async def test_estimate_over_http_equals_the_pure_estimate(http, estimator):
    response = await http.post("/api/v1/estimate", json=BODY, headers=estimator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error"] is None and body["trace"]["price_list"] == "v1"
    direct = estimate(EstimateRequest.model_validate_json(json.dumps(BODY))).model_dump(mode="json")
    assert body["result"] == direct
    assert body["result"]["total"] == 15082.1
    assert [i["code"] for i in body["result"]["line_items"]][0] == "steel.Pipe10STD"
    assert body["assumptions"] == direct["assumptions"]
    again = await http.post("/api/v1/estimate", json=BODY, headers=estimator)
    assert again.json()["result"] == body["result"]


async def test_overrides_over_http(http, estimator):
    body = {**BODY, "overrides": {"concrete_per_yd3": 200, "lines": {"fees.permit": {"unit_price": 400}}}}
    response = await http.post("/api/v1/estimate", json=body, headers=estimator)
    assert response.status_code == 200, response.text
    lines = {i["code"]: i for i in response.json()["result"]["line_items"]}
    assert lines["concrete"]["amount"] == 124.0
    assert lines["fees.permit"]["amount"] == 400.0 and lines["fees.permit"]["overridden"] is True


async def test_bad_estimate_input_is_422_naming_every_field(http, estimator):
    bad = {
        **BODY,
        "price_list": "v9",
        "overrides": {"concrete_per_yd3": -5, "steel_per_lb": {"pipe": {"A53B": 1e9}}},
        "input": {**SIGN_EXAMPLE, "site": {**SIGN_EXAMPLE["site"], "wind_speed_mph": -1}},
    }
    response = await http.post("/api/v1/estimate", json=bad, headers=estimator)
    assert response.status_code == 422, response.text
    fields = {f["field"] for f in response.json()["error"]["fields"]}
    assert {
        "price_list",
        "overrides.concrete_per_yd3",
        "overrides.steel_per_lb.pipe.A53B",
        "input.site.wind_speed_mph",
    } <= fields

    mismatch = {**BODY, "module": "signage.two_pole.base_plate", "overrides": {"lines": {"nope": {}}}}
    response = await http.post("/api/v1/estimate", json=mismatch, headers=estimator)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert [f["field"] for f in error["fields"]] == ["module"] and "module" in error["message"]

    lines = {**BODY, "overrides": {"lines": {"steel.Pipe99": {"quantity": 1}}}}
    response = await http.post("/api/v1/estimate", json=lines, headers=estimator)
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["overrides.lines.steel.Pipe99"]


async def test_estimate_needs_an_api_key_and_is_documented(http):
    assert (await http.post("/api/v1/estimate", json=BODY)).status_code == 401
    spec = (await http.get("/api/openapi.json")).json()
    operation = spec["paths"]["/v1/estimate"]["post"]
    assert {"401", "413", "422", "429"} <= set(operation["responses"])
    assert "price_list" in json.dumps(spec["components"]["schemas"]["EstimateRequest"])
