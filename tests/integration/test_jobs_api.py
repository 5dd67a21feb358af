"""The jobs API: the report request (202, Location, Idempotency-Key), the job shape, the list's
filters and true total, retry and cancel with the roles."""

from __future__ import annotations

from domain.jobs.schemas import REPORT
from domain.projects.schemas import ProjectCreate
from tests.designs import save_passing_design

NEW = ProjectCreate(name="Elm St Pylon", account_id="ACME-01", customer="Acme", site_address="1 Elm St")
SHAPE = {
    "job_id", "kind", "status", "progress", "message", "attempts", "error", "project_id",
    "created_at", "started_at", "finished_at", "result",
}  # fmt: skip


async def saved_project(services, headers) -> str:
    actor = await services.users.authenticate_api_key(headers["X-API-Key"])
    project = await services.projects.create(actor, NEW)
    await save_passing_design(services, actor, project)
    return project.project_id


async def test_a_report_request_is_202_with_the_jobs_location_and_shape(http, services, estimator):
    project_id = await saved_project(services, estimator)
    response = await http.post(
        f"/api/v1/projects/{project_id}/reports", json={"revision": 1}, headers=estimator
    )
    assert response.status_code == 202
    job = response.json()["result"]
    assert set(job) >= SHAPE
    assert (job["kind"], job["status"], job["progress"], job["attempts"], job["project_id"]) == (
        REPORT, "queued", 0, 0, project_id,
    )  # fmt: skip
    assert response.headers["location"] == f"/api/v1/jobs/{job['job_id']}"
    read = await http.get(response.headers["location"], headers=estimator)
    assert read.status_code == 200 and read.json()["result"] == job


async def test_a_report_request_names_bad_input(http, services, estimator):
    project_id = await saved_project(services, estimator)
    missing = await http.post(
        f"/api/v1/projects/{project_id}/reports", json={"revision": 9}, headers=estimator
    )
    assert missing.status_code == 404 and missing.json()["error"]["fields"][0]["field"] == "revision"
    bad = await http.post(f"/api/v1/projects/{project_id}/reports", json={"revision": 0}, headers=estimator)
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "revision"
    nobody = await http.post(
        "/api/v1/projects/not-a-project/reports", json={"revision": 1}, headers=estimator
    )
    assert nobody.status_code == 404
    assert (await http.get("/api/v1/jobs/not-a-job", headers=estimator)).status_code == 404
    assert (await http.get("/api/v1/jobs?limit=0", headers=estimator)).status_code == 422
    assert (await http.get("/api/v1/jobs?project=x", headers=estimator)).json()["error"]["fields"][0][
        "field"
    ] == ("project")


async def test_an_idempotency_key_replays_the_same_job(http, services, estimator):
    project_id = await saved_project(services, estimator)
    url = f"/api/v1/projects/{project_id}/reports"
    headers = {**estimator, "Idempotency-Key": "report-1"}
    first = await http.post(url, json={"revision": 1}, headers=headers)
    again = await http.post(url, json={"revision": 1}, headers=headers)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    assert (await http.get("/api/v1/jobs", headers=estimator)).json()["result"]["total"] == 1
    other_body = await http.post(url, json={"revision": 2}, headers=headers)
    assert other_body.status_code == 422


async def test_the_list_filters_and_pages_with_a_true_total(http, services, estimator):
    project_id = await saved_project(services, estimator)
    for _ in range(3):
        await http.post(f"/api/v1/projects/{project_id}/reports", json={"revision": 1}, headers=estimator)
    page = (await http.get("/api/v1/jobs?limit=2", headers=estimator)).json()["result"]
    assert page["total"] == 3 and len(page["items"]) == 2 and (page["limit"], page["offset"]) == (2, 0)
    by_filters = f"/api/v1/jobs?kind={REPORT}&status=queued&project={project_id}&offset=2"
    filtered = (await http.get(by_filters, headers=estimator)).json()["result"]
    assert filtered["total"] == 3 and len(filtered["items"]) == 1
    none = (await http.get("/api/v1/jobs?status=failed", headers=estimator)).json()["result"]
    assert none["total"] == 0 and none["items"] == []


async def test_cancel_and_retry_follow_the_roles_and_the_states(http, services, estimator, manager, ops):
    project_id = await saved_project(services, estimator)
    job = (
        await http.post(f"/api/v1/projects/{project_id}/reports", json={"revision": 1}, headers=estimator)
    ).json()["result"]
    cancel, retry = f"/api/v1/jobs/{job['job_id']}/cancel", f"/api/v1/jobs/{job['job_id']}/retry"
    for who in (estimator, manager):
        refused = await http.post(cancel, headers=who)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    assert (await http.post(retry, headers=ops)).status_code == 409  # queued: nothing to retry
    cancelled = await http.post(cancel, headers=ops)
    assert cancelled.status_code == 200 and cancelled.json()["result"]["status"] == "cancelled"
    assert (await http.post(cancel, headers=ops)).status_code == 409
    assert (await http.post(retry, headers=estimator)).status_code == 403
    retried = await http.post(retry, headers=ops)
    assert retried.status_code == 202 and retried.json()["result"]["status"] == "queued"
    assert retried.headers["location"] == f"/api/v1/jobs/{job['job_id']}"


async def test_stored_reports_are_listed_and_downloaded_with_a_strong_etag(http, services, estimator):
    """The job's result `url` is this download: the PDF bytes whose SHA-256 is the ETag and the name."""
    import hashlib

    project_id = await saved_project(services, estimator)
    ref = await services.reports.generate(project_id, 1)
    listed = await http.get(f"/api/v1/projects/{project_id}/reports", headers=estimator)
    assert listed.status_code == 200
    [item] = listed.json()["result"]
    assert (item["revision"], item["sha256"], item["size"]) == (1, ref.sha256, ref.size)
    assert item["url"] == f"/api/v1/projects/{project_id}/reports/{ref.sha256}"

    pdf = await http.get(item["url"], headers=estimator)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and hashlib.sha256(pdf.content).hexdigest() == ref.sha256
    assert pdf.headers["etag"] == f'"{ref.sha256}"'
    assert pdf.headers["content-disposition"] == 'attachment; filename="Elm-St-Pylon-rev1.pdf"'
    again = await http.get(item["url"], headers={**estimator, "If-None-Match": pdf.headers["etag"]})
    assert again.status_code == 304 and again.content == b""

    unknown = await http.get(f"/api/v1/projects/{project_id}/reports/{'0' * 64}", headers=estimator)
    assert unknown.status_code == 404
    malformed = await http.get(f"/api/v1/projects/{project_id}/reports/not-a-hash", headers=estimator)
    assert malformed.status_code == 422 and "sha256" in malformed.text
    anonymous = await http.get(item["url"])
    assert anonymous.status_code == 401
