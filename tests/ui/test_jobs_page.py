"""The job monitor (/jobs): live without reload, retry and cancel for ops, the refusal shown, the
workers and the alarm, who sees the page, and the tab leaving the shared feed when hidden."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from nicegui import ui
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction
from ui_helpers import capture_urls, eventually, make_project, new_user

from domain.jobs.schemas import REPORT, JobStatus
from domain.users.schemas import Actor
from pages.visibility import VISIBILITY_EVENT
from tests.designs import save_passing_design


def element(user: User, marker: str) -> Any:
    (found,) = [e for e in user.current_layout.descendants() if marker in e._markers]
    return found


def rows(user: User) -> list[dict[str, Any]]:
    table = element(user, "jobs-table")
    assert isinstance(table, ui.table)
    return table.rows


async def report_job(services: Any, who: Actor, name: str = "Main St Pylon") -> tuple[Any, Any]:
    project = await make_project(services, who, name)
    await save_passing_design(services, who, project)
    job = await services.jobs.request(
        who,
        kind=REPORT,
        project_id=project.project_id,
        revision=1,
        payload={"project_id": project.project_id, "revision": 1},
    )
    return project, job


def status_of(user: User, job_id: str) -> str | None:
    return next((r["status"] for r in rows(user) if r["job_id"] == job_id), None)


async def test_a_jobs_status_and_progress_change_on_screen_without_reload(services, user: User, login):
    await login("ops")
    estimator, _ = await new_user(services, "estimator")
    project, job = await report_job(services, estimator)
    await user.open("/jobs")
    await eventually(lambda: status_of(user, job.job_id) == "queued", what="the queued job listed")
    row = rows(user)[0]
    assert (row["kind"], row["project"], row["attempts"]) == ("Calculation report", "Main St Pylon", 0)
    assert row["project_href"] == f"/projects/{project.project_id}"

    # A worker takes the job and reports progress: the open page follows, nobody reloads.
    async def halfway(payload: dict[str, Any], progress: Any) -> dict[str, Any]:
        while True:  # until it is cancelled below (progress then raises JobCancelled)
            await progress(40, "Drawing the elevation")
            await asyncio.sleep(0.1)

    running = asyncio.create_task(
        services.jobs.execute(job.job_id, worker="host:1", handlers={REPORT: halfway})
    )
    try:
        await eventually(
            lambda: status_of(user, job.job_id) == "running" and rows(user)[0]["progress"] == 40,
            seconds=3,
            what="running at 40 % on screen",
        )
        row = rows(user)[0]
        assert (row["worker"], row["attempts"], row["message"]) == ("host:1", 1, "Drawing the elevation")
        assert row["can_cancel"] and not row["can_retry"]
    finally:
        ops, _ = await new_user(services, "ops", "ops2@signx.test")
        await services.jobs.cancel(ops, job.job_id)
        await asyncio.wait_for(running, 5)
    await eventually(lambda: status_of(user, job.job_id) == "cancelled", seconds=3, what="cancelled shown")


async def test_ops_retries_a_failed_job_and_cancels_a_queued_one_from_the_table(services, user: User, login):
    await login("ops")
    estimator, _ = await new_user(services, "estimator")
    _, failed = await report_job(services, estimator, "Failing Pylon")
    await services.jobs.mark_failed(failed.job_id, "RuntimeError: the renderer broke")
    _, queued = await report_job(services, estimator, "Queued Pylon")
    await user.open("/jobs")
    await eventually(lambda: status_of(user, failed.job_id) == "failed", what="the failed job listed")
    failed_row = next(r for r in rows(user) if r["job_id"] == failed.job_id)
    assert failed_row["error"] == "RuntimeError: the renderer broke"
    assert failed_row["can_retry"] and not failed_row["can_cancel"]

    user.find(marker="jobs-table").trigger("retry", failed.job_id)
    await user.should_see("Queued again as a new attempt.")
    await eventually(lambda: status_of(user, failed.job_id) == "queued", what="retried job queued on screen")
    assert (await services.jobs.get(failed.job_id)).status is JobStatus.queued

    user.find(marker="jobs-table").trigger("cancel", queued.job_id)
    await user.should_see("Cancelled")
    await eventually(lambda: status_of(user, queued.job_id) == "cancelled", what="cancelled on screen")
    assert (await services.jobs.get(queued.job_id)).status is JobStatus.cancelled


async def test_the_service_refusal_is_shown_when_the_job_cannot_be_retried(services, user: User, login):
    await login("admin")
    estimator, _ = await new_user(services, "estimator")
    _, job = await report_job(services, estimator)
    await user.open("/jobs")
    await eventually(lambda: status_of(user, job.job_id) == "queued", what="the job listed")

    user.find(marker="jobs-table").trigger("retry", job.job_id)  # a queued job: not retryable

    await user.should_see("Not done: The job is queued; only a failed or cancelled job can be retried.")
    assert (await services.jobs.get(job.job_id)).attempts == 0


async def test_a_manager_sees_the_jobs_without_the_buttons(services, user: User, login):
    await login("manager")
    estimator, _ = await new_user(services, "estimator")
    _, job = await report_job(services, estimator)
    await user.open("/jobs")
    await user.should_see(marker="nav-jobs")
    await eventually(lambda: status_of(user, job.job_id) == "queued", what="the job listed")
    table = element(user, "jobs-table")
    assert "actions" not in [c["name"] for c in table.columns]
    assert not any(r["can_retry"] or r["can_cancel"] for r in rows(user))
    # The service refuses a manager even if the event were sent by hand.
    user.find(marker="jobs-table").trigger("cancel", job.job_id)
    assert (await services.jobs.get(job.job_id)).status is JobStatus.queued


async def test_an_estimator_has_no_jobs_link_and_the_page_is_not_for_them(services, user: User, login):
    await login("estimator")
    await user.should_not_see(marker="nav-jobs")
    await user.open("/jobs")
    await user.should_see(marker="jobs-not-allowed")
    await user.should_not_see(marker="jobs-table")


async def test_the_top_shows_queue_depth_live_workers_and_an_alarm_when_none_is_alive(
    services, user: User, login
):
    await login("ops")
    estimator, _ = await new_user(services, "estimator")
    await report_job(services, estimator)
    await user.open("/jobs")
    await eventually(lambda: element(user, "queue-depth").text == "1", what="queue depth 1")
    await eventually(lambda: element(user, "no-worker-alarm").visible, what="the alarm")
    await user.should_see("No worker is alive")

    await services.jobs.heartbeat("worker-host:4242", jobs_done=12)
    await eventually(lambda: not element(user, "no-worker-alarm").visible, seconds=3, what="alarm gone")
    (worker,) = element(user, "workers-table").rows
    assert (worker["name"], worker["jobs_done"]) == ("worker-host:4242", 12)
    assert re.fullmatch(r"(just now|\d+ s ago)", worker["ago"])
    assert element(user, "worker-count").text == "1 alive"
    chart = element(user, "per-minute")
    assert [t["name"] for t in chart.figure["data"]] == ["Queued"]
    assert sum(chart.figure["data"][0]["y"]) == 1


async def test_times_are_shown_in_the_browsers_time_zone(services, user: User, login):
    user.javascript_rules[re.compile(r".*resolvedOptions\(\)\.timeZone")] = lambda _: "America/Chicago"
    await login("ops")
    estimator, _ = await new_user(services, "estimator")
    _, job = await report_job(services, estimator)
    await user.open("/jobs")
    await user.should_see("Times in America/Chicago", retries=40)
    from zoneinfo import ZoneInfo

    expected = job.created_at.astimezone(ZoneInfo("America/Chicago")).strftime("%Y-%m-%d %H:%M:%S")
    await eventually(lambda: rows(user) and rows(user)[0]["created"] == expected, what="local time")


async def test_filters_and_page_live_in_the_url(services, user: User, login):
    await login("ops")
    estimator, _ = await new_user(services, "estimator")
    project, job = await report_job(services, estimator, "Elm St Pylon")
    await report_job(services, estimator, "Oak Ave Monument")
    await user.open(f"/jobs?status=bogus&project={project.project_id}&page=abc")
    urls = capture_urls(user)
    await eventually(lambda: [r["job_id"] for r in rows(user)] == [job.job_id], what="only the project's job")
    await user.should_see("Project: Elm St Pylon")

    user.find(marker="status-filter").click()
    user.find("Queued").click()
    await eventually(lambda: bool(urls) and "status=queued" in urls[-1], what=f"status in the URL {urls}")
    assert urls[-1] == f"/jobs?status=queued&project={project.project_id}"

    user.find(marker="project-filter").trigger("remove")
    await eventually(lambda: len(rows(user)) == 2, what="both projects' jobs")
    assert urls[-1] == "/jobs?status=queued"


async def test_a_hidden_tab_leaves_the_feed_and_a_shown_one_rejoins(services, user: User, login):
    await login("ops")
    await user.open("/jobs")
    feed = services_feed(user)
    await eventually(lambda: feed.subscribers == 1, what="the tab following the feed")

    layout = UserInteraction(user, {user.current_layout}, None)
    layout.trigger(VISIBILITY_EVENT, False)
    assert feed.subscribers == 0
    timers = [e for e in user.current_layout.descendants() if isinstance(e, ui.timer)]
    assert len(timers) == 1 and not timers[0].active

    layout.trigger(VISIBILITY_EVENT, True)
    assert feed.subscribers == 1 and timers[0].active


def services_feed(user: User) -> Any:
    from nicegui import app

    feed = app.state.services.job_feed
    assert feed is not None
    return feed


async def test_an_admin_demoted_since_the_page_opened_is_refused_and_told_so(services, user: User, login):
    me = await login("admin")
    estimator, _ = await new_user(services, "estimator")
    _, job = await report_job(services, estimator)
    await user.open("/jobs")
    await eventually(lambda: status_of(user, job.job_id) == "queued", what="the job listed")
    root = await services.users.authenticate_api_key(
        (await services.users.create("root@signx.test", "admin")).api_key
    )
    await services.users.set_role(root, me.user_id, "manager")

    user.find(marker="jobs-table").trigger("cancel", job.job_id)

    await user.should_see("Not done: A user with role 'manager' may not retry or cancel jobs", retries=40)
    assert (await services.jobs.get(job.job_id)).status is JobStatus.queued
