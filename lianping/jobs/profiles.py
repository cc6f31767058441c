"""Keep residents' LINE display names current (the inbox drain asks after a batch).

A first contact's profile is fetched on a background thread of the worker, after the
batch committed and its answers were handed to the delivery threads: the drain does not
wait for LINE. Best effort: a fetch that fails or is dropped leaves the resident's
``profile_fetched_at`` empty, so their next event asks again.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lianping.context import Context
from lianping.line.client import LineApiError, LineTransportError
from lianping.storage import residents

log = logging.getLogger(__name__)

THREADS = 2
# Fetches waiting at most; beyond it a batch's fetches are dropped (asked again later).
BACKLOG = 64

_pool: ThreadPoolExecutor | None = None
_backlog = threading.BoundedSemaphore(BACKLOG)
_pool_lock = threading.Lock()


def refresh_later(ctx: Context, line_user_ids: list[str]) -> bool:
    """Fetch these residents' profiles on a background thread; False when too many fetches
    are waiting already (the residents' next events ask again)."""
    if not line_user_ids:
        return True
    if not _backlog.acquire(blocking=False):
        log.warning("profile fetches behind; %d left for later", len(line_user_ids))
        return False
    future = _executor().submit(_refresh_logged, ctx, line_user_ids)
    future.add_done_callback(lambda _done: _backlog.release())
    return True


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(THREADS, "profiles")
        return _pool


def _refresh_logged(ctx: Context, line_user_ids: list[str]) -> None:
    try:
        refresh(ctx, line_user_ids)
    except Exception:
        log.exception("profiles not stored; asked again at the residents' next events")


def refresh(ctx: Context, line_user_ids: list[str]) -> int:
    """Fetch these residents' profiles from LINE and store the names; returns how many.

    When LINE is unreachable or busy the resident's ``profile_fetched_at`` stays empty,
    so the resident's next event tries again.
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
