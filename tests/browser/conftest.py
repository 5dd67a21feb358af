"""A real browser against the real server, shared by every test of a module.

One ``python app.py serve`` subprocess on a free port of 127.0.0.1 (pointed at the test
session's PostgreSQL and Redis) and one headless Chromium (Playwright) per module; each test gets
a fresh browser context (its own cookies) and creates its own users and projects with unique
names, because the tables are emptied before every test. Skipped, with the reason, when no
Chromium binary is installed (CI installs the Debian package).

The module's tests run on the module's event loop (``pytestmark`` in the module), so the fixtures
here that talk to the database or the browser are module-scoped on that loop too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.served import CHROMIUM_FLAGS, chromium_binary, served_app


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-server") / "server.log"


@pytest.fixture(scope="module")
def server(servers: dict[str, str], server_log: Path) -> Iterator[str]:
    """Base URL of ``app.py serve`` on the test database; stopped with SIGTERM afterwards."""
    if chromium_binary() is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium); the browser tests need one")
    with served_app(servers, server_log.parent / "data", log_path=server_log) as base:
        yield base


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def svc(servers: dict[str, str]) -> AsyncIterator[Any]:
    """The domain services on the test database, for arranging data and checking what was stored."""
    from bootstrap import wire
    from infra.settings import Settings

    services, db = wire(Settings(), servers["database_url"], servers["redis_url"])
    yield services
    # The login limiters hold Redis connections: left open, their sockets are reported unclosed
    # whenever the collector reaches them, failing whichever later test is running then.
    await services.users.aclose()
    await db.dispose()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(server: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        # launch() gives Chromium a fresh temporary profile (--user-data-dir) of its own.
        chromium = await pw.chromium.launch(
            executable_path=chromium_binary(), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser: Any, server: str) -> AsyncIterator[Any]:
    """A fresh tab with its own cookies: nobody is signed in."""
    context = await browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    tab = await context.new_page()
    tab.set_default_timeout(10_000)
    try:
        yield tab
    finally:
        await context.close()
