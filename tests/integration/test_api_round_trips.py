"""What one API read costs the database, counted on the real PostgreSQL: every round trip the
server makes for a request (statements, BEGIN, COMMIT, ROLLBACK and the pool's liveness pings).
An API GET of a project used to cost 10 statements on 2 connections (a ping before each
transaction, the API-key lookup in a transaction of its own, the read with a second query for
the owner's e-mail); these tests keep it at the few that the answer needs."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis.asyncio as aioredis
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.default import CACHE_HIT
from sqlalchemy.pool import Pool

from bootstrap import wire
from domain.projects.schemas import ProjectCreate
from infra.api_guard import RedisRateLimits
from infra.settings import Settings
from tests.waiting import eventually


class RoundTrips:
    def __init__(self) -> None:
        self.seen: list[str] = []
        # Statements whose compiled form was not taken from SQLAlchemy's cache: built and compiled
        # again for each request (no cache key), or compiled for the first time.
        self.compiled: list[str] = []

    def statement(
        self, _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, *_: Any
    ) -> None:
        self.seen.append(statement.split(None, 1)[0].upper())
        if context is not None and context.compiled is not None and context.cache_hit is not CACHE_HIT:
            self.compiled.append(statement)

    def begin(self, conn: Any) -> None:
        # An autocommit connection sends no BEGIN (nor COMMIT) to the server.
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            self.seen.append("BEGIN")

    def commit(self, conn: Any) -> None:
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            self.seen.append("COMMIT")

    def rollback(self, conn: Any) -> None:
        if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            self.seen.append("ROLLBACK")

    def checkout(self, *_: Any) -> None:
        self.seen.append("CHECKOUT")


@contextmanager
def round_trips() -> Iterator[RoundTrips]:
    counter = RoundTrips()
    hooks = [
        (Engine, "before_cursor_execute", counter.statement),
        (Engine, "begin", counter.begin),
        (Engine, "commit", counter.commit),
        (Engine, "rollback", counter.rollback),
        (Pool, "checkout", counter.checkout),
    ]
    for target, name, fn in hooks:
        event.listen(target, name, fn)
    try:
        yield counter
    finally:
        for target, name, fn in hooks:
            event.remove(target, name, fn)


@pytest.fixture
async def services(servers: dict[str, str]) -> Any:
    """The test services without the outbox relay: its periodic sweep would be counted here."""
    svc, release = wire(Settings(relay_in_server=False), servers["database_url"], servers["redis_url"])
    yield svc
    await release()


@pytest.fixture
async def listening(services: Any) -> Any:
    """The services as a server runs them: hearing of user changes, so API-key actors are kept."""
    await services.start()
    await eventually(lambda: services.users.auth.actors.active, seconds=10, what="the user-change channel")
    return services


@pytest.fixture
async def project(listening: Any, estimator: dict[str, str]) -> str:
    services = listening
    actor = await services.users.authenticate_api_key(estimator["X-API-Key"])
    created = await services.projects.create(
        actor, ProjectCreate(name="Elm St Pylon", account_id="A-1", customer="Acme", site_address="1 Elm St")
    )
    return str(created.project_id)


async def test_a_get_of_a_project_is_one_statement_on_one_connection_once_the_key_is_known(
    http, estimator, project
):
    first = await http.get(f"/api/v1/projects/{project}", headers=estimator)
    assert first.status_code == 200
    with round_trips() as trips:
        again = await http.get(f"/api/v1/projects/{project}", headers=estimator)
    assert again.status_code == 200 and again.json()["result"]["owner_email"] == "estimator@example.com"
    # The key's actor is known from the first request (until a change to the user clears it); the
    # project and its owner's e-mail are one SELECT, outside an explicit transaction.
    assert trips.seen == ["CHECKOUT", "SELECT"], trips.seen


async def _commands_sent(redis_url: str, action: Callable[[], Awaitable[Any]]) -> list[str]:
    """The commands clients sent to Redis while ``action`` ran (what scripts ran inside is left
    out), as Redis's MONITOR saw them."""
    marker = f"end-{uuid.uuid4()}"
    async with aioredis.Redis.from_url(redis_url) as watcher, aioredis.Redis.from_url(redis_url) as other:
        seen: list[str] = []
        await other.ping()  # connected before MONITOR starts
        async with watcher.monitor() as monitor:
            await monitor.connect()

            async def collect() -> None:
                async for command in monitor.listen():
                    if marker in command["command"]:
                        return
                    if command.get("client_type") != "lua":
                        seen.append(command["command"].split()[0].upper())

            collecting = asyncio.create_task(collect())
            await asyncio.sleep(0.05)  # MONITOR is on before the action starts
            await action()
            await other.echo(marker)
            await asyncio.wait_for(collecting, 10)
        return seen


async def test_a_get_with_a_known_key_is_one_redis_command(servers, http, estimator, project):
    """The guard's only Redis work for a right key is its key's rate counter: whether the
    address is blocked for wrong keys is known from the channel it subscribes to."""
    url = f"/api/v1/projects/{project}"
    assert (await http.get(url, headers=estimator)).status_code == 200
    async with aioredis.Redis.from_url(servers["redis_url"]) as client:
        for _ in range(500):  # the subscription starts with the first request
            if (await client.pubsub_numsub(RedisRateLimits.BLOCKED))[0][1]:
                break
            await asyncio.sleep(0.02)

    async def get() -> None:
        assert (await http.get(url, headers=estimator)).status_code == 200

    assert await _commands_sent(servers["redis_url"], get) == ["EVALSHA"]


async def test_a_first_get_with_a_key_adds_only_the_key_lookup(http, estimator, project, listening):
    listening.users.auth.actors.clear()
    with round_trips() as trips:
        response = await http.get(f"/api/v1/projects/{project}", headers=estimator)
    assert response.status_code == 200
    assert trips.seen == ["CHECKOUT", "SELECT", "CHECKOUT", "SELECT"], trips.seen


async def test_a_revoked_key_is_refused_at_once_with_the_cache_warm(http, estimator, project, listening):
    assert (await http.get(f"/api/v1/projects/{project}", headers=estimator)).status_code == 200
    admin = await listening.users.create("admin@example.com", "admin")
    admin_actor = await listening.users.authenticate_api_key(admin.api_key)
    owner = await listening.users.authenticate_api_key(estimator["X-API-Key"])
    assert await listening.users.revoke_api_keys(admin_actor, owner.user_id) == 1
    refused = await http.get(f"/api/v1/projects/{project}", headers=estimator)
    assert refused.status_code == 401


async def test_a_change_made_in_another_process_is_heard_at_once(
    servers, http, estimator, project, listening
):
    """Two sets of services on one database and Redis stand for two server processes, each
    with its own cache: a deactivation through the other one is refused here straight after."""
    other, release = wire(Settings(relay_in_server=False), servers["database_url"], servers["redis_url"])
    try:
        assert (await http.get(f"/api/v1/projects/{project}", headers=estimator)).status_code == 200
        assert len(listening.users.auth.actors) == 1  # warm here
        admin = await other.users.create("admin@example.com", "admin")
        admin_actor = await other.users.authenticate_api_key(admin.api_key)
        owner = await other.users.authenticate_api_key(estimator["X-API-Key"])
        await other.users.set_active(admin_actor, owner.user_id, False)
        # Published before set_active returned; delivered here within milliseconds.
        await eventually(lambda: len(listening.users.auth.actors) == 0, seconds=1, what="the change")
        refused = await http.get(f"/api/v1/projects/{project}", headers=estimator)
        assert refused.status_code == 401
    finally:
        await release()


async def test_a_role_change_counts_on_the_next_read(http, estimator, project, listening):
    first = await http.get("/api/v1/jobs", headers=estimator)
    assert first.status_code == 200  # estimators may list jobs... and keep their key's actor cached
    admin = await listening.users.create("admin@example.com", "admin")
    admin_actor = await listening.users.authenticate_api_key(admin.api_key)
    owner = await listening.users.authenticate_api_key(estimator["X-API-Key"])
    assert owner.role == "estimator"
    await listening.users.set_role(admin_actor, owner.user_id, "manager")
    assert (await listening.users.authenticate_api_key(estimator["X-API-Key"])).role == "manager"


async def test_a_patch_is_one_read_and_one_write_in_its_transaction(http, estimator, project, listening):
    current = await http.get(f"/api/v1/projects/{project}", headers=estimator)
    with round_trips() as trips:
        response = await http.patch(
            f"/api/v1/projects/{project}",
            headers={**estimator, "If-Match": current.headers["etag"]},
            json={"customer": "Acme Signs"},
        )
    assert response.status_code == 200, response.text
    # The project locked with its owner's e-mail and the acting user re-read (one SELECT), then the
    # new values and the audit event (one statement: an UPDATE in a WITH and the INSERT). It used
    # to be 7: the actor, the lock, the UPDATE, the INSERT and the owner's e-mail, each alone.
    assert trips.seen == ["CHECKOUT", "BEGIN", "SELECT", "WITH", "COMMIT"], " ".join(trips.seen)
    result = response.json()["result"]
    assert result["customer"] == "Acme Signs" and result["revision"] == 2
    assert result["owner_email"] == "estimator@example.com"
    assert response.headers["etag"] == f'"{result["etag"]}"' != current.headers["etag"]
    events = (await http.get(f"/api/v1/projects/{project}/events", headers=estimator)).json()["result"]
    assert events["items"][0]["event_type"] == "updated"
    assert events["items"][0]["data"] == {
        "changes": {"customer": {"before": "Acme", "after": "Acme Signs"}},
        "revision": 2,
    }
    again = await http.get(f"/api/v1/projects/{project}", headers=estimator)
    assert again.json()["result"] == {**result, "etag": result["etag"]}


async def test_a_post_is_one_statement_in_its_transaction(http, estimator, listening):
    body = {"name": "Oak Ave Monument", "account_id": "A-2", "customer": "Oak", "site_address": "2 Oak Ave"}
    assert (await http.get("/api/v1/projects", headers=estimator)).status_code == 200  # the key is known
    with round_trips() as trips:
        response = await http.post("/api/v1/projects", headers=estimator, json=body)
    assert response.status_code == 201, response.text
    # The acting user re-read, the project and its audit event written: one statement (it used to
    # be the actor, the INSERT, a SELECT reading the row back and the event's INSERT).
    assert trips.seen == ["CHECKOUT", "BEGIN", "WITH", "COMMIT"], " ".join(trips.seen)
    result = response.json()["result"]
    assert result["owner_email"] == "estimator@example.com" and result["revision"] == 1
    stored = await http.get(response.headers["location"], headers=estimator)
    assert stored.json()["result"] == result
    events = (await http.get(f"{response.headers['location']}/events", headers=estimator)).json()["result"]
    assert [(e["event_type"], e["actor"]) for e in events["items"]] == [("created", "estimator@example.com")]


async def test_a_post_with_an_idempotency_key_adds_the_claim_and_the_stored_answer(
    http, estimator, listening
):
    body = {"name": "Oak Ave Monument", "account_id": "A-2"}
    assert (await http.get("/api/v1/projects", headers=estimator)).status_code == 200  # the key is known
    keyed = {**estimator, "Idempotency-Key": "oak-1"}
    with round_trips() as trips:
        response = await http.post("/api/v1/projects", headers=keyed, json=body)
    assert response.status_code == 201, response.text
    # The claim (the purge of outlived keys and the INSERT, one statement) commits on its own; the
    # answer is stored in the project's own transaction. The claim used to be 3 statements.
    assert trips.seen == [
        *("CHECKOUT", "BEGIN", "WITH", "COMMIT"),
        *("CHECKOUT", "BEGIN", "WITH", "UPDATE", "COMMIT"),
    ], " ".join(trips.seen)
    with round_trips() as trips:
        again = await http.post("/api/v1/projects", headers=keyed, json=body)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == response.json()
    assert trips.seen == ["CHECKOUT", "BEGIN", "WITH", "SELECT", "COMMIT"], " ".join(trips.seen)


async def test_the_writes_statements_are_compiled_once(http, estimator, listening):
    """Every statement of a PATCH, a POST and a keyed POST (outbox rows included) comes from the
    compiled cache once each has run: none is built in a form SQLAlchemy cannot cache."""
    listening.projects.search_outbox = True  # as with OpenSearch: each change writes an outbox row
    assert (await http.get("/api/v1/projects", headers=estimator)).status_code == 200  # the key is known

    async def writes(n: int) -> None:
        body = {"name": f"Oak {n}", "account_id": "A-2"}
        created = await http.post("/api/v1/projects", headers=estimator, json=body)
        assert created.status_code == 201, created.text
        keyed = {**estimator, "Idempotency-Key": f"oak-{n}"}
        assert (await http.post("/api/v1/projects", headers=keyed, json=body)).status_code == 201
        patched = await http.patch(
            created.headers["location"],
            headers={**estimator, "If-Match": created.headers["etag"]},
            json={"customer": f"Oak {n}"},
        )
        assert patched.status_code == 200, patched.text

    await writes(1)
    with round_trips() as trips:
        await writes(2)
    assert "WITH" in trips.seen and trips.compiled == [], trips.compiled
