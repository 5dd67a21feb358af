"""Idempotent requests: the same key with the same body gives the first outcome again.

A key is scoped to (caller, scope), the scope naming the operation (the API uses its method and
path). The first request claims the key in its own short transaction (state ``in_flight``); a
second request meanwhile gets 409, one with a different body 422, one after completion the stored
outcome. The outcome is stored in the transaction of the work itself, so a crash can never leave
the work done and the key open for a second try; a failed request releases the key so the caller
may retry. Keys are kept ``ttl`` (24 h) and purged lazily.

:meth:`IdempotencyService.run` is the whole orchestration, for pages and the API alike.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel
from sqlalchemy import Table, Uuid, and_, bindparam, delete, not_, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, InvalidInput
from domain.idempotency.models import IdempotencyKey
from domain.orm import utcnow
from domain.ports import Transaction, UnitOfWork

TTL = timedelta(hours=24)
# A claim older than this is treated as abandoned (its process died mid-request).
IN_FLIGHT_TIMEOUT = timedelta(minutes=2)

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class StoredResponse:
    """How the caller answered the first request (the API: status, headers, body), kept to answer
    a replay exactly alike."""

    status: int
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass(frozen=True)
class Stored:
    """A completed request: its result, and the caller's response when it kept one."""

    result: dict[str, Any]
    response: StoredResponse | None


@dataclass(frozen=True)
class IdempotencyRequest:
    """A request made with an idempotency key. ``respond`` (optional, pure) turns the result into
    the response to keep for replays; it runs inside the transaction that stores it."""

    scope: str
    key: str
    respond: Callable[[Any], StoredResponse] | None = None


@dataclass(frozen=True)
class Replay(Generic[M]):
    value: M
    replayed: bool  # True: the stored outcome of an earlier request with the same key
    response: StoredResponse | None = None


# The statements of a keyed request, built once (Core: no ORM bookkeeping, no statement to build
# and key for the compiled cache per request).
_KEYS = cast(Table, IdempotencyKey.__table__)
_C = _KEYS.c
_THIS_KEY = and_(
    _C.user_id == bindparam("b_user_id", type_=Uuid()),
    _C.endpoint == bindparam("b_endpoint", type_=_C.endpoint.type),
    _C.key == bindparam("b_key", type_=_C.key.type),
)


def _outlived() -> Any:
    """Keys past their time to live, and claims abandoned in flight (their process died)."""
    return or_(
        _C.expires_at < bindparam("b_now", type_=_C.expires_at.type),
        and_(_C.state == "in_flight", _C.created_at < bindparam("b_stale", type_=_C.created_at.type)),
    )


def _claim() -> Any:
    """Purge what has outlived its time (but this key's row) and claim this key, taking over its
    row when that has outlived its time (purging it in the same statement would not free its
    place in the unique index for the INSERT); RETURNING the id when the caller goes ahead."""
    purged = delete(_KEYS).where(_outlived(), not_(_THIS_KEY))
    claim = insert(_KEYS).values(
        id=bindparam("b_id", type_=_C.id.type),
        user_id=bindparam("b_user_id", type_=Uuid()),
        endpoint=bindparam("b_endpoint", type_=_C.endpoint.type),
        key=bindparam("b_key", type_=_C.key.type),
        request_sha256=bindparam("b_request_sha256", type_=_C.request_sha256.type),
        state="in_flight",
        created_at=bindparam("b_now", type_=_C.created_at.type),
        expires_at=bindparam("b_expires_at", type_=_C.expires_at.type),
    )
    taken_over = {
        name: getattr(claim.excluded, name)
        for name in ("id", "request_sha256", "state", "created_at", "expires_at")
    } | dict.fromkeys(("result", "response_status", "response_headers", "response_body"), null())
    claim = claim.on_conflict_do_update(
        constraint="uq_idempotency_keys_scope", set_=taken_over, where=_outlived()
    )
    return claim.returning(_C.id).add_cte(purged.cte("purged"))


_CLAIM = _claim()
_STORED = select(_KEYS).where(_THIS_KEY)
_COMPLETE = (
    update(_KEYS)
    .where(_THIS_KEY)
    .values(
        state="done",
        result=bindparam("b_result", type_=_C.result.type),
        response_status=bindparam("b_response_status", type_=_C.response_status.type),
        response_headers=bindparam("b_response_headers", type_=_C.response_headers.type),
        response_body=bindparam("b_response_body", type_=_C.response_body.type),
    )
)
_RELEASE = delete(_KEYS).where(_THIS_KEY, _C.state == "in_flight")


def _key_params(user_id: str, scope: str, key: str) -> dict[str, Any]:
    return {"b_user_id": uuid.UUID(user_id), "b_endpoint": scope, "b_key": key}


def request_fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class IdempotencyService:
    def __init__(self, uow: UnitOfWork, ttl: timedelta = TTL) -> None:
        self.uow = uow
        self.ttl = ttl

    async def run(
        self,
        actor_id: str,
        request: IdempotencyRequest | None,
        body: BaseModel,
        model: type[M],
        work: Callable[[Transaction], Awaitable[M]],
        *,
        admits_actor: bool = False,
    ) -> Replay[M]:
        """Do ``work`` in a unit of work for ``actor_id``, once per key: without a request (no key)
        simply once; with one, a replay of the same key and ``body`` returns the stored result.
        ``admits_actor``: ``work`` re-reads the acting user in its own first statement
        (``UnitOfWork.acting``) rather than the unit of work before it."""
        opened = self.uow.acting if admits_actor else self.uow
        if request is None:
            async with opened(actor_id) as tx:
                return Replay(await work(tx), replayed=False)
        fingerprint = request_fingerprint(body.model_dump(mode="json"))
        stored = await self.claim(actor_id, request.scope, request.key, fingerprint)
        if stored is not None:
            return Replay(model.model_validate(stored.result), replayed=True, response=stored.response)
        completed = False
        try:
            async with opened(actor_id) as tx:
                value = await work(tx)
                response = request.respond(value) if request.respond is not None else None
                await self._complete(tx.session, actor_id, request, value.model_dump(mode="json"), response)
            completed = True
        finally:
            if not completed:  # failed or cancelled: the caller may try again with the same key
                await self.release(actor_id, request.scope, request.key)
        return Replay(value, replayed=False, response=response)

    async def claim(self, user_id: str, scope: str, key: str, fingerprint: str) -> Stored | None:
        """Claim ``key``; returns the stored outcome to replay, or None when the caller goes ahead."""
        if not key or len(key) > 200:
            raise InvalidInput(
                "Idempotency-Key must be 1-200 characters.",
                fields=[{"field": "Idempotency-Key", "message": "invalid length"}],
            )
        now = utcnow()
        this_key = _key_params(user_id, scope, key)
        async with self.uow() as tx:
            conn = await tx.session.connection()
            params = this_key | {
                "b_id": uuid.uuid4(),
                "b_request_sha256": fingerprint,
                "b_now": now,
                "b_stale": now - IN_FLIGHT_TIMEOUT,
                "b_expires_at": now + self.ttl,
            }
            if (await conn.execute(_CLAIM, params)).first() is not None:
                return None
            row = (await conn.execute(_STORED, this_key)).one()
        if row.request_sha256 != fingerprint:
            raise InvalidInput(
                "This Idempotency-Key was already used with a different request body.",
                fields=[{"field": "Idempotency-Key", "message": "reused with a different body"}],
            )
        if row.state == "in_flight":
            raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
        response = None
        if row.response_status is not None:
            response = StoredResponse(
                row.response_status, dict(row.response_headers or {}), row.response_body or {}
            )
        # Keys completed before results were kept on their own hold the result in the response body.
        result = row.result if row.result is not None else (row.response_body or {}).get("result") or {}
        return Stored(result=result, response=response)

    @staticmethod
    async def _complete(
        session: AsyncSession,
        user_id: str,
        request: IdempotencyRequest,
        result: dict[str, Any],
        response: StoredResponse | None,
    ) -> None:
        conn = await session.connection()
        await conn.execute(
            _COMPLETE,
            _key_params(user_id, request.scope, request.key)
            | {
                "b_result": result,
                "b_response_status": response.status if response else None,
                "b_response_headers": response.headers if response else None,
                "b_response_body": response.body if response else None,
            },
        )

    async def release(self, user_id: str, scope: str, key: str) -> None:
        async with self.uow() as tx:
            conn = await tx.session.connection()
            await conn.execute(_RELEASE, _key_params(user_id, scope, key))
