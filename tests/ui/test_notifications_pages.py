"""The pages of the e-mail work: the reject dialog asks for a reason (and the e-mail job carries
it), and the profile's "every project" switch is kept."""

from __future__ import annotations

from nicegui import ui
from nicegui.testing import User
from sqlalchemy import text
from ui_helpers import make_project, new_user

from domain.jobs.schemas import EMAIL, JobQuery
from domain.projects.lifecycle import Status
from tests.designs import save_passing_design


async def submitted_project(services):
    owner, _ = await new_user(services, "estimator", "eve@signx.test")
    project = await make_project(services, owner, "Main St Pylon")
    project = await save_passing_design(services, owner, project)
    for to in (Status.estimating, Status.submitted):
        project = await services.projects.transition(owner, project.project_id, to, if_match=project.etag)
    return owner, project


async def test_reject_asks_for_a_reason_and_sends_it_with_the_move(services, user: User, login):
    owner, project = await submitted_project(services)
    await login("manager")
    await user.open(f"/projects/{project.project_id}")

    user.find(marker="to-rejected").click()
    await user.should_see(marker="reason-dialog", retries=40)
    await user.should_see("Reject “Main St Pylon”?")
    await user.should_see("The owner (eve@signx.test) is e-mailed the reason", retries=5)

    user.find(marker="reason-ok").click()  # no reason yet: refused in the dialog
    await user.should_see(marker="reason-problem", content="Give a reason: the owner is told it.")
    assert (await services.projects.get(project.project_id)).status is Status.submitted

    user.find(marker="reason").type("The footing is too shallow for the frost line.")
    await user.should_not_see(marker="reason-problem")  # typing a reason clears the complaint
    user.find(marker="reason-ok").click()

    await user.should_see(marker="status-badge", content="Rejected", retries=40)
    await user.should_not_see(marker="reason-dialog")
    await user.should_see("Reason: The footing is too shallow for the frost line.")
    event = (await services.projects.events(project.project_id, limit=1)).items[0]
    assert event.data["reason"] == "The footing is too shallow for the frost line."
    [job] = (await services.jobs.list(JobQuery(kind=EMAIL))).items
    async with services.jobs.uow() as tx:
        query = text("SELECT payload FROM jobs WHERE kind = :kind").bindparams(kind=EMAIL)
        payload = (await tx.session.execute(query)).scalar_one()
    assert (payload["to_email"], payload["notice"], payload["reason"]) == (
        owner.email,
        "rejected",
        "The footing is too shallow for the frost line.",
    )
    assert job.project_id == project.project_id


async def test_cancelling_the_reject_dialog_changes_nothing(services, user: User, login):
    _, project = await submitted_project(services)
    await login("manager")
    await user.open(f"/projects/{project.project_id}")

    user.find(marker="to-rejected").click()
    await user.should_see(marker="reason-dialog", retries=40)
    user.find(marker="reason").type("Changed my mind")
    user.find(marker="reason-cancel").click()

    await user.should_not_see(marker="reason-dialog", retries=40)
    await user.should_see(marker="status-badge", content="Submitted")
    assert (await services.projects.get(project.project_id)).status is Status.submitted
    assert (await services.jobs.list(JobQuery(kind=EMAIL))).total == 0


def switch(user: User) -> ui.switch:
    (element,) = user.find(marker="notify-all").elements
    assert isinstance(element, ui.switch)
    return element


async def test_the_profile_shows_who_i_am_and_keeps_the_every_project_switch(services, user: User, login):
    me = await login("estimator")
    await user.open("/projects")
    user.find(marker="nav-profile").click()  # the header's link to the profile

    await user.should_see(marker="profile-email", content=me.email, retries=40)
    await user.should_see(marker="profile-name", content="Estimator")
    await user.should_see(marker="profile-role", content="Estimator")
    await user.should_see("You are always e-mailed when a project you own is submitted")
    assert switch(user).value is False

    user.find(marker="notify-all").click()
    await user.should_see("You will be e-mailed about every project.", retries=40)
    assert (await services.users.profile(me)).notify_all is True

    await user.open("/profile")  # a reload shows what was stored
    await user.should_see(marker="profile-email", content=me.email, retries=40)
    assert switch(user).value is True

    user.find(marker="notify-all").click()
    await user.should_see("You will be e-mailed about your own projects only.", retries=40)
    assert (await services.users.profile(me)).notify_all is False


async def test_the_profile_needs_a_signed_in_user(services, user: User):
    await user.open("/profile")
    await user.should_see(marker="login-button", retries=40)
