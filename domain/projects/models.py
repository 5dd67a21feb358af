"""ORM models of the project lifecycle. Relationships are not mapped: loads are explicit."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from domain.orm import AuditEventColumns, Base, utcnow

# Punctuation becomes a word break before parsing, on the document here and on the query in the
# repository (the same rule): PostgreSQL's parser would otherwise read "ACC-007" as the words
# "acc" and "-007" (a signed number), so typing "007" or "ACC-007" split at the dash found nothing.
SEARCH_DOCUMENT = (
    "to_tsvector('simple', regexp_replace(coalesce(name, '') || ' ' || coalesce(customer, '') || ' ' || "
    "coalesce(account_id, '') || ' ' || coalesce(site_address, '') || ' ' || coalesce(description, ''), "
    "'[^[:alnum:]]+', ' ', 'g'))"
)


class Project(Base):
    __tablename__ = "projects"

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    account_id: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    customer: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    site_address: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20), index=True, default="draft")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    etag: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id"))
    # Full-text search document (PostgreSQL 'simple' config: names and customers are not English prose).
    search: Mapped[Any] = mapped_column(TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True))

    __table_args__ = (Index("ix_projects_search", "search", postgresql_using="gin"),)


class ProjectEvent(AuditEventColumns, Base):
    """The audit trail: one row per mutation, written in the mutation's own transaction."""

    __tablename__ = "project_events"

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.project_id", ondelete="CASCADE"))
    request_id: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (Index("ix_project_events_project_id_event_id", "project_id", "event_id"),)
