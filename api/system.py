"""/health, /ready and /metrics on the main app (outside /api: probes are not API clients).

/metrics names routes, error rates and user activity: with a token configured it needs
``Authorization: Bearer <token>``; without one it answers only clients on the loopback
interface (a Prometheus or an SSH tunnel on the same host).
"""

from __future__ import annotations

import asyncio
import inspect
import secrets

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from domain.services import Services

LOOPBACK = {"127.0.0.1", "::1"}


def metrics_refusal(request: Request, token: str | None) -> JSONResponse | None:
    """Why this request may not read /metrics, or None when it may."""
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(given.strip().encode(), token.encode()):
            return None
        return JSONResponse(
            {"error": "Send Authorization: Bearer <SIGNX_METRICS_TOKEN>."},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    if request.client is not None and request.client.host in LOOPBACK:
        return None
    return JSONResponse(
        {"error": "Metrics answer loopback clients only; set SIGNX_METRICS_TOKEN to scrape from elsewhere."},
        status_code=403,
    )


async def search_state(services: Services) -> dict[str, str]:
    """The search backend and its state, reported but never failing readiness: a search engine
    that is down is answered for by PostgreSQL (the fallback)."""
    try:
        return await asyncio.wait_for(services.search.state(), timeout=2.0)
    except Exception as exc:  # noqa: BLE001 - a state to report
        return {"backend": services.search.backend, "state": f"unavailable: {type(exc).__name__}"}


def add_system_routes(app: FastAPI, services: Services, *, metrics_token: str | None = None) -> None:
    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/ready", include_in_schema=False)
    async def ready() -> JSONResponse:
        checks: dict[str, str] = {}
        for name, probe in services.readiness.items():
            try:
                await asyncio.wait_for(probe(), timeout=2.0)
                checks[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure means not ready
                checks[name] = f"unavailable: {type(exc).__name__}"
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {
                "status": "ready" if ok else "not_ready",
                "checks": checks,
                "search": await search_state(services),
            },
            status_code=200 if ok else 503,
        )

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        refusal = metrics_refusal(request, metrics_token)
        if refusal is not None:
            return refusal
        if services.metrics_exposition is None:
            return Response(status_code=404)
        exposed = services.metrics_exposition()
        body, content_type = await exposed if inspect.isawaitable(exposed) else exposed
        return Response(body, media_type=content_type)
