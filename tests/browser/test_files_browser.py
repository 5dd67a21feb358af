"""Project files in real Chromium: a person drops two files on the Files tab at once, sees them
listed (with the upload time in their own time zone), downloads one and deletes the other.

Fixtures (one server and one browser for the module) are in this folder's conftest.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import expect

from domain.projects.schemas import ProjectCreate
from tests import files
from tests.browser.steps import log_in

pytestmark = pytest.mark.asyncio(loop_scope="module")

SHOTS = Path("/tmp/signx-browser")
ZONE = "America/Denver"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def test_a_person_uploads_files_sees_them_listed_downloads_and_deletes_one(
    svc: Any, browser, server: str
):
    await asyncio.to_thread(SHOTS.mkdir, parents=True, exist_ok=True)
    creds = await svc.users.create(f"{unique('est')}@signx.test", "estimator", "Estimator")
    actor = await svc.users.authenticate_api_key(creds.api_key)
    project = await svc.projects.create(
        actor, ProjectCreate(name=unique("Main St Pylon"), account_id="ACME-01", customer="Acme Fuel")
    )
    survey, photo = files.pdf("Site survey, north face"), files.png((20, 120, 60))

    context = await browser.new_context(
        base_url=server, viewport={"width": 1400, "height": 1000}, timezone_id=ZONE, accept_downloads=True
    )
    try:
        page = await context.new_page()
        page.set_default_timeout(15_000)
        await log_in(page, actor.email, creds.password, f"/projects/{project.project_id}")
        await page.get_by_role("tab", name="Files").click()
        card = page.locator(".q-card").filter(has_text="Drop files here")
        await expect(card.get_by_text("No files yet.")).to_be_visible()

        # Two files at once, as a drop or the file chooser hands them over.
        await card.locator("input[type=file]").set_input_files(
            [
                {"name": "site survey.pdf", "mimeType": "application/pdf", "buffer": survey},
                {"name": "north face.png", "mimeType": "image/png", "buffer": photo},
            ]
        )
        table = card.locator("table")
        await expect(table.get_by_role("link", name="site survey.pdf")).to_be_visible(timeout=30_000)
        await expect(table.get_by_role("link", name="north face.png")).to_be_visible(timeout=30_000)
        await expect(card.get_by_text("2 files")).to_be_visible()
        await expect(card.get_by_text(f"Times in {ZONE}")).to_be_visible()
        stored = {f.name: f for f in (await svc.files.list(project.project_id)).items}
        assert set(stored) == {"site survey.pdf", "north face.png"}
        row = table.locator("tr").filter(has_text="site survey.pdf")
        when = stored["site survey.pdf"].uploaded_at.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%d %H:%M")
        # Recent: "just now", with the exact time in the person's zone on hover.
        await row.get_by_text("just now").hover()
        await expect(
            page.locator(".q-tooltip").get_by_text(f"{when} ({ZONE.replace('_', ' ')})")
        ).to_be_visible()
        await expect(row.get_by_text("PDF", exact=True)).to_be_visible()
        await expect(row.get_by_text(hashlib.sha256(survey).hexdigest()[:12])).to_be_visible()
        await expect(row.get_by_text(actor.email)).to_be_visible()
        # Listed, they leave the uploader's queue.
        await expect(card.locator(".q-uploader__file")).to_have_count(0)
        await page.screenshot(path=SHOTS / "project-files.png", full_page=True)

        async with page.expect_download() as download_info:
            await table.get_by_role("link", name="site survey.pdf").click()
        download = await download_info.value
        assert download.suggested_filename == "site survey.pdf"
        saved = SHOTS / "downloaded-survey.pdf"
        await download.save_as(saved)
        assert await asyncio.to_thread(saved.read_bytes) == survey

        await table.locator("tr").filter(has_text="north face.png").get_by_role("button").click()
        dialog = page.get_by_role("dialog")
        await expect(dialog.get_by_text("Delete “north face.png”?")).to_be_visible()
        await dialog.get_by_role("button", name="Delete").click()
        await expect(table.get_by_role("link", name="north face.png")).to_be_hidden()
        await expect(card.get_by_text("1 file", exact=True)).to_be_visible()
        assert [f.name for f in (await svc.files.list(project.project_id)).items] == ["site survey.pdf"]
        await page.screenshot(path=SHOTS / "project-files-after-delete.png", full_page=True)
    finally:
        await context.close()
