"""The unit of work on PostgreSQL (the ``UnitOfWork`` port).

``async with uow(actor_id) as tx:`` opens a session and a transaction, re-reads the acting user
in it, and gives the use case its repositories and the outbox. ``uow.acting(actor_id)`` leaves
that re-read to the use case's first statement (``tx.admit``: a round trip fewer on the hot
writes) and refuses to commit when it never came. Leaving the block commits; only
then are the outbox rows handed on (``after_commit``, the relay's wake-up in this process), and
a ``pg_notify`` sent inside the transaction wakes relays in other processes at the same moment
(PostgreSQL delivers a notification only when its transaction commits, never on rollback).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from domain.errors import Forbidden
from domain.jobs.repository import JobRepository
from domain.orm import utcnow
from domain.outbox.models import CHANNEL, TRACE, OutboxMessage
from domain.users.authentication import actor_of
from domain.users.repository import USERS_CHANGED, UserRepository
from domain.users.schemas import Actor
from infra import tracing
from infra.db import Database

AfterCommit = Callable[[Sequence[OutboxMessage]], None]
REFUSED = "Your account is deactivated or no longer exists."


class SqlOutbox:
    """The transaction's outbox rows: added to the session, so a savepoint rolled back drops those
    added in it (the ORM expunges them); the unit of work writes the rows still pending, and the
    NOTIFY, as one statement when the use case is done (before the commit)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.messages: list[OutboxMessage] = []

    def add(self, kind: str, payload: Mapping[str, Any]) -> None:
        now = utcnow()
        payload = dict(payload)
        trace = tracing.carrier()  # None unless tracing is on and a span is current
        if trace is not None:
            payload[TRACE] = trace
        message = OutboxMessage(kind=kind, payload=payload, created_at=now, available_at=now, attempts=0)
        self.session.add(message)
        self.messages.append(message)

    def kept(self) -> tuple[list[OutboxMessage], list[OutboxMessage]]:
        """(the rows still to write, every row this transaction keeps): a row added in a savepoint
        that rolled back is in neither; one a flush wrote already is only in the second."""
        pending: list[OutboxMessage] = []
        kept: list[OutboxMessage] = []
        for message in self.messages:
            state = inspect(message)
            if state.pending:
                pending.append(message)
            elif not state.persistent:
                continue
            kept.append(message)
        for message in pending:
            self.session.expunge(message)  # written by the unit of work's statement, not a flush
        return pending, kept


_OUTBOX = cast(Table, OutboxMessage.__table__)


def _written_and_notified_statement(count: int) -> Any:
    """INSERT ``count`` outbox rows and ``pg_notify`` the relays' channel, as one statement."""
    rows = [
        {
            name: bindparam(f"m{n}_{name}", type_=_OUTBOX.c[name].type)
            for name in ("kind", "payload", "created_at", "available_at", "attempts")
        }
        for n in range(count)
    ]
    # One row as a plain VALUES: SQLAlchemy caches its compiled form (not a multi-row VALUES').
    written = insert(_OUTBOX).values(rows[0] if count == 1 else rows)
    return select(func.pg_notify(CHANNEL, "")).add_cte(written.cte("written"))


# Built once: a use case writes one outbox row (a search refresh, a job) far more often than more.
_ONE_WRITTEN_AND_NOTIFIED = _written_and_notified_statement(1)


_NOTIFIED = select(func.pg_notify(CHANNEL, ""))


def _written_and_notified(messages: Sequence[OutboxMessage]) -> tuple[Any, dict[str, Any]]:
    """The statement that writes ``messages`` (maybe none) and wakes the relays, and its
    parameters."""
    if not messages:
        return _NOTIFIED, {}
    statement = (
        _ONE_WRITTEN_AND_NOTIFIED if len(messages) == 1 else _written_and_notified_statement(len(messages))
    )
    params = {
        f"m{n}_{name}": getattr(m, name)
        for n, m in enumerate(messages)
        for name in ("kind", "payload", "created_at", "available_at", "attempts")
    }
    return statement, params


class SqlTransaction:
    def __init__(self, session: AsyncSession, actor: Actor | None, *, admitting: str | None = None) -> None:
        self.session = session
        self.outbox = SqlOutbox(session)
        self._actor = actor
        # The acting user's id while ``admit`` has yet to be told its row (``uow.acting``).
        self._admitting = admitting
        self._users: UserRepository | None = None
        self._jobs: JobRepository | None = None

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            if self._admitting is not None:
                raise RuntimeError("The acting user has not been re-read in this transaction (admit).")
            raise RuntimeError("This unit of work was opened without an actor.")
        return self._actor

    @property
    def admitted(self) -> bool:
        return self._admitting is None

    def admit(self, user: Mapping[str, Any] | None) -> Actor:
        """The acting user as a statement of this transaction read it (``email``, ``role``,
        ``name``, ``session_epoch``, ``is_active``; None: no such user): Forbidden unless active."""
        if self._admitting is None:
            raise RuntimeError("This transaction's actor was re-read when it opened.")
        if user is None or not user["is_active"]:
            raise Forbidden(REFUSED)
        self._actor = Actor(
            user_id=self._admitting,
            email=user["email"],
            role=user["role"],
            name=user["name"],
            session_epoch=user["session_epoch"] or 0,
        )
        self._admitting = None
        return self._actor

    async def reread_actor(self) -> Actor:
        """Admit the acting user with a statement of its own (for a use case whose first statement
        found nothing to read the user with, or that refuses before any)."""
        if self._admitting is None:
            return self.actor
        self._actor = await _reread(self.session, self._admitting)
        self._admitting = None
        return self._actor

    @property
    def users(self) -> UserRepository:
        if self._users is None:
            self._users = UserRepository(self.session)
        return self._users

    @property
    def jobs(self) -> JobRepository:
        if self._jobs is None:
            self._jobs = JobRepository(self.session)
        return self._jobs


def _no_hand_over(_messages: Sequence[OutboxMessage]) -> None:
    """Nothing in this process relays: the relays of other processes hear the NOTIFY."""


async def _nobody_told(_user_ids: set[str]) -> None:
    """No cache of users here to keep fresh."""


class SqlUnitOfWork:
    def __init__(
        self,
        db: Database,
        *,
        after_commit: AfterCommit = _no_hand_over,
        users_changed: Callable[[set[str]], Awaitable[None]] = _nobody_told,
    ) -> None:
        self.db = db
        self.after_commit = after_commit
        # Awaited after a commit that changed accounts (their audit events say which).
        self.users_changed = users_changed

    def __call__(self, actor_id: str | None = None) -> AbstractAsyncContextManager[SqlTransaction]:
        return self._work(actor_id, reread=True)

    def acting(self, actor_id: str) -> AbstractAsyncContextManager[SqlTransaction]:
        """Like ``uow(actor_id)``, but the use case re-reads the acting user in its own first
        statement and hands the row to ``tx.admit`` (or calls ``tx.reread_actor``); leaving the
        block without either rolls back (RuntimeError): nothing commits for an unchecked actor."""
        return self._work(actor_id, reread=False)

    @asynccontextmanager
    async def _work(self, actor_id: str | None, *, reread: bool) -> AsyncIterator[SqlTransaction]:
        async with self.db.sessions() as session, session.begin():
            if actor_id is not None and not reread:
                tx = SqlTransaction(session, None, admitting=str(actor_id))
            else:
                actor = await _reread(session, actor_id) if actor_id is not None else None
                tx = SqlTransaction(session, actor)
            yield tx
            if not tx.admitted:
                raise RuntimeError("The acting user was never re-read in this transaction.")
            pending, messages = tx.outbox.kept()
            if messages:
                # The rows not written yet and the NOTIFY in one statement.
                await session.execute(*_written_and_notified(pending))
            changed: set[str] = session.info.pop(USERS_CHANGED, set())
            # Committed: only now may anything act on the outbox rows.
        if messages:
            self.after_commit(messages)
        if changed:
            await self.users_changed(changed)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlTransaction]:
        async with self.db.reads() as session:
            yield SqlTransaction(session, None)

    def read_connection(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return self.db.autocommit.connect()


async def _reread(session: AsyncSession, actor_id: str) -> Actor:
    """The acting user as stored now. A deactivated account cannot act, whatever a page or an
    API key read earlier; a changed role counts at once."""
    import uuid

    refused = Forbidden(REFUSED)
    try:
        uid = uuid.UUID(str(actor_id))
    except ValueError:
        raise refused from None
    user = await UserRepository(session).get(uid)
    if user is None or not user.is_active:
        raise refused
    return actor_of(user)
