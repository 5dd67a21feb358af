"""Optional OpenTelemetry traces: one trace from a page or API request through the outbox to the
worker's task (``SIGNX_OTLP_ENDPOINT``).

Off by default, and then free: this module imports nothing of OpenTelemetry, :func:`asgi` hands
back the very app it was given (no layer added to a request), :func:`span` a shared do-nothing
context and :func:`carrier` ``None``; what remains is the read of one module global per call.

On (:func:`configure` with an endpoint), ``infra/tracing_otlp.py`` is imported: a tracer provider
of this process's own (service ``signx-app``, ``signx-worker`` or ``signx-relay``) whose batch
processor sends the spans from a thread of its own to the collector over OTLP/HTTP, so a slow or
absent collector never holds up a request (spans past its queue are dropped). The spans:

- a SERVER span per HTTP request of a page or of the API (``GET /projects/{project_id}``), child
  of the caller's ``traceparent`` header when it sends one; NiceGUI's assets and websocket
  transport (``/_nicegui...``) and the probes (``/health``, ``/ready``, ``/metrics``) have none;
- an outbox row written while a span is current keeps that span's W3C trace context in its JSON
  payload (key ``trace``, ``domain/outbox/models.py``): the link survives the commit, a restart
  and the relay running in another process;
- ``outbox.publish`` (PRODUCER) for each row a relay publishes, child of that stored context; the
  job's Celery message carries this span's context in its headers;
- ``job.run`` (CONSUMER) for each attempt a worker runs, child of the message's context. The
  coroutines the task hands to its process's event loop run with it as their current span
  (``run_coroutine_threadsafe`` schedules them in a copy of the caller's context), so an e-mail
  queued by a report's success continues the same trace.

A page's actions run over its websocket, outside any HTTP request: the actions that change a
project or queue work (save, status moves, submit, design save, generate report) run in a SERVER
span of their own, ``page: <action>`` (``pages.session.page_action``), which what they queue
continues.

The provider is not made the global one on purpose: FastAPI turns its own request telemetry on
as soon as a global provider exists, which would double every request span.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from infra.settings import Settings
    from infra.tracing_otlp import OtlpTracing

Kind = Literal["internal", "server", "client", "producer", "consumer"]

TRACES_PATH = "/v1/traces"

NULL: AbstractContextManager[None] = nullcontext()
_tracing: OtlpTracing | None = None


def traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces address for an endpoint given as the collector's base
    (``http://collector:4318``, as ``OTEL_EXPORTER_OTLP_ENDPOINT`` is) or in full."""
    base = endpoint.strip().rstrip("/")
    return base if base.endswith(TRACES_PATH) else base + TRACES_PATH


def configure(settings: Settings, service: str) -> bool:
    """Start tracing in this process when ``SIGNX_OTLP_ENDPOINT`` is set; says whether it runs.
    A second call replaces the first (its spans are flushed)."""
    global _tracing
    if not settings.otlp_endpoint:
        return False
    from infra.tracing_otlp import OtlpTracing

    shutdown()
    _tracing = OtlpTracing(
        traces_url(settings.otlp_endpoint),
        service,
        sample_ratio=settings.otlp_sample_ratio,
        version=settings.code_version,
    )
    return True


def enabled() -> bool:
    return _tracing is not None


def shutdown() -> None:
    """Send what is still queued and stop (at the end of a process)."""
    global _tracing
    tracing, _tracing = _tracing, None
    if tracing is not None:
        tracing.shutdown()


def asgi(app: ASGIApp) -> ASGIApp:
    """``app`` with a SERVER span around each HTTP request; ``app`` itself when tracing is off."""
    if _tracing is None:
        return app
    return _tracing.asgi(app)


def span(
    name: str,
    *,
    kind: Kind = "internal",
    parent: Mapping[str, str] | None = None,
    attributes: Mapping[str, str | int | float | bool] | None = None,
) -> AbstractContextManager[object]:
    """A span current inside the block: child of ``parent`` (a W3C carrier, e.g. an outbox row's
    ``trace``) when given, else of the current span."""
    if _tracing is None:
        return NULL
    return _tracing.span(name, kind=kind, parent=parent, attributes=attributes)


def carrier() -> dict[str, str] | None:
    """The current span's W3C trace context (``traceparent``, ``tracestate``), to store or send
    on; ``None`` when tracing is off or no span is current."""
    if _tracing is None:
        return None
    return _tracing.carrier()
