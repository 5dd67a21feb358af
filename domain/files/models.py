"""ORM models of project files. Relationships are not mapped: loads are explicit."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.orm import Base, utcnow


class ProjectFile(Base):
    """A file attached to a project (a drawing, a photo, a site survey). Its bytes are the blob
    ``files/<sha256>``, shared by every row with the same content.

    Deleting is soft (``deleted_at``/``deleted_by``): the row and the blob stay for the audit trail.
    The same content is stored once per project: at most one live row per (project, sha256), so a
    second upload of it finds the first; after a delete it may be uploaded again as a new row.
    """

    __tablename__ = "project_files"

    file_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("projects.project_id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.user_id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    deleted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.user_id"), nullable=True)

    __table_args__ = (
        Index(
            "uq_project_files_live_sha256",
            "project_id",
            "sha256",
            unique=True,
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index("ix_project_files_project_id_uploaded_at", "project_id", "uploaded_at"),
    )


class FileReference(Base):
    """Something that relies on a file (``referenced_by``: ``submission:<id>``, ``design:<rev>``),
    recorded by the module that relies on it in its own transaction. A referenced file cannot be
    deleted; the reference goes with the file's project."""

    __tablename__ = "project_file_references"

    file_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("project_files.file_id", ondelete="CASCADE"), primary_key=True
    )
    referenced_by: Mapped[str] = mapped_column(String(100), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
