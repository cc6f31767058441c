"""inbox shards: events of a chat map to one of 32 shards, drained one batch at a time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 12:00:00
"""

import zlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied, not imported, from storage.inbox: a migration must keep meaning what it meant
# when written. Both are fixed at 32 for good.
INBOX_SHARDS = 32


def upgrade() -> None:
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shard", sa.SmallInteger(), nullable=False, server_default="0")
        )
    # Processed events keep shard 0 (nobody drains them); pending ones get their real shard.
    inbox = sa.table(
        "inbox_events",
        sa.column("id", sa.BigInteger()),
        sa.column("source_key", sa.String()),
        sa.column("shard", sa.SmallInteger()),
        sa.column("processed_at", sa.DateTime()),
    )
    bind = op.get_bind()
    pending = bind.execute(
        sa.select(inbox.c.id, inbox.c.source_key).where(inbox.c.processed_at.is_(None))
    ).all()
    if pending:
        bind.execute(
            inbox.update()
            .where(inbox.c.id == sa.bindparam("b_id"))
            .values(shard=sa.bindparam("b_shard")),
            [
                {"b_id": row.id, "b_shard": zlib.crc32(row.source_key.encode()) % INBOX_SHARDS}
                for row in pending
            ],
        )
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.alter_column("shard", server_default=None)
        batch_op.drop_index("ix_inbox_events_pending")
        batch_op.create_index(
            "ix_inbox_events_shard_pending",
            ["shard", "processed_at", "event_timestamp", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_events_shard_pending")
        batch_op.create_index(
            "ix_inbox_events_pending",
            ["source_key", "processed_at", "event_timestamp"],
            unique=False,
        )
        batch_op.drop_column("shard")
