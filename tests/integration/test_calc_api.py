"""The engine through the HTTP API and the command line: same envelope, same numbers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from domain.engineering import calculate
from domain.engineering.examples import SIGN_EXAMPLE

ROOT = Path(__file__).resolve().parents[2]

SIGN = SIGN_EXAMPLE
MEDEEK = {
    "code": "asce7-16",
    "wind_speed_mph": 155,
    "exposure": "D",
    "width_ft": 3,
    "height_ft": 3,
    "top_height_ft": 20,
}


async def test_wind_over_http_matches_the_public_example(http, estimator):
    response = await http.post("/api/v1/calc/wind", json=MEDEEK, headers=estimator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error"] is None and body["assumptions"]
    assert round(body["result"]["kz"], 3) == 1.083
    assert {
        "request_id",
        "code_version",
        "timestamp",
        "duration_ms",
        "constants_version",
        "inputs_sha256",
        "result_sha256",
    } <= set(body["trace"])


async def test_sign_over_http_equals_the_pure_engine(http, estimator):
    response = await http.post("/api/v1/calc/sign", json=SIGN, headers=estimator)
    assert response.status_code == 200, response.text
    body = response.json()
    direct = calculate("sign", SIGN)
    assert body["result"] == direct["result"]
    assert body["trace"]["result_sha256"] == direct["trace"]["result_sha256"]
    metrics = (await http.get("/metrics")).text
    assert 'signx_calculations_total{kind="sign",outcome="ok"}' in metrics
    assert body["result"]["pole"]["designation"] and "embedment_ft" in body["result"]["foundation"]


async def test_invalid_calc_input_is_422_naming_the_fields(http, estimator):
    bad = {
        **SIGN,
        "site": {**SIGN["site"], "wind_speed_mph": -1},
        "supports": {**SIGN["supports"], "grade": "A36X"},
    }
    response = await http.post("/api/v1/calc/sign", json=bad, headers=estimator)
    assert response.status_code == 422
    fields = {f["field"] for f in response.json()["error"]["fields"]}
    assert {"site.wind_speed_mph", "supports.grade"} <= fields
    assert (await http.post("/api/v1/calc/sign", json=SIGN)).status_code == 401
    assert (await http.post("/api/v1/calc/beam", json={}, headers=estimator)).status_code == 404


async def test_openapi_documents_calc_inputs_with_enums(http):
    spec = (await http.get("/api/openapi.json")).json()
    assert "/v1/calc/sign" in spec["paths"]
    body = spec["paths"]["/v1/calc/sign"]["post"]["requestBody"]["content"]["application/json"]
    example = body["examples"]["example"]["value"]  # the OpenAPI document leaves out the nulls
    assert example["cabinets"] == SIGN["cabinets"] and example["site"] == SIGN["site"]
    schemas = json.dumps(spec["components"]["schemas"])
    assert "Pipe8STD" in schemas and "A500C" in schemas and "HSS10.750X0.250" in schemas


def test_cli_calc_prints_the_envelope_and_exits_2_on_bad_input(tmp_path):
    path = tmp_path / "sign.json"
    path.write_text(json.dumps(SIGN))
    done = subprocess.run(
        [sys.executable, "app.py", "calc", "sign", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert set(out) == {"result", "assumptions", "confidence", "trace"}
    assert out["result"] == calculate("sign", SIGN)["result"]

    bad = subprocess.run(
        [sys.executable, "app.py", "calc", "wind", "-"],
        cwd=ROOT,
        input='{"code": "asce7-16"}',
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2
    fields = {f["field"] for f in json.loads(bad.stdout)["error"]["fields"]}
    assert {"wind_speed_mph", "exposure", "width_ft"} <= fields
    not_json = subprocess.run(
        [sys.executable, "app.py", "calc", "wind", "-"],
        cwd=ROOT,
        input="{oops",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert not_json.returncode == 2 and json.loads(not_json.stdout)["error"]["code"] == "invalid_json"
