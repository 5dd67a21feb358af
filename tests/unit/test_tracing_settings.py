"""Tracing is off unless ``SIGNX_OTLP_ENDPOINT`` is set, and off it costs nothing: OpenTelemetry's
SDK and exporter are never imported and no request gets a layer more. (Tracing on, end to end:
tests/integration/test_tracing.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.app.task import Context
from pydantic import ValidationError

from infra import tracing
from infra.settings import Settings
from workers.celery_app import trace_context

ROOT = Path(__file__).resolve().parents[2]

# The process's whole composition, imported and exercised on the paths tracing sits on.
COMPOSE_AND_TRACE = """
import json, sys
import app, bootstrap
from infra import celery_queue, front_door, relay, tracing, uow
from infra.settings import Settings
from workers import celery_app, root

on = tracing.configure(Settings(), "signx-app")
stack = object()
wrapped = tracing.asgi(stack)
parent = {"traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-00"}
with tracing.span("outbox.publish", kind="producer", parent=parent):
    carrier = tracing.carrier()
tracing.shutdown()
print(json.dumps({
    "on": on,
    "same_app": wrapped is stack,
    "carrier": carrier,
    "loaded": sorted(m for m in sys.modules if m.startswith("opentelemetry")),
}))
"""
# What tracing would load: the SDK's tracing, the exporter and its protobuf messages. (The SDK's
# metrics package is another matter: redis-py imports it on its own, for an observability feature
# of its own that stays off, whenever the SDK is installed.)
SDK = ("opentelemetry.sdk.trace", "opentelemetry.exporter", "opentelemetry.proto")


def run_composition(**env: str) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNX_", "OTEL_"))}
    done = subprocess.run(
        [sys.executable, "-c", COMPOSE_AND_TRACE],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def sdk_modules(result: dict[str, object]) -> list[str]:
    loaded = result["loaded"]
    assert isinstance(loaded, list)
    return [m for m in loaded if m.startswith(SDK)]


def test_without_an_endpoint_the_sdk_is_never_imported_and_nothing_is_wrapped() -> None:
    off = run_composition()
    assert off["on"] is False
    assert sdk_modules(off) == []
    assert off["same_app"] is True
    assert off["carrier"] is None


def test_with_an_endpoint_the_same_composition_traces() -> None:
    """The check above can fail: set, the SDK is loaded and the span's context propagates. Nothing
    is sent: the parent says "not sampled" (flags 00), which the span follows."""
    on = run_composition(SIGNX_OTLP_ENDPOINT="http://127.0.0.1:9")
    assert on["on"] is True
    assert "opentelemetry.sdk.trace" in sdk_modules(on)
    assert on["same_app"] is False
    carrier = on["carrier"]
    assert isinstance(carrier, dict)
    assert carrier["traceparent"].startswith("00-" + "1" * 32 + "-")  # the parent's trace, a new span


@pytest.mark.parametrize(
    ("endpoint", "url"),
    [
        ("http://collector:4318", "http://collector:4318/v1/traces"),
        ("http://collector:4318/", "http://collector:4318/v1/traces"),
        ("https://otel.example.com/v1/traces", "https://otel.example.com/v1/traces"),
        ("https://gateway.example.com/otlp", "https://gateway.example.com/otlp/v1/traces"),
    ],
)
def test_the_endpoint_is_the_collectors_base_or_its_full_traces_address(endpoint: str, url: str) -> None:
    assert tracing.traces_url(endpoint) == url


def test_the_endpoint_setting_refuses_what_would_lose_every_span_in_silence() -> None:
    assert Settings(otlp_endpoint="  ").otlp_endpoint is None
    assert Settings(otlp_endpoint=" http://collector:4318 ").otlp_endpoint == "http://collector:4318"
    for wrong in ("collector:4318", "grpc://collector:4317", "http://user:secret@collector:4318", "http://"):
        with pytest.raises(ValidationError, match="otlp_endpoint"):
            Settings(otlp_endpoint=wrong)
    with pytest.raises(ValidationError):
        Settings(otlp_sample_ratio=1.5)


def test_a_task_reads_the_trace_context_its_message_carried() -> None:
    """As Celery builds a task's request from a message whose headers the relay set."""
    parent = "00-" + "a" * 32 + "-" + "b" * 16 + "-01"
    request = Context({"id": "job-1:1", "traceparent": parent, "tracestate": "vendor=1"})
    assert trace_context(request) == {"traceparent": parent, "tracestate": "vendor=1"}
    assert trace_context(Context({"id": "job-1:1"})) == {}  # published with tracing off
