"""The unit of work on PostgreSQL (the ``UnitOfWork`` port).

``async with uow(actor_id) as tx:`` opens a session and a transaction, re-reads the acting user
in it, and gives the use case its repositories and the outbox. Leaving the block commits; only
then are the outbox rows handed on (``after_commit``, the relay's wake-up in this process), and
a ``pg_notify`` sent inside the transaction wakes relays in other processes at the same moment
(PostgreSQL delivers a notification only when its transaction commits, never on rollback).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from sqlalchemy import func, select
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


class SqlOutbox:
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


class SqlTransaction:
    def __init__(self, session: AsyncSession, actor: Actor | None) -> None:
        self.session = session
        self.outbox = SqlOutbox(session)
        self._actor = actor
        self._users: UserRepository | None = None
        self._jobs: JobRepository | None = None

    @property
    def actor(self) -> Actor:
        if self._actor is None:
            raise RuntimeError("This unit of work was opened without an actor.")
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

    @asynccontextmanager
    async def __call__(self, actor_id: str | None = None) -> AsyncIterator[SqlTransaction]:
        async with self.db.sessions() as session, session.begin():
            actor = await _reread(session, actor_id) if actor_id is not None else None
            tx = SqlTransaction(session, actor)
            yield tx
            messages = tx.outbox.messages
            if messages:
                await session.flush()
                await session.execute(select(func.pg_notify(CHANNEL, "")))
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

    refused = Forbidden("Your account is deactivated or no longer exists.")
    try:
        uid = uuid.UUID(str(actor_id))
    except ValueError:
        raise refused from None
    user = await UserRepository(session).get(uid)
    if user is None or not user.is_active:
        raise refused
    return actor_of(user)
