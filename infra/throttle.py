"""Login-failure throttling on the ``limits`` library, stored in Redis.

Redis keeps the counters shared between processes and across restarts of one process.
"""

from __future__ import annotations

from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


class RedisFailureLimiter:
    def __init__(self, redis_url: str, *, max_failures: int, window_seconds: int) -> None:
        self.storage = storage_from_string("async+" + redis_url, implementation="redispy")
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.item = RateLimitItemPerSecond(max_failures, window_seconds)

    async def attempt(self, key: str) -> bool:
        # One atomic step in Redis (the moving-window script): concurrent attempts cannot overshoot.
        return bool(await self.strategy.hit(self.item, "login", key))

    async def clear(self, key: str) -> None:
        await self.strategy.clear(self.item, "login", key)
