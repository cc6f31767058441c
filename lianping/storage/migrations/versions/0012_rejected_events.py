"""Rejected webhook events: what a signed body held that could not be stored

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rejected_webhook_events",
        sa.Column("id", BigId, nullable=False),
        sa.Column("received_at", Moment, nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("raw", sa.Text(), nullable=True),
        sa.Column("raw_purged_at", Moment, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rejected_webhook_events")),
    )
    op.create_index(
        op.f("ix_rejected_webhook_events_received_at"),
        "rejected_webhook_events",
        ["received_at"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_rejected_webhook_events_received_at"), table_name="rejected_webhook_events"
    )
    op.drop_table("rejected_webhook_events")
