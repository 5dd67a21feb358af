"""Idempotent POSTs: the same key with the same body replays the first response.

A key is scoped to (caller, endpoint). The first request claims the key in its own short
transaction (state ``in_flight``); a second request meanwhile gets 409, one with a different
body 422, one after completion the stored response. Failed requests release the key so the
caller may retry. Keys are kept ``ttl`` (24 h) and purged lazily.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import Conflict, InvalidInput
from domain.idempotency.models import IdempotencyKey
from domain.orm import utcnow
from domain.ports import UnitOfWork

TTL = timedelta(hours=24)
# A claim older than this is treated as abandoned (its process died mid-request).
IN_FLIGHT_TIMEOUT = timedelta(minutes=2)


@dataclass(frozen=True)
class StoredResponse:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]


def request_fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class IdempotencyService:
    def __init__(self, db: UnitOfWork, ttl: timedelta = TTL) -> None:
        self.db = db
        self.ttl = ttl

    async def claim(self, user_id: str, endpoint: str, key: str, fingerprint: str) -> StoredResponse | None:
        """Claim ``key``; returns the stored response to replay, or None when the caller goes ahead."""
        if not key or len(key) > 200:
            raise InvalidInput(
                "Idempotency-Key must be 1-200 characters.",
                fields=[{"field": "Idempotency-Key", "message": "invalid length"}],
            )
        now = utcnow()
        uid = uuid.UUID(user_id)
        async with self.db.transaction() as session:
            await session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at < now))
            await session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.state == "in_flight", IdempotencyKey.created_at < now - IN_FLIGHT_TIMEOUT
                )
            )
            inserted = await session.execute(
                insert(IdempotencyKey)
                .values(
                    id=uuid.uuid4(),
                    user_id=uid,
                    endpoint=endpoint,
                    key=key,
                    request_sha256=fingerprint,
                    state="in_flight",
                    created_at=now,
                    expires_at=now + self.ttl,
                )
                .on_conflict_do_nothing(constraint="uq_idempotency_keys_scope")
                .returning(IdempotencyKey.id)
            )
            if inserted.first() is not None:
                return None
            row = (
                await session.execute(
                    select(IdempotencyKey).where(
                        IdempotencyKey.user_id == uid,
                        IdempotencyKey.endpoint == endpoint,
                        IdempotencyKey.key == key,
                    )
                )
            ).scalar_one()
        if row.request_sha256 != fingerprint:
            raise InvalidInput(
                "This Idempotency-Key was already used with a different request body.",
                fields=[{"field": "Idempotency-Key", "message": "reused with a different body"}],
            )
        if row.state == "in_flight":
            raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
        return StoredResponse(
            row.response_status or 200, dict(row.response_headers or {}), row.response_body or {}
        )

    @staticmethod
    async def complete(
        session: AsyncSession, user_id: str, endpoint: str, key: str, response: StoredResponse
    ) -> None:
        """Store the response in the caller's transaction: the one that wrote what it describes,
        so a crash can never leave the work done and the key still open for a second try."""
        await session.execute(
            update(IdempotencyKey)
            .where(
                IdempotencyKey.user_id == uuid.UUID(user_id),
                IdempotencyKey.endpoint == endpoint,
                IdempotencyKey.key == key,
            )
            .values(
                state="done",
                response_status=response.status,
                response_headers=response.headers,
                response_body=response.body,
            )
        )

    async def release(self, user_id: str, endpoint: str, key: str) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                delete(IdempotencyKey).where(
                    IdempotencyKey.user_id == uuid.UUID(user_id),
                    IdempotencyKey.endpoint == endpoint,
                    IdempotencyKey.key == key,
                    IdempotencyKey.state == "in_flight",
                )
            )
