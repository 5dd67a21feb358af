"""Ports: what the domain needs from the outside world, implemented in infra/."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
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


@dataclass(frozen=True)
class BlobInfo:
    key: str
    size: int
    content_type: str


class BlobStore(Protocol):
    """Files by key (``reports/<sha256>.pdf``): a folder under the data dir by default, S3/MinIO in
    production. Byte-oriented and small on purpose, so any object store fits behind it.

    Keys are relative, '/'-separated, lower-case letters, digits and ``._-`` (no ``..``);
    an adapter refuses any other with ``ValueError``. ``put`` is atomic: a reader sees the whole
    blob under its key or none at all, never a part (a writer killed midway leaves no blob)."""

    async def put(self, key: str, data: bytes, content_type: str) -> BlobInfo: ...

    async def get(self, key: str) -> bytes:
        """The blob's bytes; ``KeyError`` when there is none."""
        ...

    async def stat(self, key: str) -> BlobInfo | None:
        """Size and content type, or None when there is no blob under ``key``."""
        ...

    async def exists(self, key: str) -> bool: ...
