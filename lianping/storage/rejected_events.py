"""Queries over rejected webhook events. They never commit: :func:`record` runs in the
webhook's connection transaction, the admin's reads in a session."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from lianping.storage.models import RejectedWebhookEvent

# An event is kept as JSON text up to this many characters: enough to see what was
# wrong, bounded whatever a body holds.
MAX_RAW_CHARS = 4000
MAX_REASON_CHARS = 200
_INSERT = insert(RejectedWebhookEvent)  # built once: the webhook runs it


def raw_text(event: Any) -> str:
    """``event`` as JSON text cut to ``MAX_RAW_CHARS``; lone surrogates stay escaped."""
    try:
        text = json.dumps(event, ensure_ascii=False)
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(event)
    return text[:MAX_RAW_CHARS]


def record(connection: Connection, rejected: Sequence[tuple[str, Any]], now: datetime) -> None:
    """Keep each ``(reason, event)`` pair, in one INSERT inside the connection's transaction."""
    if not rejected:
        return
    connection.execute(
        _INSERT,
        [
            {"received_at": now, "reason": reason[:MAX_REASON_CHARS], "raw": raw_text(event)}
            for reason, event in rejected
        ],
    )


def count(session: Session) -> int:
    """How many rejected events are on record."""
    return session.scalar(select(func.count()).select_from(RejectedWebhookEvent)) or 0


def latest(session: Session, limit: int) -> list[RejectedWebhookEvent]:
    """The ``limit`` most recent rejected events, newest first."""
    return list(
        session.scalars(
            select(RejectedWebhookEvent)
            .order_by(RejectedWebhookEvent.received_at.desc(), RejectedWebhookEvent.id.desc())
            .limit(limit)
        )
    )
