"""ORM model of a stored calculation report. Rows are written once and never changed."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKeyConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from domain.orm import Base, utcnow


class Report(Base):
    """One rendering of a design revision, its PDF stored as the blob ``reports/<sha256>.pdf``.

    Keyed by ``input_sha256``, the fingerprint of everything the PDF shows (the revision, the
    project's name, customer and address as they were at rendering, who prepared it) and of the
    layout version: a second request with nothing changed finds this row and renders nothing; a
    renamed project or a new layout is a new row, because its PDF is a different document. The
    revision's own rows cascade: deleting a project deletes its report rows (the blobs are
    content-addressed and may be shared, so they are not removed with a row).
    """

    __tablename__ = "reports"

    project_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    input_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        ForeignKeyConstraint(
            ["project_id", "revision"],
            ["design_revisions.project_id", "design_revisions.revision"],
            ondelete="CASCADE",
        ),
    )
