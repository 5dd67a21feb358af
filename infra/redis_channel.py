"""Listening on a Redis pub/sub channel for as long as the process runs, resubscribing after a
lost connection. What a process keeps from the messages is only as good as its subscription, so
the listener says when it (re)subscribed, before the first message can arrive, and when it lost
the channel; its owner starts afresh on the one and stops trusting what it keeps on the other."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis

log = logging.getLogger(__name__)


async def listen(
    redis: aioredis.Redis,
    channel: str,
    *,
    on_subscribed: Callable[[], Awaitable[None]],
    on_message: Callable[[bytes], None],
    on_lost: Callable[[], None],
    retry_seconds: float = 1.0,
) -> None:
    """Run until cancelled. ``on_message`` gets each message's data; one that raises
    ``ValueError`` (a malformed message) counts as a lost channel: start afresh."""
    while True:
        pubsub = redis.pubsub()
        try:
            await pubsub.subscribe(channel)
            await on_subscribed()
            async for message in pubsub.listen():
                if message.get("type") == "message":
                    on_message(message["data"])
        except asyncio.CancelledError:
            raise
        except (OSError, aioredis.RedisError, ValueError):
            on_lost()
            log.warning("channel %s lost; retrying in %s s", channel, retry_seconds)
            await asyncio.sleep(retry_seconds)
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()


async def stop(task: asyncio.Task[None] | None) -> None:
    """Cancel a listener and wait for it to end. redis-py can swallow a cancellation that lands
    while it connects (the listener would then go on subscribing), so it is cancelled again
    until it has ended."""
    while task is not None and not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=0.1)
