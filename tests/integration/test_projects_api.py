"""The project API, end to end on a real PostgreSQL: every status code the contract names."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import text

from domain.idempotency.service import IdempotencyRequest, request_fingerprint
from domain.projects.schemas import ProjectCreate, ProjectQuery
from tests.designs import PASSING

NEW = {"name": "Main St Pylon", "account_id": "ACME-01", "customer": "Acme Fuel", "site_address": "1 Main St"}


async def create(http: httpx.AsyncClient, headers: dict[str, str], **fields: str) -> httpx.Response:
    response = await http.post("/api/v1/projects", json={**NEW, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response


async def save_passing_design(http: httpx.AsyncClient, url: str, headers: dict[str, str], etag: str) -> str:
    """Save a design whose checks all pass (leaving draft needs one); returns the new ETag."""
    response = await http.post(f"{url}/designs", json=PASSING, headers={**headers, "If-Match": etag})
    assert response.status_code == 201, response.text
    return response.headers["etag"]


def assert_envelope(body: dict) -> None:
    assert set(body) == {"result", "error", "assumptions", "confidence", "trace"}
    assert {"request_id", "code_version", "timestamp", "duration_ms"} <= set(body["trace"])


async def test_create_returns_201_location_etag_and_envelope(http, estimator):
    response = await create(http, estimator)
    body = response.json()
    assert_envelope(body)
    project = body["result"]
    assert response.headers["location"] == f"/api/v1/projects/{project['project_id']}"
    etag = response.headers["etag"]
    assert etag == f'"{project["etag"]}"' and len(project["etag"]) == 16
    int(project["etag"], 16)
    assert project["status"] == "draft" and project["owner_email"] == "estimator@example.com"


async def test_missing_or_bad_api_key_is_401_in_an_envelope(http):
    response = await http.get("/api/v1/projects")
    assert response.status_code == 401
    assert_envelope(response.json())
    assert response.json()["error"]["code"] == "unauthenticated"
    response = await http.get("/api/v1/projects", headers={"X-API-Key": "sx_nope"})
    assert response.status_code == 401


async def test_ops_may_read_but_not_create_403(http, ops, estimator):
    await create(http, estimator)
    assert (await http.get("/api/v1/projects", headers=ops)).status_code == 200
    response = await http.post("/api/v1/projects", json=NEW, headers=ops)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


async def test_invalid_body_is_422_naming_each_field(http, estimator):
    response = await http.post(
        "/api/v1/projects", json={"name": "", "account_id": "bad id!", "colour": "red"}, headers=estimator
    )
    assert response.status_code == 422
    error = response.json()["error"]
    fields = {f["field"] for f in error["fields"]}
    assert {"name", "account_id", "colour"} <= fields
    assert "colour" in error["message"]


async def test_request_id_is_honoured_and_echoed(http, estimator):
    response = await http.get("/api/v1/projects", headers={**estimator, "X-Request-ID": "req-abc-123"})
    assert response.headers["x-request-id"] == "req-abc-123"
    assert response.json()["trace"]["request_id"] == "req-abc-123"
    generated = await http.get("/api/v1/projects", headers=estimator)
    assert len(generated.headers["x-request-id"]) == 32


async def test_get_has_etag_and_if_none_match_gives_304(http, estimator):
    project = (await create(http, estimator)).json()["result"]
    url = f"/api/v1/projects/{project['project_id']}"
    response = await http.get(url, headers=estimator)
    assert response.status_code == 200
    etag = response.headers["etag"]
    cached = await http.get(url, headers={**estimator, "If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    other = await http.get(url, headers={**estimator, "If-None-Match": '"0000000000000000"'})
    assert other.status_code == 200


async def test_unknown_project_is_404(http, estimator):
    response = await http.get(f"/api/v1/projects/{uuid.uuid4()}", headers=estimator)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert (await http.get("/api/v1/projects/not-a-uuid", headers=estimator)).status_code == 404


async def test_patch_needs_if_match_428_stale_412_fresh_200(http, estimator, services):
    response = await create(http, estimator)
    project = response.json()["result"]
    url = f"/api/v1/projects/{project['project_id']}"
    etag = response.headers["etag"]

    missing = await http.patch(url, json={"name": "New"}, headers=estimator)
    assert missing.status_code == 428
    assert missing.json()["error"]["code"] == "precondition_required"

    ok = await http.patch(url, json={"name": "Main St Pylon v2"}, headers={**estimator, "If-Match": etag})
    assert ok.status_code == 200
    new_etag = ok.headers["etag"]
    assert new_etag != etag and ok.json()["result"]["name"] == "Main St Pylon v2"

    stale = await http.patch(url, json={"name": "Lost"}, headers={**estimator, "If-Match": etag})
    assert stale.status_code == 412
    assert stale.headers["etag"] == new_etag
    assert stale.json()["error"]["details"]["current_etag"] == new_etag.strip('"')

    events = (await http.get(f"{url}/events", headers=estimator)).json()["result"]
    assert [e["event_type"] for e in events["items"]] == ["updated", "created"]
    assert events["items"][0]["data"]["changes"] == {
        "name": {"before": "Main St Pylon", "after": "Main St Pylon v2"}
    }


async def test_patch_unknown_field_or_bad_value_is_422_naming_the_field(http, estimator):
    response = await create(http, estimator)
    url = response.headers["location"]
    headers = {**estimator, "If-Match": response.headers["etag"]}
    unknown = await http.patch(url, json={"status": "accepted"}, headers=headers)
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"][0]["field"] == "status"
    bad = await http.patch(url, json={"name": "x" * 300}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "name"
    # Nothing was written by the refused requests.
    assert (await http.get(url, headers=estimator)).headers["etag"] == response.headers["etag"]


async def test_estimator_cannot_edit_someone_elses_project_but_manager_can(
    http, estimator, estimator2, manager
):
    response = await create(http, estimator)
    url, etag = response.headers["location"], response.headers["etag"]
    denied = await http.patch(url, json={"customer": "X"}, headers={**estimator2, "If-Match": etag})
    assert denied.status_code == 403
    allowed = await http.patch(url, json={"customer": "X"}, headers={**manager, "If-Match": etag})
    assert allowed.status_code == 200


async def test_twenty_concurrent_patches_with_one_etag_one_wins(http, estimator):
    response = await create(http, estimator)
    url, etag = response.headers["location"], response.headers["etag"]

    async def patch(i: int) -> int:
        r = await http.patch(
            url, json={"description": f"writer {i}"}, headers={**estimator, "If-Match": etag}
        )
        return r.status_code

    codes = await asyncio.gather(*(patch(i) for i in range(20)))
    assert sorted(codes) == [200] + [412] * 19
    events = (await http.get(f"{url}/events", headers=estimator)).json()["result"]
    assert [e["event_type"] for e in events["items"]].count("updated") == 1


async def test_transitions_follow_the_state_machine_and_roles(http, estimator, manager):
    response = await create(http, estimator)
    url, etag = response.headers["location"], response.headers["etag"]

    async def move(to: str, headers: dict[str, str], etag: str) -> httpx.Response:
        return await http.post(f"{url}/transitions", json={"to": to}, headers={**headers, "If-Match": etag})

    refused = await move("accepted", estimator, etag)
    assert refused.status_code == 409
    assert refused.json()["error"]["details"]["allowed"] == ["estimating"]

    assert (
        await http.post(f"{url}/transitions", json={"to": "estimating"}, headers=estimator)
    ).status_code == 428
    etag = await save_passing_design(http, url, estimator, etag)
    step = await move("estimating", estimator, etag)
    assert step.status_code == 200 and step.json()["result"]["status"] == "estimating"
    step = await move("submitted", estimator, step.headers["etag"])
    assert step.status_code == 200
    by_estimator = await move("accepted", estimator, step.headers["etag"])
    assert by_estimator.status_code == 403
    accepted = await move("accepted", manager, step.headers["etag"])
    assert accepted.status_code == 200 and accepted.json()["result"]["status"] == "accepted"

    read_only = await http.patch(
        url, json={"name": "Nope"}, headers={**manager, "If-Match": accepted.headers["etag"]}
    )
    assert read_only.status_code == 409
    assert "read-only" in read_only.json()["error"]["message"]

    bogus = await move("archived", manager, accepted.headers["etag"])
    assert bogus.status_code == 422 and bogus.json()["error"]["fields"][0]["field"] == "to"


async def test_reject_then_reopen_by_manager(http, estimator, manager):
    response = await create(http, estimator)
    url, etag = response.headers["location"], response.headers["etag"]
    etag = await save_passing_design(http, url, estimator, etag)
    for to, who in (("estimating", estimator), ("submitted", estimator), ("rejected", manager)):
        body = {"to": to, "reason": "Over budget"} if to == "rejected" else {"to": to}
        r = await http.post(f"{url}/transitions", json=body, headers={**who, "If-Match": etag})
        assert r.status_code == 200, r.text
        etag = r.headers["etag"]
    denied = await http.post(
        f"{url}/transitions", json={"to": "draft"}, headers={**estimator, "If-Match": etag}
    )
    assert denied.status_code == 403
    reopened = await http.post(
        f"{url}/transitions", json={"to": "draft"}, headers={**manager, "If-Match": etag}
    )
    assert reopened.status_code == 200 and reopened.json()["result"]["status"] == "draft"
    events = (await http.get(f"{url}/events?limit=2", headers=manager)).json()["result"]
    assert events["total"] == 6 and len(events["items"]) == 2
    assert events["items"][0]["data"] == {"from": "rejected", "to": "draft", "revision": 6}
    assert events["items"][0]["actor"] == "manager@example.com"


async def test_list_filters_sorts_paginates_with_true_total(http, estimator):
    for i in range(7):
        await create(http, estimator, name=f"Pylon {i}", account_id="ACME" if i % 2 else "BETA")
    await create(http, estimator, name="Monument at Oak Plaza", account_id="OAK")
    page = (await http.get("/api/v1/projects?limit=3", headers=estimator)).json()["result"]
    assert page["total"] == 8 and len(page["items"]) == 3
    assert page["items"][0]["name"] == "Monument at Oak Plaza"  # newest first
    rest = (await http.get("/api/v1/projects?limit=3&offset=6", headers=estimator)).json()["result"]
    assert [p["name"] for p in rest["items"]] == ["Pylon 1", "Pylon 0"]
    beta = (await http.get("/api/v1/projects?account_id=BETA", headers=estimator)).json()["result"]
    assert beta["total"] == 4
    found = (await http.get("/api/v1/projects?q=oak plaz", headers=estimator)).json()["result"]
    assert [p["name"] for p in found["items"]] == ["Monument at Oak Plaza"]
    drafts = (await http.get("/api/v1/projects?status=draft&sort=name", headers=estimator)).json()["result"]
    assert drafts["total"] == 8 and drafts["items"][0]["name"] == "Monument at Oak Plaza"
    too_many = await http.get("/api/v1/projects?limit=201", headers=estimator)
    assert too_many.status_code == 422 and too_many.json()["error"]["fields"][0]["field"] == "limit"
    bad_status = await http.get("/api/v1/projects?status=done", headers=estimator)
    assert bad_status.status_code == 422


async def test_idempotency_key_replays_conflicts_and_is_scoped(http, estimator, estimator2):
    headers = {**estimator, "Idempotency-Key": "create-1"}
    first = await http.post("/api/v1/projects", json=NEW, headers=headers)
    again = await http.post("/api/v1/projects", json=NEW, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    listing = (await http.get("/api/v1/projects", headers=estimator)).json()["result"]
    assert listing["total"] == 1

    different = await http.post("/api/v1/projects", json={**NEW, "name": "Other"}, headers=headers)
    assert different.status_code == 422
    assert different.json()["error"]["fields"][0]["field"] == "Idempotency-Key"

    # Another caller's identical key is their own.
    other = await http.post(
        "/api/v1/projects", json=NEW, headers={**estimator2, "Idempotency-Key": "create-1"}
    )
    assert (
        other.status_code == 201
        and other.json()["result"]["project_id"] != first.json()["result"]["project_id"]
    )


async def test_idempotency_key_in_flight_is_409(http, estimator, services):
    actor = await services.users.authenticate_api_key(estimator["X-API-Key"])
    fingerprint = request_fingerprint(ProjectCreate(**NEW).model_dump(mode="json"))
    # A first request has claimed the key and is still running.
    assert (
        await services.idempotency.claim(actor.user_id, "POST /api/v1/projects", "slow-1", fingerprint)
        is None
    )
    response = await http.post(
        "/api/v1/projects", json=NEW, headers={**estimator, "Idempotency-Key": "slow-1"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


async def test_openapi_and_offline_docs(http):
    spec = (await http.get("/api/openapi.json")).json()
    assert "/v1/projects/{project_id}" in spec["paths"] or "/api/v1/projects/{project_id}" in spec["paths"]
    docs = await http.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/docs/static/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text.lower()
    asset = await http.get("/api/docs/static/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000


async def test_health_ready_and_metrics(http, estimator, services):
    assert (await http.get("/health")).json() == {"status": "ok"}
    ready = await http.get("/ready")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "redis": "ok"}
    await create(http, estimator)
    metrics = (await http.get("/metrics")).text
    assert 'signx_http_requests_total{method="POST",route="/api/v1/projects",status="201"}' in metrics
    assert "signx_http_request_duration_seconds_bucket" in metrics
    assert 'signx_project_mutations_total{kind="created"}' in metrics


async def test_ready_is_503_when_a_server_is_unreachable(make_app, services):
    async def down() -> None:
        raise ConnectionRefusedError

    services.readiness["redis"] = down
    app = make_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        response = await client.get("/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("unavailable")


async def test_the_idempotent_response_is_stored_in_the_projects_own_transaction(http, estimator, services):
    actor = await services.users.authenticate_api_key(estimator["X-API-Key"])

    def fail_after_the_project_was_written(project):
        raise RuntimeError("the process dies before the commit")

    dying = IdempotencyRequest("POST /api/v1/projects", "k-0", fail_after_the_project_was_written)
    with pytest.raises(RuntimeError):
        await services.projects.create_replayable(actor, ProjectCreate(**NEW), idempotency=dying)
    assert (await services.projects.search(ProjectQuery())).total == 0  # rolled back together
    async with services.projects.uow() as tx:  # and the key released for a retry
        assert (await tx.session.execute(text("SELECT count(*) FROM idempotency_keys"))).scalar() == 0

    first = await http.post("/api/v1/projects", json=NEW, headers={**estimator, "Idempotency-Key": "k-1"})
    async with services.projects.uow() as tx:
        state = (await tx.session.execute(text("SELECT state, response_status FROM idempotency_keys"))).one()
    assert tuple(state) == ("done", 201)
    replay = await http.post("/api/v1/projects", json=NEW, headers={**estimator, "Idempotency-Key": "k-1"})
    assert replay.json()["result"] == first.json()["result"]
