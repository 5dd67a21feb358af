"""The API sub-application mounted at /api on NiceGUI's app.

A mounted FastAPI app (rather than routes on the page app) keeps the API's error envelope,
exception handlers and OpenAPI document to the API alone: pages keep NiceGUI's own handling.
The docs page serves Swagger UI from the ``swagger-ui-bundle`` wheel, so it renders offline.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from api import calc, envelope, projects
from domain.services import Services

DESCRIPTION = """
SignX Studio JSON API. Authenticate with the `X-API-Key` header (create keys with
`python app.py user add EMAIL --role ROLE`). Every response is an envelope
`{result, error, assumptions, confidence, trace}`; `error` is null on success and
`{code, message, fields, details}` otherwise. Writes to a project need `If-Match` with its ETag.
"""


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
    api.include_router(calc.router)
    api.mount("/docs/static", StaticFiles(directory=str(swagger_ui_path)), name="docs-static")

    @api.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="SignX Studio API",
            swagger_js_url="/api/docs/static/swagger-ui-bundle.js",
            swagger_css_url="/api/docs/static/swagger-ui.css",
            swagger_favicon_url="/api/docs/static/favicon-32x32.png",
        )

    return api
