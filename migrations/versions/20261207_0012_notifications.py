"""notifications: a per-user choice to be e-mailed about every project

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-07 09:00:00

``users.notify_all``: the user is e-mailed when any project is submitted, accepted or rejected
or gets a report, not only their own (owners always are). Off for everyone at first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("notify_all", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column("users", "notify_all")
