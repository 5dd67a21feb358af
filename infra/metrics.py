"""Prometheus metrics: HTTP requests by route template and status, latency, and our own counters.

Kept in a module without pages so the registry survives NiceGUI's per-test module reset.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from infra.logs import request_id_var

access_log = logging.getLogger("signx.access")

REGISTRY = CollectorRegistry()
HTTP_REQUESTS = Counter(
    "signx_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=REGISTRY
)
HTTP_LATENCY = Histogram(
    "signx_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PROJECT_MUTATIONS = Counter(
    "signx_project_mutations_total", "Project changes written", ["kind"], registry=REGISTRY
)
ETAG_CONFLICTS = Counter("signx_etag_conflicts_total", "Writes refused for a stale ETag", registry=REGISTRY)
LOGIN_ATTEMPTS = Counter("signx_login_attempts_total", "Login attempts", ["outcome"], registry=REGISTRY)
CALCULATIONS = Counter(
    "signx_calculations_total", "Engineering calculations run", ["kind", "outcome"], registry=REGISTRY
)

SEARCH_FALLBACKS = Counter(
    "signx_search_fallbacks_total",
    "Searches PostgreSQL answered because OpenSearch timed out, failed or was left alone (breaker open)",
    ["reason"],
    registry=REGISTRY,
)


def exposition() -> tuple[bytes, str]:
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def _route_template(scope: dict[str, Any]) -> str:
    """The matched route's template (``/api/v1/projects/{project_id}``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return "unmatched"
    prefix = scope.get("root_path", "") or ""
    return f"{prefix}{path}" if prefix and not path.startswith(prefix) else path


class RequestMiddleware:
    """Pure ASGI middleware: request id (honour/echo ``X-Request-ID``), metrics, timing.

    Sits outside every router, so pages, the API and static files are all counted.
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1").strip()
        request_id = incoming[:100] if incoming else uuid.uuid4().hex
        scope.setdefault("state", {})
        scope["state"]["request_id"] = request_id
        scope["state"]["started"] = time.perf_counter()
        token = request_id_var.set(request_id)
        status = {"code": 500}

        async def send_wrapper(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    (k, v) for k, v in message["headers"] if k.lower() != b"x-request-id"
                ] + [(b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_template(scope)
            method = scope.get("method", "GET")
            HTTP_REQUESTS.labels(method, route, str(status["code"])).inc()
            elapsed = time.perf_counter() - started
            HTTP_LATENCY.labels(method, route).observe(elapsed)
            if not route.startswith("/_nicegui"):
                access_log.info(
                    "request",
                    extra={
                        "method": method,
                        "route": route,
                        "status": status["code"],
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(token)
