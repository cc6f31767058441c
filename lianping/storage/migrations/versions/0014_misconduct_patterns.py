"""The 弊端態樣與防制作為 library (seed 002's 清廉共同監督專區)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "misconduct_patterns",
        sa.Column("id", BigId, nullable=False),
        sa.Column("misconduct_type", sa.String(length=100), nullable=False),
        sa.Column("business_area", sa.String(length=100), nullable=False),
        sa.Column("pattern", sa.Text(), nullable=False),
        sa.Column("risk", sa.Text(), nullable=False),
        sa.Column("countermeasures", sa.Text(), nullable=False),
        sa.Column("discussed_on", sa.Date(), nullable=True),
        sa.Column("discussed_at", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("approved_by", BigId, nullable=True),
        sa.Column("approved_at", Moment, nullable=True),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("updated_by", BigId, nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_misconduct_patterns_approved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_misconduct_patterns_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_misconduct_patterns_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_misconduct_patterns")),
    )
    op.create_index(
        "ix_misconduct_patterns_status_discussed",
        "misconduct_patterns",
        ["status", "discussed_on"],
    )


def downgrade() -> None:
    op.drop_index("ix_misconduct_patterns_status_discussed", table_name="misconduct_patterns")
    op.drop_table("misconduct_patterns")
