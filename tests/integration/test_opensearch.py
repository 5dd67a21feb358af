"""Search on OpenSearch, with the real database and Redis, against a stand-in for OpenSearch.

No OpenSearch server can run on these machines: the adapter (``infra.search.opensearch``) talks
over real HTTP to ``tests.opensearch_fake.FakeOpenSearch``, an aiohttp server on 127.0.0.1 in the
test that implements the few REST calls the adapter makes (index create with mappings, alias
lookup and update, bulk, search answering from the documents it received, delete index). What
these tests show: the mappings and analysers sent, a project change indexed through the outbox
after its commit (not inside the transaction, not after a rollback), the alias swapped by a
reindex, the same result shape as PostgreSQL's, and a slow or failing OpenSearch answered for by
PostgreSQL in the same request, with the breaker opening and the fallbacks counted.
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from bootstrap import install_http, search_deliveries, wire
from domain.idempotency.service import IdempotencyRequest
from domain.projects.schemas import ProjectCreate, ProjectOut, ProjectUpdate
from domain.search.postgres import PostgresSearch
from domain.search.results import FALLBACK_NOTICE
from domain.search.schemas import SearchQuery, SearchSort
from infra.db import Database
from infra.metrics import BREAKER_STATE, REGISTRY
from infra.relay import OutboxRelay
from infra.settings import Settings
from tests.designs import save_passing_design
from tests.opensearch_fake import FakeOpenSearch

ROOT = Path(__file__).resolve().parents[2]
ALIAS = "signx-projects"


def closed_port_url() -> str:
    """An http URL on a loopback port where nothing listens (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenSearch]:
    server = await FakeOpenSearch().start()
    yield server
    await server.stop()


def opensearch_settings(url: str, **extra: Any) -> Settings:
    return Settings(
        opensearch_url=url,
        opensearch_timeout_seconds=extra.pop("timeout", 1.0),
        opensearch_breaker_failures=extra.pop("failures", 2),
        opensearch_breaker_seconds=60,
        relay_in_server=False,  # the tests drive the search relay themselves
        **extra,
    )


@pytest.fixture
async def on_opensearch(servers, fake) -> AsyncIterator[Any]:
    """The services wired as the server wires them with SIGNX_OPENSEARCH_URL set."""
    services, release = wire(opensearch_settings(fake.url), servers["database_url"], servers["redis_url"])
    yield services
    await release()


@pytest.fixture
async def relay(servers, on_opensearch) -> AsyncIterator[OutboxRelay]:
    """The search relay of the server (same deliveries), drained by the test instead of woken."""
    db = Database(servers["database_url"], pool_size=2)
    yield OutboxRelay(db, deliver=search_deliveries(on_opensearch.search), listen=False)
    await db.dispose()


@pytest.fixture
async def estimator(on_opensearch):
    creds = await on_opensearch.users.create("est@example.com", "estimator", "Eve")
    return await on_opensearch.users.authenticate_api_key(creds.api_key)


async def make(services, actor, name: str, **fields: Any) -> ProjectOut:
    data = {"account_id": "ACC-1", "customer": "", "site_address": "", **fields}
    return await services.projects.create(actor, ProjectCreate(name=name, **data))


def names_in(fake: FakeOpenSearch) -> list[str]:
    return sorted(d["name"] for d in fake.documents(ALIAS).values())


def fallbacks(reason: str) -> float:
    return REGISTRY.get_sample_value("signx_search_fallbacks_total", {"reason": reason}) or 0.0


async def outbox_search_rows(servers) -> list[tuple[Any, ...]]:
    db = Database(servers["database_url"], pool_size=1)
    try:
        async with db.sessions() as session:
            rows = await session.execute(
                text(
                    "SELECT payload->>'project_id', published_at IS NOT NULL, attempts FROM outbox "
                    "WHERE kind = 'search.index' ORDER BY id"
                )
            )
            return [tuple(r) for r in rows]
    finally:
        await db.dispose()


async def ready(services, settings: Settings) -> httpx.Response:
    app = FastAPI()
    close = install_http(app, services, settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
            return await client.get("/ready")
    finally:
        await close()


# -- the index ----------------------------------------------------------------------------------------


async def test_the_first_write_creates_a_versioned_index_with_explicit_mappings_behind_the_alias(
    on_opensearch, relay, estimator, fake
):
    project = await make(on_opensearch, estimator, "Café Harbor Pylon", customer="Acme")
    assert fake.indexes == {}  # nothing is sent by the change itself
    assert await relay.drain() == 1

    assert list(fake.indexes) == [f"{ALIAS}-v1-initial"] and fake.behind(ALIAS) == [f"{ALIAS}-v1-initial"]
    body = fake.indexes[f"{ALIAS}-v1-initial"]["body"]
    mappings, analysis = body["mappings"], body["settings"]["analysis"]
    assert mappings["dynamic"] == "strict"
    name = mappings["properties"]["name"]
    assert name["analyzer"] == "signx_text"
    assert name["fields"]["prefix"] == {
        "type": "text",
        "analyzer": "signx_prefix",
        "search_analyzer": "signx_text",
    }
    assert mappings["properties"]["customer"]["type"] == "keyword"  # facets and filters are exact
    assert mappings["properties"]["created_at"] == {"type": "date"}
    assert analysis["filter"]["signx_edge"]["type"] == "edge_ngram"
    assert analysis["analyzer"]["signx_text"]["filter"] == ["lowercase", "asciifolding"]
    assert analysis["analyzer"]["signx_prefix"]["filter"] == ["lowercase", "asciifolding", "signx_edge"]
    assert analysis["normalizer"]["signx_folded"]["filter"] == ["lowercase", "asciifolding"]
    assert body["settings"]["index"]["max_result_window"] >= 10_000 + 100

    doc = fake.documents(ALIAS)[project.project_id]
    assert doc["name"] == "Café Harbor Pylon" and doc["owner_email"] == "est@example.com"
    (action,) = [line for line in fake.bulk_bodies[0] if "index" in line]
    assert action["index"]["version"] == 1 and action["index"]["version_type"] == "external_gte"


async def test_a_change_is_indexed_after_its_commit_never_inside_it_nor_after_a_rollback(
    on_opensearch, relay, estimator, fake, servers
):
    projects = on_opensearch.projects
    async with projects.uow.acting(estimator.user_id) as tx:
        # ProjectService.create's own unit of work, held open to look inside it.
        created = await projects._create(
            tx, estimator, ProjectCreate(name="Harbor Pylon", account_id="ACC-1"), request_id=None
        )
        await tx.session.flush()
        assert await relay.drain() == 0  # the relay cannot see a row that is not committed
        assert fake.bulk_bodies == []
    assert await outbox_search_rows(servers) == [(created.project_id, False, 0)]
    assert await relay.drain() == 1
    assert names_in(fake) == ["Harbor Pylon"]

    def die_before_the_commit(_project: Any) -> Any:
        raise RuntimeError("the process dies before the commit")

    with pytest.raises(RuntimeError):
        await projects.create_replayable(
            estimator,
            ProjectCreate(name="Never Committed", account_id="ACC-1"),
            idempotency=IdempotencyRequest("POST /api/v1/projects", "k-1", die_before_the_commit),
        )
    assert await relay.drain() == 0
    assert names_in(fake) == ["Harbor Pylon"] and len(await outbox_search_rows(servers)) == 1

    # An update, a transition-free design save: each committed change refreshes the document.
    renamed = await projects.update(
        estimator, created.project_id, ProjectUpdate(name="Harbor Pylon East"), if_match=created.etag
    )
    assert await relay.drain() == 1
    assert names_in(fake) == ["Harbor Pylon East"]
    await save_passing_design(on_opensearch, estimator, renamed)
    assert await relay.drain() == 1
    doc = fake.documents(ALIAS)[created.project_id]
    assert doc["revision"] == 3 and doc["design_section"] and doc["design_total"] is not None
    assert doc["design_section"] in doc["design_text"]

    # An older refresh delivered late (at least once) never replaces the newer document.
    stale = dict(doc, revision=2, name="Harbor Pylon East (stale)")
    await on_opensearch.search.index.index([stale])
    assert fake.documents(ALIAS)[created.project_id]["name"] == "Harbor Pylon East"


async def test_without_opensearch_no_search_rows_are_written(services, servers):
    creds = await services.users.create("pg@example.com", "estimator")
    actor = await services.users.authenticate_api_key(creds.api_key)
    await make(services, actor, "Plain PostgreSQL")
    assert services.search.backend == "postgresql"
    assert await outbox_search_rows(servers) == []


# -- reindex ------------------------------------------------------------------------------------------


async def test_reindex_builds_a_new_index_loads_it_and_swaps_the_alias_in_one_step(
    on_opensearch, relay, estimator, fake
):
    for name in ("Harbor Pylon", "Depot Sign", "Riverside Monument"):
        await make(on_opensearch, estimator, name)
    await relay.drain()
    initial = f"{ALIAS}-v1-initial"
    fake.indexes[initial]["docs"]["ghost"] = (1, {"project_id": "ghost", "name": "Deleted long ago"})
    fake.alias_updates.clear()
    fake.requests.clear()

    progress: list[tuple[int, int]] = []
    assert await on_opensearch.search.reindex(lambda done, total: progress.append((done, total))) == 3

    (new,) = fake.behind(ALIAS)
    assert re.fullmatch(rf"{ALIAS}-v1-\d{{8}}t\d{{12}}", new), new
    assert initial not in fake.indexes  # the old index is deleted after the swap
    assert fake.indexes[new]["body"]["settings"]["index"]["refresh_interval"] == "-1"  # bulk load
    assert fake.alias_updates == [
        [{"remove": {"index": initial, "alias": ALIAS}}, {"add": {"index": new, "alias": ALIAS}}]
    ]  # one atomic call: searches see the old index or the new one, never neither
    assert names_in(fake) == ["Depot Sign", "Harbor Pylon", "Riverside Monument"]  # no ghost
    assert progress == [(3, 3)]
    order = [(m, p) for m, p in fake.requests if p.startswith(f"/{new}") or p in ("/_aliases", f"/{initial}")]
    assert order[0] == ("PUT", f"/{new}") and order[-1] == ("DELETE", f"/{initial}")
    assert order.index(("POST", "/_aliases")) > order.index(("POST", f"/{new}/_refresh"))

    result = await on_opensearch.search.search(estimator, SearchQuery(q="harb"))
    assert result.backend == "opensearch" and [h.name for h in result.items] == ["Harbor Pylon"]


async def test_the_reindex_command_prints_progress_and_swaps_the_alias(services, servers, fake):
    creds = await services.users.create("cli@example.com", "estimator")
    actor = await services.users.authenticate_api_key(creds.api_key)
    for name in ("Harbor Pylon", "Depot Sign"):
        await make(services, actor, name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NICEGUI_", "PYTEST"))}

    async def run(**extra: str) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "app.py",
            "search",
            "reindex",
            cwd=ROOT,
            env={**env, **extra},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        return process.returncode or 0, out.decode(), err.decode()

    code, out, err = await run(SIGNX_OPENSEARCH_URL=fake.url)
    assert code == 0, err
    assert "indexed 2 of 2 projects (100 %)" in out and "done: 2 projects behind 'signx-projects'" in out
    (index,) = fake.behind(ALIAS)
    assert index.startswith(f"{ALIAS}-v1-") and names_in(fake) == ["Depot Sign", "Harbor Pylon"]

    code, _out, err = await run(SIGNX_OPENSEARCH_URL="")
    assert code == 2 and "SIGNX_OPENSEARCH_URL is not set" in err


# -- searching ----------------------------------------------------------------------------------------


async def test_opensearch_answers_with_the_shape_and_meaning_of_postgresql(
    on_opensearch, relay, estimator, fake
):
    """The same queries on both backends: the same hits in the same order, highlights, totals and
    facets (the fake's matching stands in for OpenSearch's analysers; the shape is the adapter's)."""
    await make(on_opensearch, estimator, "Harbor Pylon", customer="Acme", account_id="ACC-A")
    await make(on_opensearch, estimator, "Other sign", customer="Harbor Foods", account_id="ACC-B")
    pylon = await make(
        on_opensearch, estimator, "Café Riverside", site_address="2 Harbor Rd", account_id="ACC-A"
    )
    await make(on_opensearch, estimator, "Pole at 100% scale", description="a harbor job")
    await save_passing_design(on_opensearch, estimator, pylon)
    await relay.drain()
    postgres = PostgresSearch(on_opensearch.projects.uow)

    for params in (
        {"q": "harb"},
        {"q": "harbor", "sort": SearchSort.name},
        {"q": "cafe"},
        {"q": "CAFÉ riv"},
        {"q": "%"},
        {"q": "", "sort": SearchSort.price_high},
        {"q": "harbor", "account_id": "ACC-A"},
        {"q": "", "mount": "direct_burial"},
        {"q": "harbor", "limit": 1, "offset": 1, "sort": SearchSort.oldest},
    ):
        query = SearchQuery(**params)
        ours, theirs = await on_opensearch.search.search(estimator, query), await postgres.search(query)
        assert ours.backend == "opensearch" and ours.notice is None, params
        assert [h.name for h in ours.items] == [h.name for h in theirs.items], params
        assert (ours.total, ours.total_exact) == (theirs.total, theirs.total_exact), params
        assert [h.highlights for h in ours.items] == [h.highlights for h in theirs.items], params
        assert [h.design for h in ours.items] == [h.design for h in theirs.items], params
        assert ours.facets == theirs.facets, params

    typo = await on_opensearch.search.search(estimator, SearchQuery(q="riversde"))
    assert (
        typo.fuzzy and typo.suggestion == "riverside" and [h.name for h in typo.items] == ["Café Riverside"]
    )


async def test_a_slow_opensearch_is_answered_for_by_postgresql_and_the_breaker_opens(
    servers, fake, relay, estimator
):
    services, release = wire(
        opensearch_settings(fake.url, timeout=0.3, failures=2), servers["database_url"], servers["redis_url"]
    )
    try:
        await make(services, estimator, "Harbor Pylon")
        await relay.drain()
        fake.delay = 10.0  # slower than the 0.3 s timeout
        timeouts, opened = fallbacks("timeout"), fallbacks("circuit_open")

        for tried in (1, 2):
            result = await services.search.search(estimator, SearchQuery(q="harbor"))
            assert result.backend == "postgresql" and result.notice == FALLBACK_NOTICE
            assert [h.name for h in result.items] == ["Harbor Pylon"]
            assert fake.searches() == tried
        assert fallbacks("timeout") == timeouts + 2

        # Two failures in a row: the breaker is open and OpenSearch is not asked at all.
        started = time.perf_counter()
        result = await services.search.search(estimator, SearchQuery(q="harbor"))
        assert time.perf_counter() - started < 0.3
        assert result.backend == "postgresql" and result.notice == FALLBACK_NOTICE and result.total == 1
        assert fake.searches() == 2
        assert fallbacks("circuit_open") == opened + 1
        # ... and says so on /metrics: signx_breaker_state{name="opensearch"} 2 (open).
        assert BREAKER_STATE.labels("opensearch")._value.get() == 2

        # /ready says so, and stays ready: PostgreSQL answers the searches.
        response = await ready(services, opensearch_settings(fake.url))
        assert response.status_code == 200 and response.json()["status"] == "ready"
        search = response.json()["search"]
        assert search["backend"] == "opensearch" and search["state"].startswith("circuit open")

        # Index updates are not lost meanwhile: their outbox rows wait for a later attempt.
        update_relay = OutboxRelay(relay.db, deliver=search_deliveries(services.search), listen=False)
        await make(services, estimator, "Depot Sign")
        assert await update_relay.drain() == 0
        assert [r[1:] for r in await outbox_search_rows(servers)] == [(True, 0), (False, 1)]
        assert "Depot Sign" not in names_in(fake)
    finally:
        await release()


async def test_an_erroring_opensearch_is_answered_for_by_postgresql(on_opensearch, relay, estimator, fake):
    await make(on_opensearch, estimator, "Harbor Pylon")
    await relay.drain()
    fake.fail_searches = True
    errors = fallbacks("error")
    result = await on_opensearch.search.search(estimator, SearchQuery(q="harb"))
    assert result.backend == "postgresql" and result.notice == FALLBACK_NOTICE
    assert [h.name for h in result.items] == ["Harbor Pylon"] and fallbacks("error") == errors + 1
    fake.fail_searches = False
    again = await on_opensearch.search.search(estimator, SearchQuery(q="harb"))
    assert again.backend == "opensearch" and again.notice is None


async def test_ready_reports_the_search_backend_without_failing_on_it(servers, fake, services):
    down_settings = opensearch_settings(closed_port_url())
    down, release = wire(down_settings, servers["database_url"], servers["redis_url"])
    try:
        response = await ready(down, down_settings)
        assert response.status_code == 200 and response.json()["checks"] == {"database": "ok", "redis": "ok"}
        assert response.json()["search"]["state"].startswith("unavailable")
    finally:
        await release()

    up_settings = opensearch_settings(fake.url)
    up, release = wire(up_settings, servers["database_url"], servers["redis_url"])
    try:
        assert (await ready(up, up_settings)).json()["search"]["state"].startswith("no index yet")
        creds = await up.users.create("r@example.com", "estimator")
        actor = await up.users.authenticate_api_key(creds.api_key)
        project = await make(up, actor, "Harbor Pylon")
        await up.search.refresh([project.project_id])
        assert (await ready(up, up_settings)).json()["search"] == {"backend": "opensearch", "state": "ok"}
    finally:
        await release()

    plain = (await ready(services, Settings())).json()["search"]
    assert plain == {"backend": "postgresql", "state": "ok"}
