"""personal data under 個資法: notice read (not consent), §3 requests, tips' reporters kept
apart, retention purge marks, the head of ethics

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "data_requests",
        sa.Column("id", BigId, nullable=False),
        sa.Column("resident_id", BigId, nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("case_id", BigId, nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("received_at", Moment, nullable=False),
        sa.Column("due_at", Moment, nullable=False),
        sa.Column("extended_at", Moment, nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", Moment, nullable=True),
        sa.Column("decided_by", BigId, nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("outcome_outbox_id", BigId, nullable=True),
        sa.Column("export_token_hash", sa.String(length=64), nullable=True),
        sa.Column("export_path", sa.String(length=300), nullable=True),
        sa.Column("export_expires_at", Moment, nullable=True),
        sa.Column("export_downloaded_at", Moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"],
            name=op.f("fk_data_requests_case_id_cases"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_data_requests_decided_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["outcome_outbox_id"], ["outbox_messages.id"],
            name=op.f("fk_data_requests_outcome_outbox_id_outbox_messages"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["residents.id"],
            name=op.f("fk_data_requests_resident_id_residents"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_requests")),
        sa.UniqueConstraint("export_token_hash", name=op.f("uq_data_requests_export_token_hash")),
    )  # fmt: skip
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_data_requests_resident_id"), ["resident_id"], unique=False
        )
        batch_op.create_index("ix_data_requests_status_due", ["status", "due_at"], unique=False)

    op.create_table(
        "tip_reporters",
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("occupation", sa.String(length=100), nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"],
            name=op.f("fk_tip_reporters_case_id_cases"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_tip_reporters")),
    )  # fmt: skip

    with op.batch_alter_table("cases", schema=None) as batch_op:
        # What the reporter did was read a notice, not consent (個資法 §15, §16, not §7).
        batch_op.alter_column("consent_version", new_column_name="notice_version")
        batch_op.alter_column("consented_at", new_column_name="notice_read_at")
        batch_op.add_column(
            sa.Column("insider", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("notice_method", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("acceptance_due_at", Moment, nullable=True))
        batch_op.add_column(sa.Column("accepted_at", Moment, nullable=True))
        batch_op.add_column(sa.Column("result_notified_at", Moment, nullable=True))
        batch_op.add_column(sa.Column("personal_data_purged_at", Moment, nullable=True))

    cases = sa.table(
        "cases",
        sa.column("id", BigId),
        sa.column("confidential", sa.Boolean()),
        sa.column("notice_version", sa.Integer()),
        sa.column("notice_method", sa.String()),
        sa.column("reporter_name", sa.String()),
        sa.column("reporter_phone", sa.String()),
        sa.column("reporter_address", sa.String()),
        sa.column("reporter_occupation", sa.String()),
        sa.column("created_at", Moment),
    )
    op.execute(
        cases.update().where(cases.c.notice_version.is_not(None)).values(notice_method="line")
    )
    # Tips' reporters move apart from the tips' content.
    op.execute(
        sa.text(
            "INSERT INTO tip_reporters (case_id, name, phone, address, occupation, created_at) "
            "SELECT id, reporter_name, reporter_phone, reporter_address, reporter_occupation, "
            "created_at FROM cases WHERE confidential"
        )
    )
    op.execute(
        cases.update()
        .where(cases.c.confidential)
        .values(
            reporter_name=None, reporter_phone=None, reporter_address=None, reporter_occupation=None
        )
    )

    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload_purged_at", Moment, nullable=True))
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purged_at", Moment, nullable=True))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_purged_at", Moment, nullable=True))
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("notice_read_at", Moment, nullable=True))
        batch_op.add_column(sa.Column("purged_at", Moment, nullable=True))
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("head_of_ethics", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("head_of_ethics")
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
        batch_op.drop_column("notice_read_at")
        batch_op.drop_column("notice_version")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("body_purged_at")
    with op.batch_alter_table("media_files", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
    with op.batch_alter_table("inbox_events", schema=None) as batch_op:
        batch_op.drop_column("payload_purged_at")

    op.execute(
        sa.text(
            "UPDATE cases SET reporter_name = (SELECT name FROM tip_reporters t "
            "WHERE t.case_id = cases.id), reporter_phone = (SELECT phone FROM tip_reporters t "
            "WHERE t.case_id = cases.id), reporter_address = (SELECT address FROM tip_reporters "
            "t WHERE t.case_id = cases.id), reporter_occupation = (SELECT occupation FROM "
            "tip_reporters t WHERE t.case_id = cases.id) "
            "WHERE id IN (SELECT case_id FROM tip_reporters)"
        )
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("personal_data_purged_at")
        batch_op.drop_column("result_notified_at")
        batch_op.drop_column("accepted_at")
        batch_op.drop_column("acceptance_due_at")
        batch_op.drop_column("notice_method")
        batch_op.drop_column("insider")
        batch_op.alter_column("notice_read_at", new_column_name="consented_at")
        batch_op.alter_column("notice_version", new_column_name="consent_version")

    op.drop_table("tip_reporters")
    with op.batch_alter_table("data_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_data_requests_status_due")
        batch_op.drop_index(batch_op.f("ix_data_requests_resident_id"))
    op.drop_table("data_requests")
