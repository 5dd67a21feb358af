"""What a person typed on a project page and did not save survives a reload, in real Chromium.

The browser keeps the overview form's values in sessionStorage at every keystroke (everyday.js,
"drafts"); after the reload the page restores them, unsaved, with a note. Saving sends the ETag the
edits were made on, so a change someone made meanwhile (here through the JSON API) shows the conflict
dialog instead of being overwritten. Fixtures (one server and one browser for the module) are in this
folder's conftest.py.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from domain.projects.schemas import ProjectCreate, ProjectOut
from tests.browser import steps

pytestmark = pytest.mark.asyncio(loop_scope="module")

SHOTS = Path("/tmp/signx-browser")
RESTORED = "Unsaved changes from before the reload were restored"
NO_DRAFT = "() => !Object.keys(sessionStorage).some((k) => k.startsWith('signx-draft:'))"


async def shot(page: Page, name: str) -> None:
    """A picture of what the person sees, for looking at by hand (not compared)."""
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


async def person(svc: Any, role: str) -> tuple[Any, Any]:
    """A new user of ``role``: (actor, credentials with password and API key)."""
    creds = await svc.users.create(f"{role}-{uuid.uuid4().hex[:8]}@signx.test", role, role.title())
    actor = await svc.users.authenticate_api_key(creds.api_key)
    assert actor is not None
    return actor, creds


async def open_project(svc: Any, page: Page) -> ProjectOut:
    actor, creds = await person(svc, "estimator")
    data = ProjectCreate(
        name="Main St Pylon", account_id="ACME-01", customer="Acme Fuel", site_address="1 Main"
    )
    project: ProjectOut = await svc.projects.create(actor, data)
    await steps.log_in(page, actor.email, creds.password, f"/projects/{project.project_id}")
    await expect(page.get_by_label("Customer")).to_have_value("Acme Fuel")
    return project


async def reload_with_unsaved_edits(page: Page) -> None:
    """Reload while the form has unsaved edits; the browser's leave question is answered "leave"."""

    async def leave(dialog: Any) -> None:
        await dialog.accept()

    page.on("dialog", leave)
    try:
        await page.reload()
    finally:
        page.remove_listener("dialog", leave)


async def drop_connection(page: Page, *, back_after_ms: int) -> None:
    """Close the page's websocket once it is up (its handshake done: closing one still connecting
    drops nothing), with socket.io's retry set to ``back_after_ms``, and see "Connection lost"."""
    await page.wait_for_function("window.did_handshake === true && window.socket.connected")
    await page.evaluate(
        f"window.socket.io.reconnectionDelay({back_after_ms}); window.socket.io.randomizationFactor(0);"
        "window.socket.io.engine.close()"
    )
    await expect(page.locator("#popup")).to_have_attribute("aria-hidden", "false")  # "Connection lost"


def note(page: Page) -> Any:
    return page.get_by_role("status").filter(has_text=RESTORED)


def toast(page: Page, text: str) -> Any:
    return page.locator(".q-notification").filter(has_text=text)


async def test_typed_edits_come_back_after_a_reload_and_save_as_usual(svc: Any, page: Page):
    project = await open_project(svc, page)
    await page.get_by_label("Customer").fill("Acme Fuel West")
    await page.get_by_label("Description").fill("Two-pole pylon,\n8 m tall")

    await reload_with_unsaved_edits(page)

    await expect(note(page)).to_be_visible()
    await expect(page.get_by_label("Customer")).to_have_value("Acme Fuel West")
    await expect(page.get_by_label("Description")).to_have_value("Two-pole pylon,\n8 m tall")
    await expect(page.get_by_label("Name", exact=True)).to_have_value("Main St Pylon")
    # Restored, not saved: the server still has the old values, and the form says it is unsaved.
    await expect(page.get_by_role("tab", name="Overview")).to_have_attribute("data-unsaved", re.compile(".*"))
    assert (await svc.projects.get(project.project_id)).customer == "Acme Fuel"
    await shot(page, "draft-restored")

    await page.get_by_role("button", name="Save").click()

    await expect(toast(page, "Saved.")).to_be_visible()
    await expect(note(page)).to_have_count(0)
    stored = await svc.projects.get(project.project_id)
    assert (stored.customer, stored.description, stored.revision) == (
        "Acme Fuel West",
        "Two-pole pylon,\n8 m tall",
        2,
    )
    await page.wait_for_function(NO_DRAFT)  # saved: nothing left to restore
    await page.reload()  # clean: no leave question
    await expect(page.get_by_label("Customer")).to_have_value("Acme Fuel West")
    await expect(page.get_by_text("revision 2")).to_be_visible()
    await expect(note(page)).to_have_count(0)


# Watches every frame, from the page's first script on, for a kept field whose label is drawn over its
# text: the label's box overlapping the box the text is written in (the input's, less its padding) by
# more than a few pixels while the field has a value. A resting floated label touches the text's box
# by a pixel at most; one that is not floated, or still gliding up, covers the text.
LABEL_OVER_TEXT = """
window.signxLabelOverText = [];
(function watch() {
  for (const input of document.querySelectorAll("[data-draft-field]")) {
    const field = input.closest(".q-field");
    const label = field && field.querySelector(".q-field__label");
    if (!label || !input.value) continue;
    const box = input.getBoundingClientRect();
    const style = getComputedStyle(input);
    const top = box.top + parseFloat(style.paddingTop);
    const bottom = box.bottom - parseFloat(style.paddingBottom);
    const at = label.getBoundingClientRect();
    const overlap = Math.min(at.bottom, bottom) - Math.max(at.top, top);
    const name = input.getAttribute("data-draft-field");
    if (overlap > 3 && !window.signxLabelOverText.includes(name)) window.signxLabelOverText.push(name);
  }
  requestAnimationFrame(watch);
})();
"""


async def test_a_restored_field_that_was_empty_shows_its_label_above_the_text(svc: Any, page: Page):
    """The description was empty on the server and the draft has text: after the reload the text is
    shown under its floated label from the first frame on (no label drawn over it, not even while
    gliding up), and Save stores exactly that text."""
    project = await open_project(svc, page)
    assert not project.description
    await page.get_by_label("Description").fill("Two-pole pylon,\n8 m tall")
    await page.add_init_script(LABEL_OVER_TEXT)

    await reload_with_unsaved_edits(page)

    await expect(note(page)).to_be_visible()
    description = page.get_by_label("Description")
    await expect(description).to_have_value("Two-pole pylon,\n8 m tall")
    field = page.locator(".q-field").filter(has=description)
    await expect(field).to_have_class(re.compile(r"\bq-field--float\b"))
    await expect(page.get_by_role("tab", name="Overview")).to_have_attribute("data-unsaved", re.compile(".*"))
    await page.wait_for_timeout(600)  # longer than Quasar's label transition (0.36 s)
    await shot(page, "draft-restored-description")
    assert await page.evaluate("window.signxLabelOverText") == []
    label_box = await field.locator(".q-field__label").bounding_box()
    text_box = await description.bounding_box()
    assert label_box is not None and text_box is not None
    padding = float(await description.evaluate("(e) => parseFloat(getComputedStyle(e).paddingTop)"))
    assert label_box["y"] + label_box["height"] <= text_box["y"] + padding + 3  # above the first line

    await page.get_by_role("button", name="Save").click()

    await expect(toast(page, "Saved.")).to_be_visible()
    shown = await description.input_value()
    assert (await svc.projects.get(project.project_id)).description == shown == "Two-pole pylon,\n8 m tall"
    await page.wait_for_function(NO_DRAFT)


async def test_discarding_the_restored_edits_shows_the_saved_values(svc: Any, page: Page):
    project = await open_project(svc, page)
    await page.get_by_label("Site address").fill("9 Oak Ave")
    await reload_with_unsaved_edits(page)
    await expect(note(page)).to_be_visible()
    await expect(page.get_by_label("Site address")).to_have_value("9 Oak Ave")

    await note(page).get_by_role("button", name="Discard", exact=True).click()

    await expect(note(page)).to_have_count(0)
    await expect(page.get_by_label("Site address")).to_have_value("1 Main")
    await page.wait_for_function(NO_DRAFT)
    assert (await svc.projects.get(project.project_id)).revision == 1


async def test_a_change_made_meanwhile_through_the_api_shows_the_conflict_dialog(
    svc: Any, page: Page, server: str
):
    project = await open_project(svc, page)
    await page.get_by_label("Customer").fill("Mine Ltd")
    # Someone else changes the customer through the API before the reload.
    _, theirs = await person(svc, "manager")
    async with httpx.AsyncClient(
        base_url=server, trust_env=False, headers={"X-API-Key": theirs.api_key}
    ) as api:
        url = f"/api/v1/projects/{project.project_id}"
        etag = (await api.get(url)).headers["ETag"]
        changed = await api.patch(url, json={"customer": "Theirs Inc"}, headers={"If-Match": etag})
        assert changed.status_code == 200, changed.text

    await reload_with_unsaved_edits(page)

    await expect(note(page)).to_be_visible()
    await expect(note(page)).to_contain_text("The project was changed since")
    await expect(page.get_by_label("Customer")).to_have_value("Mine Ltd")
    await shot(page, "draft-restored-stale")
    await page.get_by_role("button", name="Save").click()

    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_text("Someone else saved this project meanwhile")).to_be_visible()
    await expect(dialog.get_by_text("Theirs Inc")).to_be_visible()
    await expect(dialog.get_by_text("Mine Ltd")).to_be_visible()
    assert (await svc.projects.get(project.project_id)).customer == "Theirs Inc"  # nothing overwritten
    await shot(page, "draft-conflict")

    await dialog.get_by_role("button", name="Overwrite with mine").click()

    await expect(toast(page, "Saved.")).to_be_visible()
    await expect(note(page)).to_have_count(0)
    assert (await svc.projects.get(project.project_id)).customer == "Mine Ltd"
    await page.wait_for_function(NO_DRAFT)


async def test_a_page_whose_data_is_held_up_answers_with_a_skeleton_and_fills_in_later(
    svc: Any, page: Page, servers: dict[str, str]
):
    """PostgreSQL saturated, made real here: the projects table is locked, so the page's queries wait.
    The page still answers (frame and skeleton) instead of NiceGUI's "not ready" error page, and shows
    the project as soon as its queries get through."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    project = await open_project(svc, page)
    engine = create_async_engine(servers["database_url"], poolclass=NullPool)
    try:
        async with engine.connect() as held:
            await held.execute(text("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE"))
            await page.goto(f"/projects/{project.project_id}")
            await expect(page.locator('[aria-busy="true"]')).to_be_visible()
            await expect(page.get_by_role("banner")).to_be_visible()
            await expect(page.get_by_label("Customer")).to_have_count(0)
            await shot(page, "project-skeleton")
            await page.goto("/projects")
            await expect(page.locator('[aria-busy="true"]')).to_be_visible()
            await held.rollback()  # the queries get through
        await expect(page.get_by_role("link", name="Main St Pylon")).to_be_visible()
        await expect(page.locator('[aria-busy="true"]')).to_have_count(0)
        await page.goto(f"/projects/{project.project_id}")
        await expect(page.get_by_label("Customer")).to_have_value("Acme Fuel")
    finally:
        await engine.dispose()


async def test_edits_typed_while_the_connection_is_down_are_saved_once_it_is_back(svc: Any, page: Page):
    """The websocket drops (as when a loaded server misses its pings) and the person keeps typing; the
    page reconnects by itself, and Save stores what they see."""
    project = await open_project(svc, page)
    popup = page.locator("#popup")
    await page.evaluate("window.signxSamePage = true")  # gone if the page were reloaded
    # Reconnect after 3 s (socket.io's own retry, as in real life), so the typing falls in the gap.
    await drop_connection(page, back_after_ms=3000)
    await page.get_by_label("Customer").fill("Typed While Offline")
    await page.get_by_label("Site address").fill("2 Side St")
    await expect(popup).to_have_attribute("aria-hidden", "true", timeout=20_000)  # reconnected

    await page.get_by_role("button", name="Save").click()

    await expect(toast(page, "Saved.")).to_be_visible()
    stored = await svc.projects.get(project.project_id)
    assert (stored.customer, stored.site_address) == ("Typed While Offline", "2 Side St")
    await expect(page.get_by_label("Customer")).to_have_value("Typed While Offline")
    assert await page.evaluate("window.signxSamePage === true")  # the same page, not a reload


async def test_edits_typed_while_the_connection_is_down_survive_a_reload(svc: Any, page: Page):
    """The websocket is down (it would come back in a minute) and the page is reloaded, as NiceGUI does
    when a reconnect fails: what was typed never reached the server, and still comes back."""
    project = await open_project(svc, page)
    await drop_connection(page, back_after_ms=60_000)
    await page.get_by_label("Customer").fill("Typed While Offline")

    await reload_with_unsaved_edits(page)

    await expect(note(page)).to_be_visible()
    await expect(page.get_by_label("Customer")).to_have_value("Typed While Offline")
    await page.get_by_role("button", name="Save").click()
    await expect(toast(page, "Saved.")).to_be_visible()
    assert (await svc.projects.get(project.project_id)).customer == "Typed While Offline"


async def test_a_design_number_typed_while_the_connection_is_down_survives_a_reload(svc: Any, page: Page):
    """The designer keeps its draft on the server for every edit that reaches it; a number typed while
    the websocket is down never does, and the browser's own draft brings it back after the reload."""
    project = await open_project(svc, page)
    await page.get_by_role("tab", name="Design").click()
    wind = page.get_by_label("Wind speed V (mph)")
    await expect(wind).to_have_value("115")
    await drop_connection(page, back_after_ms=60_000)
    await wind.fill("170")

    await reload_with_unsaved_edits(page)
    await page.get_by_role("tab", name="Design").click()

    await expect(page.get_by_label("Wind speed V (mph)")).to_have_value("170")
    await expect(page.get_by_text("Restored your unsaved changes")).to_be_visible()
    await expect(page.get_by_text("Unsaved changes", exact=True)).to_be_visible()
    await shot(page, "design-typed-restored")
    await page.get_by_role("button", name="Save design").click()
    await expect(page.get_by_text("Saved as revision 1.")).to_be_visible()
    saved = await svc.designs.get(project.project_id, 1)
    assert saved.input["site"]["wind_speed_mph"] == 170
    await page.wait_for_function(NO_DRAFT)
