"""Deliver outbox rows to LINE: reply while the token is fresh, else push with a retry key."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from lianping import context, queues
from lianping.bot.line_client import LineApiError, LineTransportError
from lianping.context import Context
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


class DeliveryRetry(Exception):
    """LINE was unreachable or busy; RQ retries the job with backoff."""


def deliver(outbox_id: int) -> str:
    """RQ job: deliver one outbox row. Returns its final status."""
    return deliver_now(context.current(), outbox_id)


def enqueue(ctx: Context, outbox_id: int) -> None:
    """Queue delivery of a committed outbox row."""
    queues.enqueue(ctx.redis, queues.DELIVERY, "lianping.handlers.delivery.deliver", outbox_id)


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
        now = utcnow()
        token_age = now - row.reply_token_issued_at if row.reply_token_issued_at else None
        if row.reply_token and token_age is not None and token_age < REPLY_TOKEN_FRESH:
            tried_before = row.reply_attempted_at is not None
            # Recorded before the call: if we die after LINE accepted the reply,
            # the next attempt knows an "invalid token" means "already used by us".
            row.reply_attempted_at = now
            row.attempts += 1
            session.commit()
            try:
                ctx.line.reply(row.reply_token, row.messages)
                return _finish(session, row, OUTBOX_SENT, via="reply")
            except LineApiError as exc:
                if exc.is_invalid_reply_token and tried_before and token_age < REPLY_TOKEN_LIFETIME:
                    return _finish(session, row, OUTBOX_SENT, via="reply")
                if not exc.is_invalid_reply_token:
                    return _fail_or_retry(session, row, exc)
                log.info("reply token of outbox %s refused; pushing instead", row.id)
            except LineTransportError as exc:
                _note_error(session, row, str(exc))
                raise DeliveryRetry(str(exc)) from exc
        row.attempts += 1
        try:
            result = ctx.line.push(row.to, row.messages, row.retry_key)
        except LineApiError as exc:
            return _fail_or_retry(session, row, exc)
        except LineTransportError as exc:
            _note_error(session, row, str(exc))
            raise DeliveryRetry(str(exc)) from exc
        if result.duplicate:
            log.info("outbox %s was already accepted by LINE (409)", row.id)
        return _finish(session, row, OUTBOX_SENT, via="push")


def _finish(session: Session, row: OutboxMessage, status: str, via: str | None = None) -> str:
    row.status = status
    row.sent_via = via
    if status == OUTBOX_SENT:
        row.sent_at = utcnow()
    session.commit()
    return status


def _note_error(session: Session, row: OutboxMessage, error: str) -> None:
    row.last_error = error[:4000]
    session.commit()


def _fail_or_retry(session: Session, row: OutboxMessage, exc: LineApiError) -> str:
    if exc.is_retryable:
        _note_error(session, row, str(exc))
        raise DeliveryRetry(str(exc)) from exc
    # A 4xx will not get better by repeating it: keep LINE's words for the staff.
    row.last_error = str(exc)[:4000]
    return _finish(session, row, OUTBOX_FAILED)
