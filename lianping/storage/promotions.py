"""Broadcasts that went out to the public, and what came of them.

One definition serves the biweekly report's 反貪倡廉宣導 row, the dashboard and the
bot's 廉政宣導 list, so the three never disagree: a broadcast went out when it was
sent, or stopped after some of it was sent (LINE's monthly limit), and was not a
rehearsal to the staff test audience. It is dated by the moment sending started.
Queries take a session and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from lianping.storage.models import Broadcast, BroadcastLink, QuizAnswer

# Latest broadcasts looked at for a resident's 廉政宣導 list before matching audiences.
LATEST_WINDOW = 50


def went_out() -> ColumnElement[bool]:
    """The broadcasts that reached residents (see the module's docstring)."""
    return and_(
        or_(
            Broadcast.status == "sent",
            and_(Broadcast.status == "stopped", Broadcast.chunks_sent > 0),
        ),
        Broadcast.audience["kind"].as_string() != "test",
    )


def started_between(session: Session, start: datetime, end: datetime) -> list[Broadcast]:
    """Broadcasts that went out with sending started in ``[start, end)``, oldest first."""
    statement = (
        select(Broadcast)
        .where(went_out(), Broadcast.started_at >= start, Broadcast.started_at < end)
        .order_by(Broadcast.started_at, Broadcast.id)
    )
    return list(session.scalars(statement))


def responses(
    session: Session, broadcast_ids: list[int]
) -> tuple[dict[int, tuple[int, int]], dict[int, int]]:
    """Quiz answers (answered, correct) and link taps per broadcast (two grouped queries)."""
    if not broadcast_ids:
        return {}, {}
    answers = {
        broadcast_id: (int(answered), int(correct or 0))
        for broadcast_id, answered, correct in session.execute(
            select(
                QuizAnswer.broadcast_id,
                func.count(),
                func.sum(cast(QuizAnswer.correct, Integer)),
            )
            .where(QuizAnswer.broadcast_id.in_(broadcast_ids))
            .group_by(QuizAnswer.broadcast_id)
        )
    }
    taps = {
        broadcast_id: int(clicks or 0)
        for broadcast_id, clicks in session.execute(
            select(BroadcastLink.broadcast_id, func.sum(BroadcastLink.clicks))
            .where(BroadcastLink.broadcast_id.in_(broadcast_ids))
            .group_by(BroadcastLink.broadcast_id)
        )
    }
    return answers, taps


def reaches(audience: dict[str, Any], district: str | None, village: str | None,
            tags: set[str]) -> bool:  # fmt: skip
    """Whether a follower of that 區/村里 with those tags belongs to the audience."""
    kind = audience.get("kind")
    if kind == "all":
        return True
    if kind == "area":
        villages = audience.get("villages") or []
        return district == audience.get("district") and (not villages or village in villages)
    if kind == "tag":
        return bool(tags & set(audience.get("tags") or []))
    return False


def latest_for(
    session: Session, district: str | None, village: str | None, tags: set[str], limit: int
) -> list[Broadcast]:
    """The newest broadcasts that went out to an audience this follower belongs to."""
    statement = (
        select(Broadcast)
        .where(went_out())
        .order_by(Broadcast.started_at.desc(), Broadcast.id.desc())
        .limit(LATEST_WINDOW)
    )
    found = [b for b in session.scalars(statement) if reaches(b.audience, district, village, tags)]
    return found[:limit]
