"""The API sub-application mounted at /api on NiceGUI's app.

A mounted FastAPI app (rather than routes on the page app) keeps the API's error envelope,
exception handlers and OpenAPI document to the API alone: pages keep NiceGUI's own handling.
The docs page serves Swagger UI 5 (it renders OpenAPI 3.1) from the files the ``fastapi-offline``
wheel ships, so it works with no CDN.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api import calc, designs, envelope, estimate, files, jobs, projects, search, submissions
from domain.services import Services

DESCRIPTION = """
SignX Studio JSON API. Authenticate with the `X-API-Key` header (create keys with
`python app.py user add EMAIL --role ROLE`). Every response is an envelope
`{result, error, assumptions, confidence, trace}`; `error` is null on success and
`{code, message, fields, details}` otherwise. Writes to a project need `If-Match` with its ETag
(`*` is refused with 428: it would overwrite changes you have not seen).

Limits (defaults; see the README): request bodies up to 1 MB (413 beyond, checked before and while
reading), 600 requests a minute per API key, 1,200 a minute per client address for requests
without a right key (the docs, a missing key), 20 wrong API keys per address in 10 minutes; over
a limit the answer is 429 with `Retry-After`. `limit` is 1-200, `offset` 0-100,000.
"""

SWAGGER_STATIC = Path(fastapi_offline.__file__).parent / "static"


def build_api(services: Services) -> FastAPI:
    api = FastAPI(
        title="SignX Studio API",
        version=services.code_version,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    api.state.services = services
    for exc_type, handler in envelope.HANDLERS.items():
        api.add_exception_handler(exc_type, handler)
    api.include_router(projects.router)
    api.include_router(designs.router)
    api.include_router(jobs.router)
    api.include_router(calc.router)
    api.include_router(estimate.router)
    api.include_router(search.router)
    api.include_router(submissions.router)
    api.include_router(files.router)
    api.mount("/docs/static", StaticFiles(directory=str(SWAGGER_STATIC)), name="docs-static")
    api.openapi = lambda: _contract(api)  # type: ignore[method-assign]

    @api.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="SignX Studio API",
            swagger_js_url="/api/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/static/swagger-ui.css",
            swagger_favicon_url="/api/docs/static/favicon.png",
        )

    return api


def _contract(api: FastAPI) -> dict[str, Any]:
    """FastAPI's document, plus what its parser cannot say: ``If-Match`` is required (parsed as
    optional only so that a missing one is answered 428 rather than a generic 422)."""
    if api.openapi_schema is None:
        schema = FastAPI.openapi(api)
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "header" and parameter.get("name", "").lower() == "if-match":
                        parameter["required"] = True
                        parameter["schema"] = {"type": "string", "minLength": 1}
        api.openapi_schema = schema
    return api.openapi_schema
