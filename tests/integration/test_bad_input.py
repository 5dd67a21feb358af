"""Malformed requests get a 4xx envelope naming what is wrong, never a 500."""

from __future__ import annotations


async def test_malformed_json_body_is_422_naming_the_body(http, estimator):
    headers = {**estimator, "Content-Type": "application/json"}
    response = await http.post("/api/v1/projects", content=b'{"name": "x",', headers=headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and error["fields"][0]["field"] == "body"


async def test_a_json_array_instead_of_an_object_is_422(http, estimator):
    response = await http.post("/api/v1/projects", json=["name"], headers=estimator)
    assert response.status_code == 422


async def test_wrong_method_and_unknown_route_keep_the_envelope(http, estimator):
    wrong = await http.delete("/api/v1/projects", headers=estimator)
    assert wrong.status_code == 405 and wrong.json()["error"]["code"] == "method_not_allowed"
    missing = await http.get("/api/v2/anything", headers=estimator)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_negative_offset_and_text_limit_name_the_parameter(http, estimator):
    response = await http.get("/api/v1/projects?offset=-1&limit=ten", headers=estimator)
    assert response.status_code == 422
    assert {f["field"] for f in response.json()["error"]["fields"]} == {"offset", "limit"}


async def test_control_characters_are_422_naming_the_field_not_a_database_error(http, estimator):
    created = await http.post(
        "/api/v1/projects", json={"name": "a\u0000b", "account_id": "A1"}, headers=estimator
    )
    assert created.status_code == 422 and created.json()["error"]["fields"][0]["field"] == "name"
    ok = await http.post(
        "/api/v1/projects",
        json={"name": "Pylon", "account_id": "A1", "description": "line one\nline two\ttabbed"},
        headers=estimator,
    )
    assert ok.status_code == 201
    url, etag = ok.headers["location"], ok.headers["etag"]
    patched = await http.patch(
        url, json={"site_address": "1 Main\u0000St"}, headers={**estimator, "If-Match": etag}
    )
    assert patched.status_code == 422 and patched.json()["error"]["fields"][0]["field"] == "site_address"
    for query, field in (("q=%00abc", "q"), ("account_id=%00", "account_id")):
        listed = await http.get(f"/api/v1/projects?{query}", headers=estimator)
        assert listed.status_code == 422, query
        assert listed.json()["error"]["fields"][0]["field"] == field


async def test_an_explicit_null_in_a_patch_is_422_not_silently_ignored(http, estimator):
    ok = await http.post("/api/v1/projects", json={"name": "Pylon", "account_id": "A1"}, headers=estimator)
    url, etag = ok.headers["location"], ok.headers["etag"]
    response = await http.patch(url, json={"name": None}, headers={**estimator, "If-Match": etag})
    assert response.status_code == 422 and response.json()["error"]["fields"][0]["field"] == "name"
    assert (await http.get(url, headers=estimator)).headers["etag"] == etag
