"""反貪倡廉 broadcasts: compose a draft, check the quota, send or schedule, cancel, follow up.

Services take a session and never commit. ``send`` returns the broadcast; when its
status is ``sending`` the caller, after committing, enqueues the start job
(``lianping.jobs.broadcasts.enqueue_start``), exactly as casework callers
deliver the outbox rows a service queued. Delivery itself (chunks, retries,
progress) is ``lianping.jobs.broadcasts``.

LINE's quota is read by the caller (``read_quota``) before its transaction begins:
no database lock is held while LINE answers. A service that changes a broadcast
locks its row first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions
take the write lock as they begin), so a send, a cancel, an edit and the sweep's
start of a scheduled broadcast never act on a status another one just changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.line.client import LineApiError, LineClient, LineTransportError
from lianping.services import audit, broadcast_audience, broadcast_rules
from lianping.services.access import Actor, PermissionDenied, require_write
from lianping.services.broadcast_rules import BroadcastInvalid
from lianping.storage.models import Broadcast, BroadcastLink, QuizAnswer, utcnow

__all__ = [
    "BroadcastConflict",
    "BroadcastInvalid",
    "Estimate",
    "Quota",
    "QuotaExceeded",
    "audience_count",
    "audience_words",
    "cancel",
    "duplicate",
    "estimate",
    "get",
    "progress",
    "read_quota",
    "results",
    "save_draft",
    "send",
]

log = logging.getLogger(__name__)

EDITABLE = frozenset({"draft"})
SENDABLE = frozenset({"draft", "scheduled"})
CANCELLABLE = frozenset({"draft", "scheduled"})
FINISHED = frozenset({"sent", "stopped", "cancelled"})


class BroadcastConflict(BroadcastInvalid):
    """The broadcast's status does not allow this (e.g. editing one already sent)."""


@dataclass(frozen=True)
class Quota:
    """LINE's monthly message quota as read just now."""

    limit: int | None  # None: the plan has no limit
    used: int
    # Friends not blocking the account (LINE's count for yesterday), or None when LINE
    # had none: the broadcast endpoint reaches all of them, also those who never wrote.
    friends: int | None = None


def read_quota(line: LineClient) -> Quota:
    """The quota, this month's consumption and the friend count, from LINE.

    Raises LINE's errors for the quota; a friend count LINE cannot give is None.
    """
    limit, used = line.get_quota(), line.get_quota_consumption()
    try:
        friends = line.get_reachable_friends(rocdate.taipei_today() - timedelta(days=1))
    except (LineApiError, LineTransportError) as exc:
        log.info("LINE's friend count not read: %s", exc)
        friends = None
    return Quota(limit=limit, used=used, friends=friends)


@dataclass(frozen=True)
class Estimate:
    """What a send would cost against LINE's monthly quota (one message per recipient)."""

    recipients: int
    cost: int
    quota_limit: int | None  # None: the plan has no limit
    quota_used: int
    remaining: int | None
    exceeds: bool


class QuotaExceeded(Exception):
    """Sending would go over the month's quota; only an admin may confirm it anyway."""

    def __init__(self, estimate: Estimate) -> None:
        super().__init__(
            f"預估發送 {estimate.cost:,} 則，超過本月剩餘額度 {estimate.remaining or 0:,} 則"
        )
        self.estimate = estimate


def get(session: Session, broadcast_id: int, *, for_update: bool = False) -> Broadcast:
    """The broadcast, or ``LookupError``; ``for_update`` locks its row until the commit."""
    broadcast = session.get(Broadcast, broadcast_id, with_for_update=for_update or None)
    if broadcast is None:
        raise LookupError(broadcast_id)
    return broadcast


def _status_words(broadcast: Broadcast) -> str:
    return codes.BROADCAST_STATUSES.get(broadcast.status, broadcast.status)


def save_draft(
    session: Session,
    actor: Actor,
    *,
    broadcast_id: int | None,
    title: str,
    messages: list[dict[str, Any]],
    audience: dict[str, Any],
) -> Broadcast:
    """Create or update a draft after checking every rule, LINE's limits included."""
    require_write(actor)
    audience = broadcast_rules.normalized_audience(audience)
    broadcast_rules.check(session, title, messages, audience)
    stored = broadcast_rules.normalized(messages)
    if broadcast_id is None:
        broadcast = Broadcast(status="draft", created_by=actor.user_id)
        session.add(broadcast)
        action, before = "broadcast.create", None
    else:
        broadcast = get(session, broadcast_id, for_update=True)
        if broadcast.status not in EDITABLE:
            words = _status_words(broadcast)
            raise BroadcastConflict([f"此推播目前為「{words}」，只有草稿可以修改"])
        action = "broadcast.update"
        before = {"title": broadcast.title, "audience": broadcast.audience}
    broadcast.title = title
    broadcast.messages = stored
    broadcast.audience = dict(audience)
    session.flush()
    after = {
        "title": title,
        "messages": broadcast_rules.type_words(stored),
        "audience": broadcast.audience,
    }
    audit.record(session, actor, action, "broadcast", broadcast.id, before=before, after=after)
    return broadcast


def audience_words(audience: dict[str, Any]) -> str:
    """The audience as staff read it: 「依區／村里：中正區（文北里、幸市里）」."""
    kind = audience.get("kind", "")
    label = codes.AUDIENCES.get(kind, kind)
    if kind == "area":
        villages = "、".join(audience.get("villages") or [])
        return f"{label}：{audience.get('district', '')}" + (f"（{villages}）" if villages else "")
    if kind == "tag":
        return f"{label}：" + "、".join(audience.get("tags") or [])
    return label


def audience_count(session: Session, audience: dict[str, Any]) -> int:
    """How many LINE users an audience reaches now (shown before sending)."""
    audience = broadcast_rules.normalized_audience(audience)
    problems = broadcast_rules.audience_problems(audience)
    if problems:
        raise BroadcastInvalid(problems)
    return broadcast_audience.count(session, audience)


def estimate(session: Session, broadcast: Broadcast, quota: Quota) -> Estimate:
    """The recipients now against LINE's quota figures (``read_quota``, just read)."""
    recipients = broadcast_audience.count(session, broadcast.audience)
    limit, used = quota.limit, quota.used
    remaining = None if limit is None else max(limit - used, 0)
    # LINE counts one message per recipient per request, however many bubbles it holds.
    cost = recipients
    if (
        broadcast.audience.get("kind") == "all"
        and quota.friends is not None
        and broadcast_audience.everyone_opted_in(session)
    ):
        # Sent by LINE's broadcast endpoint: every friend counts, known to us or not.
        cost = max(recipients, quota.friends)
    return Estimate(
        recipients=recipients,
        cost=cost,
        quota_limit=limit,
        quota_used=used,
        remaining=remaining,
        exceeds=remaining is not None and cost > remaining,
    )


def send(
    session: Session,
    actor: Actor,
    broadcast_id: int,
    *,
    quota: Quota,
    public_base_url: str,
    at: datetime | None = None,
    confirm_over_quota: bool = False,
) -> Broadcast:
    """Start sending now (``at`` None: status ``sending``) or schedule it for a future ``at``.

    ``quota`` is LINE's, read by the caller just before. Refuses with ``QuotaExceeded``
    when the estimate is over the quota, unless an admin confirms; ``PermissionDenied``
    for viewers and for a non-admin confirming.
    """
    require_write(actor)
    broadcast = get(session, broadcast_id, for_update=True)
    if broadcast.status not in SENDABLE:
        raise BroadcastConflict([f"此推播目前為「{_status_words(broadcast)}」，無法再發送"])
    now = utcnow()
    if at is not None and (at.tzinfo is None or at <= now):
        raise BroadcastInvalid(["排程時間須為未來的時間"])
    broadcast_rules.check(session, broadcast.title, broadcast.messages, broadcast.audience)
    problems = broadcast_rules.reachable_images(broadcast.messages, public_base_url)
    if problems:
        raise BroadcastInvalid(problems)
    found = estimate(session, broadcast, quota)
    if found.recipients == 0:
        raise BroadcastInvalid(["目前沒有符合條件的收訊對象"])
    if found.exceeds:
        if not confirm_over_quota:
            raise QuotaExceeded(found)
        if not actor.is_admin:
            raise PermissionDenied("僅系統管理者可確認超出本月額度仍要發送")
        broadcast.over_quota_confirmed_by = actor.user_id
    broadcast.quota_limit = found.quota_limit
    broadcast.quota_used = found.quota_used
    broadcast.estimated_recipients = found.recipients
    before = {"status": broadcast.status, "scheduled_at": broadcast.scheduled_at}
    if at is not None:
        broadcast.status, broadcast.scheduled_at = "scheduled", at
        action = "broadcast.schedule"
    else:
        broadcast.status, broadcast.started_at = "sending", now
        action = "broadcast.send"
    after = {
        "status": broadcast.status,
        "scheduled_at": broadcast.scheduled_at,
        "estimated_recipients": found.recipients,
        "quota_remaining": found.remaining,
        "over_quota_confirmed": found.exceeds,
    }
    audit.record(session, actor, action, "broadcast", broadcast.id, before=before, after=after)
    return broadcast


def cancel(session: Session, actor: Actor, broadcast_id: int) -> Broadcast:
    """Cancel a draft or a scheduled broadcast (one already sending cannot be called back)."""
    require_write(actor)
    broadcast = get(session, broadcast_id, for_update=True)
    if broadcast.status not in CANCELLABLE:
        raise BroadcastConflict([f"此推播目前為「{_status_words(broadcast)}」，無法取消"])
    before = {"status": broadcast.status, "scheduled_at": broadcast.scheduled_at}
    broadcast.status, broadcast.cancelled_at = "cancelled", utcnow()
    audit.record(
        session, actor, "broadcast.cancel", "broadcast", broadcast.id,
        before=before, after={"status": "cancelled"},
    )  # fmt: skip
    return broadcast


def duplicate(session: Session, actor: Actor, broadcast_id: int) -> Broadcast:
    """A new draft with the same title, messages and audience (e.g. after a test send)."""
    require_write(actor)
    source = get(session, broadcast_id)
    copy = Broadcast(
        status="draft",
        created_by=actor.user_id,
        title=source.title,
        messages=[dict(message) for message in source.messages],
        audience=dict(source.audience),
    )
    session.add(copy)
    session.flush()
    audit.record(
        session, actor, "broadcast.duplicate", "broadcast", copy.id,
        after={"from": source.id, "title": copy.title},
    )  # fmt: skip
    return copy


def _moment(value: datetime | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    return value.isoformat().replace("+00:00", "Z"), rocdate.roc_datetime(value)


def progress(session: Session, broadcast_id: int) -> dict[str, Any]:
    """Where sending stands, JSON-ready (the admin's progress bar polls this)."""
    broadcast = get(session, broadcast_id)
    total = broadcast.chunks_total or 0
    done = broadcast.chunks_sent + broadcast.chunks_failed
    if broadcast.status == "sent":
        percent = 100
    elif total:
        percent = min(100, done * 100 // total)
    else:
        percent = 0
    started, started_roc = _moment(broadcast.started_at)
    finished, finished_roc = _moment(broadcast.finished_at)
    scheduled, scheduled_roc = _moment(broadcast.scheduled_at)
    return {
        "id": broadcast.id,
        "status": broadcast.status,
        "status_label": _status_words(broadcast),
        "recipients": broadcast.recipients,
        "reached": broadcast.reached,
        "estimated_recipients": broadcast.estimated_recipients,
        "chunks_total": broadcast.chunks_total,
        "chunks_sent": broadcast.chunks_sent,
        "chunks_failed": broadcast.chunks_failed,
        "percent": percent,
        "finished": broadcast.status in FINISHED,
        "last_error": broadcast.last_error,
        "scheduled_at": scheduled,
        "scheduled_at_roc": scheduled_roc,
        "started_at": started,
        "started_at_roc": started_roc,
        "finished_at": finished,
        "finished_at_roc": finished_roc,
    }


def results(session: Session, broadcast_id: int) -> dict[str, Any]:
    """Effect of a broadcast: answers per quiz (counts per choice) and taps per link."""
    broadcast = get(session, broadcast_id)
    counts: dict[tuple[int, int], int] = {
        (index, choice): number
        for index, choice, number in session.execute(
            select(QuizAnswer.message_index, QuizAnswer.choice, func.count())
            .where(QuizAnswer.broadcast_id == broadcast.id)
            .group_by(QuizAnswer.message_index, QuizAnswer.choice)
        ).all()
    }
    quizzes = []
    for index, message in enumerate(broadcast.messages):
        if message.get("type") != "quiz":
            continue
        per_choice = [counts.get((index, n), 0) for n in range(len(message["choices"]))]
        quizzes.append(
            {
                "message_index": index,
                "question": message["question"],
                "answers": sum(per_choice),
                "correct": per_choice[message["answer"]],
                "choices": [
                    {"label": label, "count": per_choice[n], "correct": n == message["answer"]}
                    for n, label in enumerate(message["choices"])
                ],
            }
        )
    links = session.scalars(
        select(BroadcastLink)
        .where(BroadcastLink.broadcast_id == broadcast.id)
        .order_by(BroadcastLink.id)
    )
    return {
        "quizzes": quizzes,
        "links": [
            {"label": link.label, "url": link.url, "token": link.token, "clicks": link.clicks}
            for link in links
        ],
    }
