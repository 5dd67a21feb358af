"""search: weighted, accent-folded document; design headline columns on projects; saved searches

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00

- ``unaccent`` and ``pg_trgm`` (trusted extensions: a database owner may create them, PostgreSQL
  13+), and two IMMUTABLE wrappers: ``signx_fold`` (lower case, accents removed, with the dictionary
  named so the result cannot change under a generated column) and ``signx_words`` (folded, with
  punctuation as a word break, the rule of 0004).
- ``projects.search`` becomes a weighted document: name (A) > customer and account (B) > site
  address (C) > description and the design headline (D), folded, so "cafe" finds "Café".
- The latest saved design's headline (section, cabinets, poles, mount, wind speed, total) is kept
  on the project row by the designs service in the save's transaction, so facets and sorts on
  them read one table; existing projects are filled from their latest revision here.
- Indexes: GIN on the document, a trigram GIN on the folded name/customer/account (substring and
  typo fallback), b-trees for the name, customer and price sorts and filters.
- ``saved_searches``: a user's named search page addresses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_DOCUMENT = (
    "to_tsvector('simple', regexp_replace(coalesce(name, '') || ' ' || coalesce(customer, '') || ' ' || "
    "coalesce(account_id, '') || ' ' || coalesce(site_address, '') || ' ' || coalesce(description, ''), "
    "'[^[:alnum:]]+', ' ', 'g'))"
)
# Keep in step with domain.projects.models.SEARCH_DOCUMENT (alembic check compares them).
NEW_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, signx_words(name)), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, signx_words(customer || ' ' || account_id)), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, signx_words(site_address)), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, signx_words(description || ' ' || "
    "coalesce(design_section, '') || ' ' || coalesce(design_cabinets, ''))), 'D')"
)

FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION public.signx_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, value)) $$""",
    """CREATE OR REPLACE FUNCTION public.signx_words(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT regexp_replace(coalesce(public.signx_fold(value), ''), '[^[:alnum:]]+', ' ', 'g') $$""",
]


def _headline_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("design_revision", sa.Integer(), nullable=True),
        sa.Column("design_pass", sa.Boolean(), nullable=True),
        sa.Column("design_section", sa.String(length=100), nullable=True),
        sa.Column("design_cabinets", sa.String(length=200), nullable=True),
        sa.Column("design_pole_count", sa.SmallInteger(), nullable=True),
        sa.Column("design_mount", sa.String(length=20), nullable=True),
        sa.Column("design_wind_mph", sa.Numeric(6, 1), nullable=True),
        sa.Column("design_total", sa.Numeric(14, 2), nullable=True),
    ]


# The latest revision of each project, read the way domain.designs.rules.search_headline reads it
# (the engine's normalised inputs when the trace has them, else the stored input).
BACKFILL = """
UPDATE projects p SET
    design_revision = d.revision,
    design_pass = (d.result ->> 'pass')::boolean,
    design_section = left(d.result -> 'pole' ->> 'designation', 100),
    design_cabinets = left((
        SELECT string_agg(
            trim(trailing '.' FROM trim(trailing '0' FROM to_char((c ->> 'width_ft')::numeric, 'FM999990.99')))
            || 'x' ||
            trim(trailing '.' FROM trim(trailing '0' FROM to_char((c ->> 'height_ft')::numeric, 'FM999990.99'))),
            ' ' ORDER BY n)
        FROM jsonb_array_elements(coalesce(d.trace -> 'inputs', d.input) -> 'cabinets')
             WITH ORDINALITY AS cab(c, n)
    ), 200),
    design_pole_count = coalesce(
        (d.result -> 'geometry' ->> 'support_count')::smallint,
        (coalesce(d.trace -> 'inputs', d.input) -> 'supports' ->> 'count')::smallint),
    design_mount = left(coalesce(d.result -> 'geometry' ->> 'mount',
                                 coalesce(d.trace -> 'inputs', d.input) -> 'supports' ->> 'mount'), 20),
    design_wind_mph = (coalesce(d.trace -> 'inputs', d.input) -> 'site' ->> 'wind_speed_mph')::numeric,
    design_total = (d.estimate ->> 'total')::numeric
FROM (
    SELECT DISTINCT ON (project_id) project_id, revision, result, trace, input, estimate
    FROM design_revisions ORDER BY project_id, revision DESC
) d
WHERE p.project_id = d.project_id
"""

TRGM = "signx_fold(((((name)::text || ' '::text) || (customer)::text) || ' '::text) || (account_id)::text)"


def _document(expression: str) -> None:
    op.drop_index("ix_projects_search", table_name="projects", postgresql_using="gin")
    op.drop_column("projects", "search")
    op.add_column(
        "projects",
        sa.Column("search", postgresql.TSVECTOR(), sa.Computed(expression, persisted=True), nullable=False),
    )
    op.create_index("ix_projects_search", "projects", ["search"], unique=False, postgresql_using="gin")


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    for function in FUNCTIONS:
        op.execute(function)
    for column in _headline_columns():
        op.add_column("projects", column)
    op.execute(BACKFILL)
    _document(NEW_DOCUMENT)
    op.execute(f"CREATE INDEX ix_projects_trgm ON projects USING gin (({TRGM}) gin_trgm_ops)")
    op.create_index("ix_projects_name", "projects", ["name", "project_id"], unique=False)
    op.create_index("ix_projects_customer", "projects", ["customer"], unique=False)
    op.execute(
        "CREATE INDEX ix_projects_design_total_asc ON projects (design_total ASC NULLS LAST, project_id)"
    )
    op.execute(
        "CREATE INDEX ix_projects_design_total_desc ON projects (design_total DESC NULLS LAST, project_id DESC)"
    )
    op.create_table(
        "saved_searches",
        sa.Column("saved_search_id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.user_id"], name=op.f("fk_saved_searches_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("saved_search_id", name=op.f("pk_saved_searches")),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_searches_user_id_name"),
    )


def downgrade() -> None:
    op.drop_table("saved_searches")
    op.drop_index("ix_projects_design_total_desc", table_name="projects")
    op.drop_index("ix_projects_design_total_asc", table_name="projects")
    op.drop_index("ix_projects_customer", table_name="projects")
    op.drop_index("ix_projects_name", table_name="projects")
    op.drop_index("ix_projects_trgm", table_name="projects")
    _document(OLD_DOCUMENT)
    for column in reversed(_headline_columns()):
        op.drop_column("projects", column.name)
    op.execute("DROP FUNCTION IF EXISTS public.signx_words(text)")
    op.execute("DROP FUNCTION IF EXISTS public.signx_fold(text)")
    # The extensions stay: other objects of the database may use them.
