"""The outbox table: one row per side effect to perform after its transaction commits.

The relay (infra/relay.py) reads the unpublished rows with ``FOR UPDATE SKIP LOCKED`` (several
relays never publish the same row at once), publishes each and marks it published; a failed
publish stays for a later sweep with ``attempts``, ``last_error`` and a backoff in
``available_at``. Delivery is at least once: what consumes a message must be idempotent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.orm import Base, utcnow

# Kinds of message the relay knows how to deliver.
JOB_ENQUEUE = "job.enqueue"  # payload {"job_id": str, "attempt": int, "kind": str (routes it)}
JOB_REVOKE = "job.revoke"  # payload {"job_id": str, "attempt": int, "terminate": bool}
# A project's search document to refresh in OpenSearch (written only when it is configured).
SEARCH_INDEX = "search.index"  # payload {"project_id": str}
# Any payload may also carry, under this key, the W3C trace context ({"traceparent": ...}) of the
# span current when the row was written, so the publish and the job continue that trace (written
# only when tracing is on: infra/tracing.py). Deliveries ignore it.
TRACE = "trace"

# The PostgreSQL NOTIFY channel a committing transaction signals when it wrote outbox rows.
CHANNEL = "signx_outbox"


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Not before this time (a failed publish backs off).
    available_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (
        # The relay's query: what is still to publish, oldest first.
        Index(
            "ix_outbox_pending",
            "available_at",
            "id",
            postgresql_where=text("published_at IS NULL"),
        ),
    )
