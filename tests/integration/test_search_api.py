"""/api/v1/search and its CSV export over the real HTTP stack (the service is tested in
test_search.py): envelope, facets and highlights, bad parameters named, bounded offsets, a
streamed export of every matching row."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from domain.projects.schemas import ProjectCreate
from tests.integration.test_search import bulk_projects


@pytest.fixture
async def catalogue(services, estimator):
    actor = await services.users.authenticate_api_key(estimator["X-API-Key"])
    for name, customer in (("Harbor pylon", "Acme"), ("Harbor monument", "Café Zoë"), ("Other", "Acme")):
        await services.projects.create(actor, ProjectCreate(name=name, account_id="ACC-1", customer=customer))
    return actor


async def test_search_answers_in_the_envelope_with_highlights_and_facets(http, estimator, catalogue):
    response = await http.get("/api/v1/search", params={"q": "harb", "sort": "name"}, headers=estimator)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["error"] is None and body["trace"]["request_id"]
    result = body["result"]
    assert [h["name"] for h in result["items"]] == ["Harbor monument", "Harbor pylon"]
    assert result["total"] == 2 and result["total_exact"] is True and result["backend"] == "postgresql"
    assert result["items"][0]["highlights"]["name"] == [
        {"text": "Harbor", "match": True},
        {"text": " monument", "match": False},
    ]
    customers = next(f for f in result["facets"] if f["name"] == "customer")
    assert {b["value"]: (b["count"], b["params"]) for b in customers["buckets"]} == {
        "Acme": (1, {"customer": "Acme"}),
        "Café Zoë": (1, {"customer": "Café Zoë"}),
    }
    narrowed = await http.get(
        "/api/v1/search", params={"q": "harb", "customer": "Café Zoë"}, headers=estimator
    )
    assert [h["name"] for h in narrowed.json()["result"]["items"]] == ["Harbor monument"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"offset": "9223372036854775808"}, "offset"),
        ({"offset": "10001"}, "offset"),
        ({"offset": "-1"}, "offset"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"sort": "price"}, "sort"),
        ({"status": "lost"}, "status"),
        ({"owner_id": "nobody"}, "owner_id"),
        ({"created_from": "2026-13-01"}, "created_from"),
        ({"wind_min": "-5"}, "wind_min"),
        ({"updated_to": "0"}, "updated_to"),  # not read as a timestamp: the schema says a date
        ({"wind_max": "calm"}, "wind_max"),  # the schema says a number
        ({"price_max": "1e12"}, "price_max"),
        ({"poles": "3"}, "poles"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_parameters_are_422_naming_the_field(http, estimator, params, field):
    for path in ("/api/v1/search", "/api/v1/search/export.csv"):
        response = await http.get(path, params=params, headers=estimator)
        assert response.status_code == 422, (path, params, response.text)
        fields = [f["field"] for f in response.json()["error"]["fields"]]
        assert any(f.endswith(field) for f in fields), (params, fields)


async def test_any_calendar_day_is_a_valid_bound(http, estimator):
    """The schema's ``format: date`` admits year 600 and 3521: bounds that wide are no bounds, not a 422."""
    params = {"created_from": "0600-05-07", "updated_to": "3521-11-29"}
    response = await http.get("/api/v1/search", params=params, headers=estimator)
    assert response.status_code == 200, response.text
    unbounded = await http.get("/api/v1/search", headers=estimator)
    assert response.json()["result"]["total"] == unbounded.json()["result"]["total"]


async def test_a_reversed_range_matches_nothing(http, estimator, catalogue):
    """price 999,999,999 to 0 and February to January: every bound is valid, together they admit nothing."""
    everything = await http.get("/api/v1/search", headers=estimator)
    assert everything.json()["result"]["total"] > 0
    for params in (
        {"price_min": "999999999", "price_max": "0"},
        {"created_from": "2026-02-01", "created_to": "2026-01-01"},
    ):
        response = await http.get("/api/v1/search", params=params, headers=estimator)
        assert response.status_code == 200, response.text
        assert response.json()["result"]["total"] == 0, params


async def test_search_needs_an_api_key(http):
    assert (await http.get("/api/v1/search", params={"q": "x"})).status_code == 401
    assert (await http.get("/api/v1/search/export.csv")).status_code == 401


async def asgi_get(app, path: str, query: str, headers: dict[str, str]) -> tuple[int, list[bytes]]:
    """The response of one GET as the ASGI messages the app sent: one body message per chunk
    (httpx's ASGI transport joins them, hiding whether the answer was streamed)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in {**headers, "host": "testserver"}.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent: list[dict] = []
    asked = []
    never = asyncio.Event()

    async def receive():
        if not asked:
            asked.append(True)
            return {"type": "http.request", "body": b"", "more_body": False}
        await never.wait()  # the client stays connected

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, [m.get("body", b"") for m in sent if m["type"] == "http.response.body"]


async def test_export_streams_every_matching_row(make_app, services, servers, estimator, catalogue):
    await bulk_projects(servers, catalogue.user_id, 10_000, name="Harbor bulk")
    status, chunks = await asgi_get(make_app(), "/api/v1/search/export.csv", "q=harbor&limit=1", estimator)
    assert status == 200
    assert len([c for c in chunks if c]) > 10  # sent in batches as the cursor reads, not whole
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    assert rows[0][:2] == ["project_id", "name"] and len(rows) == 1 + 10_002
    assert {"Harbor pylon", "Harbor monument"} <= {r[1] for r in rows[1:]}
