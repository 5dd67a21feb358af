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

    async def aclose(self) -> None:
        """Release the connections."""
        ...


class PasswordHasher(Protocol):
    """Slow, salted password hashing (argon2 in production). Synchronous and CPU-bound: the
    services call it in a worker thread. Its cost comes from the composition root."""

    def hash(self, password: str) -> str: ...

    def verify(self, stored: str, password: str) -> bool:
        """True when ``password`` matches ``stored``; False for a wrong password or a malformed hash."""
        ...

    def needs_rehash(self, stored: str) -> bool:
        """True when ``stored`` was made with other parameters than the current ones."""
        ...
