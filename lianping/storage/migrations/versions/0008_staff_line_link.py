"""staff link their LINE account by a one-time code: the code's hash on users, wrong-code
throttling on residents

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line_link_code_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("line_link_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_users_line_link_code_hash"), ["line_link_code_hash"], unique=False
        )
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("line_link_failures", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("line_link_locked_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_column("line_link_locked_until")
        batch_op.drop_column("line_link_failures")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_line_link_code_hash"))
        batch_op.drop_column("line_link_expires_at")
        batch_op.drop_column("line_link_code_hash")
