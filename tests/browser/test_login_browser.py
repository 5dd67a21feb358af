"""A real browser against the real server: log in, see the list, open a project.

Runs ``python app.py serve`` as a subprocess on a free port of 127.0.0.1 (pointed at the test
session's PostgreSQL and Redis) and drives headless Chromium through Playwright. Skipped, with
the reason, when no Chromium binary is installed (CI installs the Debian package).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from domain.projects.schemas import ProjectCreate

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


@pytest.fixture
async def server(servers: dict[str, str], tmp_path: Path) -> AsyncIterator[str]:
    """Base URL of ``app.py serve`` on the test database; stopped with SIGTERM afterwards."""
    port = free_port()
    # Not PYTEST_CURRENT_TEST / NICEGUI_*: NiceGUI would think it runs inside a test and not serve.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNX_", "NICEGUI_", "PYTEST"))}
    env = {
        **inherited,
        "SIGNX_DATABASE_URL": servers["database_url"],
        "SIGNX_REDIS_URL": servers["redis_url"],
        "SIGNX_DATA_DIR": str(tmp_path / "data"),
        "SIGNX_HOST": "127.0.0.1",
    }
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "app.py",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def log_tail() -> str:
        return log_path.read_text(errors="replace")[-3000:]

    try:
        async with httpx.AsyncClient(base_url=base, timeout=2.0, trust_env=False) as client:
            for _ in range(300):
                if proc.returncode is not None:
                    pytest.fail(f"server exited with {proc.returncode}:\n{log_tail()}")
                try:
                    if (await client.get("/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                pytest.fail(f"server not ready after 30 s:\n{log_tail()}")
        yield base
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)  # by PID: only the process this fixture started
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                pytest.fail(f"server ignored SIGTERM:\n{log_tail()}")


async def test_a_person_logs_in_sees_the_list_and_opens_a_project(services, server: str, tmp_path: Path):
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium); the browser test needs one")
    from playwright.async_api import async_playwright, expect

    creds = await services.users.create("eve@signx.test", "estimator", "Eve")
    actor = await services.users.authenticate_password(creds.email, creds.password)
    assert actor is not None
    project = await services.projects.create(
        actor, ProjectCreate(name="Main St Pylon", account_id="ACME-01", customer="Acme Fuel")
    )

    async with async_playwright() as pw:
        # A fresh profile per run (Playwright passes it to Chromium as --user-data-dir).
        context = await pw.chromium.launch_persistent_context(
            tmp_path / "chromium-profile",
            executable_path=binary,
            headless=True,
            args=CHROMIUM_FLAGS,
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            page.set_default_timeout(15_000)
            await page.goto(f"{server}/projects")
            await expect(page).to_have_url(f"{server}/login")
            await page.get_by_label("Email").fill(creds.email)
            await page.get_by_label("Password", exact=True).fill(creds.password)
            await page.get_by_role("button", name="Log in").click()

            await expect(page).to_have_url(f"{server}/projects")
            await expect(page.get_by_role("banner").get_by_text("eve@signx.test")).to_be_visible()
            link = page.get_by_role("link", name="Main St Pylon")
            await expect(link).to_be_visible()
            await link.click()

            await expect(page).to_have_url(f"{server}/projects/{project.project_id}")
            await expect(page.get_by_label("Name", exact=True)).to_have_value("Main St Pylon")
            await expect(page.get_by_text("Account ACME-01")).to_be_visible()
            await expect(page).to_have_title("Main St Pylon · SignX Studio")
        finally:
            await context.close()
