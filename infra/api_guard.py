"""Pure ASGI guard in front of the JSON API: who calls, how often, how much they send.

It runs before any route reads the request, in this order:

1. on authenticated paths (``/v1/...``): an address that sent too many wrong API keys gets 429
   for every attempt, a right key included (otherwise the answer to the next guess would still
   tell a right key from a wrong one); then the ``X-API-Key`` is checked, and a wrong one counted;
2. requests with a right key count per API key; every other request (the docs, a missing key)
   counts per client address. A right key's requests do not count for its address: offices
   behind one address would share one budget otherwise, and a key is a better name for a client
   than its address (the usual split: per user when authenticated, per address when not);
3. the body cap: a declared ``Content-Length`` over the cap is refused at once, and a streamed
   body is counted as it arrives and refused as soon as it crosses the cap, so memory stays
   bounded whatever the client claims. Before the 413 the rest of a body that overshoots by at
   most the cap again is read and discarded, so an ordinary HTTP/1.1 client (which writes its
   whole body before reading) gets to read the answer; a body beyond that ends the connection.
   File uploads (``GuardPolicy.upload_paths``) have a cap of their own, the file size limit plus
   room for the form; their routes stream the body and check the file itself.

No byte of the body is read before the key is checked: an anonymous 300 MB upload costs a
header parse. The authenticated actor is left in ``scope["state"]["actor"]`` for the route's
dependency. Finally the guard is the API's last line: an exception escaping the app never
reaches the server (which would drop the keep-alive connection), it becomes (or, when the app
already answered, stays) a 500 in the envelope.

Rate limits use the ``limits`` library on the shared Redis, so every process counts together.
Wrong keys are rare and blocked addresses rarer, so whether an address is blocked is not asked
of Redis on every request: the process that counts the wrong key that fills an address's
allowance announces the block (until when) on a Redis channel and in a sorted set, and every
process keeps the blocked addresses in memory (loaded from the set whenever it subscribes).
While a process is not subscribed it asks Redis on every request, as before. A request with a
right key thus costs one Redis round trip (its key's counter).
Should Redis be unreachable the limits are skipped (logged): rate limiting is protection, not
a reason to stop serving; ``/ready`` reports Redis separately.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from limits import RateLimitItem
from limits import parse as parse_rate
from limits.aio.strategies import MovingWindowRateLimiter, SlidingWindowCounterRateLimiter
from limits.storage import storage_from_string

from infra.redis_channel import listen, stop

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# (request state, status, code, message, details) -> the error envelope's JSON object.
RenderError = Callable[[Mapping[str, Any], int, str, str, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class GuardPolicy:
    max_body_bytes: int
    per_key: str | None = None
    per_address: str | None = None
    key_failures_per_address: str | None = None
    # File uploads (POST to a path matching one of ``upload_paths``, relative to the mount) may be
    # this large instead; the route streams them and checks the file's own limit.
    upload_max_body_bytes: int | None = None
    upload_paths: tuple[str, ...] = ()

    def body_cap(self, method: str, path: str) -> int:
        if (
            self.upload_max_body_bytes
            and method == "POST"
            and any(re.fullmatch(p, path) for p in self.upload_paths)
        ):
            return self.upload_max_body_bytes
        return self.max_body_bytes


class RedisRateLimits:
    """The three limits of a policy on Redis. ``hit`` and ``blocked`` return the seconds to wait
    (for ``Retry-After``) when refused, None when allowed."""

    BLOCKED = "signx:api-blocked-addresses"  # the channel, and the sorted set (score: until)

    def __init__(self, redis_url: str, policy: GuardPolicy) -> None:
        # Our own pool, so the connections are closed (``aclose``) rather than left to the GC.
        self.pool = aioredis.ConnectionPool.from_url(redis_url)
        storage = storage_from_string(
            "async+" + redis_url,
            implementation="redispy",
            # Passed through to redis-py; limits annotates its options narrower than it accepts.
            connection_pool=self.pool,  # type: ignore[arg-type]
        )
        # Request rates: a sliding-window counter (two counters per key, smooth at window edges).
        self._rates = SlidingWindowCounterRateLimiter(storage)
        # Wrong keys: few per window, counted exactly (a moving window of timestamps).
        self._failures = MovingWindowRateLimiter(storage)
        self.per_key = parse_rate(policy.per_key) if policy.per_key else None
        self.per_address = parse_rate(policy.per_address) if policy.per_address else None
        self.key_failures = (
            parse_rate(policy.key_failures_per_address) if policy.key_failures_per_address else None
        )
        # Blocked addresses -> until (epoch seconds), trusted while subscribed to the channel.
        self.redis = aioredis.Redis(connection_pool=self.pool)
        self.blocked: dict[str, float] = {}
        self.subscribed = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None

    async def aclose(self) -> None:
        await stop(self._listener)
        self._listener = None
        self.subscribed.clear()
        await self.pool.aclose()

    async def _wait(self, strategy: Any, item: RateLimitItem, *ids: str) -> float:
        stats = await strategy.get_window_stats(item, *ids)
        return _seconds_until(stats.reset_time)

    async def hit_address(self, address: str) -> float | None:
        if self.per_address is None or await self._rates.hit(self.per_address, "api-address", address):
            return None
        return await self._wait(self._rates, self.per_address, "api-address", address)

    async def hit_key(self, user_id: str) -> float | None:
        if self.per_key is None or await self._rates.hit(self.per_key, "api-key", user_id):
            return None
        return await self._wait(self._rates, self.per_key, "api-key", user_id)

    async def failures_blocked(self, address: str) -> float | None:
        if self.key_failures is None:
            return None
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen(), name="api-blocked")
        if self.subscribed.is_set():
            until = self.blocked.get(address)
            if until is None:
                return None
            if until > time.time():
                return _seconds_until(until)
            self.blocked.pop(address, None)
            return None
        if await self._failures.test(self.key_failures, "api-bad-key", address):
            return None
        return await self._wait(self._failures, self.key_failures, "api-bad-key", address)

    async def fail(self, address: str) -> float | None:
        """Count a wrong key; the wait when this one was over the limit. The one that fills the
        allowance (or overshoots it) announces the block to every process."""
        if self.key_failures is None:
            return None
        counted = await self._failures.hit(self.key_failures, "api-bad-key", address)
        stats = await self._failures.get_window_stats(self.key_failures, "api-bad-key", address)
        if counted and stats.remaining > 0:
            return None
        await self._announce(address, stats.reset_time)
        return None if counted else _seconds_until(stats.reset_time)

    async def _announce(self, address: str, until: float) -> None:
        self.blocked[address] = until
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.zadd(self.BLOCKED, {address: until})
            pipe.zremrangebyscore(self.BLOCKED, "-inf", time.time())
            pipe.publish(self.BLOCKED, json.dumps([address, until]))
            await pipe.execute()

    async def _listen(self) -> None:
        await listen(
            self.redis,
            self.BLOCKED,
            on_subscribed=self._load_blocked,
            on_message=self._blocked_message,
            on_lost=self.subscribed.clear,
        )

    async def _load_blocked(self) -> None:
        # Subscribed first, then read: a block announced in between is in one or the other.
        now = time.time()
        current: list[Any] = await self.redis.zrangebyscore(self.BLOCKED, now, "+inf", withscores=True)
        self.blocked = {_text(member): float(score) for member, score in current}
        self.subscribed.set()

    def _blocked_message(self, data: bytes) -> None:
        address, until = json.loads(data)
        self.blocked[str(address)] = max(float(until), self.blocked.get(str(address), 0.0))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _seconds_until(moment: float) -> float:
    return max(1.0, float(math.ceil(moment - time.time())))


class _Refused(Exception):
    def __init__(
        self, status: int, code: str, message: str, retry_after: float | None = None, cap: int = 0
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after
        self.cap = cap


class _BodyTooLarge(Exception):
    """Raised from ``receive`` into the app once the body crosses the cap."""


class ApiGuard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticate: Callable[[str], Awaitable[Any | None]],
        render_error: RenderError,
        policy: GuardPolicy,
        limits: RedisRateLimits | None = None,
        protected_prefix: str = "/v1",
        observe_limited: Callable[[str], None] = lambda _limit: None,
    ) -> None:
        self.app = app
        self.authenticate = authenticate
        self.render_error = render_error
        self.policy = policy
        self.limits = limits
        self.protected_prefix = protected_prefix
        # Told which limit refused a request (address, key_failures, key), for the metrics.
        self.observe_limited = observe_limited

    async def aclose(self) -> None:
        if self.limits is not None:
            await self.limits.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})
        cap = self.policy.body_cap(str(scope.get("method", "")), _relative_path(scope))
        try:
            await self._admit(scope)
            declared = _content_length(scope)
        except _Refused as refusal:
            await self._send_error(scope, send, refusal)
            return
        if declared is not None and declared > cap:
            # An overshoot of up to the ordinary cap is read and dropped so the client reads the answer.
            if declared - cap <= self.policy.max_body_bytes:
                await _drain(receive, declared)
            await self._send_error(scope, send, self._too_large(cap))
            return
        await self._run(scope, receive, send, cap)

    # --- admission: address, key failures, key, per-key rate --------------------------------

    async def _admit(self, scope: Scope) -> None:
        address = (scope.get("client") or ("unknown", 0))[0]
        if not _relative_path(scope).startswith(self.protected_prefix):
            await self._limit("address", self._hit_address, address)
            return
        await self._limit("key_failures", self._failures_blocked, address)
        key = _header(scope, b"x-api-key")
        if not key:
            await self._limit("address", self._hit_address, address)
            raise _Refused(401, "unauthenticated", "Missing X-API-Key header.")
        actor = await self.authenticate(key)
        if actor is None:
            await self._limit("key_failures", self._fail, address)
            raise _Refused(401, "unauthenticated", "Invalid or revoked API key.")
        await self._limit("key", self._hit_key, str(getattr(actor, "user_id", key)))
        scope["state"]["actor"] = actor

    async def _hit_address(self, address: str) -> float | None:
        return await self.limits.hit_address(address) if self.limits else None

    async def _failures_blocked(self, address: str) -> float | None:
        return await self.limits.failures_blocked(address) if self.limits else None

    async def _fail(self, address: str) -> float | None:
        return await self.limits.fail(address) if self.limits else None

    async def _hit_key(self, user_id: str) -> float | None:
        return await self.limits.hit_key(user_id) if self.limits else None

    async def _limit(self, name: str, check: Callable[[str], Awaitable[float | None]], ident: str) -> None:
        try:
            wait = await check(ident)
        except Exception:  # noqa: BLE001 - Redis trouble must not take the API down with it
            log.warning("rate limit check failed; request let through", exc_info=True)
            return
        if wait is not None:
            self.observe_limited(name)
            raise _Refused(429, "too_many_requests", "Too many requests; retry later.", retry_after=wait)

    # --- the app, with its body capped and its errors contained ------------------------------

    async def _run(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        received = 0
        too_large = False
        started = False

        async def capped_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                raise _BodyTooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # the app's answer to a truncated body is replaced by the 413 below
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except Exception:
            # An exception handler inside the app has usually answered already (and re-raised);
            # either way the server must not see it, or it drops the connection.
            if not too_large and not started:
                log.exception("unhandled error in the API")
                started = True
                await self._send_error(
                    scope,
                    send,
                    _Refused(500, "internal_error", "Something went wrong on our side; it has been logged."),
                )
        if too_large and not started:
            await _drain(receive, max(0, cap + self.policy.max_body_bytes - received))
            await self._send_error(scope, send, self._too_large(cap))

    def _too_large(self, cap: int) -> _Refused:
        return _Refused(413, "payload_too_large", f"Request body larger than {cap} bytes.", cap=cap)

    async def _send_error(self, scope: Scope, send: Send, refusal: _Refused) -> None:
        details: dict[str, Any] = {}
        headers = [(b"content-type", b"application/json")]
        if refusal.retry_after is not None:
            seconds = int(refusal.retry_after)
            details["retry_after"] = seconds
            headers.append((b"retry-after", str(seconds).encode()))
        if refusal.status == 413:
            details["max_body_bytes"] = refusal.cap
        document = self.render_error(scope["state"], refusal.status, refusal.code, refusal.message, details)
        body = json.dumps(document, separators=(",", ":")).encode()
        headers.append((b"content-length", str(len(body)).encode()))
        if refusal.status in (401, 413) and _has_unread_body(scope):
            # The body stays unread: tell the client this connection ends here.
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive, budget: int) -> bool:
    """Read and discard the rest of the body, at most ``budget`` bytes; whether it ended."""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return False
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return budget >= 0
        if budget < 0:
            return False


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return str(value.decode("latin-1").strip())
    return None


def _content_length(scope: Scope) -> int | None:
    raw = _header(scope, b"content-length")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise _Refused(400, "bad_request", "Content-Length must be a whole number of bytes.")
    return int(raw)


def _has_unread_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    return (length not in (None, "0")) or _header(scope, b"transfer-encoding") is not None


def _relative_path(scope: Scope) -> str:
    """The path inside the mount (``/v1/projects`` for ``/api/v1/projects``)."""
    path = str(scope.get("path", ""))
    root = str(scope.get("root_path", ""))
    return path[len(root) :] if root and path.startswith(root) else path
