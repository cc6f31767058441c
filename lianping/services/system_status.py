"""Operational figures for the status page: counts only, no personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lianping import codes, queues
from lianping.services import content
from lianping.storage import rejected_events
from lianping.storage.inbox import MAX_ATTEMPTS
from lianping.storage.models import (
    SENT_UNCONFIRMED,
    Case,
    InboxEvent,
    OutboxMessage,
    Resident,
    User,
)

# Rejected webhook events listed on the page, newest first.
REJECTED_SHOWN = 20


@dataclass(frozen=True)
class Rejection:
    """A rejected webhook event as staff see it: when, and why (never its content)."""

    received_at: datetime
    reason: str


@dataclass(frozen=True)
class SystemStatus:
    events_stored: int
    events_pending: int
    events_failed: int
    events_rejected: int
    latest_rejections: list[Rejection]
    outbox: dict[str, int]
    residents_following: int
    residents_total: int
    queue_lengths: dict[str, int] | None  # None when Redis is unreachable
    # The 個資法 §8 notice in use, and the placeholder words it still holds (e.g. no agency).
    notice_version: int
    notice_placeholders: list[str]
    # No active 政風單位主管: an unassigned tip is then open to nobody (need-to-know).
    head_of_ethics_set: bool
    tips_open: int


def system_status(session: Session, redis: Redis) -> SystemStatus:
    """Counts of the inbox, outbox, residents and queues, the latest rejected webhook
    events; whether the notice is filled in."""
    pending = InboxEvent.processed_at.is_(None)
    count = select(func.count()).select_from(InboxEvent)
    outbox_rows = session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    # Counted as sent (never pushed again) though LINE never confirmed them.
    unconfirmed = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.sent_via == SENT_UNCONFIRMED)
    )
    try:
        lengths: dict[str, int] | None = {
            name: queues.queue(name, redis).count for name in queues.ALL
        }
    except RedisError:
        lengths = None
    notice = content.current_privacy_notice(session)
    return SystemStatus(
        events_stored=session.scalar(count) or 0,
        events_pending=session.scalar(count.where(pending, InboxEvent.attempts < MAX_ATTEMPTS))
        or 0,
        events_failed=session.scalar(count.where(pending, InboxEvent.attempts >= MAX_ATTEMPTS))
        or 0,
        events_rejected=rejected_events.count(session),
        latest_rejections=[
            Rejection(row.received_at, row.reason)
            for row in rejected_events.latest(session, REJECTED_SHOWN)
        ],
        outbox={status: n for status, n in outbox_rows} | {"unconfirmed": unconfirmed or 0},
        residents_following=session.scalar(
            select(func.count()).select_from(Resident).where(Resident.following.is_(True))
        )
        or 0,
        residents_total=session.scalar(select(func.count()).select_from(Resident)) or 0,
        queue_lengths=lengths,
        notice_version=notice.version,
        notice_placeholders=content.notice_placeholders(notice.body),
        head_of_ethics_set=session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.head_of_ethics.is_(True), User.active.is_(True))
        )
        != 0,
        tips_open=session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.confidential.is_(True), Case.status.in_(codes.OPEN_STATUSES))
        )
        or 0,
    )
