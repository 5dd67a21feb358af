"""Ports: what the domain needs from the outside world, implemented in infra/."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from email.message import EmailMessage
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

    def admit(self, user: Mapping[str, Any] | None) -> Actor:
        """In a unit of work opened with ``uow.acting``: the acting user as the use case's first
        statement read it (``email``, ``role``, ``name``, ``session_epoch``, ``is_active``; None:
        no such user). Forbidden unless active; from then on it is :attr:`actor`."""
        ...

    async def reread_actor(self) -> Actor:
        """In a unit of work opened with ``uow.acting``: admit the acting user with a statement of
        its own (the use case's first statement could not read it)."""
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

    def acting(self, actor_id: str) -> AbstractAsyncContextManager[Transaction]:
        """A unit of work whose use case re-reads the acting user in its own first statement and
        admits it (``tx.admit`` / ``tx.reread_actor``) before anything else: one round trip fewer.
        Leaving the block without having admitted the actor rolls back (RuntimeError)."""
        ...

    def read(self) -> AbstractAsyncContextManager[Transaction]:
        """A read of ONE statement: no transaction around it (no BEGIN and COMMIT round trips;
        a single statement sees one consistent snapshot on its own). Nothing written in it is
        kept. Reads of several statements that must agree use ``uow()``."""
        ...

    def read_connection(self) -> AbstractAsyncContextManager[Any]:
        """``read()`` for ONE Core statement (no ORM entities): a connection, without a session
        around it. The hottest reads (an API GET of a project) spent a tenth of their CPU on the
        session's bookkeeping."""
        ...


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


@dataclass(frozen=True)
class StoredBlob:
    """A blob written by ``put_stream``: its key (named by the SHA-256 of its bytes), size and
    hash, and whether this call created it (False: the same bytes were stored already)."""

    key: str
    size: int
    sha256: str
    created: bool


class BlobIntegrityError(Exception):
    """The stored bytes are not the bytes that were written (their SHA-256 differs): a damaged or
    tampered blob. Raised by a verified read instead of handing the bytes on."""


class BlobStore(Protocol):
    """Files by key (``reports/<sha256>.pdf``, ``files/<sha256>``): a folder under the data dir by
    default, S3/MinIO when configured. Byte-oriented and small on purpose, so any object store
    fits behind it; what the bytes are (a PDF, a drawing) is the caller's business.

    Keys are relative, '/'-separated, lower-case letters, digits and ``._-`` (no ``..``);
    an adapter refuses any other with ``ValueError``. Writes are atomic: a reader sees the whole
    blob under its key or none at all, never a part (a writer killed midway leaves no blob)."""

    async def put(self, key: str, data: bytes, content_type: str) -> BlobInfo: ...

    async def put_stream(self, prefix: str, chunks: AsyncIterable[bytes], *, suffix: str = "") -> StoredBlob:
        """Store the bytes ``chunks`` yields under ``<prefix>/<sha256><suffix>``, the SHA-256
        computed while they stream (memory stays bounded by a chunk or an upload part, whatever
        the size). Content-addressed: when that key exists already the bytes are dropped and the
        stored blob kept (``created`` False).

        If ``chunks`` raises (a refused upload, a client that went away), the exception
        propagates and nothing is left behind: no blob, no temporary file or object."""
        ...

    async def get(self, key: str, *, sha256: str | None = None) -> bytes:
        """The blob's bytes; ``KeyError`` when there is none. With ``sha256`` they are checked
        against it first (``BlobIntegrityError`` when they differ)."""
        ...

    def stream(self, key: str, *, sha256: str | None = None) -> AsyncIterator[bytes]:
        """The blob's bytes in chunks, read as they are sent on; ``KeyError`` (at the first
        ``__anext__``) when there is none. With ``sha256`` the bytes are hashed as they pass and
        the LAST chunk is held back until the hash matches: a damaged blob raises
        ``BlobIntegrityError`` instead of completing, so a download of it never arrives whole."""
        ...

    async def stat(self, key: str) -> BlobInfo | None:
        """Size and content type, or None when there is no blob under ``key``."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the blob (nothing happens when there is none)."""
        ...


class SearchIndex(Protocol):
    """Where the search page and ``/api/v1/search`` find projects: PostgreSQL full text by default
    (``domain.search.postgres``), OpenSearch when configured (``infra.search.opensearch``, falling
    back to PostgreSQL when it fails: ``infra.search.fallback``). ``name`` says which in results
    and ``/ready``."""

    name: str

    async def search(self, query: SearchQuery) -> SearchResult: ...

    async def index(self, documents: Sequence[Mapping[str, Any]]) -> None:
        """Add or replace these projects' documents (``search_document`` of each); PostgreSQL
        keeps its own in the row and does nothing."""
        ...

    async def remove(self, project_ids: Sequence[str]) -> None: ...

    async def rebuild(
        self,
        batches: AsyncIterable[Sequence[Mapping[str, Any]]],
        *,
        total: int,
        on_progress: Callable[[int, int], None],
    ) -> None:
        """Build a new index from every project's document and put it in service in one step
        (searches never see a half-built one); ``on_progress(done, total)`` after each batch.
        PostgreSQL has nothing to rebuild."""
        ...

    async def state(self) -> str:
        """A word for ``/ready``: "ok", or what is wrong (never raises)."""
        ...


class Mailer(Protocol):
    """Sends one composed e-mail (``email.message.EmailMessage``, multipart/alternative): over SMTP
    when configured, else written as an .eml file under the data dir (``infra.mail``). ``name``
    says which, for logs and the job's result.

    Raises ``MailNotSent`` for a failure worth another attempt (the server is away, refused or
    timed out); the e-mail job turns it into a retry, never into a failure of what caused it."""

    name: str

    async def send(self, message: EmailMessage) -> None: ...


class MailNotSent(Exception):
    """The message was not handed over (connection, TLS, login or a refusal by the server)."""


class PMUnavailable(Exception):
    """The PM system could not take the submission now: a timeout, a refused connection, a 5xx
    answer, or the circuit breaker open (then nothing was sent). Worth another attempt later;
    ``retry_after`` (seconds) says when one can help, when the adapter knows."""

    def __init__(self, message: str, *, retry_after: float | None = None, sent: bool = True) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.sent = sent  # False: the breaker was open and no request left this process


class PMRefused(Exception):
    """The PM system answered that this submission is wrong (a 4xx, or a success without a
    reference): the same request again would get the same answer, so it is not retried."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PMReceipt:
    """What became of a dispatch: the PM system's ``reference``, or, with no PM system
    configured, ``recorded_locally`` and where the JSON was written (``location``)."""

    reference: str | None
    recorded_locally: bool = False
    location: str | None = None


@dataclass(frozen=True)
class PMCircuit:
    """The PM circuit breaker as every process sees it (kept in Redis by the worker processes).

    ``state``: "closed" (dispatches go out), "open" (dispatches wait, none is sent until
    ``retry_at``), "half-open" (the next dispatch tests the PM system), or "not used" (no PM system
    configured: nothing is sent)."""

    state: str
    failures: int
    threshold: int
    reset_seconds: float
    opened_at: float | None = None  # UNIX time
    retry_at: float | None = None  # UNIX time when an open breaker lets a dispatch try again


class PMClient(Protocol):
    """The company's project-management system, where a submitted project goes
    (``infra.pm_client``: HTTP with a circuit breaker, or a local folder when none is configured).

    ``submit`` sends one dispatch with its ``idempotency_key`` (the same key again must not make a
    second project at the PM system) and returns the receipt; it raises :class:`PMUnavailable`
    (retry later) or :class:`PMRefused` (do not retry)."""

    @property
    def mode(self) -> str:
        """ "http" (sent to the PM system) or "local" (recorded in a folder, not sent)."""
        ...

    @property
    def target(self) -> str:
        """Where dispatches go, for people: the PM system's scheme, host and path (never the
        token), or the local folder."""
        ...

    async def submit(self, payload: Mapping[str, Any], *, idempotency_key: str) -> PMReceipt: ...

    async def circuit(self) -> PMCircuit:
        """The breaker's state (never raises: an unreadable state reads as "unknown")."""
        ...

    async def aclose(self) -> None: ...
