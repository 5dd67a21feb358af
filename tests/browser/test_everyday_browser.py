"""The everyday habits in real Chromium: accessibility (axe-core, 0 serious or critical violations
on every page, light and dark), the keyboard, leaving with unsaved edits, dark mode, a phone's
width, local times, exports.

Fixtures (one server and one browser for the module) are in this folder's conftest.py;
screenshots land in /tmp/signx-browser.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Page, expect

from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectQuery, ProjectUpdate
from tests.browser.axe import report, violations
from tests.browser.test_flows_browser import SHOTS, log_in, new_project, new_user, shot, toast, unique
from tests.designs import save_passing_design
from tests.waiting import eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def read_csv(download: Any) -> list[list[str]]:
    path = await download.path()
    text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


async def resting_box(locator: Any) -> dict[str, float]:
    """The element's box once it has stopped moving: a tab panel slides in (Quasar's transition
    classes are on it meanwhile), and the slide may wait a frame or two before it starts, so the
    box must also stay the same for a quarter of a second."""
    page = locator.page
    deadline = asyncio.get_running_loop().time() + 10
    boxes: list[Any] = []
    while True:
        assert asyncio.get_running_loop().time() < deadline, "the element kept moving"
        moving = await page.evaluate("document.querySelector('[class*=\"q-transition--\"]') !== null")
        boxes.append(None if moving else await locator.bounding_box())
        last = boxes[-6:]
        if len(last) == 6 and last[0] is not None and all(b == last[0] for b in last):
            box: dict[str, float] = last[0]
            return box
        await asyncio.sleep(0.05)


async def settled(page: Page) -> None:
    """The page has drawn (NiceGUI connected, no request running)."""
    await page.wait_for_load_state("networkidle")


async def check_axe(page: Page, where: str, problems: dict[str, str]) -> None:
    await settled(page)
    # everyday.js names what Quasar leaves unnamed (the uploader's buttons) in the animation frame
    # after the elements appear: let two frames pass, or axe may look in between.
    await page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    found = await violations(page)
    if found:
        problems[where] = report(found)


async def test_every_page_passes_axe_in_light_and_dark(svc: Any, browser: Any, server: str):
    admin, password = await new_user(svc, "admin")
    project = await new_project(svc, admin, unique("Axe Pylon"))
    project = await save_passing_design(svc, admin, project)
    project = await svc.projects.update(
        admin, project.project_id, ProjectUpdate(customer="Axe Fuel"), if_match=project.etag
    )
    await svc.projects.transition(admin, project.project_id, Status.estimating, if_match=project.etag)
    problems: dict[str, str] = {}
    for scheme in ("light", "dark"):
        context = await browser.new_context(
            base_url=server, viewport={"width": 1280, "height": 900}, color_scheme=scheme
        )
        page = await context.new_page()
        page.set_default_timeout(15_000)
        try:
            await page.goto("/login")
            await check_axe(page, f"{scheme} /login", problems)
            await log_in(page, admin, password)
            await check_axe(page, f"{scheme} /projects", problems)
            await shot(page, f"everyday-projects-{scheme}")
            await page.get_by_role("button", name="New project").first.click()
            await expect(page.get_by_role("dialog")).to_be_visible()
            await check_axe(page, f"{scheme} /projects new-project dialog", problems)
            await page.keyboard.press("Escape")
            await page.goto("/projects?q=nothing-matches-this")
            await check_axe(page, f"{scheme} /projects empty", problems)
            await page.goto(f"/projects/{project.project_id}")
            await expect(page.get_by_text("Calculation report")).to_be_visible()
            await check_axe(page, f"{scheme} project overview", problems)
            await shot(page, f"everyday-project-{scheme}")
            for tab in ("Design", "Estimate", "Revisions", "Files"):
                await page.get_by_role("tab", name=tab).click()
                await check_axe(page, f"{scheme} project {tab}", problems)
            await page.get_by_role("tab", name="Overview").click()
            await page.get_by_role("button", name="Submit", exact=True).click()
            await expect(page.get_by_role("dialog", name="Submit this project?")).to_be_visible()
            await check_axe(page, f"{scheme} submit dialog", problems)
            await page.keyboard.press("Escape")
            await page.goto("/profile")
            await check_axe(page, f"{scheme} /profile", problems)
            await page.goto("/users")
            await check_axe(page, f"{scheme} /users", problems)
            await shot(page, f"everyday-users-{scheme}")
            await page.goto("/jobs")
            await check_axe(page, f"{scheme} /jobs", problems)
            await page.goto(f"/search?q={project.name.split('-')[0]}")
            await check_axe(page, f"{scheme} /search", problems)
            await page.goto("/no/such/page")
            await check_axe(page, f"{scheme} not found", problems)
            await page.goto("/projects")
            await page.keyboard.press("?")
            await expect(page.get_by_text("Keyboard shortcuts")).to_be_visible()
            await check_axe(page, f"{scheme} shortcuts overlay", problems)
        finally:
            await context.close()
    text = "\n\n".join(f"== {where}\n{found}" for where, found in problems.items())
    (SHOTS / "axe-report.txt").write_text(text or "no serious or critical violations\n")
    assert not problems, text


async def test_the_keyboard_saves_searches_confirms_closes_and_lists_its_shortcuts(svc: Any, page: Page):
    me, password = await new_user(svc, "estimator")
    project = await new_project(svc, me, unique("Keys Pylon"))
    await log_in(page, me, password)

    # "/" goes to the search box (the page's, not a field being typed in).
    await page.locator("#main").click(position={"x": 2, "y": 2})
    await page.keyboard.press("/")
    await expect(page.get_by_label("Search", exact=True)).to_be_focused()
    await page.keyboard.type("Keys")
    await expect(page).to_have_url(re.compile(r"/projects\?q=Keys$"))

    # ... and the search page's box, after focus went elsewhere.
    await page.goto("/search")
    await page.locator("#main").click(position={"x": 2, "y": 2})
    await expect(page.get_by_label("Search", exact=True)).not_to_be_focused()
    await page.keyboard.press("/")
    await expect(page.get_by_label("Search", exact=True)).to_be_focused()
    await page.goto("/projects")

    # "?" lists the shortcuts; Esc closes the overlay.
    await page.locator("#main").click(position={"x": 2, "y": 2})
    await page.keyboard.press("?")
    overlay = page.get_by_role("dialog", name="Keyboard shortcuts")
    await expect(overlay).to_be_visible()
    await expect(overlay.get_by_text("Save the open form")).to_be_visible()
    await shot(page, "everyday-shortcuts")
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)

    # Esc closes a dialog without doing anything; Enter in it presses its main button.
    await page.get_by_role("button", name="New project").click()
    dialog = page.get_by_role("dialog", name="New project")
    await dialog.get_by_label("Name", exact=True).fill("Left behind")
    await page.keyboard.press("Escape")
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await page.get_by_role("button", name="New project").click()
    name = unique("Entered Monument")
    await dialog.get_by_label("Name", exact=True).fill(name)
    await dialog.get_by_label("Account ID").fill("ACC-9")
    await dialog.get_by_label("Account ID").press("Enter")
    await expect(page).to_have_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
    await expect(page.get_by_label("Name", exact=True)).to_have_value(name)

    # Ctrl+S saves the open form (the browser's "Save page as" never opens).
    await page.goto(f"/projects/{project.project_id}")
    await page.get_by_label("Customer").fill("Saved By Keyboard")
    await page.keyboard.press("Control+s")
    await expect(toast(page, "Saved.")).to_be_visible()
    assert (await svc.projects.get(project.project_id)).customer == "Saved By Keyboard"

    # Tab from the top reaches the skip link first; it moves the focus to the page's content.
    await page.goto("/projects")
    await settled(page)
    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_visible()
    await page.keyboard.press("Enter")
    await expect(page.locator("#main")).to_be_focused()


async def test_leaving_with_unsaved_edits_asks_first(svc: Any, page: Page, server: str):
    me, password = await new_user(svc, "estimator")
    project = await new_project(svc, me, unique("Leave Pylon"))
    await log_in(page, me, password, f"/projects/{project.project_id}")
    here = f"{server}/projects/{project.project_id}"

    await page.get_by_label("Customer").fill("Not saved yet")
    # The server marks the form unsaved a round trip after the edit (a loaded machine: longer).
    await page.wait_for_selector("[data-unsaved]", state="attached")
    # A link inside the app asks in the page's own words; staying keeps the edit.
    await page.get_by_role("banner").get_by_role("link", name="Projects").click()
    question = page.get_by_role("dialog", name="Leave this page?")
    await expect(question).to_be_visible()
    await shot(page, "everyday-leave-question")
    await question.get_by_role("button", name="Stay on this page").click()
    await expect(question).to_have_count(0)
    assert page.url == here
    await expect(page.get_by_label("Customer")).to_have_value("Not saved yet")

    # Reloading (or closing the tab) gets the browser's own question; dismissing it stays.
    asked: list[str] = []

    async def stay(dialog: Any) -> None:
        asked.append(dialog.type)
        await dialog.dismiss()

    page.on("dialog", stay)
    await page.evaluate("location.reload()")
    await eventually(lambda: asked == ["beforeunload"], seconds=10, what="the browser's leave question")
    page.remove_listener("dialog", stay)
    await expect(page.get_by_label("Customer")).to_have_value("Not saved yet")

    # Logging out asks too; leaving without saving goes.
    await page.get_by_role("button", name="Logout").click()
    await expect(question).to_be_visible()
    await question.get_by_role("button", name="Leave without saving").click()
    await expect(page).to_have_url(re.compile(r"/login$"))
    assert (await svc.projects.get(project.project_id)).customer == "Acme Fuel"

    # Nothing typed: links just go.
    await log_in(page, me, password, f"/projects/{project.project_id}")
    await page.get_by_role("banner").get_by_role("link", name="Projects").click()
    await expect(page).to_have_url(re.compile(r"/projects$"))


async def test_dark_mode_follows_the_system_and_the_choice_is_kept_for_the_account(
    svc: Any, browser: Any, server: str
):
    me, password = await new_user(svc, "estimator")

    async def open_as(scheme: str) -> tuple[Any, Page]:
        context = await browser.new_context(
            base_url=server, viewport={"width": 1280, "height": 900}, color_scheme=scheme
        )
        tab = await context.new_page()
        tab.set_default_timeout(15_000)
        await log_in(tab, me, password)
        return context, tab

    dark_body = re.compile(r"body--dark")
    context, page = await open_as("dark")
    try:
        await expect(page.locator("body")).to_have_class(dark_body)  # the system's choice
        await page.get_by_role("button", name="Theme: follows the system").click()
        await page.get_by_text("Light", exact=True).click()
        await expect(page.locator("body")).not_to_have_class(dark_body)
        await expect(page.get_by_role("button", name="Theme: light")).to_be_visible()
        await shot(page, "everyday-theme-light-chosen")
    finally:
        await context.close()

    # Another browser, another login of the same account: the choice is kept.
    context, page = await open_as("dark")
    try:
        await expect(page.get_by_role("button", name="Theme: light")).to_be_visible()
        await expect(page.locator("body")).not_to_have_class(dark_body)
        await page.get_by_role("button", name="Theme: light").click()
        await page.get_by_text("Dark", exact=True).click()
        await expect(page.locator("body")).to_have_class(dark_body)
        await page.reload()
        await expect(page.locator("body")).to_have_class(dark_body)
        await shot(page, "everyday-theme-dark")
    finally:
        await context.close()


async def test_a_phone_sees_cards_a_one_line_header_and_reaches_every_action(
    svc: Any, browser: Any, server: str
):
    me, password = await new_user(svc, "manager")
    for name in ("Phone Pylon", "Phone Monument"):
        await new_project(svc, me, unique(name))
    context = await browser.new_context(
        base_url=server,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    try:
        await page.goto("/projects")
        await page.get_by_label("Email").fill(me.email)
        await page.get_by_label("Password", exact=True).fill(password)
        await page.get_by_role("button", name="Log in").click()
        await expect(page).to_have_url(re.compile(r"/projects$"))
        await settled(page)

        # Cards, not a table wider than the screen.
        cards = page.locator(".q-table__grid-content .q-card")
        await expect(cards).to_have_count(2)
        await expect(page.locator("table")).to_have_count(0)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the page scrolls sideways: {width} px wide"
        # The header is one line.
        header = await page.get_by_role("banner").bounding_box()
        assert header is not None and header["height"] <= 64, header
        await shot(page, "everyday-phone-projects")

        # The search, the filters, New project and a project's page are reachable.
        await expect(page.get_by_label("Search", exact=True)).to_be_visible()
        await expect(page.get_by_role("button", name="New project")).to_be_visible()
        await expect(page.get_by_label("Sort")).to_be_visible()
        # The navigation and Log out are in the menu.
        await page.get_by_role("button", name="Menu").click()
        menu = page.locator(".q-menu")
        for item in ("Projects", "Search", "Jobs", "API docs", "Log out"):
            await expect(menu.get_by_text(item, exact=True)).to_be_visible()
        await expect(menu.get_by_text(me.email)).to_be_visible()
        await shot(page, "everyday-phone-menu")
        await menu.get_by_text("Jobs", exact=True).click()
        await expect(page).to_have_url(re.compile(r"/jobs$"))
        await settled(page)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"/jobs scrolls sideways: {width} px wide"
        await page.goto("/search?q=Phone")
        await expect(page.get_by_text("2 results")).to_be_visible()
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"/search scrolls sideways: {width} px wide"
        await shot(page, "everyday-phone-search")
        await page.goto("/projects")
        await cards.first.get_by_role("link").click()
        await expect(page).to_have_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
        await settled(page)
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the project page scrolls sideways: {width} px wide"
        for control in (page.get_by_label("Customer"), page.get_by_role("button", name="Save", exact=True)):
            box = await control.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 375, f"cut off at the right: {box}"
        await shot(page, "everyday-phone-project")
        await page.get_by_role("tab", name="Design").click()
        save_design = page.get_by_role("button", name="Save design")
        await expect(save_design).to_be_visible()
        box = await resting_box(save_design)
        assert box["x"] + box["width"] <= 375, f"Save design cut off: {box}"
        # The form and the results stack (one column each as wide as the screen), not squeezed side by side.
        site = await resting_box(page.locator(".q-card").filter(has_text="Code edition").first)
        assert site is not None and site["width"] >= 260 and site["x"] < 60, (
            f"the design form is squeezed: {site}"
        )
        await shot(page, "everyday-phone-design")
        await page.get_by_role("button", name="Menu").click()
        await page.locator(".q-menu").get_by_text("Log out", exact=True).click()
        await expect(page).to_have_url(re.compile(r"/login$"))
    finally:
        await context.close()


async def test_times_are_local_and_recent_ones_relative_with_the_exact_time_on_hover(
    svc: Any, browser: Any, server: str
):
    me, password = await new_user(svc, "estimator")
    project = await new_project(svc, me, unique("Clock Pylon"))
    context = await browser.new_context(
        base_url=server, viewport={"width": 1280, "height": 900}, timezone_id="America/Chicago"
    )
    page = await context.new_page()
    page.set_default_timeout(15_000)
    try:
        await log_in(page, me, password)
        local = project.created_at.astimezone(ZoneInfo("America/Chicago")).strftime("%Y-%m-%d %H:%M")
        created = page.locator("time").filter(has_text="just now").first
        await expect(created).to_have_attribute("title", f"{local} (America/Chicago)")
        await page.goto(f"/projects/{project.project_id}")
        updated = page.get_by_text("updated").locator("xpath=..").locator("time")
        await expect(updated).to_have_text("just now")
        await expect(updated).to_have_attribute("title", re.compile(r"\(America/Chicago\)$"))
        await expect(page.get_by_text("UTC")).to_have_count(0)  # nothing says UTC any more
    finally:
        await context.close()


async def test_the_users_menu_is_not_covered_by_a_tooltip(svc: Any, page: Page):
    admin, password = await new_user(svc, "admin")
    other, _ = await new_user(svc, "estimator")
    await log_in(page, admin, password, "/users")

    more = page.get_by_role("button", name=f"Password, API keys and history of {other.email}")
    await more.hover()
    await page.wait_for_timeout(800)  # long enough for a hover tooltip to appear (Quasar: at once)
    await more.click()
    reset = page.get_by_text("Reset password", exact=True)
    await expect(reset).to_be_visible()
    item = await reset.bounding_box()
    assert item is not None
    for tooltip in await page.locator(".q-tooltip").all():
        box = await tooltip.bounding_box() if await tooltip.is_visible() else None
        if box is None:
            continue
        apart = (
            box["x"] + box["width"] <= item["x"]
            or item["x"] + item["width"] <= box["x"]
            or box["y"] + box["height"] <= item["y"]
            or item["y"] + item["height"] <= box["y"]
        )
        assert apart, f"a tooltip ({await tooltip.inner_text()!r}) lies over Reset password"
    await reset.click()
    await expect(page.get_by_role("dialog", name=f"Reset the password of {other.email}?")).to_be_visible()


async def test_the_list_and_a_history_export_as_csv(svc: Any, browser: Any, server: str):
    me, password = await new_user(svc, "estimator")
    word = unique("Export").replace("-", "")
    project = await new_project(svc, me, f"{word} Pylon")
    await new_project(svc, me, f"{word} Monument")
    await new_project(svc, me, unique("Other Sign"))
    project = await svc.projects.update(
        me, project.project_id, ProjectUpdate(customer="=HYPERLINK(1)"), if_match=project.etag
    )
    context = await browser.new_context(base_url=server, accept_downloads=True)
    page = await context.new_page()
    page.set_default_timeout(15_000)
    try:
        await log_in(page, me, password)
        await page.get_by_label("Search", exact=True).fill(word)
        await expect(page.get_by_text("2 projects")).to_be_visible()
        async with page.expect_download() as info:
            await page.get_by_role("link", name="Export CSV").click()
        download = await info.value
        rows = await read_csv(download)
        assert rows[0][:3] == ["project_id", "name", "account_id"]
        assert sorted(r[1] for r in rows[1:]) == [f"{word} Monument", f"{word} Pylon"]  # the filter's rows

        await page.goto(f"/projects/{project.project_id}")
        async with page.expect_download() as info:
            await page.get_by_role("link", name="Export CSV").click()
        download = await info.value
        rows = await read_csv(download)
        assert rows[0] == ["event_id", "time_utc", "actor", "event", "details", "request_id"]
        assert [r[3] for r in rows[1:]] == ["Created", "Updated"]  # oldest first
        assert rows[2][4] == "Customer: “Acme Fuel” → “=HYPERLINK(1)”"
    finally:
        await context.close()


async def test_a_double_click_on_create_makes_one_project(svc: Any, page: Page):
    me, password = await new_user(svc, "estimator")
    await log_in(page, me, password)
    name = unique("Double Click Pylon")
    await page.get_by_role("button", name="New project").click()
    dialog = page.get_by_role("dialog", name="New project")
    await dialog.get_by_label("Name", exact=True).fill(name)
    await dialog.get_by_label("Account ID").fill("ACC-2")
    await dialog.get_by_role("button", name="Create").dblclick()
    await expect(page).to_have_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
    found = await svc.projects.search(ProjectQuery(q=name))
    assert found.total == 1
