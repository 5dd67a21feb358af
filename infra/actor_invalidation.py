"""Telling every process that some users changed, so each forgets their cached API-key actors
(``domain.users.actor_cache``): a Redis pub/sub channel. ``publish`` is awaited after the change
committed, before the request that made it answers, so by then every listening process has been
sent the message (delivery takes a millisecond or so). A process that misses one (Redis down)
keeps the entry no longer than the cache's lifetime."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable

import redis.asyncio as aioredis

from domain.users.actor_cache import ActorCache
from infra.redis_channel import listen, stop

log = logging.getLogger(__name__)
CHANNEL = "signx:users-changed"


class RedisActorInvalidation:
    def __init__(self, redis_url: str, cache: ActorCache, *, channel: str = CHANNEL) -> None:
        self.redis = aioredis.from_url(redis_url, socket_timeout=2)
        self.cache = cache
        self.channel = channel
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def users_changed(self, user_ids: Iterable[str]) -> None:
        """Forget them here at once, and tell the other processes."""
        ids = sorted(set(user_ids))
        if not ids:
            return
        self.cache.forget(ids)
        try:
            await self.redis.publish(self.channel, json.dumps(ids))
        except (OSError, aioredis.RedisError):
            log.warning("could not publish a user change; other processes forget within the cache's lifetime")

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._listen(), name="actor-invalidation")

    async def _listen(self) -> None:
        await listen(
            self.redis,
            self.channel,
            on_subscribed=self._subscribed,
            on_message=lambda data: self.cache.forget(json.loads(data)),
            on_lost=self._lost,
        )

    async def _subscribed(self) -> None:
        # Anything changed before may have been missed, so start afresh.
        self.cache.clear()
        self.cache.active = True
        self.ready.set()

    def _lost(self) -> None:
        self.ready.clear()
        self.cache.active = False
        self.cache.clear()

    async def aclose(self) -> None:
        self.cache.active = False
        await stop(self._task)
        self._task = None
        await self.redis.aclose()
