"""Keep residents' LINE display names current (the inbox drain calls this after a batch)."""

from __future__ import annotations

import logging
from typing import Any

from lianping.context import Context
from lianping.line.client import LineApiError, LineTransportError
from lianping.storage import residents

log = logging.getLogger(__name__)


def refresh(ctx: Context, line_user_ids: list[str]) -> int:
    """Fetch these residents' profiles from LINE and store the names; returns how many.

    Best effort: when LINE is unreachable or busy the resident's ``profile_fetched_at``
    stays empty, so the resident's next event tries again.
    """
    fetched: dict[str, dict[str, Any]] = {}
    for user_id in line_user_ids:
        try:
            fetched[user_id] = ctx.line.get_profile(user_id)
        except LineApiError as exc:
            if exc.is_retryable:
                log.warning("profile of %s not fetched: %s", user_id, exc)
                continue
            fetched[user_id] = {}  # 404: the user blocked us or is not a friend; nothing to learn
        except LineTransportError as exc:
            log.warning("profile of %s not fetched: %s", user_id, exc)
    if fetched:
        with ctx.sessions.begin() as session:
            residents.record_profiles(session, fetched)
    return len(fetched)
