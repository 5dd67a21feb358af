"""Prometheus metrics: HTTP requests by route template and status, latency, and our own counters.

Kept in a module without pages so the registry survives NiceGUI's per-test module reset.

Several processes (the server, its worker and the worker's pool processes) write these metrics:
when ``PROMETHEUS_MULTIPROC_DIR`` is set before ``prometheus_client`` is first imported (app.py
does it for ``serve`` and ``worker``), every process writes its samples to files there and
:func:`exposition` adds them up, so a counter a pool process raised is in the server's
``/metrics``. Without it (tests, a bare import) the metrics live in this process's memory.

What the database knows (jobs, queues, workers, outbox, business counts) is not counted here
but read at scrape time (``infra/ops_metrics.py``), the same on every process.
"""

from __future__ import annotations

import gc
import logging
import os
import time
import uuid
from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from infra.logs import request_id_var

access_log = logging.getLogger("signx.access")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

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
HTTP_EXCEPTIONS = Counter(
    "signx_http_exceptions_total",
    "Requests whose handler raised (answered 500, or the connection was cut)",
    ["route"],
    registry=REGISTRY,
)
PROJECT_MUTATIONS = Counter(
    "signx_project_mutations_total", "Project changes written", ["kind"], registry=REGISTRY
)
ETAG_CONFLICTS = Counter("signx_etag_conflicts_total", "Writes refused for a stale ETag", registry=REGISTRY)
LOGIN_ATTEMPTS = Counter(
    "signx_login_attempts_total",
    "Login attempts by outcome: success, failure (wrong credentials), throttled (locked out)",
    ["outcome"],
    registry=REGISTRY,
)
CALCULATIONS = Counter(
    "signx_calculations_total", "Engineering calculations run", ["kind", "outcome"], registry=REGISTRY
)
RATE_LIMIT_HITS = Counter(
    "signx_rate_limit_hits_total",
    "API requests refused with 429, by limit: address, key, key_failures",
    ["limit"],
    registry=REGISTRY,
)
PAGE_ACTIONS = Histogram(
    "signx_page_action_duration_seconds",
    "Server time of a person's action on a page (its websocket event to the handler's end): save "
    "project, move project, submit project, save design, generate report",
    ["action"],
    registry=REGISTRY,
    buckets=(0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5),
)
JOB_DURATION = Histogram(
    "signx_job_duration_seconds",
    "Time a job's handler ran, by kind and outcome (succeeded, failed, cancelled, error = retried)",
    ["kind", "outcome"],
    registry=REGISTRY,
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
OUTBOX_PUBLISHED = Counter(
    "signx_outbox_published_total", "Outbox rows this process's relay published", registry=REGISTRY
)
# 0 closed, 1 half-open, 2 open; the highest over the live processes (one open breaker shows).
BREAKER_STATE = Gauge(
    "signx_breaker_state",
    "Circuit breaker state: 0 closed, 1 half-open, 2 open",
    ["name"],
    registry=REGISTRY,
    multiprocess_mode="livemax",
)
BREAKER_STATES: Mapping[str, int] = {"closed": 0, "half-opened": 1, "half-open": 1, "opened": 2, "open": 2}


def breaker_listener(name: str, event_type: str, event: Any) -> None:
    """A purgatory circuit-breaker listener (``factory.add_listener(breaker_listener)``) that keeps
    ``signx_breaker_state{name}`` current."""
    if event_type == "circuit_breaker_created":
        BREAKER_STATE.labels(name).set(0)
    elif event_type == "state_changed":
        state = str(getattr(event, "state", ""))
        if state in BREAKER_STATES:
            BREAKER_STATE.labels(name).set(BREAKER_STATES[state])


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def process_registry() -> CollectorRegistry:
    """The registry to expose: the samples of every process writing to the multiprocess dir, or
    this process's own."""
    directory = multiprocess_dir()
    if directory is None:
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


SEARCH_FALLBACKS = Counter(
    "signx_search_fallbacks_total",
    "Searches PostgreSQL answered because OpenSearch timed out, failed or was left alone (breaker open)",
    ["reason"],
    registry=REGISTRY,
)


GC_FULL_COLLECTIONS = Histogram(
    "signx_gc_full_collection_seconds",
    "How long each of the garbage collector's full collections (its oldest generation) stopped "
    "the process (every request and page of the process waits meanwhile)",
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)


def watch_full_collections() -> None:
    """Time the garbage collector's full collections into ``signx_gc_full_collection_seconds``.
    Young collections (many a second) only pass through a comparison."""
    started = 0.0

    def callback(phase: str, info: dict[str, int]) -> None:
        nonlocal started
        if info.get("generation") != 2:
            return
        if phase == "start":
            started = time.perf_counter()
        else:
            GC_FULL_COLLECTIONS.observe(time.perf_counter() - started)

    gc.callbacks.append(callback)


def exposition() -> tuple[bytes, str]:
    return generate_latest(process_registry()), CONTENT_TYPE_LATEST


def mark_process_dead(pid: int) -> None:
    """Drop a finished process's live gauges (its counters stay: they are history)."""
    if multiprocess_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


UNMATCHED = "unmatched"


def route_template(scope: Mapping[str, Any]) -> str:
    """The matched route's template (``/api/v1/projects/{project_id}``), never the raw path."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path is None:
        return UNMATCHED
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
        except BaseException:
            HTTP_EXCEPTIONS.labels(route_template(scope)).inc()
            raise
        finally:
            route = route_template(scope)
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
