"""Erasing a resident's profile (個資法 §11): one implementation for the retention purge
and a granted deletion request. Takes a session and never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from lianping.storage.models import Resident, ResidentTag

# What replaces an erased LINE user id: unique per row, never a real LINE id (those
# start with "U"), so the row keeps its statistics and nothing can reach the person.
ERASED_PREFIX = "erased:"


def erased_line_id(resident_id: int) -> str:
    """The placeholder LINE user id of an erased resident."""
    return f"{ERASED_PREFIX}{resident_id}"


def erase_residents(session: Session, resident_ids: list[int], now: datetime) -> int:
    """Remove the profile of these residents: LINE id and display name, 區／村里, tags,
    the conversation (and any draft in it), link-code counters; returns how many.

    Quiz answers and cases keep pointing at the row, now anonymous, so broadcast and
    case statistics are unchanged. Idempotent: erased rows are left alone.
    """
    if not resident_ids:
        return 0
    session.execute(delete(ResidentTag).where(ResidentTag.resident_id.in_(resident_ids)))
    erased = 0
    for resident_id in resident_ids:
        result = session.execute(
            update(Resident)
            .where(Resident.id == resident_id, Resident.purged_at.is_(None))
            .values(
                line_user_id=erased_line_id(resident_id),
                display_name=None,
                following=False,
                district=None,
                village=None,
                conversation={},
                line_link_failures=0,
                line_link_locked_until=None,
                purged_at=now,
                updated_at=now,
            )
        )
        erased += result.rowcount or 0  # type: ignore[attr-defined]
    return erased
