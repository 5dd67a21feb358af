"""Project search (`q`) as people type it: codes with punctuation, literal % and _, word prefixes.

The list page and the API's `q` call the same service query, so the service is tested here and
the API once for the transport.
"""

from __future__ import annotations

import pytest

from domain.projects.schemas import ProjectCreate, ProjectQuery
from domain.search.text import like_pattern, words


def test_search_words_split_at_punctuation_like_the_document():
    assert words("ACC-007") == ["acc", "007"]
    assert words("12x6 cabinet") == ["12x6", "cabinet"]
    assert words("Pole #2") == ["pole", "2"]
    assert words("%_") == []


def test_like_pattern_escapes_wildcards_and_the_escape_character():
    assert like_pattern("100%") == r"%100\%%"
    assert like_pattern("a_b") == r"%a\_b%"
    assert like_pattern("C:\\x") == r"%c:\\x%"


@pytest.fixture
async def catalogue(services):
    creds = await services.users.create("searcher@example.com", "estimator")
    actor = await services.users.authenticate_api_key(creds.api_key)
    rows = [
        *({"name": f"Pylon {i}", "account_id": "ACC-007"} for i in range(8)),
        {"name": "Monument 12x6", "account_id": "ACC-100"},
        {"name": "Pole #2 at 100% scale", "account_id": "ACC-200", "customer": "O'Brien Fuel"},
        {"name": "Sign q_z", "account_id": "ACC-300"},
        {"name": "Sign qxz", "account_id": "ACC-300"},
    ]
    for row in rows:
        await services.projects.create(actor, ProjectCreate(**row))
    return actor


async def names(services, q: str) -> list[str]:
    page = await services.projects.search(ProjectQuery(q=q, limit=200))
    return sorted(p.name for p in page.items)


@pytest.mark.parametrize("q", ["ACC-007", "acc-007", "ACC-00", "acc 007", "007"])
async def test_account_codes_match_as_typed(services, catalogue, q):
    """Before the fix `q=ACC-007` found 1 of the 8 (the parser read "-007" as a signed number)."""
    page = await services.projects.search(ProjectQuery(q=q, limit=200))
    assert page.total == 8, q
    filtered = await services.projects.search(ProjectQuery(account_id="ACC-007", limit=200))
    assert {p.project_id for p in page.items} == {p.project_id for p in filtered.items}


async def test_tokens_with_punctuation_match(services, catalogue):
    assert await names(services, "12x6") == ["Monument 12x6"]
    assert await names(services, "12x") == ["Monument 12x6"]
    assert "Pole #2 at 100% scale" in await names(services, "#2")
    assert await names(services, "o'brien") == ["Pole #2 at 100% scale"]
    assert await names(services, "pylon 12x6") == []  # every word must match
    assert await names(services, "ylon 3") == ["Pylon 3"]  # a fragment inside a word, literally


async def test_like_wildcards_are_literal(services, catalogue):
    """`q=%` matched every project before the fix; `_` matched any character."""
    assert await names(services, "%") == ["Pole #2 at 100% scale"]
    assert await names(services, "q_z") == ["Sign q_z"]
    assert await names(services, "_") == ["Sign q_z"]


async def test_api_q_uses_the_same_search(http, services, catalogue):
    creds = await services.users.create("reader@example.com", "ops")
    response = await http.get(
        "/api/v1/projects", params={"q": "ACC-007"}, headers={"X-API-Key": creds.api_key}
    )
    assert response.status_code == 200 and response.json()["result"]["total"] == 8
    response = await http.get("/api/v1/projects", params={"q": "%"}, headers={"X-API-Key": creds.api_key})
    assert [p["name"] for p in response.json()["result"]["items"]] == ["Pole #2 at 100% scale"]
