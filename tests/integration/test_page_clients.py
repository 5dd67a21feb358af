"""A closed browser tab's page client is deleted: the server's memory does not grow with the tabs
opened and closed over a day. Counted by the real ``python app.py serve`` process itself, in its
``signx_ui_clients`` gauge on ``/metrics`` (NiceGUI's ``Client.instances``).

The tabs are the benchmarks' light clients (``bench/light_clients.py``): each fetches the page
and holds its socket.io connection as a browser tab does, so the server makes and keeps the same
client for it; closing the socket is closing the tab. A closed tab's client is kept for its page's
reconnect timeout (``pages.loading.RECONNECT_TIMEOUT_S``, 30 s, on the project list and a project's
page; NiceGUI's 3 s elsewhere) in case the tab comes back, then deleted.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.light_clients import LightClient
from domain.projects.schemas import ProjectCreate
from pages.loading import RECONNECT_TIMEOUT_S
from tests.served import served_app

TABS = 30
KEPT = RECONNECT_TIMEOUT_S  # how long a closed list or project tab's client waits for it to come back
EMAIL = "tabs@signx.test"


async def ui_clients(http: httpx.AsyncClient) -> int:
    body = (await http.get("/metrics", follow_redirects=True)).text
    values = [
        s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
        if s.name == "signx_ui_clients"
    ]
    assert len(values) == 1, "no signx_ui_clients gauge in /metrics"
    return int(values[0])


async def settles_at(http: httpx.AsyncClient, expected: int, *, seconds: float) -> None:
    """Wait until the gauge reads ``expected``; fail with the last reading after ``seconds``."""
    deadline = time.monotonic() + seconds
    while (now := await ui_clients(http)) != expected:
        assert time.monotonic() < deadline, f"{now} page clients after {seconds:.0f} s, expected {expected}"
        await asyncio.sleep(0.2)


@pytest.mark.timeout(300)
async def test_every_closed_tabs_page_client_is_deleted(services, servers, tmp_path: Path) -> None:
    creds = await services.users.create(EMAIL, "estimator", "Tabs")
    actor = await services.users.authenticate_api_key(creds.api_key)
    project = await services.projects.create(
        actor, ProjectCreate(name="Main St Pylon", account_id="ACME-01", customer="Acme Fuel")
    )
    with served_app(servers, tmp_path / "var") as base:
        browser = LightClient(base, "browser")
        tabs: list[LightClient] = []
        async with httpx.AsyncClient(base_url=base, trust_env=False, timeout=30) as http:
            try:
                await browser.log_in(EMAIL, creds.password)
                await browser.close_page()
                tabs += [browser.new_tab(f"tab-{i}") for i in range(TABS)]
                # The login page's and the list's clients go once their tab has been closed.
                await settles_at(http, 0, seconds=30)

                # Tabs held open: one client each, counted.
                await asyncio.gather(*(tab.open("/projects") for tab in tabs))
                assert await ui_clients(http) == TABS
                for tab in tabs:
                    await tab.close_page()
                await settles_at(http, 0, seconds=KEPT + 60)

                # One tab opening and leaving the project page again and again, as navigation does.
                cycling = tabs[0]
                for _ in range(TABS):
                    await cycling.open(f"/projects/{project.project_id}")
                    await cycling.close_page()
                assert 0 < await ui_clients(http) <= TABS  # kept for their reconnect timeout
                await settles_at(http, 0, seconds=KEPT + 60)
                assert sum(t.failed_loads + t.reloads for t in tabs) == 0
            finally:
                await asyncio.gather(browser.close(), *(t.close() for t in tabs), return_exceptions=True)
