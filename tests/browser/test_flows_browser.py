"""Every main flow driven in real Chromium the way a person does it, asserting what they see.

Fixtures (one server and one browser for the module) are in this folder's conftest.py.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectCreate, ProjectOut, ProjectQuery, ProjectUpdate
from domain.users.schemas import Actor
from tests.browser import steps
from tests.designs import save_passing_design

pytestmark = pytest.mark.asyncio(loop_scope="module")

SHOTS = Path("/tmp/signx-browser")
STATUSES = re.compile(r"^(Draft|Estimating|Submitted|Accepted|Rejected)$")


def unique(prefix: str) -> str:
    """Names no other test of the module uses (the server and its sessions outlive each test)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def shot(page: Page, name: str) -> None:
    """A picture of what the person sees, for looking at by hand (not compared)."""
    await page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


async def new_user(svc: Any, role: str) -> tuple[Actor, str]:
    creds = await svc.users.create(f"{unique(role)}@signx.test", role, role.title())
    actor = await svc.users.authenticate_api_key(creds.api_key)  # cheaper than a password check
    assert actor is not None
    return actor, creds.password


async def new_project(svc: Any, actor: Actor, name: str) -> ProjectOut:
    data = ProjectCreate(name=name, account_id="ACME-01", customer="Acme Fuel", site_address="1 Main St")
    project: ProjectOut = await svc.projects.create(actor, data)
    return project


async def log_in(page: Page, actor: Actor, password: str, path: str = "/projects") -> None:
    """Log in as ``actor`` on the way to ``path``; the header then names them."""
    await steps.log_in(page, actor.email, password, path)
    await expect(page.get_by_role("banner").get_by_text(actor.email)).to_be_visible()


def toast(page: Page, text: str) -> Any:
    return page.locator(".q-notification").filter(has_text=text)


def badge(page: Page) -> Any:
    """The project's status badge next to its name."""
    return page.locator(".q-badge").filter(has_text=STATUSES)


async def test_a_person_logs_in_sees_the_list_and_opens_a_project(svc, page: Page, server: str):
    actor, password = await new_user(svc, "estimator")
    project = await new_project(svc, actor, "Main St Pylon")

    await log_in(page, actor, password)

    link = page.get_by_role("link", name="Main St Pylon")
    await expect(link).to_be_visible()
    await shot(page, "projects-list")
    await link.click()

    await expect(page).to_have_url(f"{server}/projects/{project.project_id}")
    await expect(page.get_by_label("Name", exact=True)).to_have_value("Main St Pylon")
    await expect(page.get_by_text("Account ACME-01")).to_be_visible()
    await expect(page).to_have_title("Main St Pylon · SignX Studio")
    await shot(page, "project")


async def test_creating_a_project_from_the_list_lands_on_its_page(svc, page: Page, server: str):
    actor, password = await new_user(svc, "estimator")
    await log_in(page, actor, password)
    name = unique("Harbor Monument")

    await page.get_by_role("button", name="New project").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Name", exact=True).fill(name)
    await dialog.get_by_label("Account ID").fill("ACC-007")
    await dialog.get_by_label("Customer").fill("Harbor Bank")
    await shot(page, "new-project-dialog")
    await dialog.get_by_role("button", name="Create").click()

    await expect(page).to_have_url(re.compile(r"/projects/[0-9a-f-]{36}$"))
    await expect(page.get_by_label("Name", exact=True)).to_have_value(name)
    await expect(page.get_by_text("Account ACC-007")).to_be_visible()
    stored = await svc.projects.search(ProjectQuery(q=name))
    assert [p.name for p in stored.items] == [name]  # once, however long the wait felt
    await shot(page, "created-project")


async def test_editing_and_saving_shows_saved_and_keeps_the_value(svc, page: Page, server: str):
    actor, password = await new_user(svc, "estimator")
    project = await new_project(svc, actor, "Main St Pylon")
    await log_in(page, actor, password, f"/projects/{project.project_id}")

    await page.get_by_label("Customer").fill("Acme Fuel West")
    await page.get_by_role("button", name="Save").click()

    await expect(toast(page, "Saved.")).to_be_visible()
    await expect(page.get_by_text("revision 2")).to_be_visible()
    assert (await svc.projects.get(project.project_id)).customer == "Acme Fuel West"
    await page.reload()
    await expect(page.get_by_label("Customer")).to_have_value("Acme Fuel West")


async def _conflict(svc: Any, page: Page) -> ProjectOut:
    """Open a project, type a customer, let someone else save another one meanwhile, press Save."""
    actor, password = await new_user(svc, "estimator")
    project = await new_project(svc, actor, "Main St Pylon")
    await log_in(page, actor, password, f"/projects/{project.project_id}")
    await page.get_by_label("Customer").fill("Mine Ltd")
    other, _ = await new_user(svc, "manager")
    await svc.projects.update(
        other, project.project_id, ProjectUpdate(customer="Theirs Inc"), if_match=project.etag
    )
    await page.get_by_role("button", name="Save").click()
    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_text("Someone else saved this project meanwhile")).to_be_visible()
    await expect(dialog.get_by_text("Theirs Inc")).to_be_visible()
    await expect(dialog.get_by_text("Mine Ltd")).to_be_visible()
    return project


async def test_a_conflict_resolved_with_overwrite_with_mine_saves_mine(svc, page: Page):
    project = await _conflict(svc, page)
    await shot(page, "conflict-dialog")

    await page.get_by_role("button", name="Overwrite with mine").click()

    await expect(toast(page, "Saved.")).to_be_visible()
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await expect(page.get_by_label("Customer")).to_have_value("Mine Ltd")
    assert (await svc.projects.get(project.project_id)).customer == "Mine Ltd"


async def test_a_conflict_resolved_with_keep_theirs_shows_theirs(svc, page: Page):
    project = await _conflict(svc, page)

    await page.get_by_role("button", name="Keep theirs (discard mine)").click()

    await expect(toast(page, "Kept their version")).to_be_visible()
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await expect(page.get_by_label("Customer")).to_have_value("Theirs Inc")
    assert (await svc.projects.get(project.project_id)).customer == "Theirs Inc"


async def test_every_lifecycle_move_changes_the_status_badge(svc, page: Page):
    manager, password = await new_user(svc, "manager")
    project = await new_project(svc, manager, "Main St Pylon")
    project = await save_passing_design(svc, manager, project)  # leaving draft needs one
    await log_in(page, manager, password, f"/projects/{project.project_id}")
    await expect(badge(page)).to_have_text("Draft")

    moves = [
        ("Start estimating", "Estimating"),
        ("Back to draft", "Draft"),
        ("Start estimating", "Estimating"),
        ("Submit", "Submitted"),
        ("Reject", "Rejected"),
        ("Reopen", "Draft"),
        ("Start estimating", "Estimating"),
        ("Submit", "Submitted"),
        ("Accept", "Accepted"),
    ]
    for button, status in moves:
        await page.get_by_role("button", name=button, exact=True).click()
        if button == "Reject":  # a rejection says why
            dialog = page.get_by_role("dialog")
            await dialog.get_by_label("Reason").fill("Over budget")
            await dialog.get_by_role("button", name="Reject", exact=True).click()
        if button == "Submit":  # a submission is confirmed, naming the revision
            dialog = page.get_by_role("dialog")
            await dialog.get_by_role("button", name=re.compile(r"^Submit revision \d+$")).click()
        await expect(badge(page)).to_have_text(status)
        said = "submitted; " if button == "Submit" else f"The project is now {status.lower()}."
        await expect(toast(page, said).last).to_be_visible()
    await expect(page.get_by_text("This project is accepted and read-only.")).to_be_visible()
    await shot(page, "accepted-project")
    assert (await svc.projects.get(project.project_id)).status is Status.accepted


async def test_an_admin_adds_a_user_and_sees_the_password_once(svc, page: Page):
    admin, password = await new_user(svc, "admin")
    await log_in(page, admin, password, "/users")
    email = f"{unique('new')}@signx.test"

    await page.get_by_role("button", name="Add user").click()
    dialog = page.get_by_role("dialog")
    await dialog.get_by_label("Email").fill(email)
    await dialog.get_by_label("Name").fill("New Person")
    await dialog.get_by_role("button", name="Add user").click()

    shown = page.get_by_role("dialog").filter(has_text=f"{email} was added")
    await expect(shown).to_be_visible()
    await expect(shown.get_by_text("Copy them now: they will not be shown again.")).to_be_visible()
    await shot(page, "user-added")
    secret = shown.locator(".font-mono").first  # the password, then the API key
    generated = (await secret.inner_text()).strip()
    assert len(generated) >= 10
    assert await svc.users.authenticate_password(email, generated) is not None

    await shown.get_by_role("button", name="I have stored them").click()
    await expect(page.get_by_role("dialog")).to_have_count(0)
    await expect(page.get_by_text(generated)).to_have_count(0)
    await expect(page.get_by_text(email)).to_be_visible()  # the new row in the list
    await shot(page, "users")


async def test_an_unknown_address_shows_the_frame_with_a_friendly_message(svc, page: Page, server: str):
    actor, password = await new_user(svc, "estimator")
    await log_in(page, actor, password)

    await page.goto("/no/such/page")

    await expect(page.get_by_text("Page not found")).to_be_visible()
    await expect(page.get_by_role("banner").get_by_text(actor.email)).to_be_visible()
    await expect(page.get_by_text("HTTPException")).to_have_count(0)
    await shot(page, "not-found")
    async with httpx.AsyncClient(base_url=server, trust_env=False) as client:
        signed_out = await client.get("/no/such/page")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")


async def test_the_url_says_which_page_and_search_are_shown(svc, page: Page):
    actor, password = await new_user(svc, "estimator")
    await new_project(svc, actor, "Main St Pylon")
    await log_in(page, actor, password)

    await page.goto("/projects?page=999")

    await expect(page.get_by_role("link", name="Main St Pylon")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/projects$"))

    await page.goto("/projects?q=Main%00")  # a NUL pasted into a link: dropped, and said so
    await expect(page.get_by_text("Control characters (such as tabs or NUL) were removed")).to_be_visible()
    await expect(page.get_by_role("link", name="Main St Pylon")).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/projects\?q=Main$"))
    await shot(page, "search-cleaned")
