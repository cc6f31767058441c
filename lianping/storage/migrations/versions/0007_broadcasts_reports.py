"""broadcasts (chunks, links, quiz answers, images), follower settings and tags, report submissions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("village", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("promotions_opt_out", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("promotions_opt_out_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("line_user_id", sa.String(length=64), nullable=True))

    op.create_table(
        "resident_tags",
        sa.Column("resident_id", BigId, nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_resident_tags_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("resident_id", "tag", name=op.f("pk_resident_tags")),
    )
    op.create_index(op.f("ix_resident_tags_tag"), "resident_tags", ["tag"], unique=False)

    op.create_table(
        "promotion_images",
        sa.Column("id", BigId, nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("storage_path", sa.String(length=300), nullable=False),
        sa.Column("uploaded_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_promotion_images_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotion_images")),
        sa.UniqueConstraint("token", name=op.f("uq_promotion_images_token")),
    )

    op.create_table(
        "broadcasts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("quota_limit", sa.Integer(), nullable=True),
        sa.Column("quota_used", sa.Integer(), nullable=True),
        sa.Column("estimated_recipients", sa.Integer(), nullable=True),
        sa.Column("over_quota_confirmed_by", BigId, nullable=True),
        sa.Column("recipients", sa.Integer(), nullable=True),
        sa.Column("chunks_total", sa.Integer(), nullable=True),
        sa.Column("chunks_sent", sa.Integer(), nullable=False),
        sa.Column("chunks_failed", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_broadcasts_created_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["over_quota_confirmed_by"],
            ["users.id"],
            name=op.f("fk_broadcasts_over_quota_confirmed_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcasts")),
    )
    op.create_index("ix_broadcasts_due", "broadcasts", ["status", "scheduled_at"], unique=False)

    op.create_table(
        "broadcast_chunks",
        sa.Column("id", BigId, nullable=False),
        sa.Column("broadcast_id", BigId, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("user_ids", sa.JSON(), nullable=False),
        sa.Column("retry_key", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retry_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcasts.id"],
            name=op.f("fk_broadcast_chunks_broadcast_id_broadcasts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_chunks")),
    )
    op.create_index(
        "ix_broadcast_chunks_pending",
        "broadcast_chunks",
        ["broadcast_id", "status", "seq"],
        unique=False,
    )

    op.create_table(
        "broadcast_links",
        sa.Column("id", BigId, nullable=False),
        sa.Column("broadcast_id", BigId, nullable=False),
        sa.Column("message_index", sa.SmallInteger(), nullable=False),
        sa.Column("token", sa.String(length=24), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcasts.id"],
            name=op.f("fk_broadcast_links_broadcast_id_broadcasts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_links")),
        sa.UniqueConstraint("token", name=op.f("uq_broadcast_links_token")),
    )
    op.create_index(
        op.f("ix_broadcast_links_broadcast_id"), "broadcast_links", ["broadcast_id"], unique=False
    )

    op.create_table(
        "quiz_answers",
        sa.Column("broadcast_id", BigId, nullable=False),
        sa.Column("message_index", sa.SmallInteger(), nullable=False),
        sa.Column("resident_id", BigId, nullable=False),
        sa.Column("choice", sa.SmallInteger(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcasts.id"],
            name=op.f("fk_quiz_answers_broadcast_id_broadcasts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["residents.id"],
            name=op.f("fk_quiz_answers_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "broadcast_id", "message_index", "resident_id", name=op.f("pk_quiz_answers")
        ),
    )

    op.create_table(
        "report_submissions",
        sa.Column("id", BigId, nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("ods", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("submitted_by", BigId, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_report_submissions_submitted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_submissions")),
    )
    op.create_index(
        "ix_report_submissions_period",
        "report_submissions",
        ["period_from", "period_to"],
        unique=False,
    )
    op.create_index(
        "ix_cases_nature_created", "cases", ["nature", "created_at", "id"], unique=False
    )
    # A former tip stays confidential: the inbox filters on ``confidential``, so the
    # tab-count indexes carry it to stay index-only.
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_nature_theme_status")
        batch_op.drop_index("ix_cases_status_nature")
        batch_op.create_index(
            "ix_cases_status_nature_confidential", ["status", "nature", "confidential"]
        )
        batch_op.create_index(
            "ix_cases_nature_theme_status_confidential",
            ["nature", "theme", "status", "confidential"],
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_nature_theme_status_confidential")
        batch_op.drop_index("ix_cases_status_nature_confidential")
        batch_op.create_index("ix_cases_status_nature", ["status", "nature"])
        batch_op.create_index("ix_cases_nature_theme_status", ["nature", "theme", "status"])
    op.drop_index("ix_cases_nature_created", table_name="cases")
    op.drop_index("ix_report_submissions_period", table_name="report_submissions")
    op.drop_table("report_submissions")
    op.drop_table("quiz_answers")
    op.drop_index(op.f("ix_broadcast_links_broadcast_id"), table_name="broadcast_links")
    op.drop_table("broadcast_links")
    op.drop_index("ix_broadcast_chunks_pending", table_name="broadcast_chunks")
    op.drop_table("broadcast_chunks")
    op.drop_index("ix_broadcasts_due", table_name="broadcasts")
    op.drop_table("broadcasts")
    op.drop_table("promotion_images")
    op.drop_index(op.f("ix_resident_tags_tag"), table_name="resident_tags")
    op.drop_table("resident_tags")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("line_user_id")
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_column("promotions_opt_out_at")
        batch_op.drop_column("village")
        batch_op.drop_column("district")
        batch_op.drop_column("promotions_opt_out")
