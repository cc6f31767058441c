"""Queries over the outbox of messages to deliver. They take a session and never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping.storage.models import OUTBOX_PENDING, OutboxMessage


def add(
    session: Session,
    to: str,
    messages: list[dict[str, Any]],
    *,
    reply_token: str | None = None,
    reply_token_issued_at: datetime | None = None,
    source_event_id: int | None = None,
) -> OutboxMessage:
    """Queue up to five messages for one user; flushed so the caller gets its id."""
    if not 1 <= len(messages) <= 5:
        raise ValueError(f"LINE takes 1 to 5 messages per request, got {len(messages)}")
    row = OutboxMessage(
        to=to,
        messages=messages,
        reply_token=reply_token,
        reply_token_issued_at=reply_token_issued_at,
        source_event_id=source_event_id,
    )
    session.add(row)
    session.flush()
    return row


def stragglers(session: Session, created_before: datetime, limit: int = 500) -> list[int]:
    """Rows still pending since ``created_before`` (their delivery job was lost or is retrying)."""
    statement = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OUTBOX_PENDING, OutboxMessage.created_at < created_before)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(statement))
