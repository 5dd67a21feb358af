"""A calculation report generated from the project page in real Chromium, run by the real worker
process that ``app.py serve`` starts beside the server; then the job monitor shows it.

Fixtures (one server and one browser for the module) are in this folder's conftest.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from domain.jobs.schemas import JobQuery, JobStatus
from domain.projects.schemas import ProjectCreate
from tests.browser.steps import log_in
from tests.designs import save_passing_design
from tests.served import chromium_binary, served_app

pytestmark = pytest.mark.asyncio(loop_scope="module")

SHOTS = Path("/tmp/signx-browser")
ZONE = "America/Chicago"
# What the browser does when the tab goes to the background or comes back.
SET_VISIBILITY = """state => {
  Object.defineProperty(document, 'visibilityState', {value: state, configurable: true});
  document.dispatchEvent(new Event('visibilitychange'));
}"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def new_user(svc: Any, role: str) -> tuple[Any, str]:
    creds = await svc.users.create(f"{unique(role)}@signx.test", role, role.title())
    actor = await svc.users.authenticate_api_key(creds.api_key)
    assert actor is not None
    return actor, creds.password


@pytest.fixture(scope="module")
def server(servers: dict[str, str], server_log: Path) -> Iterator[str]:
    """This module's server runs with its job worker (the conftest's runs without)."""
    if chromium_binary() is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium); the browser tests need one")
    with served_app(servers, server_log.parent / "data", log_path=server_log, serve_worker="true") as base:
        yield base


@pytest.fixture
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


async def test_a_person_generates_a_report_and_downloads_it_and_ops_see_the_job(
    svc, browser, server: str, shots: Path
):
    estimator, password = await new_user(svc, "estimator")
    name = unique("Main St Pylon")
    project = await svc.projects.create(
        estimator,
        ProjectCreate(name=name, account_id="ACME-01", customer="Acme Fuel", site_address="1 Main St"),
    )
    await save_passing_design(svc, estimator, project)

    # A person in Chicago: the page shows times in the browser's zone.
    context = await browser.new_context(
        base_url=server, viewport={"width": 1400, "height": 1000}, timezone_id=ZONE, accept_downloads=True
    )
    try:
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await log_in(page, estimator.email, password, f"/projects/{project.project_id}")
        card = page.locator(".q-card").filter(has_text="Calculation report")
        await expect(card.get_by_text("No report yet.")).to_be_visible()

        await card.get_by_role("button", name="Generate report (revision 1)").click()

        # The worker process beside the server renders it; the card follows without a reload.
        ready = card.get_by_text("The report of revision 1 is ready.")
        await expect(ready).to_be_visible(timeout=90_000)
        await expect(card.get_by_text("Times in America/Chicago")).to_be_visible()
        await page.screenshot(path=shots / "project-report.png", full_page=True)
        (job,) = (await svc.jobs.list(JobQuery(project_id=project.project_id))).items
        assert job.status is JobStatus.succeeded and job.worker and job.attempts == 1
        report_line = card.get_by_text("Revision 1", exact=True)
        await expect(report_line).to_be_visible()
        stored = (await svc.reports.list(project.project_id))[0].created_at
        local_date = stored.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M")
        # Recent: "just now", with the exact time in the person's zone on hover.
        made = card.get_by_text(re.compile(r"^just now · \d+ KB$"))
        await made.hover()
        await expect(
            page.locator(".q-tooltip").get_by_text(f"{local_date} (America/Chicago)")
        ).to_be_visible()

        async with page.expect_download() as download_info:
            await card.get_by_role("link", name="Download PDF").first.click()
        download = await download_info.value
        assert download.suggested_filename.endswith("-rev1.pdf")
        saved = shots / "downloaded-report.pdf"
        await download.save_as(saved)
        pdf = await asyncio.to_thread(saved.read_bytes)
        assert pdf.startswith(b"%PDF")
        assert hashlib.sha256(pdf).hexdigest() == job.result["sha256"]

        # Ops open the monitor: the job, its worker, and the live worker list at the top.
        ops, ops_password = await new_user(svc, "ops")
        monitor = await context.new_page()
        monitor.set_default_timeout(15_000)
        await monitor.context.clear_cookies()
        await log_in(monitor, ops.email, ops_password, "/jobs")
        row = monitor.locator("tbody tr").filter(has_text=name)
        await expect(row).to_be_visible()
        await expect(row.get_by_text("Succeeded")).to_be_visible()
        await expect(row.get_by_text(job.worker)).to_be_visible()
        await expect(monitor.get_by_text("1 alive")).to_be_visible()
        await expect(monitor.get_by_text("No worker is alive")).to_be_hidden()
        await monitor.wait_for_timeout(1500)  # let plotly draw
        await monitor.screenshot(path=shots / "jobs-monitor.png", full_page=True)

        # Hidden (another tab in front), the monitor stops redrawing; shown again, it goes on.
        updated = monitor.get_by_text(re.compile(r"^Live · updated "))
        await expect(updated).to_be_visible()
        await monitor.evaluate(SET_VISIBILITY, "hidden")
        await monitor.wait_for_timeout(500)
        frozen = await updated.text_content()
        await monitor.wait_for_timeout(2500)
        assert await updated.text_content() == frozen
        await monitor.evaluate(SET_VISIBILITY, "visible")
        await expect(updated).not_to_have_text(frozen or "", timeout=5000)
    finally:
        await context.close()
