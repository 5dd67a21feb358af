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

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_binary() -> str | None:
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium", "/usr/lib/chromium/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-server") / "server.log"


@pytest.fixture(scope="module")
def server(servers: dict[str, str], server_log: Path) -> Iterator[str]:
    """Base URL of ``app.py serve`` on the test database; stopped with SIGTERM afterwards."""
    if chromium_binary() is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium); the browser tests need one")
    port = free_port()
    # Not PYTEST_CURRENT_TEST / NICEGUI_*: NiceGUI would think it runs inside a test and not serve.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNX_", "NICEGUI_", "PYTEST"))}
    env = {
        **inherited,
        "SIGNX_DATABASE_URL": servers["database_url"],
        "SIGNX_REDIS_URL": servers["redis_url"],
        "SIGNX_DATA_DIR": str(server_log.parent / "data"),
        "SIGNX_HOST": "127.0.0.1",
    }
    with server_log.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "app.py", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def log_tail() -> str:
        return server_log.read_text(errors="replace")[-3000:]

    try:
        with httpx.Client(base_url=base, timeout=2.0, trust_env=False) as client:
            for _ in range(300):
                if proc.poll() is not None:
                    pytest.fail(f"server exited with {proc.returncode}:\n{log_tail()}")
                try:
                    if client.get("/ready").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            else:
                pytest.fail(f"server not ready after 30 s:\n{log_tail()}")
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # by PID: only the process this fixture started
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                pytest.fail(f"server ignored SIGTERM:\n{log_tail()}")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def svc(servers: dict[str, str]) -> AsyncIterator[Any]:
    """The domain services on the test database, for arranging data and checking what was stored."""
    from infra.settings import Settings
    from infra.wiring import wire

    services, db = wire(Settings(), servers["database_url"], servers["redis_url"])
    yield services
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
