"""The search page in real Chromium: a person types a query and sees the matched words marked,
the address follows, and a project name that looks like markup stays text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Page, expect

from domain.projects.schemas import ProjectCreate
from tests.browser.test_flows_browser import new_user, shot, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_typing_a_query_shows_highlighted_results(svc: Any, page: Page):
    me, password = await new_user(svc, "estimator")
    word = unique("Harbor").replace("-", "")  # one word no other test uses
    await svc.projects.create(me, ProjectCreate(name=f"{word} Pylon", account_id="ACC-1"))
    await svc.projects.create(
        me, ProjectCreate(name=f"<img src=x onerror=alert(1)> {word}", account_id="ACC-1", customer="Zed")
    )
    await page.goto("/search")
    await expect(page).to_have_url(re.compile(r"/login\?"))
    await page.get_by_label("Email").fill(me.email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    # Generous: the shared machine can be slow to hash the password and build the page.
    await expect(page).to_have_url(re.compile(r"/search$"), timeout=30_000)

    await page.get_by_label("Search", exact=True).fill(word[:-2].lower())  # a prefix, in another case

    marks = page.locator("mark", has_text=word)
    await expect(marks).to_have_count(2, timeout=15_000)
    await expect(page.get_by_text("2 results")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/search\?q=" + word[:-2].lower() + "$"))
    # The markup-like name is shown as text, not run or rendered as an image.
    await expect(page.get_by_text("<img src=x onerror=alert(1)>")).to_be_visible()
    assert await page.locator("img[src=x]").count() == 0
    await shot(page, "search")
