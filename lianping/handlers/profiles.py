"""Keep residents' LINE display names current."""

from __future__ import annotations

from sqlalchemy import select

from lianping import context
from lianping.bot.line_client import LineApiError
from lianping.storage.models import Resident, utcnow


def refresh(line_user_id: str) -> str | None:
    """RQ job: fetch the resident's profile from LINE and store the display name."""
    ctx = context.current()
    try:
        profile = ctx.line.get_profile(line_user_id)
    except LineApiError as exc:
        if exc.is_retryable:
            raise
        profile = {}  # 404: the user blocked us or is not a friend; nothing to learn
    with ctx.sessions.begin() as session:
        resident = session.scalar(select(Resident).where(Resident.line_user_id == line_user_id))
        if resident is None:
            return None
        if profile.get("displayName"):
            resident.display_name = str(profile["displayName"])[:200]
        resident.profile_fetched_at = utcnow()
        return resident.display_name
