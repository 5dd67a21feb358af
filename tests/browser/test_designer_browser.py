"""The designer in real Chromium: change the wind speed, see the elevation and the checks follow,
save a revision. A screenshot is kept under the test's tmp dir."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from domain.projects.schemas import ProjectCreate

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_change_the_wind_speed_see_the_charts_and_checks_change_and_save(
    svc: Any, page: Page, server: str, tmp_path: Path
):
    creds = await svc.users.create(f"designer-{uuid.uuid4().hex[:8]}@signx.test", "estimator", "Estimator")
    actor = await svc.users.authenticate_api_key(creds.api_key)
    project = await svc.projects.create(
        actor,
        ProjectCreate(name="Designer Pylon", account_id="ACME-01", customer="Acme", site_address="1 Main"),
    )
    path = f"/projects/{project.project_id}"
    await page.goto(path)
    await page.get_by_label("Email").fill(actor.email)
    await page.get_by_label("Password", exact=True).fill(creds.password)
    await page.get_by_role("button", name="Log in").click()
    await expect(page).to_have_url(re.compile(re.escape(path) + "$"))

    await page.get_by_role("tab", name="Design").click()
    chart = page.locator(".js-plotly-plot").first
    # The first chart waits for plotly.js (3.5 MB) to load and compile: seconds on a busy machine.
    await expect(chart.locator("text=overall 20 ft")).to_be_visible(timeout=30_000)
    await expect(page.get_by_text("Pole: Pipe10STD")).to_be_visible()
    flexure = (
        page.locator(".nicegui-row").filter(has_text="pole flexure").locator("text=/^0\\.\\d\\d$/").first
    )
    before = await flexure.inner_text()
    await page.screenshot(path=tmp_path / "designer-before.png", full_page=True)

    wind = page.get_by_label("Wind speed V (mph)")
    await wind.fill("180")
    await expect(page.get_by_text("Pole: Pipe10STD")).to_have_count(0)
    await expect(flexure).not_to_have_text(before)
    await expect(page.get_by_text("Unsaved changes")).to_be_visible()
    await expect(chart.locator("text=/Case A [0-9,]+ lb/")).to_be_visible()

    await page.get_by_role("button", name="Save design").click()
    await expect(page.get_by_text("Saved as revision 1.")).to_be_visible()
    await expect(page.get_by_text("Unsaved changes")).to_have_count(0)
    await page.screenshot(path=tmp_path / "designer-saved.png", full_page=True)
    revisions = await svc.designs.list(project.project_id)
    assert revisions.total == 1
    saved = await svc.designs.get(project.project_id, 1)
    assert saved.input["site"]["wind_speed_mph"] == 180

    # Ctrl+S saves the design form; a reload with unsaved edits asks first, and the draft survives.
    await wind.fill("150")
    await expect(page.get_by_text("Unsaved changes")).to_be_visible()
    await page.keyboard.press("Control+s")
    await expect(page.get_by_text("Saved as revision 2.")).to_be_visible()
    await wind.fill("160")
    await expect(page.get_by_text("Unsaved changes")).to_be_visible()
    asked: list[str] = []

    async def leave_anyway(dialog: Any) -> None:
        asked.append(dialog.type)
        await dialog.accept()

    page.on("dialog", leave_anyway)
    await page.reload()
    assert asked == ["beforeunload"]
    await page.get_by_role("tab", name="Design").click()
    await expect(page.get_by_text("Restored your unsaved changes")).to_be_visible()
    await expect(page.get_by_label("Wind speed V (mph)")).to_have_value("160")
    await page.screenshot(path=tmp_path / "designer-restored.png", full_page=True)

    await page.get_by_role("tab", name="Estimate").click()
    await expect(page.get_by_text(re.compile(r"Breakdown — total"))).to_be_visible()
    await page.get_by_text("Override quantities and unit prices").click()
    await page.screenshot(path=tmp_path / "designer-estimate.png", full_page=True)
    await page.get_by_role("tab", name="Revisions").click()
    await page.screenshot(path=tmp_path / "designer-revisions.png", full_page=True)
