"""calculation reports: one row per rendering of a design revision, the PDF in the blob store

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00

Keyed by the fingerprint of what the PDF shows, so a repeated request finds the stored PDF;
rows go with their design revision.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id", "revision"],
            ["design_revisions.project_id", "design_revisions.revision"],
            name=op.f("fk_reports_project_id_design_revisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "revision", "input_sha256", name=op.f("pk_reports")),
    )


def downgrade() -> None:
    op.drop_table("reports")
