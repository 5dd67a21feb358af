"""idempotency keys: a partial index of the claims still in flight

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 10:00:00

Every keyed request purges the keys that outlived their time and the claims abandoned in flight
(their process died) in the statement that claims its own key. ``expires_at`` had an index; the
abandoned claims (``state = 'in_flight' AND created_at < ...``) were found by reading the whole
table, a cost that grew with every key kept for its day. ``ix_idempotency_keys_in_flight`` holds
only the in-flight claims (a handful at any moment), ordered by ``created_at``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_idempotency_keys_in_flight",
        "idempotency_keys",
        ["created_at"],
        postgresql_where=sa.text("state = 'in_flight'"),
    )


def downgrade() -> None:
    op.drop_index("ix_idempotency_keys_in_flight", table_name="idempotency_keys")
