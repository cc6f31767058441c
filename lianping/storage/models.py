"""Typed SQLAlchemy 2 models. Every schema change comes with an Alembic migration."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import text

# Stable constraint names so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT ids on PostgreSQL; SQLite only auto-increments INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC (the only form stored)."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which drops the offset) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store timezone-aware values only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (read by SQLAlchemy, never mutated)
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
        Any: JSON,
    }


class Resident(Base):
    """A LINE user who talks to the account (反映者 on LINE)."""

    __tablename__ = "residents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_user_id: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    following: Mapped[bool] = mapped_column(default=True)
    followed_at: Mapped[datetime | None]
    unfollowed_at: Mapped[datetime | None]
    profile_fetched_at: Mapped[datetime | None]
    # 訂閱設定: the 區/村里 a resident chose, for broadcasts by area, and the opt-out
    # from promotions (answers to their cases still reach them).
    district: Mapped[str | None] = mapped_column(String(20))
    village: Mapped[str | None] = mapped_column(String(20))
    promotions_opt_out: Mapped[bool] = mapped_column(default=False)
    promotions_opt_out_at: Mapped[datetime | None]
    # 個資法 §8: the notice version the resident last acknowledged having read (「已閱讀」).
    notice_version: Mapped[int | None]
    notice_read_at: Mapped[datetime | None]
    # Set when the retention purge removed this resident's profile, tags and LINE id
    # (``line_user_id`` then holds a placeholder, so the row keeps its statistics).
    purged_at: Mapped[datetime | None]
    # Wrong staff link codes sent from this LINE account, and the lockout they earned.
    line_link_failures: Mapped[int] = mapped_column(default=0)
    line_link_locked_until: Mapped[datetime | None]
    # The conversation engine's state: plain JSON, owned by bot.engine.
    conversation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboxEvent(Base):
    """A webhook event exactly as LINE sent it, stored before the webhook answers 200."""

    __tablename__ = "inbox_events"
    __table_args__ = (
        # A drain reads its shards' pending events in (timestamp, id) order.
        Index("ix_inbox_events_shard_pending", "shard", "processed_at", "event_timestamp", "id"),
        Index("ix_inbox_events_sweep", "processed_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    webhook_event_id: Mapped[str] = mapped_column(String(64), unique=True)
    # Who the event belongs to (user, group or room id): events of one source
    # are processed one at a time, in timestamp order.
    source_key: Mapped[str] = mapped_column(String(80))
    # storage.inbox.shard_of(source_key): one drainer at a time works a shard, so all
    # events of a chat, always in the same shard, keep their order.
    shard: Mapped[int] = mapped_column(SmallInteger)
    event_type: Mapped[str] = mapped_column(String(40))
    event_timestamp: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set when the retention purge cut ``payload`` down to its ids and types.
    payload_purged_at: Mapped[datetime | None]


class RejectedWebhookEvent(Base):
    """An event of a signed webhook body that could not be stored as an inbox event: the
    good events beside it were kept and LINE got 200, so this row is what staff see of it."""

    __tablename__ = "rejected_webhook_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    reason: Mapped[str] = mapped_column(String(200))
    # The event as JSON text, cut to a bounded size; None once the retention purge ran.
    raw: Mapped[str | None] = mapped_column(Text)
    raw_purged_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """Up to five LINE messages to one user, delivered by reply token or push."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_sweep", "status", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    to: Mapped[str] = mapped_column(String(64))
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    source_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("inbox_events.id", ondelete="SET NULL")
    )
    reply_token: Mapped[str | None] = mapped_column(String(100))
    # When LINE issued the reply token (the event's timestamp): tokens expire.
    reply_token_issued_at: Mapped[datetime | None]
    reply_attempted_at: Mapped[datetime | None]
    # Fixed per row so every push attempt of this row is the same request to LINE.
    retry_key: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid.uuid4()))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    sent_via: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Set when the retention purge emptied ``messages`` after delivery.
    body_purged_at: Mapped[datetime | None]


OUTBOX_PENDING = "pending"
OUTBOX_SENT = "sent"
OUTBOX_FAILED = "failed"
# ``sent_via`` of a row whose reply may have landed but could no longer be confirmed:
# counted as sent (a push could answer twice), never shown as delivered.
SENT_UNCONFIRMED = "unconfirmed"


class Setting(Base):
    """An administrator-editable value (texts the bot shows, reporting channels, due days)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(100))


class PrivacyNotice(Base):
    """A version of the 個資法 §8 notice; each case records the version its reporter read."""

    __tablename__ = "privacy_notices"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(100))


class CaseCounter(Base):
    """The last case number issued on one ROC date (numbers restart every day)."""

    __tablename__ = "case_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int]


class Case(Base):
    """One report (附件1 工作紀錄表): who reported what, and what became of it."""

    __tablename__ = "cases"
    __table_args__ = (
        # The public 案件成果: the cases whose reporters agreed, with what the public queries
        # filter on (PostgreSQL reads them from the index alone, never the wide rows).
        Index(
            "ix_cases_publishable",
            "id",
            postgresql_where=text("publish_consent"),
            postgresql_include=[
                "status",
                "nature",
                "confidential",
                "sub_item",
                "theme",
                "created_at",
            ],
            sqlite_where=text("publish_consent"),
        ),
        Index("ix_cases_status_created", "status", "created_at"),
        Index("ix_cases_resident_created", "resident_id", "created_at"),
        Index("ix_cases_created", "created_at", "id"),
        Index("ix_cases_officer_status", "officer_id", "status"),
        Index("ix_cases_due", "due_at"),
        # The inbox's per-status tab counts, unfiltered and by nature/theme (index-only
        # scans); ``confidential`` is there because staff without ethics never count tips.
        Index("ix_cases_status_nature_confidential", "status", "nature", "confidential"),
        Index(
            "ix_cases_nature_theme_status_confidential", "nature", "theme", "status", "confidential"
        ),
        # The biweekly report's summaries: one nature's cases of a period, oldest first.
        Index("ix_cases_nature_created", "nature", "created_at", "id"),
        # Case-number prefix search; PostgreSQL also gets a trigram index on the
        # description (migration 0005), which the models cannot express portably.
        Index(
            "ix_cases_number_pattern",
            "number",
            postgresql_ops={"number": "varchar_pattern_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    nature: Mapped[str] = mapped_column(String(16))
    sub_item: Mapped[str | None] = mapped_column(String(16))
    theme: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="received")
    description: Mapped[str] = mapped_column(Text)
    # Where the matter is: a LINE location (title, address, latitude, longitude), or a place
    # the resident typed (its words as ``address``, no coordinates).
    location: Mapped[dict[str, Any] | None]
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    anonymous: Mapped[bool] = mapped_column(default=False)
    # 附件1's reporter fields; personal data, masked unless the viewer's role allows.
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone: Mapped[str | None] = mapped_column(String(32))
    reporter_address: Mapped[str | None] = mapped_column(String(300))
    reporter_occupation: Mapped[str | None] = mapped_column(String(100))
    # Corruption tips: the reporter's identity is need-to-know (ethics staff only).
    confidential: Mapped[bool] = mapped_column(default=False)
    # A tip from inside the agency (機關內部人員): 公益揭弊者保護法 applies.
    insider: Mapped[bool] = mapped_column(default=False)
    # 個資法 §8: the notice version the reporter was shown and acknowledged (LINE), and
    # how it was given (codes.NOTICE_METHODS: on LINE, printed, read out).
    notice_version: Mapped[int | None]
    notice_read_at: Mapped[datetime | None]
    notice_method: Mapped[str | None] = mapped_column(String(16))
    # Tips: the acceptance notice is due by ``acceptance_due_at``; both notices are
    # recorded when they went out (a tip gets no 30-day reply promise).
    acceptance_due_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    result_notified_at: Mapped[datetime | None]
    # Set when the retention purge removed the reporter's personal data (the record stays).
    personal_data_purged_at: Mapped[datetime | None]
    due_at: Mapped[datetime]
    # 補陳 (行政程序法 §171 II practice): the officer asked for missing details at this time;
    # the answer clock is paused until the resident answers (or the officer records it).
    details_requested_at: Mapped[datetime | None]
    # An extension the officer proposed, waiting for a supervisor's approval (要點: 簽請核准).
    extension_due_on: Mapped[date | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extension_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    extension_at: Mapped[datetime | None]
    # 首長核可 of a 簽會 or 函轉 (seed 004 玖.一、二): who approved (name and title), on what day.
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_on: Mapped[date | None]
    # A tip's 移送: the authority that received it (法務部廉政署, a 地方檢察署…); the letter's
    # number and date are ``letter_number`` and ``letter_date``.
    referred_to: Mapped[str | None] = mapped_column(String(200))
    # The field activity (座談, 拜會…) at which the report was taken.
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("field_activities.id", ondelete="SET NULL"), index=True
    )
    # Set when the resident adds information; the officer clears it on reading.
    resident_update_at: Mapped[datetime | None]
    # Staff side of 附件1 and the routing of seed 004 玖.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    letter_number: Mapped[str | None] = mapped_column(String(64))  # 函轉 文號
    letter_date: Mapped[date | None]
    handling_opinion: Mapped[str | None] = mapped_column(Text)  # 處理意見
    recorder: Mapped[str | None] = mapped_column(String(100))  # 紀錄人
    signing_agency: Mapped[str | None] = mapped_column(String(200))  # 簽辦機關
    # 行政程序法 §169: a spoken report was read back to and confirmed by the petitioner.
    petition_confirmed: Mapped[bool] = mapped_column(default=False)
    rejection_reason: Mapped[str | None] = mapped_column(String(32))  # §173 ground code
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    satisfaction: Mapped[int | None]  # 1–5, asked when the case is closed
    satisfaction_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # The 區 the matter is in (from its location, else the field activity's): a coarse place
    # kept apart so the public statistics can count by it in the database.
    district: Mapped[str | None] = mapped_column(String(20))
    # The reporter agreed, when filing, that the outcome may be published without anything
    # identifying them (「可以將處理結果去識別化後公開嗎？」); never asked for a tip.
    publish_consent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CasePublication(Base):
    """What the public 案件成果 page shows of one case: only words staff wrote.

    The resident's own text, name, contact data, exact place and media never come here;
    the page reads this row, and the case only for its dates, nature, theme and status.
    """

    __tablename__ = "case_publications"
    __table_args__ = (Index("ix_case_publications_published_at", "published", "published_at"),)

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(60))
    summary: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(Text)
    district: Mapped[str | None] = mapped_column(String(20))
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None]
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unpublished_at: Mapped[datetime | None]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MisconductPattern(Base):
    """One entry of the 弊端態樣與防制作為 library (seed 002): an abstracted, typified pattern
    of misconduct and what the agency does against it, curated by staff; public once approved.
    """

    __tablename__ = "misconduct_patterns"
    __table_args__ = (Index("ix_misconduct_patterns_status_discussed", "status", "discussed_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    misconduct_type: Mapped[str] = mapped_column(String(100))  # 弊端類型
    business_area: Mapped[str] = mapped_column(String(100))  # 業務領域
    pattern: Mapped[str] = mapped_column(Text)  # 態樣：抽象化、類型化的案例
    risk: Mapped[str] = mapped_column(Text)  # 風險
    countermeasures: Mapped[str] = mapped_column(Text)  # 防制作為
    discussed_on: Mapped[date | None]  # 討論日期
    discussed_at: Mapped[str | None] = mapped_column(String(100))  # 廉政會報、廉政小組會議…
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | approved
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TipReporter(Base):
    """A tip reporter's identity, kept apart from the tip's content (貪污治罪條例 §18).

    Shown only by an explicit, logged reveal to the ethics staff the tip is assigned
    to and the head of ethics; the tip's ``cases`` row holds no reporter fields.
    """

    __tablename__ = "tip_reporters"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    occupation: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DataRequest(Base):
    """A resident's request under 個資法 §3 (閱覽, 複製本, 更正, 停止, 刪除) and its §13 clock.

    ``kind`` and ``status`` are codes.DATA_REQUEST_KINDS / DATA_REQUEST_STATUSES. A copy
    is delivered by a one-time link: only the token's SHA-256 is kept, with its expiry.
    """

    __tablename__ = "data_requests"
    __table_args__ = (Index("ix_data_requests_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    resident_id: Mapped[int | None] = mapped_column(
        ForeignKey("residents.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # The case a correction is about, and what the resident asked (e.g. the new phone).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    # §13: one extension of up to 15 days, its reason told to the resident.
    extended_at: Mapped[datetime | None]
    extension_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # The outbox row that told the resident the outcome (its status says if it went out).
    outcome_outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    export_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    export_path: Mapped[str | None] = mapped_column(String(300))
    export_expires_at: Mapped[datetime | None]
    export_downloaded_at: Mapped[datetime | None]


class CaseNotice(Base):
    """A notice the law requires the reporter be given (受理, 移送, 延長, 不予處理, 補陳, 結果).

    ``kind`` is a code of codes.NOTICE_KINDS, ``body`` the text as the reporter reads it.
    ``delivery`` says how it went out (codes.NOTICE_DELIVERIES): ``line`` with the outbox row
    whose status says whether it arrived; ``mail`` or ``in_person`` once staff record that
    they mailed or handed the printed letter (``delivered_at``); ``pending`` while the
    printed letter has not gone out. Nothing is ever shown as sent that was not.
    """

    __tablename__ = "case_notices"
    __table_args__ = (Index("ix_case_notices_case_created", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text)
    delivery: Mapped[str] = mapped_column(String(16))
    outbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    delivered_at: Mapped[datetime | None]
    delivered_by: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseEvent(Base):
    """An entry on a case's timeline; ``public`` ones are shown to the resident."""

    __tablename__ = "case_events"
    __table_args__ = (Index("ix_case_events_case_created", "case_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    public: Mapped[bool] = mapped_column(default=False)
    actor: Mapped[str] = mapped_column(String(100))
    body: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaFile(Base):
    """A photo, video, audio or file a resident sent, downloaded from LINE right away."""

    __tablename__ = "media_files"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_message_id: Mapped[str] = mapped_column(String(64), unique=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("residents.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    # pending → stored | unsent (the resident took it back) | too_large | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    path: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stored_at: Mapped[datetime | None]
    # Set when the retention purge deleted the file (status ``purged``).
    purged_at: Mapped[datetime | None]


class Unit(Base):
    """An internal unit of the agency, to which a matter is 簽會 (seed 004 玖.一)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


class Agency(Base):
    """Another agency, to which a matter is 函請參處 (seed 004 玖.二)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True)


class Place(Base):
    """A 平臺地點 (seed 004 伍): a village office, community association, school, 公益社團…"""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # codes.PLACE_KINDS
    district: Mapped[str] = mapped_column(String(20))  # 區
    village: Mapped[str | None] = mapped_column(String(20))  # 村里
    address: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlaceContact(Base):
    """A 平臺聯絡人 of a place (村里長, 村里幹事, 廉政志工…): personal data, masked and purged
    by the same rules as a reporter's (``ended_at`` starts the retention clock)."""

    __tablename__ = "place_contacts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # codes.CONTACT_ROLES
    name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    purged_at: Mapped[datetime | None]


class FieldActivity(Base):
    """A visit or event of the field work (seed 004 柒): 晤談, 拜會, 說明會, 座談, 集會, 文宣.

    ``promotion`` marks 宣揚反貪倡廉資訊 done at it: counted in 附件2 row 3, never on 附件1.
    ``materials`` lists the 宣導 materials handed out: [{"name": str, "quantity": int}].
    """

    __tablename__ = "field_activities"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # codes.ACTIVITY_KINDS
    held_on: Mapped[date] = mapped_column(index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))
    venue: Mapped[str | None] = mapped_column(String(300))  # where, when not a registered place
    district: Mapped[str | None] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str | None] = mapped_column(String(32))  # codes.THEMES
    participants: Mapped[int] = mapped_column(default=0)
    promotion: Mapped[bool] = mapped_column(default=False)
    materials: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ActivityContact(Base):
    """A 聯絡人 who took part in an activity (named participants are optional)."""

    __tablename__ = "activity_contacts"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("field_activities.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("place_contacts.id", ondelete="CASCADE"), primary_key=True
    )


class ActivityPhoto(Base):
    """A photo of a field activity, uploaded by staff."""

    __tablename__ = "activity_photos"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("field_activities.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A staff member; ``role`` is one of codes.ROLES, ``ethics`` opens 檢舉 (tip) cases."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    ethics: Mapped[bool] = mapped_column(default=False)
    # 政風單位主管: sees every tip (other ethics staff only the tips assigned to them).
    head_of_ethics: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    # The staff member's own LINE user id, for a broadcast's test audience; linked by a
    # one-time code sent from that LINE account (only the code's SHA-256 is kept, briefly).
    line_user_id: Mapped[str | None] = mapped_column(String(64))
    line_link_code_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    line_link_expires_at: Mapped[datetime | None]
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSession(Base):
    """A server-side login session; the cookie carries a random id whose hash is the key."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class TwoFactor(Base):
    """A staff member's TOTP second factor. The secret is kept encrypted (under the app's
    secret key) and never shown again after enrolment; recovery codes only as SHA-256."""

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret_encrypted: Mapped[str] = mapped_column(String(255))
    # None until the staff member confirms a first code: until then it is not required.
    enrolled_at: Mapped[datetime | None]
    recovery_code_hashes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The last 30-second time step a code was accepted for: a code works once.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)
    # Wrong codes since the last right one; the limit locks the account as passwords do.
    failed_codes: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyTemplate(Base):
    """A saved answer staff can start a reply from."""

    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)


class AuditEntry(Base):
    """Append-only record of every change and every reveal of personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_target", "target_type", "target_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    ip: Mapped[str | None] = mapped_column(String(64))


class ResidentTag(Base):
    """A label staff give a follower (村里長, 志工, 座談會參加者…), used to target broadcasts."""

    __tablename__ = "resident_tags"

    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PromotionImage(Base):
    """An image uploaded for a broadcast, served publicly so LINE can fetch it."""

    __tablename__ = "promotion_images"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The unguessable name in the public URL (/promo/<token>.<ext>).
    token: Mapped[str] = mapped_column(String(40), unique=True)
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    width: Mapped[int]
    height: Mapped[int]
    storage_path: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Broadcast(Base):
    """A 反貪倡廉 promotion: up to five messages sent to an audience of followers.

    ``messages`` holds the composed messages in our own small form (text, image,
    card, quiz), rendered to LINE messages at send time; ``audience`` holds the
    filter (all, area, tag or test). ``status`` is one of codes.BROADCAST_STATUSES.
    """

    __tablename__ = "broadcasts"
    __table_args__ = (Index("ix_broadcasts_due", "status", "scheduled_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    messages: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    scheduled_at: Mapped[datetime | None]
    # Quota check at send time: LINE's figures and our estimate, kept for the record.
    quota_limit: Mapped[int | None]
    quota_used: Mapped[int | None]
    estimated_recipients: Mapped[int | None]
    over_quota_confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Filled when sending starts (the audience frozen into chunks) and as it goes.
    recipients: Mapped[int | None]
    chunks_total: Mapped[int | None]
    chunks_sent: Mapped[int] = mapped_column(default=0)
    chunks_failed: Mapped[int] = mapped_column(default=0)
    # LINE users the sent chunks went to (less than ``recipients`` when it stopped).
    reached: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]


class BroadcastChunk(Base):
    """One request to LINE: a multicast to ≤ 500 ids, or the single broadcast call.

    The ids and the retry key are fixed when the chunk is made, so a retry after
    a crash repeats exactly the same request and LINE's 409 tells it was sent.
    """

    __tablename__ = "broadcast_chunks"
    __table_args__ = (Index("ix_broadcast_chunks_pending", "broadcast_id", "status", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    seq: Mapped[int]
    # Empty for a call to LINE's broadcast endpoint (every follower).
    user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    retry_key: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid.uuid4()))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The first request to LINE: its retry key is only good for 24 hours after it.
    first_attempt_at: Mapped[datetime | None]
    # A retry is scheduled for then; until a while after it, the sweep leaves the chunk alone.
    retry_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class BroadcastLink(Base):
    """A link in a broadcast, sent as /l/<token> so each tap is counted before redirecting."""

    __tablename__ = "broadcast_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    # The card (by index among the broadcast's messages) the link belongs to.
    message_index: Mapped[int] = mapped_column(SmallInteger, default=0)
    token: Mapped[str] = mapped_column(String(24), unique=True)
    url: Mapped[str] = mapped_column(String(1000))
    label: Mapped[str] = mapped_column(String(100), default="")
    clicks: Mapped[int] = mapped_column(default=0)


class QuizAnswer(Base):
    """A resident's one answer to a broadcast's 有獎徵答 question."""

    __tablename__ = "quiz_answers"

    broadcast_id: Mapped[int] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), primary_key=True
    )
    # Index of the quiz among the broadcast's messages.
    message_index: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    resident_id: Mapped[int] = mapped_column(
        ForeignKey("residents.id", ondelete="CASCADE"), primary_key=True
    )
    choice: Mapped[int] = mapped_column(SmallInteger)
    correct: Mapped[bool]
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportSubmission(Base):
    """A biweekly 工作成果彙報表 as submitted: frozen so later case edits don't change it."""

    __tablename__ = "report_submissions"
    __table_args__ = (Index("ix_report_submissions_period", "period_from", "period_to"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_from: Mapped[date]
    period_to: Mapped[date]
    # The report as the JSON API gives it, at the moment of submission.
    data: Mapped[dict[str, Any]]
    ods: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # 簽陳首長 (seed 004 玖.四): who approved sending it (name and title), on what day.
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_on: Mapped[date | None]


class ReportDraft(Base):
    """The officer's edit of a period's 附件2 內容摘要 and 處理意見 before 送出.

    ``texts`` is {"need"|"reform"|"promotion": {"summary": str, "handling": str}}; a row not
    edited keeps the product's draft.
    """

    __tablename__ = "report_drafts"
    __table_args__ = (UniqueConstraint("period_from", "period_to", name="uq_report_drafts_period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    period_from: Mapped[date]
    period_to: Mapped[date]
    texts: Mapped[dict[str, Any]]
    updated_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
