"""submission: the latest submission to the PM system on the project row

Revision ID: 0010
Revises: 0012
Create Date: 2026-12-05 10:00:00

- ``projects.submitted_design_revision``: the design revision the latest submission sent.
- ``projects.pm_submission_key``: that submission's ``Idempotency-Key`` towards the PM system
  (stable across the dispatch job's retries; a new submission after a reopen gets a new one).
- ``projects.pm_dispatch``: ``pending`` (the dispatch job has not finished), ``sent`` (the PM
  system answered with ``pm_reference``) or ``recorded_locally`` (no PM system configured: the
  JSON was written under the data dir, not sent); null before any submission.
- ``projects.pm_reference``, ``projects.pm_dispatched_at``: the PM system's reference and when
  the dispatch was done.

Existing submitted projects were moved before dispatch existed: they keep nulls (never sent).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("submitted_design_revision", sa.Integer(), nullable=True))
    op.add_column("projects", sa.Column("pm_submission_key", sa.String(length=120), nullable=True))
    op.add_column("projects", sa.Column("pm_dispatch", sa.String(length=20), nullable=True))
    op.add_column("projects", sa.Column("pm_reference", sa.String(length=200), nullable=True))
    op.add_column("projects", sa.Column("pm_dispatched_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_projects_pm_dispatch"), "projects", "pm_dispatch IN ('pending', 'sent', 'recorded_locally')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_projects_pm_dispatch"), "projects", type_="check")
    for column in (
        "pm_dispatched_at",
        "pm_reference",
        "pm_dispatch",
        "pm_submission_key",
        "submitted_design_revision",
    ):
        op.drop_column("projects", column)
