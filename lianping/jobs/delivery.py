"""Deliver outbox rows to LINE: reply while the token is fresh, else push with a retry key.

Delivery comes in two halves so a drain can send a whole batch and write down
the outcome in one transaction: ``attempt`` makes the HTTP calls of one row
(no database), ``record`` stores the outcomes of many rows at once.

A reply token is single use, and LINE may take a reply whose answer we never
see (a timeout, or the worker killed between the call and ``record``). So before
a reply is tried, ``reply_attempted_at`` is committed with work that is committed
anyway (the drain's batch; the read of a delivery job). A later attempt that
finds the mark and gets "invalid reply token" for a token still alive knows its
earlier call landed: sent. Without the mark, an invalid token means push.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError

from lianping import context, queues
from lianping.context import Context
from lianping.line.client import LineApiError, LineTransportError
from lianping.services import casework
from lianping.storage import outbox
from lianping.storage.models import (
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SENT,
    OutboxMessage,
    utcnow,
)

log = logging.getLogger(__name__)

# LINE's reply tokens live about a minute; past this age we push instead.
REPLY_TOKEN_FRESH = timedelta(seconds=50)
REPLY_TOKEN_LIFETIME = timedelta(seconds=60)

RETRY = "retry"  # outcome of an attempt that should be repeated later (row stays pending)


class DeliveryRetry(Exception):
    """LINE was unreachable or busy; RQ retries the job with backoff."""


@dataclass(frozen=True)
class Snapshot:
    """What an attempt needs of an outbox row, read while its transaction was open."""

    id: int
    to: str
    messages: list[dict[str, Any]]
    reply_token: str | None
    reply_token_issued_at: datetime | None
    reply_attempted_at: datetime | None
    retry_key: str
    attempts: int

    @classmethod
    def of(cls, row: OutboxMessage) -> Snapshot:
        return cls(
            row.id, row.to, row.messages, row.reply_token, row.reply_token_issued_at,
            row.reply_attempted_at, row.retry_key, row.attempts,
        )  # fmt: skip


@dataclass(frozen=True)
class Result:
    """Outcome of one attempt: ``sent``, ``failed`` (final) or ``retry``."""

    outbox_id: int
    status: str
    calls: int  # requests made to LINE (each counts as an attempt of the row)
    via: str | None = None
    error: str | None = None


def deliver(outbox_id: int) -> str:
    """RQ job: deliver one outbox row. Returns its final status."""
    return deliver_now(context.current(), outbox_id)


def enqueue(ctx: Context, outbox_id: int) -> None:
    """Queue delivery of a committed outbox row."""
    queues.enqueue(ctx.redis, queues.DELIVERY, "lianping.jobs.delivery.deliver", outbox_id)


def enqueue_after_commit(ctx: Context, outbox_ids: list[int]) -> None:
    """Queue delivery of committed outbox rows; with Redis away they wait for the sweep."""
    for outbox_id in outbox_ids:
        try:
            enqueue(ctx, outbox_id)
        except RedisError:
            log.warning("outbox %s not queued (Redis down); the sweep will send it", outbox_id)


def deliver_now(ctx: Context, outbox_id: int) -> str:
    """Deliver a row; idempotent (a sent or failed row is left alone).

    Raises ``DeliveryRetry`` when the attempt should be repeated later.
    """
    with ctx.sessions() as session:
        row = session.get(OutboxMessage, outbox_id)
        if row is None:
            return "missing"
        if row.status != OUTBOX_PENDING:
            return row.status
        snapshot = Snapshot.of(row)
        if will_reply(snapshot) and row.reply_attempted_at is None:
            row.reply_attempted_at = utcnow()
            session.commit()
    result = attempt(ctx, snapshot)
    record(ctx, [(snapshot, result)])
    if result.status == RETRY:
        raise DeliveryRetry(result.error)
    return result.status


def deliver_batch(ctx: Context, snapshots: list[Snapshot]) -> list[Result]:
    """Send freshly committed rows, record every outcome at once, queue retries as jobs."""
    if not snapshots:
        return []
    done = [(snapshot, attempt(ctx, snapshot)) for snapshot in snapshots]
    record(ctx, done)
    for snapshot, result in done:
        if result.status == RETRY:
            try:
                enqueue(ctx, snapshot.id)
            except RedisError:
                log.warning("queue unavailable; outbox %s left for the sweep", snapshot.id)
    return [result for _, result in done]


def will_reply(row: Snapshot) -> bool:
    """Whether an attempt now would use the reply token (else it pushes)."""
    issued = row.reply_token_issued_at
    return bool(row.reply_token and issued and utcnow() - issued < REPLY_TOKEN_FRESH)


def attempt(ctx: Context, row: Snapshot) -> Result:
    """The HTTP half: send ``row`` to LINE once (reply, or push); touches no database.

    ``row.reply_attempted_at`` is the mark as it was before this attempt's own.
    """
    calls = 0
    issued = row.reply_token_issued_at
    token_age = utcnow() - issued if issued else None
    if row.reply_token and token_age is not None and token_age < REPLY_TOKEN_FRESH:
        calls += 1
        try:
            ctx.line.reply(row.reply_token, row.messages)
            return Result(row.id, OUTBOX_SENT, calls, via="reply")
        except LineApiError as exc:
            if not exc.is_invalid_reply_token:
                return _api_failure(row, exc, calls)
            if row.reply_attempted_at is not None and token_age < REPLY_TOKEN_LIFETIME:
                # Our earlier call went unanswered, yet it landed: the token is used up by us.
                log.info("reply of outbox %s had landed before; counted as sent", row.id)
                return Result(row.id, OUTBOX_SENT, calls, via="reply")
            log.info("reply token of outbox %s refused; pushing instead", row.id)
        except LineTransportError as exc:
            # LINE may have taken it: the mark tells the next attempt.
            return Result(row.id, RETRY, calls, error=str(exc))
    calls += 1
    try:
        result = ctx.line.push(row.to, row.messages, row.retry_key)
    except LineApiError as exc:
        return _api_failure(row, exc, calls)
    except LineTransportError as exc:
        return Result(row.id, RETRY, calls, error=str(exc))
    if result.duplicate:
        log.info("outbox %s was already accepted by LINE (409)", row.id)
    return Result(row.id, OUTBOX_SENT, calls, via="push")


def _api_failure(row: Snapshot, exc: LineApiError, calls: int) -> Result:
    if exc.is_retryable:
        return Result(row.id, RETRY, calls, error=str(exc))
    # A 4xx will not get better by repeating it: keep LINE's words for the staff.
    return Result(row.id, OUTBOX_FAILED, calls, error=str(exc))


def record(ctx: Context, done: list[tuple[Snapshot, Result]]) -> None:
    """The database half: store the outcomes of many attempts in one transaction."""
    now = utcnow()
    sent = [
        outbox.SentRow(snapshot.id, result.via or "push", snapshot.attempts + result.calls)
        for snapshot, result in done
        if result.status == OUTBOX_SENT
    ]
    with ctx.sessions.begin() as session:
        outbox.mark_sent(session, sent, now)
        for snapshot, result in done:
            if result.status == OUTBOX_SENT:
                continue
            outbox.note_attempt(
                session,
                snapshot.id,
                attempts=snapshot.attempts + result.calls,
                error=result.error or "",
                failed=result.status == OUTBOX_FAILED,
            )
            if result.status == OUTBOX_FAILED:
                # A reply that never arrived is no answer: its case must not stay 已回覆.
                casework.reply_undelivered(session, snapshot.id)
