"""Login throttling on the ``limits`` library, stored in Redis.

Redis keeps the counters shared between processes. They survive a restart because Redis
persists them: the embedded Redis runs with an append-only file in the data dir; an external
Redis needs persistence switched on (``appendonly yes``, as in docker-compose.yml).
"""

from __future__ import annotations

import redis.asyncio as aioredis
from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string


class RedisFailureLimiter:
    def __init__(
        self, redis_url: str, *, max_failures: int, window_seconds: int, namespace: str = "login"
    ) -> None:
        # Our own pool, so the connections can be closed (``aclose``) rather than left to the GC.
        self.pool = aioredis.ConnectionPool.from_url(redis_url)
        self.storage = storage_from_string(
            "async+" + redis_url,
            implementation="redispy",
            # Passed through to redis-py; limits annotates its options narrower than it accepts.
            connection_pool=self.pool,  # type: ignore[arg-type]
        )
        self.strategy = MovingWindowRateLimiter(self.storage)
        self.item = RateLimitItemPerSecond(max_failures, window_seconds)
        self.namespace = namespace

    async def attempt(self, key: str) -> bool:
        # One atomic step in Redis (the moving-window script): concurrent attempts cannot overshoot.
        return bool(await self.strategy.hit(self.item, self.namespace, key))

    async def clear(self, key: str) -> None:
        await self.strategy.clear(self.item, self.namespace, key)

    async def aclose(self) -> None:
        await self.pool.aclose()
