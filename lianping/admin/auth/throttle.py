"""Per-IP login throttling in Redis, on top of the per-account lockout in accounts.

At most ``MAX_FAILURES`` failed logins per ``WINDOW`` from one address; further
attempts are refused with 429 until the window ends. Without Redis the
account lockout still applies (the check is skipped, never fatal).
"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

MAX_FAILURES = 20
WINDOW_SECONDS = 15 * 60
KEY_PREFIX = "lianping:login-failures:"


def _key(ip: str) -> str:
    return KEY_PREFIX + ip


def blocked(redis: Redis, ip: str | None) -> bool:
    """Has this address failed ``MAX_FAILURES`` times within the window?"""
    if not ip:
        return False
    try:
        count = redis.get(_key(ip))
    except RedisError:
        log.warning("login throttle unavailable (Redis); account lockout only")
        return False
    return count is not None and int(count) >= MAX_FAILURES


def record_failure(redis: Redis, ip: str | None) -> None:
    """Count one failed login; the window starts with the first failure."""
    if not ip:
        return
    try:
        pipe = redis.pipeline(transaction=True)
        pipe.set(_key(ip), 0, ex=WINDOW_SECONDS, nx=True)
        pipe.incr(_key(ip))
        pipe.execute()
    except RedisError:
        log.warning("login throttle unavailable (Redis); failure from %s not counted", ip)
