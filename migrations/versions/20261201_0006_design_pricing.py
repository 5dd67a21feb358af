"""design revisions keep the estimate overrides and options they were priced with

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 10:00:00

Existing revisions were priced on the plain price list: their ``pricing`` is ``{}``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "design_revisions",
        sa.Column(
            "pricing",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("design_revisions", "pricing")
