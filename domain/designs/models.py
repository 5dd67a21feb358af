"""ORM model of a design revision. Rows are written once and never changed."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.orm import Base, utcnow


class DesignRevision(Base):
    """One saved design of a project: revision 1, 2, 3... per project.

    ``sha256`` is over the canonical JSON of module + input; it is unique per project, so saving a
    design identical to an earlier one finds that revision instead of storing a copy. ``result`` is
    the engine's result, ``trace`` its trace (versions, normalised inputs, hashes) and ``estimate``
    the estimate on the price list of the day, priced with ``pricing`` (estimate overrides and
    options, only what was set; part of the identity when not empty): a revision reads back
    exactly as it was saved, even after the engine or the prices change.
    """

    __tablename__ = "design_revisions"

    project_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("projects.project_id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    module: Mapped[str] = mapped_column(String(50))
    sha256: Mapped[str] = mapped_column(String(64))
    input: Mapped[dict[str, Any]] = mapped_column(JSONB)
    result: Mapped[dict[str, Any]] = mapped_column(JSONB)
    trace: Mapped[dict[str, Any]] = mapped_column(JSONB)
    estimate: Mapped[dict[str, Any]] = mapped_column(JSONB)
    pricing: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, server_default=text("'{}'::jsonb"))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id"))

    __table_args__ = (UniqueConstraint("project_id", "sha256", name="uq_design_revisions_project_id_sha256"),)
