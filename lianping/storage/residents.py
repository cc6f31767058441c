"""Queries over residents (LINE users). They take a session and never commit."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
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


def record_profiles(session: Session, profiles: dict[str, dict[str, Any]]) -> None:
    """Store LINE profiles (by LINE user id) in one statement: display name and fetch time.

    An empty profile (LINE had none to give) only records the time.
    """
    if not profiles:
        return
    table = cast(Table, Resident.__table__)
    statement = (
        update(table)
        .where(table.c.line_user_id == bindparam("b_user"))
        .values(
            display_name=func.coalesce(bindparam("b_name", type_=table.c.display_name.type),
                                       table.c.display_name),
            profile_fetched_at=utcnow(),
        )
    )  # fmt: skip
    session.execute(
        statement,
        [
            {
                "b_user": user_id,
                "b_name": str(profile["displayName"])[:200] if profile.get("displayName") else None,
            }
            for user_id, profile in profiles.items()
        ],
    )
