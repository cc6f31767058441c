"""Queries over residents (LINE users). They take a session and never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping.storage.db import insert_ignoring_duplicates
from lianping.storage.models import Resident, utcnow


def get_or_create(session: Session, line_user_id: str) -> Resident:
    """The resident with this LINE user id, created on first contact."""
    resident = session.scalar(select(Resident).where(Resident.line_user_id == line_user_id))
    if resident is not None:
        return resident
    now = utcnow()
    insert_ignoring_duplicates(
        session,
        Resident,
        [
            {
                "line_user_id": line_user_id,
                "following": True,
                "conversation": {},
                "created_at": now,
                "updated_at": now,
            }
        ],
        "line_user_id",
    )
    return session.scalars(select(Resident).where(Resident.line_user_id == line_user_id)).one()


def set_following(resident: Resident, following: bool) -> None:
    """Record a follow or an unfollow/block with its time."""
    resident.following = following
    if following:
        resident.followed_at = utcnow()
    else:
        resident.unfollowed_at = utcnow()
