"""search document: punctuation is a word break

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:30:00

PostgreSQL cannot change a generated column's expression in place before version 17, so the
column and its GIN index are dropped and added again (the values are recomputed from the row).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = (
    "to_tsvector('simple', coalesce(name, '') || ' ' || coalesce(customer, '') || ' ' || "
    "coalesce(account_id, '') || ' ' || coalesce(site_address, '') || ' ' || coalesce(description, ''))"
)
NEW = (
    "to_tsvector('simple', regexp_replace(coalesce(name, '') || ' ' || coalesce(customer, '') || ' ' || "
    "coalesce(account_id, '') || ' ' || coalesce(site_address, '') || ' ' || coalesce(description, ''), "
    "'[^[:alnum:]]+', ' ', 'g'))"
)


def _replace(expression: str) -> None:
    op.drop_index("ix_projects_search", table_name="projects", postgresql_using="gin")
    op.drop_column("projects", "search")
    op.add_column(
        "projects",
        sa.Column("search", postgresql.TSVECTOR(), sa.Computed(expression, persisted=True), nullable=False),
    )
    op.create_index("ix_projects_search", "projects", ["search"], unique=False, postgresql_using="gin")


def upgrade() -> None:
    _replace(NEW)


def downgrade() -> None:
    _replace(OLD)
