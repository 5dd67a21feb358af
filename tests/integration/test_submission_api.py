"""POST /api/v1/projects/{id}/submit over the real API stack (ASGI) on the test database."""

from __future__ import annotations

import asyncio

import httpx

from tests.designs import PASSING
from tests.submissions import run


async def estimating(http: httpx.AsyncClient, who: dict[str, str]) -> tuple[str, str]:
    """A project in estimating with a passing design: (its URL, its ETag)."""
    created = await http.post(
        "/api/v1/projects", json={"name": "Elm St Pylon", "account_id": "ACME-01"}, headers=who
    )
    url, etag = created.headers["location"], created.headers["etag"]
    saved = await http.post(f"{url}/designs", json=PASSING, headers={**who, "If-Match": etag})
    assert saved.status_code == 201, saved.text
    moved = await http.post(
        f"{url}/transitions", json={"to": "estimating"}, headers={**who, "If-Match": saved.headers["etag"]}
    )
    assert moved.status_code == 200, moved.text
    return url, moved.headers["etag"]


async def test_submit_answers_202_with_the_project_and_its_dispatch_job(http, estimator, services):
    url, etag = await estimating(http, estimator)
    assert (await http.post(f"{url}/submit", headers=estimator)).status_code == 428
    assert (await http.post(f"{url}/submit", headers={**estimator, "If-Match": "*"})).status_code == 428
    stale = await http.post(f"{url}/submit", headers={**estimator, "If-Match": '"0000"'})
    assert stale.status_code == 412 and stale.headers["etag"] == etag

    response = await http.post(f"{url}/submit", headers={**estimator, "If-Match": etag})
    assert response.status_code == 202, response.text
    result = response.json()["result"]
    project, job = result["project"], result["job"]
    assert project["status"] == "submitted" and project["pm_dispatch"] == "pending"
    assert project["pm_reference"] is None and project["submitted_design_revision"] == 1
    assert job["kind"] == "projects.submit.dispatch" and job["status"] == "queued"
    assert response.headers["location"] == f"/api/v1/jobs/{job['job_id']}"
    assert response.headers["etag"] == f'"{project["etag"]}"'

    # Submitted already: a clear 409, also for the ETag a retrying client still holds.
    for tag in (etag, response.headers["etag"]):
        again = await http.post(f"{url}/submit", headers={**estimator, "If-Match": tag})
        assert again.status_code == 409
        error = again.json()["error"]
        assert error["details"]["reason"] == "already_submitted"
        assert error["message"] == "The project was already submitted; it is not sent a second time."

    # No PM system configured (the tests' default): recorded locally, and the API says so.
    assert await run(services, job["job_id"]) == ["succeeded"]
    read = (await http.get(url, headers=estimator)).json()["result"]
    assert (read["pm_dispatch"], read["pm_reference"]) == ("recorded_locally", None)
    assert read["pm_dispatched_at"] is not None


async def test_an_idempotency_key_replays_the_first_answer(http, estimator):
    url, etag = await estimating(http, estimator)
    headers = {**estimator, "If-Match": etag, "Idempotency-Key": "submit-1"}
    first, second = await asyncio.gather(
        http.post(f"{url}/submit", headers=headers), http.post(f"{url}/submit", headers=headers)
    )
    codes = sorted([first.status_code, second.status_code])
    assert codes in ([202, 202], [202, 409]), (first.text, second.text)
    replay = await http.post(f"{url}/submit", headers=headers)
    assert replay.status_code == 202 and replay.headers["idempotent-replayed"] == "true"
    winner = first if first.status_code == 202 else second
    assert replay.json()["result"]["job"]["job_id"] == winner.json()["result"]["job"]["job_id"]
    jobs = (await http.get("/api/v1/jobs?kind=projects.submit.dispatch", headers=estimator)).json()
    assert jobs["result"]["total"] == 1


async def test_bad_submits_get_a_clear_4xx(http, estimator, estimator2):
    url, etag = await estimating(http, estimator)
    cases = [
        ("/api/v1/projects/not-a-project/submit", {"If-Match": etag}, 404),
        ("/api/v1/projects/00000000-0000-0000-0000-000000000000/submit", {"If-Match": etag}, 404),
        (f"{url}/submit", {"If-Match": etag, "Idempotency-Key": "k" * 201}, 422),
    ]
    for path, extra, status in cases:
        response = await http.post(path, headers={**estimator, **extra})
        assert response.status_code == status, (path, response.text)
        assert response.json()["error"]["code"] in ("not_found", "invalid_input")
    # Someone else's project: estimators submit only their own.
    other = await http.post(f"{url}/submit", headers={**estimator2, "If-Match": etag})
    assert other.status_code == 403
    created = await http.post(
        "/api/v1/projects", json={"name": "Draft", "account_id": "A"}, headers=estimator
    )
    draft = await http.post(
        f"{created.headers['location']}/submit", headers={**estimator, "If-Match": created.headers["etag"]}
    )
    assert draft.status_code == 409 and draft.json()["error"]["details"]["allowed"] == ["estimating"]
