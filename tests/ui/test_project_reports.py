"""The project page's report card: Generate report queues a job for the current saved revision,
the card follows it (progress, then a download link), lists earlier reports, and the download
goes through the signed-in session.

The job runs in this test's process through the worker's own handler (``workers.root.handlers``:
the real report service, renderer and blob store), started by the test once the page asked for
it; the browser test runs the same flow with the real worker process."""

from __future__ import annotations

import asyncio
from typing import Any

from nicegui.testing import User
from ui_helpers import eventually, make_project, new_user

from domain.jobs.schemas import REPORT, JobQuery, JobStatus
from tests.designs import save_passing_design
from workers.root import handlers


def marked(user: User, marker: str) -> list[Any]:
    return [e for e in user.current_layout.descendants() if marker in e._markers]


async def only_job(services: Any, project_id: str) -> Any:
    page = await services.jobs.list(JobQuery(project_id=project_id))
    assert page.total == 1, page
    return page.items[0]


async def test_generate_report_shows_progress_then_a_download_link(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Main St Pylon")
    await save_passing_design(services, me, project)
    await user.open(f"/projects/{project.project_id}")
    await user.should_see("Generate report (revision 1)")
    await user.should_see(marker="no-reports")

    user.find(marker="generate-report").click()

    await user.should_see("Report of revision 1 requested.", retries=40)
    await eventually(lambda: bool(marked(user, "report-progress")), what="the job's progress shown")
    job = await only_job(services, project.project_id)
    assert (job.kind, job.revision, job.status) == (REPORT, 1, JobStatus.queued)
    (button,) = marked(user, "generate-report")
    assert not button.enabled  # no second request of the same revision while it runs

    outcome = await services.jobs.execute(job.job_id, worker="test:1", handlers=handlers(services))
    assert outcome.value == "succeeded"

    await eventually(lambda: bool(marked(user, "report-ready-download")), seconds=4, what="download link")
    done = await services.jobs.get(job.job_id)
    (link,) = marked(user, "report-ready-download")
    href = f"/projects/{project.project_id}/reports/{done.result['sha256']}.pdf"
    assert link.props["href"] == href
    assert not marked(user, "report-progress")
    await user.should_see("Revision 1")
    (status,) = marked(user, "project-job-status")
    assert status.text == "Succeeded"
    assert button.enabled

    # The link downloads the PDF with this browser's session.
    response = await user.http_client.get(href)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response.headers["etag"] == f'"{done.result["sha256"]}"'
    assert response.headers["content-disposition"] == 'attachment; filename="Main-St-Pylon-rev1.pdf"'
    again = await user.http_client.get(href, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_the_card_follows_a_job_requested_elsewhere_and_shows_its_progress(services, user: User, login):
    await login("manager")
    estimator, _ = await new_user(services, "estimator")
    project = await make_project(services, estimator, "Oak Ave Monument")
    await save_passing_design(services, estimator, project)
    await user.open(f"/projects/{project.project_id}")
    await user.should_see(marker="no-reports")

    job = await services.jobs.request(
        estimator,
        kind=REPORT,
        project_id=project.project_id,
        revision=1,
        payload={"project_id": project.project_id, "revision": 1},
    )
    gate = asyncio.Event()

    async def slow(payload: dict[str, Any], progress: Any) -> dict[str, Any]:
        await progress(60, "Drawing the elevation")
        await gate.wait()
        return await handlers(services)[REPORT](payload, progress)

    running = asyncio.create_task(services.jobs.execute(job.job_id, worker="test:2", handlers={REPORT: slow}))
    try:
        await eventually(
            lambda: any(getattr(e, "text", "") == "60%" for e in marked(user, "report-percent")),
            seconds=4,
            what="60 % shown",
        )
        await user.should_see("Drawing the elevation")
        await user.should_see(marker="project-jobs-link")  # managers may open the job monitor
    finally:
        gate.set()
        await asyncio.wait_for(running, 30)
    await eventually(lambda: bool(marked(user, "report")), seconds=4, what="the report listed")
    await user.should_see("Revision 1")


async def test_without_a_saved_design_there_is_nothing_to_report(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Elm St Pylon")
    await user.open(f"/projects/{project.project_id}")
    await user.should_see(marker="report-needs-design")
    (button,) = marked(user, "generate-report")
    assert not button.enabled
    await user.should_not_see(marker="project-jobs-link")  # estimators have no job monitor


async def test_a_report_of_another_project_or_an_unknown_hash_is_not_found(services, user: User, login):
    me = await login("estimator")
    project = await make_project(services, me, "Elm St Pylon")
    response = await user.http_client.get(f"/projects/{project.project_id}/reports/{'0' * 64}.pdf")
    assert response.status_code == 404
    assert "has no report" in response.text
