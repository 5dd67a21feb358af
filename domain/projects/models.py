"""ORM models of the project lifecycle. Relationships are not mapped: loads are explicit."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Uuid,
    func,
    literal_column,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from domain.orm import AuditEventColumns, Base, utcnow

# The search document, weighted name (A) > customer and account (B) > site address (C) >
# description and the design headline (D). ``signx_words`` (migration 0008) folds case and accents
# and makes punctuation a word break, the same rule the query side applies (domain.search.matching):
# PostgreSQL's parser would otherwise read "ACC-007" as "acc" and "-007" (a signed number).
SEARCH_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, signx_words(name)), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, signx_words(customer || ' ' || account_id)), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, signx_words(site_address)), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, signx_words(description || ' ' || "
    "coalesce(design_section, '') || ' ' || coalesce(design_cabinets, ''))), 'D')"
)
# Folded name, customer and account: the trigram index behind substring matches and the typo
# fallback (the query must use this exact expression for the index to apply).
TRIGRAM_TEXT = "signx_fold(name || ' ' || customer || ' ' || account_id)"
# Carried by ix_projects_recent beside its key (created_at, project_id): the document and every
# column a search's facets count.
RECENT_INCLUDE = (
    "search",
    "status",
    "owner_id",
    "account_id",
    "customer",
    "updated_at",
    "design_wind_mph",
    "design_mount",
    "design_pole_count",
    "design_total",
)


def _trigram_text() -> Any:
    """``TRIGRAM_TEXT`` as an index expression that carries the operator class: PostgreSQL's DDL
    compiler finds ``postgresql_ops`` by the expression's ``key``, and alembic compares the bare
    expression (a label would add " AS ..." to it)."""
    # Written as PostgreSQL prints it back (its casts and brackets) so that the comparison holds;
    # the same expression as TRIGRAM_TEXT to the planner.
    expression = func.signx_fold(
        literal_column("(((name::text || ' '::text) || customer::text) || ' '::text) || account_id::text")
    )
    expression.key = "trgm"  # type: ignore[attr-defined]
    return expression


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
    # The latest saved design revision's headline, kept by the designs service in the save's own
    # transaction: facets, filters and sorts read one table (no join to the revisions per row).
    design_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    design_pass: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    design_section: Mapped[str | None] = mapped_column(String(100), nullable=True)
    design_cabinets: Mapped[str | None] = mapped_column(String(200), nullable=True)
    design_pole_count: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    design_mount: Mapped[str | None] = mapped_column(String(20), nullable=True)
    design_wind_mph: Mapped[Decimal | None] = mapped_column(Numeric(6, 1), nullable=True)
    design_total: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    # The latest submission to the PM system (domain/submissions): the design revision submitted,
    # the Idempotency-Key its dispatch carries, where the dispatch stands ("pending" until the job
    # ran, then "sent" with the PM's reference, or "recorded_locally" when no PM system is set up).
    submitted_design_revision: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pm_submission_key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    pm_dispatch: Mapped[str | None] = mapped_column(String(20), nullable=True)
    pm_reference: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pm_dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Full-text search document (PostgreSQL 'simple' config: names and customers are not English prose).
    # Deferred: only SQL reads it (matching and ranking); loading it with every row cost a read.
    search: Mapped[Any] = mapped_column(TSVECTOR, Computed(SEARCH_DOCUMENT, persisted=True), deferred=True)

    __table_args__ = (
        CheckConstraint("pm_dispatch IN ('pending', 'sent', 'recorded_locally')", name="pm_dispatch"),
        Index("ix_projects_search", "search", postgresql_using="gin"),
        Index(
            "ix_projects_trgm",
            _trigram_text(),
            postgresql_using="gin",
            postgresql_ops={"trgm": "gin_trgm_ops"},
        ),
        Index("ix_projects_name", "name", "project_id"),
        Index("ix_projects_customer", "customer"),
        Index(
            "ix_projects_design_total_asc",
            text("design_total ASC NULLS LAST"),
            "project_id",
        ),
        Index(
            "ix_projects_design_total_desc",
            text("design_total DESC NULLS LAST"),
            text("project_id DESC"),
        ),
        # The search's candidates, newest first, read without touching the table: a common word's
        # newest 10,001 matches are an index-only walk that tests the document in the index
        # (migration 0013; domain/search/repository.py). The statistics target of ``search`` is
        # raised there too (ALTER TABLE: not part of the metadata).
        Index(
            "ix_projects_recent",
            text("created_at DESC"),
            text("project_id DESC"),
            postgresql_include=list(RECENT_INCLUDE),
        ),
    )


class ProjectEvent(AuditEventColumns, Base):
    """The audit trail: one row per mutation, written in the mutation's own transaction."""

    __tablename__ = "project_events"

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.project_id", ondelete="CASCADE"))
    request_id: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (Index("ix_project_events_project_id_event_id", "project_id", "event_id"),)
