"""Paging by key (``after=`` the previous page's ``next``) on /api/v1/search and /api/v1/projects:
the pages read by key, one after another, are exactly the pages read by offset, in every sort,
through ties in every sort key (same names, same prices, projects without a price, the same
second, the same rank); a cursor that was not written by the server is 422 naming ``after``."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from domain.orm import utcnow
from domain.search.schemas import SearchSort

COUNT = 61
LIMIT = 7


async def tied_projects(servers: dict[str, str], owner_id: str) -> None:
    """``COUNT`` projects whose every sort key repeats: 7 names, 5 prices and no price for a
    quarter, 10 distinct creation times, 3 ranks of "harbor" (1 to 3 times in the description);
    "Bay" in one project in five, so a search is narrower than the list."""
    engine = create_async_engine(servers["database_url"])
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO projects (project_id, account_id, name, customer, description, site_address,"
                " status, revision, etag, owner_id, created_at, created_by, updated_at, updated_by,"
                " design_total) "
                "SELECT gen_random_uuid(), 'ACC-' || (i % 4), 'Harbor ' || (i % 7),"
                " CASE WHEN i % 5 = 0 THEN 'Bay Foods' ELSE 'Acme' END, repeat('harbor ', 1 + i % 3), '',"
                " (ARRAY['draft', 'estimating', 'submitted'])[1 + i % 3], 1, 'e', :owner,"
                " CAST(:now AS timestamptz) - (i % 10) * interval '1 second', :owner,"
                " CAST(:now AS timestamptz) - (i % 6) * interval '1 minute', :owner,"
                " CASE WHEN i % 4 = 0 THEN NULL ELSE (i % 5) * 100 END "
                "FROM generate_series(1, :count) AS i"
            ),
            {"owner": uuid.UUID(owner_id), "now": utcnow(), "count": COUNT},
        )
    await engine.dispose()


@pytest.fixture
async def tied(services: Any, servers: dict[str, str], estimator: dict[str, str]) -> None:
    actor = await services.users.authenticate_api_key(estimator["X-API-Key"])
    await tied_projects(servers, actor.user_id)


async def pages_by_offset(http, headers, path: str, params: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    offset = 0
    while True:
        response = await http.get(path, params={**params, "limit": LIMIT, "offset": offset}, headers=headers)
        assert response.status_code == 200, response.text
        result = response.json()["result"]
        ids += [item["project_id"] for item in result["items"]]
        offset += LIMIT
        if offset >= result["total"]:
            return ids


async def pages_by_key(http, headers, path: str, params: dict[str, Any]) -> list[str]:
    ids: list[str] = []
    after: str | None = None
    while True:
        response = await http.get(
            path, params={**params, "limit": LIMIT, **({"after": after} if after else {})}, headers=headers
        )
        assert response.status_code == 200, response.text
        result = response.json()["result"]
        assert result["offset"] == len(ids)  # the page says where it starts
        ids += [item["project_id"] for item in result["items"]]
        after = result["next"]
        if after is None:
            assert len(ids) == result["total"]  # the total the first page counted, carried along
            return ids
        assert len(result["items"]) == LIMIT


@pytest.mark.parametrize("q", ["harbor", "", "harbr"])  # ranked, not ranked, the typo fallback
@pytest.mark.parametrize("sort", [s.value for s in SearchSort])
async def test_search_pages_by_key_are_the_pages_by_offset(http, estimator, tied, q, sort):
    params = {"q": q, "sort": sort, "facets": "false"}
    by_offset = await pages_by_offset(http, estimator, "/api/v1/search", params)
    assert len(by_offset) == COUNT == len(set(by_offset))
    assert await pages_by_key(http, estimator, "/api/v1/search", params) == by_offset


async def test_a_search_page_by_key_still_counts_its_facets_when_asked(http, estimator, tied):
    first = (await http.get("/api/v1/search", params={"q": "bay", "limit": 5}, headers=estimator)).json()
    second = await http.get(
        "/api/v1/search", params={"q": "bay", "limit": 5, "after": first["result"]["next"]}, headers=estimator
    )
    result = second.json()["result"]
    assert result["total"] == 12 and result["offset"] == 5 and result["next"] is not None
    customers = next(f for f in result["facets"] if f["name"] == "customer")
    assert [(b["value"], b["count"]) for b in customers["buckets"]] == [("Bay Foods", 12)]


@pytest.mark.parametrize("q", [None, "bay", "or 1"])  # "or 1": no such words, a substring of "Harbor 1"
@pytest.mark.parametrize("sort", ["-created_at", "created_at", "name", "-name", "-updated_at", "status"])
async def test_list_pages_by_key_are_the_pages_by_offset(http, estimator, tied, q, sort):
    params = {"sort": sort, **({"q": q} if q else {})}
    by_offset = await pages_by_offset(http, estimator, "/api/v1/projects", params)
    assert len(by_offset) == len(set(by_offset)) == {None: COUNT, "bay": 12, "or 1": 9}[q]
    assert await pages_by_key(http, estimator, "/api/v1/projects", params) == by_offset


def edited(cursor: str, **changes: Any) -> str:
    doc = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    doc.update(changes)
    return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/api/v1/search", "/api/v1/projects"])
async def test_a_cursor_the_server_did_not_write_is_422_naming_after(http, estimator, tied, path):
    sort = "newest" if path.endswith("search") else "-created_at"
    first = await http.get(path, params={"limit": 5, "sort": sort}, headers=estimator)
    cursor = first.json()["result"]["next"]
    assert (
        await http.get(path, params={"sort": sort, "after": cursor}, headers=estimator)
    ).status_code == 200
    other_sort = "oldest" if path.endswith("search") else "created_at"
    for params in (
        {"after": cursor[:-6]},  # cut short
        {"after": cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]},  # a character changed
        {"after": "not a cursor"},
        {"after": edited(cursor, p=-5)},
        {"after": edited(cursor, i="someone")},
        {"after": edited(cursor, k=["yesterday"])},
        {"after": edited(cursor, k=[1, 2, 3])},
        {"after": edited(cursor, extra=True)},
        {"after": "x" * 1001},
        {"after": cursor, "offset": 5},  # one or the other
        {"after": cursor, "sort": other_sort},  # another sort's cursor
    ):
        response = await http.get(path, params={"sort": sort, **params}, headers=estimator)
        assert response.status_code == 422, (params, response.text)
        fields = [f["field"] for f in response.json()["error"]["fields"]]
        assert "after" in fields, (params, fields)
