"""Tracing switched on: OpenTelemetry's SDK and its OTLP/HTTP exporter (see ``infra/tracing.py``,
the only module that imports this one, and only when ``SIGNX_OTLP_ENDPOINT`` is set)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from contextlib import AbstractContextManager

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.metrics import UNMATCHED, route_template

KINDS = {
    "internal": SpanKind.INTERNAL,
    "server": SpanKind.SERVER,
    "client": SpanKind.CLIENT,
    "producer": SpanKind.PRODUCER,
    "consumer": SpanKind.CONSUMER,
}
# W3C Trace Context (https://www.w3.org/TR/trace-context/): the two headers it defines.
TRACE_HEADERS = (b"traceparent", b"tracestate")
# Requests with no span: NiceGUI's assets and websocket transport, and the probes.
UNTRACED_PREFIX = "/_nicegui"
UNTRACED_PATHS = frozenset({"/health", "/ready", "/metrics", "/metrics/"})
STOP_WAIT_SECONDS = 3.0


class OtlpTracing:
    def __init__(self, url: str, service: str, *, sample_ratio: float, version: str) -> None:
        resource = Resource.create({SERVICE_NAME: service, SERVICE_VERSION: version})
        # A trace started here keeps ``sample_ratio`` of the new ones; a span with a parent (a
        # request's job, a caller's traceparent) follows the parent's choice.
        self.provider = TracerProvider(
            resource=resource, sampler=ParentBased(TraceIdRatioBased(sample_ratio))
        )
        self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
        self.tracer = self.provider.get_tracer("signx", version)
        self.propagator = TraceContextTextMapPropagator()

    def shutdown(self) -> None:
        """Send what is still queued, waiting at most ``STOP_WAIT_SECONDS``: a collector that is
        down (the exporter retries for up to its 10 s timeout) must not hold up a stopping process
        (``serve`` kills its worker ``SIGNX_WORKER_STOP_GRACE_SECONDS`` after SIGTERM). Spans it has
        not taken by then are lost."""
        stopper = threading.Thread(target=self.provider.shutdown, name="otlp-shutdown", daemon=True)
        stopper.start()
        stopper.join(STOP_WAIT_SECONDS)

    def asgi(self, app: ASGIApp) -> ASGIApp:
        return ServerSpans(app, self)

    def span(
        self,
        name: str,
        *,
        kind: str,
        parent: Mapping[str, str] | None,
        attributes: Mapping[str, str | int | float | bool] | None,
    ) -> AbstractContextManager[object]:
        # A stored carrier that is not one (an old row, a hand-edited one) starts a new trace.
        context = self.propagator.extract(dict(parent)) if isinstance(parent, Mapping) else None
        return self.tracer.start_as_current_span(
            name, context=context, kind=KINDS[kind], attributes=dict(attributes or {})
        )

    def carrier(self) -> dict[str, str] | None:
        carrier: dict[str, str] = {}
        self.propagator.inject(carrier)
        return carrier or None


class ServerSpans:
    """Pure ASGI: a SERVER span around each HTTP request (semantic conventions for HTTP server
    spans: named ``{method} {route}``, status ERROR for a 5xx or a raised exception)."""

    def __init__(self, app: ASGIApp, tracing: OtlpTracing) -> None:
        self.app = app
        self.tracer = tracing.tracer
        self.propagator = tracing.propagator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(UNTRACED_PREFIX) or path in UNTRACED_PATHS:
            await self.app(scope, receive, send)
            return
        incoming = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope.get("headers") or ()
            if name in TRACE_HEADERS
        }
        # Always an explicit context: the caller's trace, or a new one (never a span that happens
        # to be current in this task).
        parent = self.propagator.extract(incoming)
        method: str = scope.get("method", "GET")
        status = 0

        async def send_traced(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        attributes = {
            "http.request.method": method,
            "url.path": path,
            "url.scheme": scope.get("scheme", "http"),
        }
        with self.tracer.start_as_current_span(
            method, context=parent, kind=SpanKind.SERVER, attributes=attributes
        ) as span:
            try:
                await self.app(scope, receive, send_traced)
            finally:
                route = route_template(scope)
                if route != UNMATCHED:
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                if status:
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:
                        span.set_status(Status(StatusCode.ERROR))
                request_id = (scope.get("state") or {}).get("request_id")
                if request_id:
                    span.set_attribute("signx.request_id", str(request_id))
