"""project files: attachments of a project, their bytes in the blob store; what relies on them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:00:00

- ``project_files``: one row per file attached to a project (name, size, content type told from
  the bytes, SHA-256 = the blob ``files/<sha256>``, who and when), soft-deleted
  (``deleted_at``/``deleted_by``). At most one live row per project and content (a partial unique
  index), so the same content uploaded twice is stored once.
- ``project_file_references``: what relies on a file (a submission, a design revision); such a
  file cannot be deleted.

Parallel work adds 0010; this revision is re-pointed to follow it at merge.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "project_files",
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.project_id"],
            name=op.f("fk_project_files_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.user_id"], name=op.f("fk_project_files_uploaded_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["deleted_by"], ["users.user_id"], name=op.f("fk_project_files_deleted_by_users")
        ),
        sa.PrimaryKeyConstraint("file_id", name=op.f("pk_project_files")),
    )
    op.create_index(op.f("ix_project_files_sha256"), "project_files", ["sha256"])
    op.create_index("ix_project_files_project_id_uploaded_at", "project_files", ["project_id", "uploaded_at"])
    op.create_index(
        "uq_project_files_live_sha256",
        "project_files",
        ["project_id", "sha256"],
        unique=True,
        postgresql_where=sa.text("deleted_at IS NULL"),
    )
    op.create_table(
        "project_file_references",
        sa.Column("file_id", sa.Uuid(), nullable=False),
        sa.Column("referenced_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["project_files.file_id"],
            name=op.f("fk_project_file_references_file_id_project_files"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", "referenced_by", name=op.f("pk_project_file_references")),
    )


def downgrade() -> None:
    op.drop_table("project_file_references")
    op.drop_index("uq_project_files_live_sha256", table_name="project_files")
    op.drop_index("ix_project_files_project_id_uploaded_at", table_name="project_files")
    op.drop_index(op.f("ix_project_files_sha256"), table_name="project_files")
    op.drop_table("project_files")
