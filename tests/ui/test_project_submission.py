"""Submitting from the project page: the confirmation names the design revision and the total,
the project becomes submitted, and the submission card follows the dispatch until the PM system's
reference (or "recorded locally, not sent") shows.

The dispatch job runs in this test's process through the worker's own handler, started by the
test once the page asked for it (the browser test runs the flow with a real worker process)."""

from __future__ import annotations

from typing import Any

from nicegui.testing import User
from ui_helpers import eventually, make_project

from domain.jobs.schemas import SUBMIT_DISPATCH, JobQuery
from domain.projects.lifecycle import Status
from tests.designs import save_passing_design
from tests.pm_peer import pm_peer
from tests.submissions import run


def marked(user: User, marker: str) -> list[Any]:
    return [e for e in user.current_layout.descendants() if marker in e._markers]


async def ready(services: Any, me: Any, name: str) -> Any:
    project = await make_project(services, me, name)
    project = await save_passing_design(services, me, project)
    return await services.projects.transition(
        me, project.project_id, Status.estimating, if_match=project.etag
    )


async def dispatch_job(services: Any, project_id: str) -> Any:
    page = await services.jobs.list(JobQuery(project_id=project_id, kind=SUBMIT_DISPATCH))
    assert page.total == 1, page
    return page.items[0]


async def test_submit_asks_first_then_shows_recorded_locally_not_sent(services, user: User, login):
    me = await login("estimator")
    project = await ready(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    await user.should_not_see(marker="submission-card")

    user.find(marker="to-submitted").click()
    await user.should_see(marker="submit-dialog", retries=40)
    await user.should_see(
        marker="submit-revision", content="Design revision 1: Pipe10STD, passes every check"
    )
    await user.should_see(marker="submit-total", content="Estimate total $15,082.10")
    await user.should_see(marker="submit-local-note")  # no PM system in the tests' settings
    assert (await services.projects.get(project.project_id)).status is Status.estimating  # asked only

    user.find(marker="confirm-submit").click()
    await user.should_see("Revision 1 submitted; recording it locally.", retries=40)
    await user.should_see(marker="status-badge", content="Submitted")
    await user.should_see(marker="pm-pending")
    await user.should_see("Design revision 1 submitted")  # the history's status change

    job = await dispatch_job(services, project.project_id)
    assert await run(services, job.job_id) == ["succeeded"]

    await eventually(lambda: bool(marked(user, "pm-not-sent")), seconds=5, what="recorded locally shown")
    await user.should_see(marker="pm-not-sent", content="Recorded locally, not sent")
    await user.should_see(marker="pm-reference-chip", content="Recorded locally, not sent")
    await user.should_see("Recorded locally, not sent: no PM system is configured")  # the history
    await user.should_not_see(marker="pm-pending")
    stored = await services.projects.get(project.project_id)
    assert (stored.pm_dispatch, stored.pm_reference) == ("recorded_locally", None)


async def test_cancelling_the_dialog_submits_nothing(services, user: User, login):
    me = await login("estimator")
    project = await ready(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    user.find(marker="to-submitted").click()
    await user.should_see(marker="submit-dialog", retries=40)
    user.find(marker="submit-cancel").click()
    await user.should_not_see(marker="submit-dialog", retries=40)
    assert (await services.projects.get(project.project_id)).status is Status.estimating
    assert (await services.jobs.list(JobQuery(project_id=project.project_id))).total == 0


async def test_with_a_pm_system_the_page_shows_its_reference(services, servers, user: User, login):
    from bootstrap import wire
    from infra.settings import Settings

    me = await login("estimator")
    project = await ready(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    user.find(marker="to-submitted").click()
    await user.should_see(marker="submit-dialog", retries=40)
    user.find(marker="confirm-submit").click()
    await user.should_see(marker="pm-pending", retries=40)

    # The worker's side: a PM system at a real peer that is down once, then takes it.
    async with pm_peer(script=[503]) as peer:
        worker, release = wire(Settings(pm_url=peer.url), servers["database_url"], servers["redis_url"])
        try:
            job = await dispatch_job(services, project.project_id)
            assert await run(worker, job.job_id) == ["retry", "succeeded"]
        finally:
            await release()
    await eventually(lambda: bool(marked(user, "pm-reference")), seconds=5, what="the PM reference shown")
    await user.should_see(marker="pm-reference", content="PM-0001")
    await user.should_see(marker="pm-reference-chip", content="PM PM-0001")
    await user.should_see("Sent to the PM system: reference “PM-0001”")
    assert len(peer.accepted) == 1


async def test_a_failing_latest_design_cannot_be_confirmed(services, user: User, login):
    from domain.designs.schemas import DesignRequest
    from tests.designs import FAILING

    me = await login("estimator")
    project = await ready(services, me, "Main St Pylon")
    await services.designs.save(
        me, project.project_id, DesignRequest.model_validate(FAILING), if_match=project.etag
    )
    await user.open(f"/projects/{project.project_id}")
    user.find(marker="to-submitted").click()
    await user.should_see(marker="submit-revision", content="Design revision 2", retries=40)
    await user.should_see(marker="submit-revision", content="does not pass")
    await user.should_see(marker="submit-not-passing")
    (confirm,) = marked(user, "confirm-submit")
    assert not confirm.enabled
    user.find(marker="submit-cancel").click()
    await user.should_not_see(marker="submit-dialog", retries=40)


async def test_a_change_made_meanwhile_submits_nothing_and_the_page_catches_up(services, user: User, login):
    from domain.projects.schemas import ProjectUpdate

    me = await login("estimator")
    project = await ready(services, me, "Main St Pylon")
    await user.open(f"/projects/{project.project_id}")
    user.find(marker="to-submitted").click()
    await user.should_see(marker="submit-dialog", retries=40)
    # Someone renames the project while the dialog is open (the page holds the earlier ETag).
    await services.projects.update(
        me, project.project_id, ProjectUpdate(name="Their Pylon"), if_match=project.etag
    )
    user.find(marker="confirm-submit").click()
    await user.should_see("nothing was submitted", retries=40)
    await user.should_see(marker="project-name", content="Their Pylon")
    assert (await services.projects.get(project.project_id)).status is Status.estimating
    assert (await services.jobs.list(JobQuery(project_id=project.project_id))).total == 0
