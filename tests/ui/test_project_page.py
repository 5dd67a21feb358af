"""The project page: edit and save with the ETag, the conflict dialog, transitions, the timeline."""

from __future__ import annotations

import uuid

from nicegui import ui
from nicegui.testing import User
from ui_helpers import eventually, make_project, new_user

from domain.designs.schemas import DesignRequest
from domain.projects.lifecycle import Status
from domain.projects.schemas import ProjectUpdate
from infra.metrics import REGISTRY
from tests.designs import FAILING, save_passing_design


def saves() -> float:
    sample = "signx_page_action_duration_seconds_count"
    return REGISTRY.get_sample_value(sample, {"action": "save project"}) or 0.0


def field(user: User, name: str) -> ui.input:
    (element,) = user.find(marker=f"edit-{name}").elements
    return element  # type: ignore[return-value]


async def test_the_page_shows_the_project_its_status_and_its_history(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon", description="8 m pylon")
    await user.open(f"/projects/{project.project_id}")

    await user.should_see(marker="project-name", content="Main St Pylon")
    await user.should_see(marker="status-badge", content="Draft")
    assert field(user, "account_id").value == "ACME-01"
    assert field(user, "description").value == "8 m pylon"
    await user.should_see("Created")
    await user.should_see("by estimator@signx.test")
    await user.should_see("Name: “Main St Pylon”")


async def test_edit_and_save_writes_the_change_and_shows_it_in_the_timeline(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")

    saves_before = saves()
    user.find(marker="edit-name").clear().type("Main Street Pylon")
    user.find(marker="edit-customer").clear().type("Acme Fuel Co")
    user.find(marker="save").click()

    await user.should_see("Saved.", retries=40)
    await user.should_see("Name: “Main St Pylon” → “Main Street Pylon”")
    await user.should_see("Customer: “Acme Fuel” → “Acme Fuel Co”")
    await user.should_see(marker="project-name", content="Main Street Pylon")
    stored = await services.projects.get(project.project_id)
    assert (stored.name, stored.customer, stored.revision) == ("Main Street Pylon", "Acme Fuel Co", 2)
    # The server's part of the save is timed for /metrics.
    assert saves() == saves_before + 1
    event = (await services.projects.events(project.project_id)).items[0]
    assert event.event_type == "updated" and event.actor == me.email
    assert event.request_id is not None and event.request_id.startswith("ui-")


async def test_a_bad_value_is_shown_next_to_its_field_and_nothing_is_saved(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")

    user.find(marker="edit-name").clear()
    user.find(marker="save").click()

    await user.should_see(marker="edit-name", content="Required")
    assert (await services.projects.get(project.project_id)).revision == 1


async def test_a_save_after_someone_else_saved_shows_both_values_and_keep_theirs_discards_mine(
    services, user: User, login
):
    me = await login("estimator")
    manager, _ = await new_user(services, "manager", "max@signx.test")
    project = await make_project(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    # Someone else saves between this page loading and our Save.
    await services.projects.update(
        manager,
        project.project_id,
        ProjectUpdate(name="Their Pylon", site_address="9 Oak Ave"),
        if_match=project.etag,
    )

    user.find(marker="edit-name").clear().type("My Pylon")
    user.find(marker="save").click()

    await user.should_see(marker="conflict-dialog", retries=40)
    await user.should_see("max@signx.test changed it after you opened this page", retries=1)
    await user.should_see(marker="conflict-theirs", content="Their Pylon")
    await user.should_see(marker="conflict-yours", content="My Pylon")
    await user.should_see(marker="conflict-theirs", content="9 Oak Ave")
    await user.should_see("(you did not change this; theirs is kept)")

    user.find(marker="keep-theirs").click()

    await user.should_not_see(marker="conflict-dialog", retries=20)
    await eventually(lambda: field(user, "name").value == "Their Pylon", what="their values in the form")
    assert field(user, "site_address").value == "9 Oak Ave"
    await user.should_see("Kept their version; your changes were discarded.")
    stored = await services.projects.get(project.project_id)
    assert (stored.name, stored.revision) == ("Their Pylon", 2)


async def test_overwrite_with_mine_saves_my_fields_over_theirs_and_keeps_their_other_fields(
    services, user: User, login
):
    me = await login("manager")
    project = await make_project(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    await services.projects.update(
        me,
        project.project_id,
        ProjectUpdate(name="Their Pylon", site_address="9 Oak Ave"),
        if_match=project.etag,
    )

    user.find(marker="edit-name").clear().type("My Pylon")
    user.find(marker="save").click()
    await user.should_see(marker="conflict-dialog", retries=40)
    user.find(marker="overwrite-mine").click()

    await user.should_see("Saved.", retries=40)
    await user.should_not_see(marker="conflict-dialog")
    stored = await services.projects.get(project.project_id)
    assert (stored.name, stored.site_address, stored.revision) == ("My Pylon", "9 Oak Ave", 3)
    assert field(user, "name").value == "My Pylon" and field(user, "site_address").value == "9 Oak Ave"
    # Both saves are in the history: nothing was lost silently.
    await user.should_see("Name: “Main St Pylon” → “Their Pylon”")
    await user.should_see("Name: “Their Pylon” → “My Pylon”")


async def test_the_owner_moves_the_project_forward_but_only_a_manager_may_accept(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await save_passing_design(services, me, project)
    await user.open(f"/projects/{project.project_id}")
    await user.should_not_see(marker="to-accepted")
    await user.should_see("Revision 1: Pipe10STD, embedment 9.5 ft, estimate $15,082.10; passes")
    form_before = field(user, "name").id

    user.find(marker="to-estimating").click()
    await user.should_see(marker="status-badge", content="Estimating", retries=40)
    await user.should_see("Status: Draft → Estimating")
    # The form stays editable, so it is not rebuilt (the browser would mount every field again).
    assert field(user, "name").id == form_before

    user.find(marker="to-submitted").click()
    await user.should_see(marker="submit-dialog", retries=40)  # Submit asks first (the submission tests)
    user.find(marker="confirm-submit").click()
    await user.should_see(marker="status-badge", content="Submitted", retries=40)
    assert (await services.projects.get(project.project_id)).status is Status.submitted
    # Accepting and rejecting are the manager's decisions: no buttons for the estimator.
    await user.should_not_see("Accept")
    await user.should_not_see(marker="to-rejected")


async def test_a_manager_accepts_and_the_project_becomes_read_only(services, user: User, login):
    estimator, _ = await new_user(services, "estimator", "eve@signx.test")
    project = await make_project(services, estimator, "Main St Pylon")
    project = await save_passing_design(services, estimator, project)
    project = await services.projects.transition(
        estimator, project.project_id, Status.estimating, if_match=project.etag
    )
    project = await services.projects.transition(
        estimator, project.project_id, Status.submitted, if_match=project.etag
    )
    await login("manager")
    await user.open(f"/projects/{project.project_id}")
    await user.should_see(marker="to-rejected")
    assert field(user, "name").enabled

    user.find(marker="to-accepted").click()

    await user.should_see(marker="status-badge", content="Accepted", retries=40)
    await user.should_see("This project is accepted and read-only.")
    await user.should_not_see(marker="save")
    await user.should_not_see(marker="to-draft")  # no reopening an accepted project
    assert not any(field(user, name).enabled for name in ("name", "account_id", "customer", "description"))
    user.find(marker="edit-name").type(" changed")  # typing into a disabled field does nothing
    assert field(user, "name").value == "Main St Pylon"


async def test_starting_estimating_without_a_passing_design_says_why(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")

    user.find(marker="to-estimating").click()

    await user.should_see(
        "The project may not leave draft yet. No saved design: save a design whose checks all pass first.",
        retries=40,
    )
    await user.should_see(marker="status-badge", content="Draft")
    assert (await services.projects.get(project.project_id)).status is Status.draft


async def test_starting_estimating_with_a_failing_design_names_the_failing_checks(
    services, user: User, login
):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await services.designs.save(
        me, project.project_id, DesignRequest.model_validate(FAILING), if_match=project.etag
    )
    await user.open(f"/projects/{project.project_id}")

    user.find(marker="to-estimating").click()

    await user.should_see("The project may not leave draft yet.", retries=40)
    await user.should_see("pole flexure")  # a failing check of Pipe4STD, named in the refusal
    await user.should_see(marker="status-badge", content="Draft")
    assert (await services.projects.get(project.project_id)).status is Status.draft


async def test_a_change_of_status_under_the_page_is_reported_and_reloaded(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    project = await save_passing_design(services, me, project)
    await user.open(f"/projects/{project.project_id}")
    await services.projects.transition(me, project.project_id, Status.estimating, if_match=project.etag)

    user.find(marker="to-estimating").click()

    await user.should_see("Someone else changed this project meanwhile", retries=40)
    await user.should_see(marker="status-badge", content="Estimating")


async def test_unsaved_edits_block_a_status_change(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    user.find(marker="edit-name").type(" II")
    user.find(marker="to-estimating").click()
    await user.should_see("Save or discard your changes before changing the status.", retries=20)
    assert (await services.projects.get(project.project_id)).status is Status.draft
    user.find(marker="discard").click()
    assert field(user, "name").value == "Main St Pylon"


async def test_an_estimator_only_views_someone_elses_project(services, user: User, login):
    owner, _ = await new_user(services, "estimator", "owner@signx.test")
    project = await make_project(services, owner, "Main St Pylon")
    await login("estimator")
    await user.open(f"/projects/{project.project_id}")
    await user.should_see("Only its owner or a manager can edit it.")
    await user.should_not_see(marker="save")
    await user.should_not_see(marker="to-estimating")
    assert not field(user, "name").enabled


async def test_the_timeline_pages_through_long_histories(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Sign v0")
    for i in range(1, 25):
        project = await services.projects.update(
            me, project.project_id, ProjectUpdate(name=f"Sign v{i}"), if_match=project.etag
        )
    await user.open(f"/projects/{project.project_id}")
    await user.should_see("20 of 25 events")
    await user.should_see("Name: “Sign v23” → “Sign v24”")  # newest first
    await user.should_not_see("Created")

    user.find(marker="load-more").click()

    await user.should_see("25 of 25 events", retries=40)
    await user.should_see("Created")
    await user.should_not_see(marker="load-more")


async def test_an_unknown_project_gets_a_friendly_not_found_page(services, user: User, login):
    await login("estimator")
    await user.open(f"/projects/{uuid.uuid4()}")
    await user.should_see("Project not found")
    await user.should_see("Back to projects")
    await user.open("/projects/not-a-uuid")
    await user.should_see("Project not found")


async def test_a_logged_out_visitor_following_a_project_link_logs_in_first(services, user: User):
    owner, password = await new_user(services, "estimator")
    project = await make_project(services, owner, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    await user.should_see("Log in with your work email.")
    user.find(marker="email").type(owner.email)
    user.find(marker="password").type(password)
    user.find(marker="login-button").click()
    await user.should_see(marker="project-name", content="Main St Pylon", retries=40)


async def test_a_manager_demoted_while_the_page_is_open_can_no_longer_accept(services, user: User, login):
    owner, _ = await new_user(services, "estimator", "owner@signx.test")
    project = await make_project(services, owner, "Main St Pylon")
    project = await save_passing_design(services, owner, project)
    for target in (Status.estimating, Status.submitted):
        project = await services.projects.transition(owner, project.project_id, target, if_match=project.etag)
    me = await login("manager")
    await user.open(f"/projects/{project.project_id}")
    await user.should_see(marker="to-accepted")

    admin = (await services.users.create("root@signx.test", "admin")).api_key
    root = await services.users.authenticate_api_key(admin)
    await services.users.set_role(root, me.user_id, "estimator")
    user.find(marker="to-accepted").click()

    await user.should_see("Only a manager or admin", retries=40)
    assert (await services.projects.get(project.project_id)).status is Status.submitted
