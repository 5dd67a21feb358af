"""/api/docs: a Swagger UI that renders OpenAPI 3.1 (5.x), served from this process, no CDN."""

from __future__ import annotations

import re

SCRIPT = "/api/docs/static/swagger-ui-bundle.js"
STYLE = "/api/docs/static/swagger-ui.css"


async def test_docs_page_and_its_assets_are_served_locally(http):
    page = await http.get("/api/docs")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    html = page.text
    assert SCRIPT in html and STYLE in html and "/api/openapi.json" in html
    # Nothing is fetched from elsewhere: every src/href is a path on this server.
    for url in re.findall(r'(?:src|href|url)\s*[:=]\s*["\']([^"\']+)["\']', html):
        assert url.startswith("/"), url
    for asset in (SCRIPT, STYLE):
        response = await http.get(asset)
        assert response.status_code == 200 and len(response.content) > 10_000, asset


async def test_swagger_ui_is_version_5_or_later_which_renders_openapi_3_1(http):
    bundle = (await http.get(SCRIPT)).text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.(\d+)\.(\d+)"', bundle)
    assert version is not None, "no version string in the Swagger UI bundle"
    assert int(version.group(1)) >= 5, version.group(0)
    assert (await http.get("/api/openapi.json")).json()["openapi"].startswith("3.1")
