"""The broadcast list: newest first by when each broadcast was, or will be, sent.

Sending, sent and stopped broadcasts sort by when sending started, scheduled
ones by their time, cancelled ones by when they were cancelled and drafts by
their last change. The admin list and the API list page with it (keyset).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from lianping.storage import keyset
from lianping.storage.models import Broadcast, UtcDateTime

SENT = ("sending", "sent", "stopped")


def listed_at() -> ColumnElement[datetime]:
    """The moment a broadcast is listed by (every status falls back to its last change)."""
    return type_coerce(
        case(
            (Broadcast.status == "scheduled", _or_changed(Broadcast.scheduled_at)),
            (Broadcast.status.in_(SENT), _or_changed(Broadcast.started_at)),
            (Broadcast.status == "cancelled", _or_changed(Broadcast.cancelled_at)),
            else_=Broadcast.updated_at,
        ),
        UtcDateTime(),
    )


def _or_changed(moment: Any) -> ColumnElement[datetime]:
    return func.coalesce(moment, Broadcast.updated_at)


@dataclass(frozen=True)
class Listed:
    """A broadcast and the moment the list sorts it by."""

    broadcast: Broadcast
    at: datetime


@dataclass(frozen=True)
class Page:
    items: list[Listed]
    next_cursor: str | None


def page(
    session: Session, *, limit: int, cursor: str | None = None, status: str | None = None
) -> Page:
    """One page, newest first; ``next_cursor`` leads on to the older ones (``ValueError`` for a
    cursor this module did not give out)."""
    at = listed_at()
    statement = select(Broadcast, at)
    if status is not None:
        statement = statement.where(Broadcast.status == status)
    if cursor:
        moment, broadcast_id = keyset.decode(cursor)
        statement = statement.where(
            or_(at < moment, and_(at == moment, Broadcast.id < broadcast_id))
        )
    statement = statement.order_by(at.desc(), Broadcast.id.desc()).limit(limit + 1)
    rows = [Listed(row, sort_at) for row, sort_at in session.execute(statement)]
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    return Page(rows, keyset.encode(last.at, last.broadcast.id) if last else None)
