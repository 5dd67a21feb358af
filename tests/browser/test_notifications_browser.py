"""E-mail, the whole road in real Chromium: a manager rejects a project with a reason, and the
owner's e-mail arrives at a real SMTP server (aiosmtpd on 127.0.0.1) through the server's outbox
relay and its real worker process; and a person turns on "every project" on their profile.
One more test here needs no browser but this module's server: a refused e-mail is retried by the
worker (the job shows "retrying" with the server's answer) and delivered once the server takes it.

This module runs its own ``app.py serve`` (with its worker, the SMTP address and a public URL) in
place of the shared one of conftest.py.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from domain.jobs.schemas import EMAIL, JobQuery, JobStatus
from domain.projects.lifecycle import Status
from tests.browser.test_flows_browser import badge, log_in, new_project, new_user, shot, toast, unique
from tests.designs import save_passing_design
from tests.mail import Inbox, parts, smtp_server
from tests.served import chromium_binary, served_app

pytestmark = pytest.mark.asyncio(loop_scope="module")

PUBLIC = "https://signx.example.com"


@pytest.fixture(scope="module")
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture(scope="module")
def smtp_port(inbox: Inbox) -> Iterator[int]:
    with smtp_server(inbox) as port:
        yield port


@pytest.fixture(scope="module")
def server(servers: dict[str, str], server_log: Path, smtp_port: int) -> Iterator[str]:
    if chromium_binary() is None:
        pytest.skip("no Chromium binary (apt-get install -y chromium); the browser tests need one")
    with served_app(
        servers,
        server_log.parent / "data",
        log_path=server_log,
        serve_worker="true",
        smtp_url=f"smtp://127.0.0.1:{smtp_port}",
        public_url=PUBLIC,
        relay_sweep_seconds="0.5",
        job_retry_backoff_max_seconds="1",
    ) as base:
        yield base


async def arrived(inbox: Inbox, to: str, seconds: float = 90) -> Any:
    """The message to ``to`` once the worker has sent it (its process may still be starting)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for received in inbox.messages():
            if received.rcpt_tos == [to]:
                return received.message
        await asyncio.sleep(0.2)
    raise AssertionError(f"no e-mail to {to} within {seconds:.0f} s")


async def test_a_manager_rejects_with_a_reason_and_the_owner_gets_the_email(svc, page: Page, inbox: Inbox):
    owner, _ = await new_user(svc, "estimator")
    manager, password = await new_user(svc, "manager")
    name = unique("Main St Pylon")
    project = await new_project(svc, owner, name)
    project = await save_passing_design(svc, owner, project)
    for to in (Status.estimating, Status.submitted):
        project = await svc.projects.transition(owner, project.project_id, to, if_match=project.etag)

    await log_in(page, manager, password, f"/projects/{project.project_id}")
    await expect(badge(page)).to_have_text("Submitted")
    await page.get_by_role("button", name="Reject", exact=True).click()

    dialog = page.get_by_role("dialog")
    await expect(dialog.get_by_text(f"Reject “{name}”?")).to_be_visible()
    await dialog.get_by_role("button", name="Reject", exact=True).click()  # no reason yet
    await expect(dialog.get_by_text("Give a reason: the owner is told it.")).to_be_visible()
    await dialog.get_by_label("Reason").fill("The footing is too shallow for the frost line.\nSee note 3.")
    await shot(page, "reject-with-reason")
    await dialog.get_by_role("button", name="Reject", exact=True).click()

    await expect(badge(page)).to_have_text("Rejected")
    await expect(toast(page, "The project is now rejected.")).to_be_visible()
    await expect(page.get_by_text("Reason: The footing is too shallow for the frost line.")).to_be_visible()
    await shot(page, "rejected-with-reason")

    message = await arrived(inbox, owner.email)
    assert message["Subject"] == f"Rejected: {name}"
    plain, html = parts(message)
    link = f"{PUBLIC}/projects/{project.project_id}"
    assert f"Open the project: {link}" in plain and f'href="{link}"' in html
    assert "    The footing is too shallow for the frost line.\n    See note 3." in plain


async def test_a_person_asks_to_be_emailed_about_every_project(svc, page: Page):
    me, password = await new_user(svc, "ops")
    await log_in(page, me, password)
    await page.get_by_role("banner").get_by_role("link", name=me.email).click()
    await expect(page).to_have_url(re.compile(r"/profile$"))
    await expect(page.get_by_text("Your profile")).to_be_visible()
    switch = page.get_by_role("switch", name="E-mail me about every project")
    await expect(switch).to_have_attribute("aria-checked", "false")

    await switch.click()
    await expect(toast(page, "You will be e-mailed about every project.")).to_be_visible()
    await expect(switch).to_have_attribute("aria-checked", "true")
    await shot(page, "profile-every-project")
    assert (await svc.users.profile(me)).notify_all is True

    await page.reload()
    await expect(page.get_by_role("switch", name="E-mail me about every project")).to_have_attribute(
        "aria-checked", "true"
    )


async def email_job(svc: Any, project_id: str, wanted: Any, seconds: float = 90) -> Any:
    """The project's e-mail job once ``wanted(job)`` holds."""
    deadline, jobs = time.monotonic() + seconds, []
    while time.monotonic() < deadline:
        jobs = (await svc.jobs.list(JobQuery(kind=EMAIL, project_id=project_id))).items
        if len(jobs) == 1 and wanted(jobs[0]):
            return jobs[0]
        await asyncio.sleep(0.2)
    raise AssertionError(f"the e-mail job did not get there within {seconds:.0f} s: {jobs}")


async def test_a_refused_email_is_retried_by_the_worker_and_the_rejection_stands(svc, server, inbox: Inbox):
    """No browser needed: the server's relay and worker do the work."""
    owner, _ = await new_user(svc, "estimator")
    manager, _ = await new_user(svc, "manager")
    project = await new_project(svc, owner, unique("Oak Ave Monument"))
    project = await save_passing_design(svc, owner, project)
    for to in (Status.estimating, Status.submitted):
        project = await svc.projects.transition(owner, project.project_id, to, if_match=project.etag)
    inbox.refuse = "554 5.7.1 Not now"
    try:
        moved = await svc.projects.transition(
            manager, project.project_id, Status.rejected, if_match=project.etag, reason="Too tall"
        )
        assert moved.status is Status.rejected
        retrying = await email_job(svc, project.project_id, lambda j: j.status is JobStatus.retrying)
        assert "554 5.7.1 Not now" in (retrying.error or "")
        assert (await svc.projects.get(project.project_id)).status is Status.rejected
    finally:
        inbox.refuse = None
    message = await arrived(inbox, owner.email)
    assert message["Subject"] == f"Rejected: {project.name}"
    done = await email_job(svc, project.project_id, lambda j: j.status is JobStatus.succeeded)
    assert done.attempts >= 2 and done.result["to"] == owner.email
