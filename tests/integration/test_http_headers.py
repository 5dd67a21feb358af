"""Hardening headers on every response of the composed app; the session cookie only on pages,
HttpOnly and SameSite=Lax, Secure with HSTS when the site is served over HTTPS."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from infra.http_headers import CONTENT_SECURITY_POLICY, SecurityHeaders
from tests.served import served_app

EXPECTED = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}


@pytest.fixture(scope="module")
def base(servers: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(servers, tmp_path_factory.mktemp("headers") / "data") as url:
        yield url


def _assert_hardened(response: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.url, name)
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    assert "strict-transport-security" not in response.headers  # plain HTTP here


def test_pages_get_the_headers_and_an_httponly_lax_session_cookie(base):
    response = httpx.get(f"{base}/login", trust_env=False)
    assert response.status_code == 200
    _assert_hardened(response)
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("session=") and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/openapi.json", "/health", "/ready", "/metrics"])
def test_non_page_responses_set_no_cookie(base, path):
    response = httpx.get(f"{base}{path}", trust_env=False)
    _assert_hardened(response)
    assert "set-cookie" not in response.headers, path


def test_static_assets_set_no_cookie(base):
    page = httpx.get(f"{base}/login", trust_env=False).text
    start = page.index("/_nicegui/")
    asset = page[start : page.index('"', start)]
    response = httpx.get(f"{base}{asset}", trust_env=False)
    assert response.status_code == 200, asset
    _assert_hardened(response)
    assert "set-cookie" not in response.headers


def _session_app(*, https: bool, headers_outside: bool) -> Starlette:
    async def page(request: Request) -> PlainTextResponse:
        request.session["id"] = "x"
        return PlainTextResponse("page")

    session = Middleware(SessionMiddleware, secret_key="k", https_only=https)
    headers = Middleware(SecurityHeaders, https=https)
    order = [headers, session] if headers_outside else [session, headers]
    return Starlette(routes=[Route("/page", page), Route("/api/x", page)], middleware=order)


@pytest.mark.parametrize("headers_outside", [True, False])
async def test_no_cookie_on_the_api_whichever_side_of_the_session_middleware(headers_outside):
    app = _session_app(https=False, headers_outside=headers_outside)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        assert "set-cookie" in (await client.get("/page")).headers
        assert "set-cookie" not in (await client.get("/api/x")).headers


async def test_https_setting_adds_hsts_and_a_secure_cookie():
    app = _session_app(https=True, headers_outside=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="https://t") as client:
        response = await client.get("/page")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert "secure" in response.headers["set-cookie"].lower()


def test_the_api_takes_the_front_door_past_the_page_stack(base):
    """The page stack gzips a large answer when asked (its GZip layer); the API's requests pass
    the front door (infra/front_door.py) to their own stack, which has no such layer, no session
    middleware and no request tracking: the same request for the 30 kB OpenAPI document comes
    back plain, with the request id the API's stack sets."""
    page = httpx.get(f"{base}/login", headers={"Accept-Encoding": "gzip"}, trust_env=False)
    assert page.headers.get("content-encoding") == "gzip"  # the page stack, for comparison

    api = httpx.get(f"{base}/api/openapi.json", headers={"Accept-Encoding": "gzip"}, trust_env=False)
    assert api.status_code == 200 and len(api.content) > 10_000
    assert "content-encoding" not in api.headers
    assert api.headers["x-request-id"]
    _assert_hardened(api)
    # A path that only starts like the API is a page path: to the login page, as pages go.
    other = httpx.get(f"{base}/apiary", trust_env=False)
    assert other.status_code == 303 and other.headers["location"].startswith("/login")
