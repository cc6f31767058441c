"""Deliver a broadcast: freeze its audience into chunks, send every chunk once, close it once.

- ``start`` claims a ``sending`` broadcast (a conditional UPDATE, so two start jobs
  cannot both freeze it), turns its audience into chunks of ≤ 500 LINE ids, each
  with a retry key fixed there and then, creates the counted links, commits, and
  queues one ``send_chunk`` job per chunk. An audience of every follower with
  nobody opted out is one chunk for LINE's broadcast endpoint.
- ``send_chunk`` sends one chunk with its own retry key: LINE's 409 means an earlier
  attempt (perhaps by a worker killed before it could record it) landed, so it
  counts as sent. 5xx, timeouts and rate-limit 429s are tried again later: the job
  records the attempt and the time of the next one and schedules it (``RETRY_DELAYS``;
  a rate limit is waited out without using up attempts). The monthly-limit 429 stops
  the broadcast; any other 4xx fails the chunk with LINE's words. A retry key is good
  for 24 hours: a chunk first tried longer ago than that is failed, not resent, as
  LINE could no longer tell a repeat. The chunk's status moves only from pending
  (conditional UPDATE), so a chunk is counted once however many jobs race for it.
- Whoever records the last outstanding chunk closes the broadcast, in the same
  transaction: the closing UPDATE is conditional on every chunk being counted and
  on the broadcast still sending, so exactly one recorder closes it.
- ``start`` of a scheduled broadcast reads LINE's quota again: days may have passed
  since it was scheduled. Over the quota without an administrator's confirmation it
  stops before sending anything.
- The sweep (``start_due``, ``resume_stalled``) starts scheduled broadcasts when
  due and requeues the work of broadcasts that stopped moving (a crashed worker),
  leaving alone chunks whose scheduled retry is not overdue.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import Update, and_, bindparam, case, or_, select, update
from sqlalchemy.orm import Session

from lianping import context, queues
from lianping.bot import promotion_messages
from lianping.context import Context
from lianping.line.client import LineApiError, LineTransportError
from lianping.line.limits import LIMITS
from lianping.services import broadcast_audience, broadcasts
from lianping.services.broadcasts import Quota
from lianping.storage.models import (
    Broadcast,
    BroadcastChunk,
    BroadcastLink,
    PromotionImage,
    UtcDateTime,
    utcnow,
)

log = logging.getLogger(__name__)

CHUNK_SIZE = LIMITS["multicast_recipients"]
# Failed attempts (5xx, timeouts) of one chunk before it counts as failed, and the wait
# before each next one, in seconds; a rate-limit 429 waits the first delay, uncounted.
MAX_ATTEMPTS = 8
RETRY_DELAYS = (1, 2, 5, 15, 60, 300, 900)
# A sending broadcast whose figures have not moved for this long lost a job; so did a
# chunk whose scheduled retry is this much overdue.
STALL_GRACE = timedelta(seconds=10)
# LINE keeps a retry key 24 hours; past this a repeat could be sent twice.
RETRY_KEY_LIFETIME = timedelta(hours=23)
PENDING, SENT, FAILED = "pending", "sent", "failed"
MONTHLY_LIMIT_WORDS = "LINE 本月訊息額度已用完，發送已中止"
RETRY_KEY_EXPIRED = (
    "首次發送已逾24小時，LINE 已無法辨識重送；為免重複發送，本批未再送出，請另行確認是否已送達"
)
FAILURE_TTL = 7 * 24 * 3600  # failed jobs are kept a week, as queues.enqueue keeps them


class QuotaUnavailable(Exception):
    """LINE's quota could not be read when a scheduled broadcast became due; RQ retries."""


def enqueue_start(ctx: Context, broadcast_id: int) -> None:
    """Queue the start of a committed ``sending`` broadcast."""
    queues.enqueue(ctx.redis, queues.DEFAULT, "lianping.jobs.broadcasts.start", broadcast_id)


def start_after_commit(ctx: Context, broadcast_id: int, status: str) -> None:
    """Queue the start of a broadcast just committed as ``sending`` (a scheduled one waits
    for the sweep's time); with Redis away the sweep starts it."""
    if status != "sending":
        return
    try:
        enqueue_start(ctx, broadcast_id)
    except RedisError:
        log.warning("broadcast %s start not queued (Redis down); the sweep will", broadcast_id)


def enqueue_chunks(ctx: Context, chunk_ids: list[int]) -> None:
    """Queue one job per committed chunk, all in one Redis round trip (a broadcast has 200)."""
    queue = queues.queue(queues.DEFAULT, ctx.redis)
    jobs = [
        Queue.prepare_data(
            "lianping.jobs.broadcasts.send_chunk",
            [chunk_id],
            retry=queues.RETRY,
            result_ttl=0,
            failure_ttl=FAILURE_TTL,
        )
        for chunk_id in chunk_ids
    ]
    if jobs:
        queue.enqueue_many(jobs)


def _changed(session: Session, statement: Update) -> bool:
    """Run a conditional UPDATE; whether it changed a row (the claim was ours)."""
    # On the connection: a plain UPDATE, without the ORM's bookkeeping for loaded objects.
    result = session.connection().execute(statement)
    return bool(getattr(result, "rowcount", 0))


# ---------------------------------------------------------------- start


def start(broadcast_id: int) -> int:
    """RQ job: freeze the audience into chunks and queue them; returns the chunks queued."""
    return start_now(context.current(), broadcast_id)


def start_now(ctx: Context, broadcast_id: int) -> int:
    """Freeze (once) and queue every pending chunk of a sending broadcast."""
    pending = freeze(ctx, broadcast_id)
    enqueue_chunks(ctx, pending)
    return len(pending)


def _quota_now(ctx: Context, session: Session, broadcast_id: int) -> Quota | None:
    """LINE's quota when a scheduled broadcast is about to be frozen, else None.

    The read transaction ends before LINE is asked.
    """
    due = session.execute(
        select(Broadcast.scheduled_at, Broadcast.chunks_total).where(
            Broadcast.id == broadcast_id, Broadcast.status == "sending"
        )
    ).first()
    session.rollback()
    if due is None or due.scheduled_at is None or due.chunks_total is not None:
        return None  # sent at once (checked seconds ago), already frozen, or not sending
    try:
        return broadcasts.read_quota(ctx.line)
    except (LineApiError, LineTransportError) as exc:
        raise QuotaUnavailable(str(exc)) from exc


def freeze(ctx: Context, broadcast_id: int) -> list[int]:
    """Claim a sending broadcast and make its chunks (once); the ids of its pending chunks."""
    with ctx.sessions() as session:
        quota = _quota_now(ctx, session, broadcast_id)
        claimed = _changed(
            session,
            update(Broadcast)
            .where(
                Broadcast.id == broadcast_id,
                Broadcast.status == "sending",
                Broadcast.chunks_total.is_(None),
            )
            .values(chunks_total=0),
        )
        if claimed:
            broadcast = session.get_one(Broadcast, broadcast_id)
            if quota is None or not _over_quota(session, broadcast, quota):
                _freeze(session, broadcast)
            session.commit()
        pending = list(
            session.scalars(
                select(BroadcastChunk.id)
                .join(Broadcast, Broadcast.id == BroadcastChunk.broadcast_id)
                .where(
                    BroadcastChunk.broadcast_id == broadcast_id,
                    BroadcastChunk.status == PENDING,
                    Broadcast.status == "sending",
                )
                .order_by(BroadcastChunk.seq)
            )
        )
    return pending


def _over_quota(session: Session, broadcast: Broadcast, quota: Quota) -> bool:
    """Stop a scheduled broadcast the quota no longer covers (unless an admin confirmed)."""
    found = broadcasts.estimate(session, broadcast, quota)
    if not found.exceeds or broadcast.over_quota_confirmed_by is not None:
        return False
    broadcast.status, broadcast.finished_at = "stopped", utcnow()
    broadcast.last_error = (
        f"排定時間到時，本月剩餘訊息額度 {found.remaining or 0:,} 則，不足以發送給 "
        f"{found.recipients:,} 人；未發送任何訊息，請重新確認額度後另行發送。"
    )
    log.warning("scheduled broadcast %s stopped: over the quota", broadcast.id)
    return True


def _freeze(session: Session, broadcast: Broadcast) -> None:
    """Chunks with fixed ids and retry keys, and the link rows, for a claimed broadcast."""
    audience = broadcast.audience
    if audience["kind"] == "all" and broadcast_audience.everyone_opted_in(session):
        recipients = broadcast_audience.count(session, audience)
        groups: list[list[str]] = [[]] if recipients else []
    else:
        ids = broadcast_audience.recipient_ids(session, audience)
        recipients = len(ids)
        groups = [ids[i : i + CHUNK_SIZE] for i in range(0, len(ids), CHUNK_SIZE)]
    session.add_all(
        BroadcastChunk(broadcast_id=broadcast.id, seq=seq, user_ids=group)
        for seq, group in enumerate(groups)
    )
    for index, message in enumerate(broadcast.messages):
        url = message.get("link_url")
        if message.get("type") == "card" and url:
            # One counted link per card: two cards to one page are two figures.
            session.add(
                BroadcastLink(
                    broadcast_id=broadcast.id,
                    message_index=index,
                    token=secrets.token_urlsafe(12),
                    url=url,
                    label=message.get("link_label") or "",
                )
            )
    broadcast.recipients = recipients
    broadcast.chunks_total = len(groups)
    if not groups:
        broadcast.status, broadcast.finished_at = "sent", utcnow()


# ---------------------------------------------------------------- chunks


def send_chunk(chunk_id: int) -> str:
    """RQ job: send one chunk; returns what became of it."""
    return send_chunk_now(context.current(), chunk_id)


# Rendered messages per (broadcast id, started_at): a broadcast's content and links are
# fixed before its first chunk exists, so each worker renders it once, not 200 times.
_RENDERED: dict[tuple[int, datetime | None, str], list[dict[str, Any]]] = {}
_RENDERED_KEEP = 16


def _messages(
    session: Session, ctx: Context, broadcast_id: int, started_at: datetime | None
) -> list[dict[str, Any]]:
    key = (broadcast_id, started_at, ctx.settings.public_base_url)
    if key not in _RENDERED:
        if len(_RENDERED) >= _RENDERED_KEEP:
            _RENDERED.clear()
        _RENDERED[key] = rendered(session, ctx, session.get_one(Broadcast, broadcast_id))
    return _RENDERED[key]


def rendered(session: Session, ctx: Context, broadcast: Broadcast) -> list[dict[str, Any]]:
    """The LINE messages of a broadcast as sent: links through the counting redirect."""
    base = ctx.settings.public_base_url
    ids = [m["image_id"] for m in broadcast.messages if m.get("image_id") is not None]
    images: dict[int, PromotionImage] = {}
    if ids:
        query = select(PromotionImage).where(PromotionImage.id.in_(ids))
        images = {image.id: image for image in session.scalars(query)}
    links = {
        link.message_index: f"{base}/l/{link.token}"
        for link in session.scalars(
            select(BroadcastLink).where(BroadcastLink.broadcast_id == broadcast.id)
        )
    }
    return promotion_messages.render(broadcast, images=images, links=links, public_base_url=base)


def send_chunk_now(ctx: Context, chunk_id: int) -> str:
    """Send a pending chunk of a sending broadcast; idempotent. Returns what became of it.

    One session: the chunk is read and its first attempt stamped and committed, LINE is
    called with no transaction open, and the outcome is recorded in a transaction of
    its own.
    """
    with ctx.sessions() as session:
        found = session.execute(
            select(
                BroadcastChunk.status,
                BroadcastChunk.user_ids,
                BroadcastChunk.retry_key,
                BroadcastChunk.first_attempt_at,
                Broadcast.id,
                Broadcast.status,
                Broadcast.started_at,
                Broadcast.recipients,
            )
            .join(Broadcast, Broadcast.id == BroadcastChunk.broadcast_id)
            .where(BroadcastChunk.id == chunk_id)
        ).first()
        if found is None:
            return "missing"
        status, user_ids, retry_key, first_attempt, broadcast_id, state, started, everyone = found
        if status != PENDING:
            return str(status)
        if state != "sending":
            return "idle"
        now = utcnow()
        if first_attempt is not None and now - first_attempt > RETRY_KEY_LIFETIME:
            session.rollback()  # end the read; the outcome is a transaction of its own
            return _record(session, broadcast_id, chunk_id, FAILED, error=RETRY_KEY_EXPIRED)
        messages = _messages(session, ctx, broadcast_id, started)
        if first_attempt is None:
            session.execute(
                update(BroadcastChunk)
                .where(BroadcastChunk.id == chunk_id, BroadcastChunk.first_attempt_at.is_(None))
                .values(first_attempt_at=now)
            )
        session.commit()  # no transaction stays open while LINE is called
        reached = len(user_ids) if user_ids else int(everyone or 0)
        try:
            if user_ids:
                ctx.line.multicast(user_ids, messages, retry_key)
            else:
                ctx.line.broadcast(messages, retry_key)
        except LineApiError as exc:
            if exc.status == 409:
                log.info("chunk %s was accepted by LINE before (409)", chunk_id)
                return _record(session, broadcast_id, chunk_id, SENT, reached=reached)
            if exc.is_monthly_limit:
                return _stop(session, broadcast_id, chunk_id, str(exc))
            if exc.is_retryable:
                counted = exc.status != 429  # a rate limit is waited out, not held against it
                return _retry_later(ctx, session, broadcast_id, chunk_id, str(exc), counted)
            # A 4xx will not get better by repeating it: keep LINE's words for the staff.
            return _record(session, broadcast_id, chunk_id, FAILED, error=str(exc))
        except LineTransportError as exc:
            return _retry_later(ctx, session, broadcast_id, chunk_id, str(exc), True)
        return _record(session, broadcast_id, chunk_id, SENT, reached=reached)


def _mark(session: Session, chunk_id: int, status: str, error: str | None) -> bool:
    """Move a chunk from pending to ``status``; False when another job got there first."""
    values: dict[str, Any] = {"status": status, "attempts": BroadcastChunk.attempts + 1}
    if status == SENT:
        values["sent_at"] = utcnow()
    if error is not None:
        values["last_error"] = error
    return _changed(
        session,
        update(BroadcastChunk)
        .where(BroadcastChunk.id == chunk_id, BroadcastChunk.status == PENDING)
        .values(**values),
    )


def _count(
    session: Session, broadcast_id: int, *, sent: int, failed: int, reached: int, error: str | None
) -> None:
    """Count a chunk and, when it was the last one outstanding, close the broadcast.

    One UPDATE does both. Its SET expressions see the row as it was before this very
    UPDATE, so the "all counted" test adds this chunk itself; a concurrent recorder
    waits for the row lock (PostgreSQL) or the write lock (SQLite) and then works on
    the committed row. So exactly one recorder closes the broadcast, never none.
    """
    counted = Broadcast.chunks_sent + sent + Broadcast.chunks_failed + failed
    last = and_(
        Broadcast.status == "sending",
        Broadcast.chunks_total.is_not(None),
        counted >= Broadcast.chunks_total,
    )
    outcome = case((Broadcast.chunks_sent + sent > 0, "sent"), else_="stopped")
    now = bindparam("finished_at_now", utcnow(), type_=UtcDateTime())
    values: dict[str, Any] = {
        "chunks_sent": Broadcast.chunks_sent + sent,
        "chunks_failed": Broadcast.chunks_failed + failed,
        "reached": Broadcast.reached + reached,
        "status": case((last, outcome), else_=Broadcast.status),
        "finished_at": case((last, now), else_=Broadcast.finished_at),
    }
    if error is not None:
        values["last_error"] = error
    session.connection().execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(**values)
    )


def _record(
    session: Session,
    broadcast_id: int,
    chunk_id: int,
    status: str,
    *,
    reached: int = 0,
    error: str | None = None,
) -> str:
    """Count a chunk as sent or failed and close the broadcast if it was the last one."""
    with session.begin():
        if not _mark(session, chunk_id, status, error):
            return "recorded"
        if status == SENT:
            _count(session, broadcast_id, sent=1, failed=0, reached=reached, error=None)
        else:
            _count(session, broadcast_id, sent=0, failed=1, reached=0, error=error)
    return status


def _stop(session: Session, broadcast_id: int, chunk_id: int, error: str) -> str:
    """LINE's monthly limit: nothing more can go out this month, so stop with a clear state."""
    with session.begin():
        if _mark(session, chunk_id, FAILED, error):
            session.execute(
                update(Broadcast)
                .where(Broadcast.id == broadcast_id)
                .values(chunks_failed=Broadcast.chunks_failed + 1)
            )
        session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status == "sending")
            .values(
                status="stopped",
                finished_at=utcnow(),
                last_error=f"{MONTHLY_LIMIT_WORDS}（{error}）",
            )
        )
    log.warning("broadcast %s stopped: monthly limit reached", broadcast_id)
    return "stopped"


def _retry_later(
    ctx: Context, session: Session, broadcast_id: int, chunk_id: int, error: str, counted: bool
) -> str:
    """Note the attempt and schedule the next one; fail the chunk after MAX_ATTEMPTS.

    The retry is a job queued for later (RQ's scheduler), and the time is kept on the
    chunk so the sweep does not take a waiting chunk for a lost one.
    """
    with session.begin():
        attempts = session.scalar(
            select(BroadcastChunk.attempts).where(
                BroadcastChunk.id == chunk_id, BroadcastChunk.status == PENDING
            )
        )
        if attempts is None:
            return "recorded"
        attempts += 1 if counted else 0
        if attempts >= MAX_ATTEMPTS:
            log.warning("chunk %s failed after %d attempts: %s", chunk_id, attempts, error)
        else:
            delay = RETRY_DELAYS[min(max(attempts - 1, 0), len(RETRY_DELAYS) - 1)]
            session.execute(
                update(BroadcastChunk)
                .where(BroadcastChunk.id == chunk_id)
                .values(
                    attempts=attempts,
                    last_error=error,
                    retry_at=utcnow() + timedelta(seconds=delay),
                )
            )
    if attempts >= MAX_ATTEMPTS:
        return _record(session, broadcast_id, chunk_id, FAILED, error=error)
    queues.queue(queues.DEFAULT, ctx.redis).enqueue_in(
        timedelta(seconds=delay),
        "lianping.jobs.broadcasts.send_chunk",
        chunk_id,
        retry=queues.RETRY,
        result_ttl=0,
        failure_ttl=FAILURE_TTL,
    )
    return "retrying"


# ---------------------------------------------------------------- sweep


def start_due(ctx: Context, now: datetime) -> list[int]:
    """Move scheduled broadcasts whose time has come to ``sending`` and queue their start."""
    started = []
    with ctx.sessions() as session:
        due = list(
            session.scalars(
                select(Broadcast.id).where(
                    Broadcast.status == "scheduled", Broadcast.scheduled_at <= now
                )
            )
        )
        for broadcast_id in due:
            moved = _changed(
                session,
                update(Broadcast)
                .where(Broadcast.id == broadcast_id, Broadcast.status == "scheduled")
                .values(status="sending", started_at=now),
            )
            if moved:
                started.append(broadcast_id)
        session.commit()
    for broadcast_id in started:
        enqueue_start(ctx, broadcast_id)
    return started


def resume_stalled(ctx: Context, now: datetime) -> int:
    """Requeue the start or the pending chunks of sending broadcasts that stopped moving.

    A chunk waiting for its scheduled retry is left alone until that is overdue.
    Repeating work is harmless (a sent chunk is skipped, a chunk in flight is
    answered 409 by LINE), so the only cost of a false alarm is a few idle jobs.
    """
    with ctx.sessions() as session:
        stalled = list(
            session.execute(
                select(Broadcast.id, Broadcast.chunks_total).where(
                    Broadcast.status == "sending", Broadcast.updated_at < now - STALL_GRACE
                )
            ).all()
        )
        overdue = or_(
            BroadcastChunk.retry_at.is_(None), BroadcastChunk.retry_at < now - STALL_GRACE
        )
        chunks = list(
            session.scalars(
                select(BroadcastChunk.id)
                .where(
                    BroadcastChunk.broadcast_id.in_([b for b, total in stalled if total]),
                    BroadcastChunk.status == PENDING,
                    overdue,
                )
                .order_by(BroadcastChunk.broadcast_id, BroadcastChunk.seq)
            )
        )
    for broadcast_id, total in stalled:
        if total is None:
            enqueue_start(ctx, broadcast_id)
    enqueue_chunks(ctx, chunks)
    return len(chunks) + sum(1 for _, total in stalled if total is None)
