"""The search page in real Chromium while OpenSearch is down: a person searching still gets the
results, from the database, with a notice that they may be less fuzzy.

The server runs with ``SIGNX_OPENSEARCH_URL`` on a loopback port where nothing listens (no
OpenSearch server can run on these machines): every request to it is refused, as by a cluster
that is down.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from domain.projects.schemas import ProjectCreate
from domain.search.results import FALLBACK_NOTICE
from tests.browser.test_flows_browser import new_user, shot, unique
from tests.served import chromium_binary, served_app

pytestmark = pytest.mark.asyncio(loop_scope="module")


def refused_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture(scope="module")
def server(servers: dict[str, str], server_log: Path) -> Iterator[str]:
    """This module's server: the shared one's, with OpenSearch configured and down."""
    if chromium_binary() is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium); the browser tests need one")
    with served_app(
        servers, server_log.parent / "data", log_path=server_log, opensearch_url=refused_url()
    ) as base:
        yield base


async def test_searching_while_opensearch_is_down_shows_results_and_a_notice(svc: Any, page: Page):
    me, password = await new_user(svc, "manager")
    word = unique("Quayside").replace("-", "")
    await svc.projects.create(me, ProjectCreate(name=f"{word} Pylon", account_id="ACC-1", customer="Acme"))
    await page.goto("/search")
    await expect(page).to_have_url(re.compile(r"/login\?"))
    await page.get_by_label("Email").fill(me.email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(re.compile(r"/search$"), timeout=30_000)

    await page.get_by_label("Search", exact=True).fill(word.lower())

    await expect(page.locator("mark", has_text=word)).to_have_count(1, timeout=15_000)
    await expect(page.get_by_text("1 result", exact=True)).to_be_visible()
    await expect(page.get_by_text(FALLBACK_NOTICE)).to_be_visible()
    await shot(page, "search-fallback")
