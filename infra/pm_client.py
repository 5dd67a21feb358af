"""The PM system adapters (the ``PMClient`` port): where a submitted project's dispatch goes.

``HttpPMClient`` POSTs the dispatch JSON to ``SIGNX_PM_URL`` with the bearer token and an
``Idempotency-Key`` header, once per call: retries are the job machinery's (each failed attempt
of the dispatch job is retried after an exponential backoff with full jitter), so this adapter
only says whether a failure is worth another attempt (:class:`PMUnavailable`: a timeout, a
connection error, a 5xx, 408 or 429) or not (:class:`PMRefused`: any other 3xx/4xx, or a success
without a usable ``reference``).

A circuit breaker (``purgatory``) sits in front of the request: after
``SIGNX_PM_BREAKER_THRESHOLD`` failures in a row it opens, and for ``SIGNX_PM_BREAKER_RESET_SECONDS``
no request is sent at all (the job waits and is retried, told when the breaker will let one
through); then one dispatch is let through half-open: its success closes the breaker, its
failure opens it again. A refusal (4xx) is the PM system working, so it counts as a success for
the breaker. purgatory keeps the breaker's state in Redis (keys ``cbr::signx-pm`` and
``cbr::signx-pm::failure_count``) whenever the process has a Redis URL: every worker process
shares one breaker, and the web server reads the same keys for the /jobs page.

``LocalPMOutbox`` (no ``SIGNX_PM_URL``) writes each dispatch to ``<data dir>/pm-outbox/<key>.json``
(atomically, the same key overwriting the same file) and sends nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from purgatory import AsyncCircuitBreakerFactory, AsyncInMemoryUnitOfWork, AsyncRedisUnitOfWork
from purgatory.domain.model import OpenedState

from domain.ports import PMCircuit, PMClient, PMReceipt, PMRefused, PMUnavailable
from infra.metrics import breaker_listener
from infra.settings import Settings

CIRCUIT = "signx-pm"
# The PM system's answer is read up to this size: a reference is a short string, an error page a
# few KB; anything longer is not an answer this client understands.
MAX_ANSWER_BYTES = 64 * 1024
MAX_REFERENCE_CHARS = 200
RETRY_AFTER_CAP_SECONDS = 3600.0
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
_STATES = {"closed": "closed", "opened": "open", "half-opened": "half-open"}


def _snippet(raw: bytes, limit: int = 200) -> str:
    text = _CONTROL.sub(" ", raw.decode("utf-8", "replace")).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _retry_after(value: str | None) -> float | None:
    """The seconds of a ``Retry-After`` header (the HTTP-date form is ignored), bounded."""
    if value is None or not value.strip().isdigit():
        return None
    return min(float(value.strip()), RETRY_AFTER_CAP_SECONDS)


def _reference(raw: bytes) -> str | None:
    """The ``reference`` of a JSON answer, when it is a usable one-line string."""
    try:
        answer = json.loads(raw)
    except ValueError:
        return None
    reference = answer.get("reference") if isinstance(answer, dict) else None
    if isinstance(reference, int) and not isinstance(reference, bool):
        reference = str(reference)
    if not isinstance(reference, str):
        return None
    reference = reference.strip()
    if not reference or len(reference) > MAX_REFERENCE_CHARS or _CONTROL.search(reference):
        return None
    return reference


class HttpPMClient:
    mode = "http"

    def __init__(
        self,
        url: str,
        *,
        token: str | None,
        timeout_seconds: float,
        breaker_threshold: int,
        breaker_reset_seconds: float,
        redis_url: str | None,
        circuit_name: str = CIRCUIT,
    ) -> None:
        self.url = url
        parts = urlsplit(url)
        self.target = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self._token = token
        self.timeout_seconds = timeout_seconds
        self.threshold = breaker_threshold
        self.reset_seconds = breaker_reset_seconds
        self.circuit_name = circuit_name
        # No proxy from the environment: the PM system is an internal service reached directly.
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds), trust_env=False, follow_redirects=False
        )
        self._store: AsyncRedisUnitOfWork | AsyncInMemoryUnitOfWork = (
            AsyncRedisUnitOfWork(redis_url) if redis_url else AsyncInMemoryUnitOfWork()
        )
        self._breakers = AsyncCircuitBreakerFactory(
            default_threshold=breaker_threshold,
            default_ttl=breaker_reset_seconds,
            exclude=[PMRefused],
            uow=self._store,
        )
        self._breakers.add_listener(breaker_listener)  # signx_breaker_state{name="signx-pm"}

    async def submit(self, payload: Mapping[str, Any], *, idempotency_key: str) -> PMReceipt:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            breaker = await self._breakers.get_breaker(self.circuit_name)
        except Exception as exc:  # the breaker's store (Redis) is away: do not send blind
            raise PMUnavailable(
                f"The PM circuit breaker's state cannot be read ({type(exc).__name__}); not sent.", sent=False
            ) from exc
        # The settings of this process rule, not those a first process stored with the breaker.
        breaker.context.threshold = self.threshold
        breaker.context.ttl = self.reset_seconds
        try:
            async with breaker:
                return await self._post(body, idempotency_key)
        except OpenedState as opened:
            retry_at = float(opened.opened_at) + self.reset_seconds
            raise PMUnavailable(
                f"The PM circuit breaker is open after {self.threshold} failed dispatches in a row; "
                "not sent. It lets one dispatch try again "
                f"in {max(retry_at - time.time(), 0):.0f} s.",
                retry_after=max(retry_at - time.time(), 0.0),
                sent=False,
            ) from None

    async def _post(self, body: bytes, idempotency_key: str) -> PMReceipt:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Idempotency-Key": idempotency_key,
            "User-Agent": "signx-studio",
        }
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        try:
            async with self._http.stream("POST", self.url, content=body, headers=headers) as response:
                raw = b""
                async for chunk in response.aiter_bytes():
                    raw += chunk
                    if len(raw) > MAX_ANSWER_BYTES:
                        break
        except httpx.TimeoutException as exc:
            raise PMUnavailable(
                f"The PM system did not answer within {self.timeout_seconds:g} s ({type(exc).__name__})."
            ) from exc
        except httpx.HTTPError as exc:  # refused connection, reset, name not found, broken answer
            raise PMUnavailable(f"The PM system is unreachable ({type(exc).__name__}: {exc}).") from exc
        status = response.status_code
        said = f"{status} {response.reason_phrase}".strip()
        detail = f": {_snippet(raw)}" if raw.strip() else ""
        if status >= 500 or status in (408, 429):
            raise PMUnavailable(
                f"The PM system answered {said}{detail}",
                retry_after=_retry_after(response.headers.get("retry-after")),
            )
        if not 200 <= status < 300:
            raise PMRefused(f"The PM system refused the submission: {said}{detail}", status=status)
        reference = _reference(raw) if len(raw) <= MAX_ANSWER_BYTES else None
        if reference is None:
            raise PMRefused(
                f"The PM system answered {said} without a usable reference (a JSON object with "
                f'"reference": a string of 1-{MAX_REFERENCE_CHARS} characters){detail}',
                status=status,
            )
        return PMReceipt(reference=reference)

    async def circuit(self) -> PMCircuit:
        try:
            async with self._store as store:
                context = await store.contexts.get(self.circuit_name)
        except Exception:
            return PMCircuit("unknown", 0, self.threshold, self.reset_seconds)
        if context is None:
            return PMCircuit("closed", 0, self.threshold, self.reset_seconds)
        state = _STATES.get(context.state, context.state)
        opened_at = float(context.opened_at) if context.opened_at is not None else None
        retry_at = opened_at + self.reset_seconds if state == "open" and opened_at is not None else None
        return PMCircuit(
            state,
            int(context.failure_count or 0),
            self.threshold,
            self.reset_seconds,
            opened_at=opened_at,
            retry_at=retry_at,
        )

    async def aclose(self) -> None:
        await self._http.aclose()
        redis = getattr(self._store.contexts, "redis", None)  # purgatory's Redis client, when used
        if redis is not None:
            await redis.aclose()


class LocalPMOutbox:
    """No PM system configured: each dispatch is written to ``folder`` and sent nowhere."""

    mode = "local"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.target = str(folder)

    async def submit(self, payload: Mapping[str, Any], *, idempotency_key: str) -> PMReceipt:
        path = await asyncio.to_thread(self._write, dict(payload), idempotency_key)
        return PMReceipt(reference=None, recorded_locally=True, location=str(path))

    def _write(self, payload: dict[str, Any], key: str) -> Path:
        name = key if _SAFE_NAME.match(key) else hashlib.sha256(key.encode()).hexdigest()
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{name}.json"
        # Written beside and renamed: a reader sees the whole dispatch or none, never a part.
        temporary = self.folder / f".{name}.{uuid.uuid4().hex}.tmp"
        try:
            temporary.write_text(json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return path

    async def circuit(self) -> PMCircuit:
        return PMCircuit("not used", 0, 0, 0.0)

    async def aclose(self) -> None:
        return None


def pm_client(settings: Settings, redis_url: str | None) -> PMClient:
    """The PM system of these settings: HTTP when ``SIGNX_PM_URL`` is set, else the local folder."""
    if settings.pm_url:
        token = settings.pm_token.get_secret_value() if settings.pm_token else None
        return HttpPMClient(
            settings.pm_url,
            token=token,
            timeout_seconds=settings.pm_timeout_seconds,
            breaker_threshold=settings.pm_breaker_threshold,
            breaker_reset_seconds=settings.pm_breaker_reset_seconds,
            redis_url=redis_url,
        )
    return LocalPMOutbox(Path(settings.data_dir) / "pm-outbox")
