"""Submitting a project from its page in real Chromium: the confirmation names the design
revision and the estimate total, the worker process that ``app.py serve`` starts sends it to a
real PM peer on 127.0.0.1 (which answers 503 once, so the worker retries), and the page shows the
PM system's reference without a reload.

Fixtures (the browser for the module) are in this folder's conftest.py; this module's server
runs with its worker and the PM system at the peer.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import expect

from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectCreate
from tests.browser.steps import log_in
from tests.designs import save_passing_design
from tests.pm_peer import PMPeer, pm_peer
from tests.served import chromium_binary, served_app

pytestmark = pytest.mark.asyncio(loop_scope="module")

SHOTS = Path("/tmp/signx-browser")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def peer() -> AsyncIterator[PMPeer]:
    async with pm_peer(script=[503]) as p:
        yield p


@pytest.fixture(scope="module")
def server(servers: dict[str, str], server_log: Path, peer: PMPeer) -> Iterator[str]:
    """The server with its job worker, dispatching to the peer."""
    if chromium_binary() is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium); the browser tests need one")
    with served_app(
        servers,
        server_log.parent / "data",
        log_path=server_log,
        serve_worker="true",
        pm_url=peer.url,
        pm_token="browser-test-token",
        job_retry_backoff_max_seconds="1",
    ) as base:
        yield base


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


async def test_a_person_submits_and_sees_the_pm_reference(
    svc: Any, browser: Any, server: str, peer: PMPeer, shots: Path
):
    creds = await svc.users.create(f"eve-{uuid.uuid4().hex[:6]}@signx.test", "estimator", "Eve")
    eve = await svc.users.authenticate_api_key(creds.api_key)
    name = f"Main St Pylon {uuid.uuid4().hex[:6]}"
    project = await svc.projects.create(
        eve, ProjectCreate(name=name, account_id="ACME-01", customer="Acme Fuel", site_address="1 Main St")
    )
    project = await save_passing_design(svc, eve, project)
    await svc.projects.transition(eve, project.project_id, Status.estimating, if_match=project.etag)

    context = await browser.new_context(base_url=server, viewport={"width": 1400, "height": 1000})
    try:
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await log_in(page, eve.email, creds.password, f"/projects/{project.project_id}")
        await expect(page.get_by_text("Estimating", exact=True)).to_be_visible()

        await page.get_by_role("button", name="Submit", exact=True).click()
        dialog = page.get_by_role("dialog")
        await expect(dialog.get_by_text("Submit this project?")).to_be_visible()
        await expect(dialog.get_by_text("Design revision 1: Pipe10STD, passes every check")).to_be_visible()
        await expect(dialog.get_by_text("Estimate total $15,082.10")).to_be_visible()
        await expect(dialog.get_by_text(f"It is sent to {peer.url}.")).to_be_visible()
        await page.screenshot(path=shots / "submit-dialog.png")

        await dialog.get_by_role("button", name="Submit revision 1").click()
        await expect(page.get_by_text("Revision 1 submitted; sending it to the PM system.")).to_be_visible()
        await expect(page.get_by_text("Submitted", exact=True).first).to_be_visible()

        # The worker process sends it: 503 first, retried, then the PM system's reference.
        card = page.locator(".q-card").filter(has=page.get_by_text("Submission", exact=True))
        await expect(card.get_by_text("PM-0001", exact=True)).to_be_visible(timeout=90_000)
        await expect(card.get_by_text("Design revision 1 was submitted.")).to_be_visible()
        await expect(card.get_by_text(re.compile(r"^Sent to the PM system "))).to_be_visible()
        await expect(page.get_by_text("PM PM-0001")).to_be_visible()  # beside the status
        await expect(
            page.get_by_text("Sent to the PM system: reference “PM-0001”")
        ).to_be_visible()  # history
        await expect(page.get_by_role("button", name="Submit", exact=True)).to_have_count(0)
        await page.screenshot(path=shots / "project-submitted.png", full_page=True)
    finally:
        await context.close()

    # Ops watch the jobs: the dispatch job, and the PM system's breaker (closed: it answered).
    ops = await svc.users.create(f"olga-{uuid.uuid4().hex[:6]}@signx.test", "ops", "Olga")
    context = await browser.new_context(base_url=server, viewport={"width": 1400, "height": 1000})
    try:
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await log_in(page, ops.email, ops.password, "/jobs")
        pm = page.locator(".q-card").filter(has=page.get_by_text("PM system", exact=True))
        await expect(pm.get_by_text("Breaker closed")).to_be_visible()
        await expect(pm.get_by_text(f"Dispatches go to {peer.url}.")).to_be_visible()
        await expect(pm.get_by_text("Failures in a row: 0 of 5 before it opens.")).to_be_visible()
        row = page.get_by_role("row").filter(has_text=name)
        await expect(row.get_by_text("Submission to PM")).to_be_visible()
        await expect(row.get_by_text("Succeeded")).to_be_visible()
        await page.screenshot(path=shots / "jobs-pm-breaker.png")
    finally:
        await context.close()

    assert len(peer.received) == 2 and len(peer.accepted) == 1, "503 once, then one dispatch recorded"
    assert {r.headers["authorization"] for r in peer.received} == {"Bearer browser-test-token"}
    stored = await svc.projects.get(project.project_id)
    assert (stored.status, stored.pm_dispatch, stored.pm_reference) == (Status.submitted, "sent", "PM-0001")
