"""Case publication: the reporter's agreement, the case's 區, and the staff-written public
summary of a case (案件成果)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from lianping.storage.areas import place_district

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Moment = sa.DateTime(timezone=True)
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=20), nullable=True))
        batch_op.add_column(
            sa.Column("publish_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    _fill_districts()
    op.create_index(
        "ix_cases_publishable",
        "cases",
        ["id"],
        postgresql_where=sa.text("publish_consent"),
        postgresql_include=["status", "nature", "confidential", "sub_item", "theme", "created_at"],
        sqlite_where=sa.text("publish_consent"),
    )
    op.create_table(
        "case_publications",
        sa.Column("case_id", BigId, nullable=False),
        sa.Column("title", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("district", sa.String(length=20), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("published_at", Moment, nullable=True),
        sa.Column("published_by", BigId, nullable=True),
        sa.Column("unpublished_at", Moment, nullable=True),
        sa.Column("updated_by", BigId, nullable=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_case_publications_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["published_by"], ["users.id"], name=op.f("fk_case_publications_published_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["users.id"], name=op.f("fk_case_publications_updated_by_users")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_publications")),
    )
    op.create_index(
        "ix_case_publications_published_at",
        "case_publications",
        ["published", "published_at"],
    )


def _fill_districts() -> None:
    """The 區 of existing cases: their location's, else their field activity's."""
    bind = op.get_bind()
    cases = sa.table(
        "cases",
        sa.column("id", BigId),
        sa.column("location", sa.JSON()),
        sa.column("activity_id", BigId),
        sa.column("district", sa.String()),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(cases.c.id, cases.c.location)
            .where(cases.c.id > last, cases.c.location.is_not(None))
            .order_by(cases.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for case_id, location in rows:
            district = place_district(location)
            if district:
                bind.execute(
                    sa.update(cases).where(cases.c.id == case_id).values(district=district)
                )
        last = rows[-1][0]
    activities = sa.table(
        "field_activities", sa.column("id", BigId), sa.column("district", sa.String())
    )
    bind.execute(
        sa.update(cases)
        .where(cases.c.district.is_(None), cases.c.activity_id.is_not(None))
        .values(
            district=sa.select(activities.c.district)
            .where(activities.c.id == cases.c.activity_id)
            .scalar_subquery()
        )
    )


def downgrade() -> None:
    op.drop_index("ix_case_publications_published_at", table_name="case_publications")
    op.drop_table("case_publications")
    op.drop_index("ix_cases_publishable", table_name="cases")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("publish_consent")
        batch_op.drop_column("district")
