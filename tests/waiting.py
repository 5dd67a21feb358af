"""Waiting for work that finishes in the background (tasks, polls, workers) without fixed sleeps,
so a slow CI machine waits longer instead of failing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def eventually(check: Callable[[], bool], *, seconds: float = 3.0, what: str = "condition") -> None:
    """Return as soon as ``check()`` holds; fail naming ``what`` after ``seconds``."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
