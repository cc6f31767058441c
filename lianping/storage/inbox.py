"""Queries over the durable inbox of webhook events. They take a session and never commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lianping.storage.db import insert_ignoring_duplicates
from lianping.storage.models import InboxEvent, utcnow

# An event that failed this often stays stored (with its error) but stops
# holding up the resident's later events; the sweep leaves it alone.
MAX_ATTEMPTS = 5


def store(session: Session, rows: list[dict[str, Any]]) -> int:
    """Store events keyed by ``webhook_event_id``; repeats are ignored by the database."""
    now = utcnow()
    return insert_ignoring_duplicates(
        session,
        InboxEvent,
        [{"received_at": now, "attempts": 0, **row} for row in rows],
        "webhook_event_id",
    )


def pending_ids(session: Session, source_key: str, limit: int = 50) -> list[int]:
    """Unprocessed events of one chat, oldest LINE timestamp first."""
    statement = (
        select(InboxEvent.id)
        .where(
            InboxEvent.source_key == source_key,
            InboxEvent.processed_at.is_(None),
            InboxEvent.attempts < MAX_ATTEMPTS,
        )
        .order_by(InboxEvent.event_timestamp, InboxEvent.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def claim(session: Session, event_id: int) -> InboxEvent | None:
    """Mark an event processed inside the caller's transaction; None if already taken.

    The conditional UPDATE is what makes processing exactly-once: a second
    worker's UPDATE matches no row (PostgreSQL waits for the first to commit).
    """
    result = session.execute(
        update(InboxEvent)
        .where(InboxEvent.id == event_id, InboxEvent.processed_at.is_(None))
        .values(processed_at=utcnow())
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    return session.get(InboxEvent, event_id)


def record_failure(session: Session, event_id: int, error: str) -> int:
    """Count a failed attempt and keep its error; returns the attempts so far."""
    event = session.get(InboxEvent, event_id)
    if event is None:
        return 0
    event.attempts += 1
    event.last_error = error[:4000]
    return event.attempts


def straggler_sources(session: Session, received_before: datetime, limit: int = 500) -> list[str]:
    """Chats with events stored but not processed since ``received_before``."""
    statement = (
        select(InboxEvent.source_key)
        .where(
            InboxEvent.processed_at.is_(None),
            InboxEvent.attempts < MAX_ATTEMPTS,
            InboxEvent.received_at < received_before,
        )
        .group_by(InboxEvent.source_key)
        .limit(limit)
    )
    return list(session.scalars(statement))
