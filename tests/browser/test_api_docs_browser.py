"""/api/docs in headless Chromium: the OpenAPI 3.1 document renders, with no request leaving
the machine. Skipped when no Chromium is installed."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI

from bootstrap import install_http
from tests.served import CHROMIUM_FLAGS, chromium_binary, served


async def test_api_docs_render_operations_offline(services: Any, tmp_path: Path) -> None:
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium); the browser test needs one")
    from playwright.async_api import Route, async_playwright, expect

    app = FastAPI()
    release = install_http(app, services)
    elsewhere: list[str] = []

    async def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    async with served(app) as base, async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            tmp_path / "chromium-profile", executable_path=binary, headless=True, args=CHROMIUM_FLAGS
        )
        try:
            page = context.pages[0] if context.pages else await context.new_page()
            page.set_default_timeout(15_000)
            await context.route("**/*", local_only)
            await page.goto(f"{base}/api/docs")
            await expect(page.get_by_text("SignX Studio API").first).to_be_visible()
            operation = page.locator(
                ".opblock-summary-path", has_text="/v1/projects/{project_id}/transitions"
            )
            await expect(operation.first).to_be_visible()
            await expect(page.get_by_role("button", name="Authorize")).to_be_visible()
            assert await page.get_by_text("Unable to render this definition").count() == 0
        finally:
            await context.close()
            await release()
    assert elsewhere == []
