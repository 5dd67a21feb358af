"""Ports: what the domain needs from the outside world, implemented in infra/."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession


class UnitOfWork(Protocol):
    """Opens one transaction: committed when the block succeeds, rolled back otherwise."""

    def transaction(self) -> AbstractAsyncContextManager[AsyncSession]: ...


class FailureLimiter(Protocol):
    """Counts attempts per key in a sliding window (login throttling)."""

    async def attempt(self, key: str) -> bool:
        """Record one attempt atomically; False (and nothing recorded) once the limit is reached."""
        ...

    async def clear(self, key: str) -> None: ...
