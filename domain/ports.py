"""Ports: what the domain needs from the outside world, implemented in infra/."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from domain.jobs.repository import JobRepository
    from domain.search.schemas import SearchQuery, SearchResult
    from domain.users.repository import UserRepository
    from domain.users.schemas import Actor


class Outbox(Protocol):
    """Side effects that must follow the commit (a job to enqueue): written as rows in the use
    case's own transaction, relayed only after it commits. A rolled-back use case leaves none,
    and one that committed loses none even if the process dies before the relay runs."""

    def add(self, kind: str, payload: Mapping[str, Any]) -> None: ...


class Transaction(Protocol):
    """What one use case works with inside its unit of work."""

    @property
    def session(self) -> AsyncSession:
        """For the repositories written as functions of a session."""
        ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def actor(self) -> Actor:
        """The acting user, re-read in this transaction (the unit of work refused to open for a
        user who is unknown or deactivated). Its role is the current one, not the one a page
        read when it was opened."""
        ...

    @property
    def users(self) -> UserRepository: ...

    @property
    def jobs(self) -> JobRepository: ...


class UnitOfWork(Protocol):
    """``async with uow(actor_id) as tx:`` opens one transaction. Leaving the block normally
    commits it and then hands the outbox rows written in it to the relay; an exception rolls
    everything back (the outbox rows with it). Services flush, never commit.

    With ``actor_id`` the acting user is re-read first: ``Forbidden`` when the account is unknown
    or deactivated, so a page opened before a deactivation cannot act any more."""

    def __call__(self, actor_id: str | None = None) -> AbstractAsyncContextManager[Transaction]: ...


class JobQueue(Protocol):
    """Where the relay sends a job to be run (Celery in production). ``attempt`` is the job's
    dispatch number: the broker's task id is ``f"{job_id}:{attempt}"``, so a retry is a new task
    while a republished dispatch (the relay runs at least once) is the same one."""

    async def enqueue(self, job_id: str, attempt: int, *, kind: str | None = None) -> None:
        """``kind`` picks the queue (domain/jobs/queues.py); None: the default queue."""
        ...

    async def revoke(self, job_id: str, attempt: int, *, terminate: bool) -> None: ...


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


class SearchIndex(Protocol):
    """Where the search page and ``/api/v1/search`` find projects: PostgreSQL full text by default
    (``domain.search.postgres``), OpenSearch when configured (``infra.search_opensearch``, falling
    back to PostgreSQL when it fails). ``name`` says which in results and ``/ready``."""

    name: str

    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        """Add or replace these projects' documents (``search_document`` of each); PostgreSQL
        keeps its own in the row and does nothing."""
        ...

    async def remove(self, project_ids: Sequence[str]) -> None: ...

    async def state(self) -> str:
        """A word for ``/ready``: "ok", or what is wrong (never raises)."""
        ...
