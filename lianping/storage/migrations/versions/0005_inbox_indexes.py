"""indexes for the inbox at 100k cases: tab counts, number prefix, description trigrams

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_status_nature", ["status", "nature"], unique=False)
        batch_op.create_index(
            "ix_cases_nature_theme_status", ["nature", "theme", "status"], unique=False
        )
        batch_op.create_index(
            "ix_cases_number_pattern",
            ["number"],
            unique=False,
            postgresql_ops={"number": "varchar_pattern_ops"},
        )
    if op.get_bind().dialect.name == "postgresql":
        # Substring search of descriptions (ILIKE '%…%') for words of 3+ characters.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(
            "CREATE INDEX ix_cases_description_trgm ON cases USING gin (description gin_trgm_ops)"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_cases_description_trgm")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_number_pattern")
        batch_op.drop_index("ix_cases_nature_theme_status")
        batch_op.drop_index("ix_cases_status_nature")
