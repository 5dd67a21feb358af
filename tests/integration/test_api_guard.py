"""The API's edge: bounded parameters, authentication before the body, body cap, rate limits,
the If-Match wildcard, /metrics access and 405 Allow headers; on the real PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from domain.paging import MAX_OFFSET
from infra.api_guard import GuardPolicy, RedisRateLimits
from tests.served import served

NEW = {"name": "Main St Pylon", "account_id": "ACME-01"}


def client(app: FastAPI, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


class CountingBody:
    """A streamed (chunked) request body that counts how many chunks the server pulled."""

    def __init__(self, chunks: int, size: int = 64 * 1024) -> None:
        self.chunks, self.size, self.pulled = chunks, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"x" * self.size


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["result"] is None and body["error"]["code"] == code, body
    assert body["trace"]["request_id"]
    return body["error"]


# --- bounded integers ---------------------------------------------------------------------------


@pytest.mark.parametrize("offset", ["9223372036854775808", str(MAX_OFFSET + 1), "-1"])
async def test_list_offset_out_of_bounds_is_422_naming_offset(http, estimator, offset):
    response = await http.get(f"/api/v1/projects?limit=1&offset={offset}", headers=estimator)
    error = assert_error(response, 422, "invalid_input")
    assert [f["field"] for f in error["fields"]] == ["offset"]


async def test_events_offset_and_limit_out_of_bounds_are_422_naming_the_field(http, estimator):
    created = await http.post("/api/v1/projects", json=NEW, headers=estimator)
    url = created.headers["location"] + "/events"
    response = await http.get(f"{url}?limit=1&offset=9223372036854775808", headers=estimator)
    assert [f["field"] for f in assert_error(response, 422, "invalid_input")["fields"]] == ["offset"]
    response = await http.get(f"{url}?limit=99999999999999999999", headers=estimator)
    assert [f["field"] for f in assert_error(response, 422, "invalid_input")["fields"]] == ["limit"]
    assert (await http.get(f"{url}?offset={MAX_OFFSET}", headers=estimator)).status_code == 200


async def test_an_error_never_breaks_the_next_request_on_the_same_connection(make_app, services, estimator):
    app = make_app()
    api = next(r.app for r in app.routes if getattr(r, "path", None) == "/api")

    async def boom() -> None:
        raise RuntimeError("injected fault")

    api.app.add_api_route("/v1/boom", boom)  # behind the guard, like every API route
    async with (
        served(app) as base,
        httpx.AsyncClient(base_url=base, limits=httpx.Limits(max_connections=1)) as c,
    ):
        first = await c.get("/api/v1/projects?limit=1&offset=9223372036854775808", headers=estimator)
        assert_error(first, 422, "invalid_input")
        port = first.extensions["network_stream"].get_extra_info("client_addr")[1]
        crashed = await c.get("/api/v1/boom", headers=estimator)
        error = assert_error(crashed, 500, "internal_error")
        assert "injected" not in crashed.text and "RuntimeError" not in crashed.text, error
        good = await c.get("/api/v1/projects?limit=1", headers=estimator)
        assert good.status_code == 200
        assert good.extensions["network_stream"].get_extra_info("client_addr")[1] == port
        assert crashed.extensions["network_stream"].get_extra_info("client_addr")[1] == port


# --- authentication before the body, and the body cap --------------------------------------------


@pytest.mark.parametrize("key", [None, "sx_wrong"])
async def test_no_or_bad_key_is_401_without_reading_the_body(make_app, services, key):
    body = CountingBody(chunks=5000)  # 320 MB if anyone read it
    headers = {"Content-Type": "application/json", **({"X-API-Key": key} if key else {})}
    async with client(make_app()) as c:
        response = await c.post("/api/v1/projects", content=body, headers=headers)
    assert_error(response, 401, "unauthenticated")
    assert body.pulled == 0


async def test_declared_length_over_the_cap_is_413_before_reading(make_app, services, estimator):
    body = CountingBody(chunks=40)
    headers = {**estimator, "Content-Type": "application/json", "Content-Length": str(40 * 64 * 1024)}
    async with client(make_app(max_body_bytes=100_000)) as c:
        response = await c.post("/api/v1/projects", content=body, headers=headers)
    error = assert_error(response, 413, "payload_too_large")
    assert "100000" in error["message"]
    assert body.pulled == 0


async def test_streamed_body_over_the_cap_is_413_and_reading_stops_at_the_cap(make_app, services, estimator):
    body = CountingBody(chunks=1000)  # chunked: no Content-Length to judge by
    async with client(make_app(max_body_bytes=100_000)) as c:
        response = await c.post(
            "/api/v1/projects", content=body, headers={**estimator, "Content-Type": "application/json"}
        )
    assert_error(response, 413, "payload_too_large")
    # 64 kB chunks: the second crosses the 100 kB cap; the server discards at most the cap again
    # (so ordinary clients can read the 413) and stops there.
    assert body.pulled <= 5


async def test_streamed_body_over_the_cap_is_413_on_a_real_server(make_app, services, estimator):
    async with (
        served(make_app(max_body_bytes=100_000)) as base,
        httpx.AsyncClient(base_url=base) as c,
    ):
        body = CountingBody(chunks=3)  # 192 kB, chunked
        response = await c.post(
            "/api/v1/calc/wind", content=body, headers={**estimator, "Content-Type": "application/json"}
        )
        assert_error(response, 413, "payload_too_large")
        assert (await c.get("/api/v1/projects", headers=estimator)).status_code == 200


async def test_a_body_under_the_cap_still_works(make_app, services, estimator):
    async with client(make_app(max_body_bytes=2_000)) as c:
        response = await c.post("/api/v1/projects", json=NEW, headers=estimator)
    assert response.status_code == 201, response.text


async def test_a_malformed_content_length_is_400(make_app, services, estimator):
    async with client(make_app()) as c:
        response = await c.post(
            "/api/v1/projects", content=b"{}", headers={**estimator, "Content-Length": "2x"}
        )
    assert_error(response, 400, "bad_request")


# --- rate limits (on the session's Redis) -------------------------------------------------------


async def test_requests_per_key_are_limited_with_retry_after(make_app, services, estimator, manager):
    async with client(make_app(api_rate_per_key="3/minute")) as c:
        for _ in range(3):
            assert (await c.get("/api/v1/projects", headers=estimator)).status_code == 200
        refused = await c.get("/api/v1/projects", headers=estimator)
        error = assert_error(refused, 429, "too_many_requests")
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert error["details"]["retry_after"] == int(refused.headers["retry-after"])
        # Another key from the same address has its own budget.
        assert (await c.get("/api/v1/projects", headers=manager)).status_code == 200


async def test_requests_without_a_right_key_are_limited_per_address(make_app, services, estimator):
    app = make_app(api_rate_per_address="3/minute")
    async with client(app, "192.0.2.1") as c:
        assert (await c.get("/api/openapi.json")).status_code == 200
        assert_error(await c.get("/api/v1/projects"), 401, "unauthenticated")  # no key at all
        assert (await c.get("/api/openapi.json")).status_code == 200
        refused = await c.get("/api/openapi.json")
        assert_error(refused, 429, "too_many_requests")
        assert int(refused.headers["retry-after"]) >= 1
        assert_error(await c.get("/api/v1/projects"), 429, "too_many_requests")
        # A right key's requests count for the key, not for the address it comes from.
        for _ in range(4):
            assert (await c.get("/api/v1/projects", headers=estimator)).status_code == 200
    async with client(app, "192.0.2.2") as other:
        assert (await other.get("/api/openapi.json")).status_code == 200


async def test_failed_keys_per_address_are_limited_even_for_the_next_guess(make_app, services, estimator):
    app = make_app(api_key_failures_per_address="3/10 minutes")
    async with client(app, "198.51.100.7") as c:
        for i in range(3):
            assert_error(
                await c.get("/api/v1/projects", headers={"X-API-Key": f"sx_guess{i}"}), 401, "unauthenticated"
            )
        refused = await c.get("/api/v1/projects", headers={"X-API-Key": "sx_guess4"})
        assert_error(refused, 429, "too_many_requests")
        assert int(refused.headers["retry-after"]) >= 1
        # While blocked, even a right key gets no answer about itself from this address.
        assert_error(await c.get("/api/v1/projects", headers=estimator), 429, "too_many_requests")
    async with client(app, "198.51.100.8") as other:
        assert (await other.get("/api/v1/projects", headers=estimator)).status_code == 200


async def test_a_blocked_address_is_known_to_every_process_without_asking_redis(servers):
    """Two sets of limits on one Redis stand for two processes: the block that one counts is
    announced to the other, which answers from memory; one started later loads it."""
    policy = GuardPolicy(max_body_bytes=1024, key_failures_per_address="2/1 second")
    counting, listening = (
        RedisRateLimits(servers["redis_url"], policy),
        RedisRateLimits(servers["redis_url"], policy),
    )
    late: RedisRateLimits | None = None
    address = "203.0.113.77"
    try:
        assert await listening.failures_blocked(address) is None  # starts its subscription
        await asyncio.wait_for(listening.subscribed.wait(), 5)
        assert await counting.fail(address) is None
        assert await counting.fail(address) is None  # fills the allowance: the block is announced
        for _ in range(50):
            if address in listening.blocked:
                break
            await asyncio.sleep(0.02)
        assert 0 < listening.blocked[address] - time.time() <= 1.0
        assert await listening.failures_blocked(address) == 1.0
        late = RedisRateLimits(servers["redis_url"], policy)
        await late.failures_blocked(address)
        await asyncio.wait_for(late.subscribed.wait(), 5)
        assert address in late.blocked and await late.failures_blocked(address) == 1.0
        # Once the window has moved on, the address may try again.
        await asyncio.sleep(max(0.0, listening.blocked[address] - time.time()) + 0.05)
        assert await listening.failures_blocked(address) is None
        assert await counting.failures_blocked(address) is None
    finally:
        for limits in (counting, listening, late):
            if limits is not None:
                await limits.aclose()


# --- If-Match: * ------------------------------------------------------------------------------


async def test_if_match_wildcard_is_refused_with_428_and_changes_nothing(http, estimator):
    created = await http.post("/api/v1/projects", json=NEW, headers=estimator)
    url = created.headers["location"]
    for response in (
        await http.patch(url, json={"name": "Blind"}, headers={**estimator, "If-Match": "*"}),
        await http.post(
            f"{url}/transitions", json={"to": "estimating"}, headers={**estimator, "If-Match": "*"}
        ),
    ):
        error = assert_error(response, 428, "precondition_required")
        assert "ETag" in error["message"] and "*" in error["message"]
    current = (await http.get(url, headers=estimator)).json()["result"]
    assert current["name"] == NEW["name"] and current["status"] == "draft" and current["revision"] == 1


# --- /metrics -------------------------------------------------------------------------------------


async def test_metrics_with_a_token_needs_the_bearer(make_app, services):
    app = make_app(metrics_token="s3cret-token")
    async with client(app) as c:
        assert (await c.get("/metrics")).status_code == 401
        assert (await c.get("/metrics", headers={"Authorization": "Bearer nope"})).status_code == 401
        ok = await c.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200 and "signx_http_requests_total" in ok.text
    async with client(app, "203.0.113.9") as remote:
        ok = await remote.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200


async def test_metrics_without_a_token_answer_loopback_only(make_app, services):
    app = make_app(metrics_token=None)
    async with client(app, "127.0.0.1") as local:
        assert (await local.get("/metrics")).status_code == 200
    async with client(app, "::1") as local6:
        assert (await local6.get("/metrics")).status_code == 200
    async with client(app, "203.0.113.9") as remote:
        response = await remote.get("/metrics")
        assert response.status_code == 403 and "SIGNX_METRICS_TOKEN" in response.text


# --- the contract's small print -------------------------------------------------------------------


async def test_405_names_every_allowed_method(http, estimator):
    response = await http.delete("/api/v1/projects", headers=estimator)
    assert_error(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    created = await http.post("/api/v1/projects", json=NEW, headers=estimator)
    response = await http.put(created.headers["location"], json={}, headers=estimator)
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "PATCH"}


async def test_idempotency_key_longer_than_200_is_422_naming_it(http, estimator):
    response = await http.post(
        "/api/v1/projects", json=NEW, headers={**estimator, "Idempotency-Key": "k" * 201}
    )
    error = assert_error(response, 422, "invalid_input")
    assert [f["field"] for f in error["fields"]] == ["idempotency-key"]
