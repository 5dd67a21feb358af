"""Steps a person takes in more than one browser test."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect


async def log_in(page: Page, email: str, password: str, path: str) -> None:
    """Open ``path`` signed out, get sent to the login form, log in, land on ``path``."""
    await page.goto(path)
    await expect(page).to_have_url(re.compile(r"/login(\?|$)"))
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password", exact=True).fill(password)
    await page.get_by_role("button", name="Log in").click()
    # Generous: a worker booting beside the server shares the machine's two cores.
    await expect(page).to_have_url(re.compile(re.escape(path) + "$"), timeout=30_000)
