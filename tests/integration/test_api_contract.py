"""The OpenAPI document against the live API: what it declares, and Schemathesis checking that
the server keeps to it (no server errors, no response outside the schema, invalid input refused)."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import pytest

from tests.served import served

ST = Path(sys.executable).with_name("st")


async def test_every_operation_declares_its_errors_with_the_envelope(http):
    doc = (await http.get("/api/openapi.json")).json()
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["APIKeyHeader"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
        "description": doc["components"]["securitySchemes"]["APIKeyHeader"]["description"],
    }
    expected = {
        ("post", "/v1/projects"): {"401", "403", "409", "413", "422", "429"},
        ("get", "/v1/projects"): {"401", "422", "429"},
        ("get", "/v1/projects/{project_id}"): {"304", "401", "404", "422", "429"},
        ("patch", "/v1/projects/{project_id}"): {
            "401",
            "403",
            "404",
            "409",
            "412",
            "413",
            "422",
            "428",
            "429",
        },
        ("post", "/v1/projects/{project_id}/transitions"): {
            *("401", "403", "404", "409", "412", "413", "422", "428", "429")
        },
        ("get", "/v1/projects/{project_id}/events"): {"401", "404", "422", "429"},
        ("post", "/v1/projects/{project_id}/designs"): {
            *("401", "403", "404", "409", "412", "413", "422", "428", "429")
        },
        ("get", "/v1/projects/{project_id}/designs"): {"401", "404", "422", "429"},
        ("get", "/v1/projects/{project_id}/designs/{revision}"): {"401", "404", "422", "429"},
        ("get", "/v1/projects/{project_id}/designs/{a}/diff/{b}"): {"401", "404", "422", "429"},
        ("post", "/v1/calc/sign"): {"401", "413", "422", "429"},
        ("post", "/v1/estimate"): {"401", "413", "422", "429"},
        ("post", "/v1/projects/{project_id}/files"): {
            *("400", "401", "403", "404", "409", "413", "415", "422", "429")
        },
        ("get", "/v1/projects/{project_id}/files"): {"401", "404", "422", "429"},
        ("get", "/v1/projects/{project_id}/files/{file_id}"): {"304", "401", "404", "422", "429"},
        ("delete", "/v1/projects/{project_id}/files/{file_id}"): {
            *("401", "403", "404", "409", "412", "422", "428", "429")
        },
    }
    for (method, path), codes in expected.items():
        responses = doc["paths"][path][method]["responses"]
        assert codes <= set(responses), (method, path, set(responses))
        for code in codes - {"304"}:
            schema = responses[code]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/ErrorEnvelope"}, (method, path, code)
        assert "Retry-After" in responses["429"]["headers"]
    upload = doc["paths"]["/v1/projects/{project_id}/files"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["required"] == ["file"]
    delete = doc["paths"]["/v1/projects/{project_id}/files/{file_id}"]["delete"]["parameters"]
    assert next(p for p in delete if p["name"].lower() == "if-match")["required"] is True
    writes = ("/v1/projects/{project_id}", "/v1/projects/{project_id}/transitions")
    for path in (*writes, "/v1/projects/{project_id}/designs"):
        method = "patch" if path.endswith("}") else "post"
        if_match = next(
            p for p in doc["paths"][path][method]["parameters"] if p["name"].lower() == "if-match"
        )
        assert if_match["required"] is True
    create = doc["paths"]["/v1/projects"]["post"]
    key = next(p for p in create["parameters"] if p["name"].lower() == "idempotency-key")
    assert key["schema"]["anyOf"][0]["maxLength"] == 200
    name = doc["components"]["schemas"]["ProjectCreate"]["properties"]["name"]
    assert re.fullmatch(name["pattern"], "Main St") and not re.search(name["pattern"], "A\u202eB")
    assert not re.search(name["pattern"], "a\x00b") and not re.search(name["pattern"], "   ")
    assert "Idempotency-Key" in create["description"]
    events = doc["paths"]["/v1/projects/{project_id}/events"]["get"]
    offset = next(p for p in events["parameters"] if p["name"] == "offset")
    assert offset["schema"]["maximum"] == 100_000
    save = doc["paths"]["/v1/projects/{project_id}/designs"]["post"]["responses"]
    assert {"200", "201"} <= set(save) and "ETag" in save["201"]["headers"]
    revision = doc["paths"]["/v1/projects/{project_id}/designs/{revision}"]["get"]["parameters"]
    bound = next(p for p in revision if p["name"] == "revision")["schema"]
    assert (bound["minimum"], bound["maximum"]) == (1, 1_000_000)


# Twenty operations at 25 examples each: about two minutes on a quiet machine, more under load.
@pytest.mark.timeout(420)
async def test_schemathesis_finds_no_server_error_and_no_schema_violation(make_app, services, tmp_path):
    creds = await services.users.create("contract@example.com", "admin", "Contract Check")
    app = make_app(
        api_rate_per_key="100000/minute",
        api_rate_per_address="100000/minute",
        api_key_failures_per_address="100000/minute",
    )
    async with served(app) as base:
        process = await asyncio.create_subprocess_exec(
            str(ST),
            "--config-file",
            str(Path(__file__).with_name("schemathesis.toml")),
            "run",
            f"{base}/api/openapi.json",
            "--checks",
            "all",
            "--seed",
            "20240601",
            "--max-examples",
            "25",
            "--generation-deterministic",
            "--workers",
            "1",
            "--header",
            f"X-API-Key: {creds.api_key}",
            "--request-timeout",
            "10",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,
        )
        out, _ = await process.communicate()
    report = out.decode(errors="replace")
    assert process.returncode == 0, report[-12000:]
    assert "server error" not in report.lower()
