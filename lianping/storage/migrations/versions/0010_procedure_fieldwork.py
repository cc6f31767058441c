"""陳情 procedure and field work: 補陳 pause, extension approval, 首長核可, tip 移送, notices
as records (LINE or paper), 平臺地點 and 聯絡人, field activities, 附件2 drafts and approval

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "places",
        sa.Column("id", BigId, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=False),
        sa.Column("village", sa.String(length=20), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
    )
    op.create_table(
        "place_contacts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("place_id", BigId, nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("ended_at", Moment, nullable=True),
        sa.Column("purged_at", Moment, nullable=True),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"],
            name=op.f("fk_place_contacts_place_id_places"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_place_contacts")),
    )  # fmt: skip
    op.create_index(op.f("ix_place_contacts_place_id"), "place_contacts", ["place_id"])
    op.create_table(
        "field_activities",
        sa.Column("id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place_id", BigId, nullable=True),
        sa.Column("venue", sa.String(length=300), nullable=True),
        sa.Column("district", sa.String(length=20), nullable=True),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("theme", sa.String(length=32), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("promotion", sa.Boolean(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("officer_id", BigId, nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["place_id"], ["places.id"],
            name=op.f("fk_field_activities_place_id_places"), ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["users.id"], name=op.f("fk_field_activities_officer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_activities")),
    )  # fmt: skip
    op.create_index(op.f("ix_field_activities_held_on"), "field_activities", ["held_on"])
    op.create_table(
        "activity_contacts",
        sa.Column("activity_id", BigId, nullable=False),
        sa.Column("contact_id", BigId, nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["field_activities.id"],
            name=op.f("fk_activity_contacts_activity_id_field_activities"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["place_contacts.id"],
            name=op.f("fk_activity_contacts_contact_id_place_contacts"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "contact_id", name=op.f("pk_activity_contacts")),
    )  # fmt: skip
    op.create_table(
        "activity_photos",
        sa.Column("id", BigId, nullable=False),
        sa.Column("activity_id", BigId, nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"], ["field_activities.id"],
            name=op.f("fk_activity_photos_activity_id_field_activities"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_photos")),
    )  # fmt: skip
    op.create_index(op.f("ix_activity_photos_activity_id"), "activity_photos", ["activity_id"])
    op.create_table(
        "case_notices",
        sa.Column("id", BigId, nullable=False),
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("delivery", sa.String(length=16), nullable=False),
        sa.Column("outbox_id", BigId, nullable=True),
        sa.Column("delivered_at", Moment, nullable=True),
        sa.Column("delivered_by", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"],
            name=op.f("fk_case_notices_case_id_cases"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox_messages.id"],
            name=op.f("fk_case_notices_outbox_id_outbox_messages"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_notices")),
    )  # fmt: skip
    op.create_index("ix_case_notices_case_created", "case_notices", ["case_id", "created_at"])
    op.create_table(
        "report_drafts",
        sa.Column("id", BigId, nullable=False),
        sa.Column("period_from", sa.Date(), nullable=False),
        sa.Column("period_to", sa.Date(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("updated_by", BigId, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_report_drafts_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_drafts")),
        sa.UniqueConstraint("period_from", "period_to", name="uq_report_drafts_period"),
    )
    with op.batch_alter_table("report_submissions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approved_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("approved_on", sa.Date(), nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details_requested_at", Moment, nullable=True))
        batch_op.add_column(sa.Column("extension_due_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("extension_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("extension_by", BigId, nullable=True))
        batch_op.add_column(sa.Column("extension_at", Moment, nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("approved_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("referred_to", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("activity_id", BigId, nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_extension_by_users"), "users", ["extension_by"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_cases_activity_id_field_activities"),
            "field_activities",
            ["activity_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_cases_activity_id"), ["activity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_activity_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_cases_activity_id_field_activities"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_cases_extension_by_users"), type_="foreignkey")
        for column in (
            "activity_id",
            "referred_to",
            "approved_on",
            "approved_by",
            "extension_at",
            "extension_by",
            "extension_reason",
            "extension_due_on",
            "details_requested_at",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("report_submissions", schema=None) as batch_op:
        batch_op.drop_column("approved_on")
        batch_op.drop_column("approved_by")
    op.drop_table("report_drafts")
    op.drop_index("ix_case_notices_case_created", table_name="case_notices")
    op.drop_table("case_notices")
    op.drop_index(op.f("ix_activity_photos_activity_id"), table_name="activity_photos")
    op.drop_table("activity_photos")
    op.drop_table("activity_contacts")
    op.drop_index(op.f("ix_field_activities_held_on"), table_name="field_activities")
    op.drop_table("field_activities")
    op.drop_index(op.f("ix_place_contacts_place_id"), table_name="place_contacts")
    op.drop_table("place_contacts")
    op.drop_table("places")
