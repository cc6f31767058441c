"""Per-IP login throttling in Redis, on top of the per-account lockout in accounts.

At most ``MAX_FAILURES`` failed logins per ``WINDOW`` from one address; further
attempts are refused with 429 until the window ends. Each attempt takes a slot by one
atomic INCR before its password is checked, and a successful login gives it back, so a
parallel burst gets exactly ``MAX_FAILURES`` tries, never more. Without Redis the account
lockout still applies (the check is skipped, never fatal).
"""

from __future__ import annotations

import logging

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

MAX_FAILURES = 20
WINDOW_SECONDS = 15 * 60
KEY_PREFIX = "lianping:login-failures:"
# The window starts with the first attempt; INCR and EXPIRE in one step (a script runs
# atomically), so no key is ever left without an expiry.
_TAKE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
# Only a window still open gets its slot back (a DECR on a missing key would create one
# with no expiry).
_GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('DECR', KEYS[1]) end
return 0
"""


def _key(ip: str) -> str:
    return KEY_PREFIX + ip


def take_attempt(redis: Redis, ip: str | None) -> bool:
    """Count this login attempt as a failure until it succeeds; False when the address has
    used its ``MAX_FAILURES`` within the window (refuse it)."""
    if not ip:
        return True
    try:
        count = int(redis.eval(_TAKE, 1, _key(ip), WINDOW_SECONDS))  # type: ignore[arg-type]
    except RedisError:
        log.warning("login throttle unavailable (Redis); account lockout only")
        return True
    return count <= MAX_FAILURES


def give_back(redis: Redis, ip: str | None) -> None:
    """The attempt succeeded: it does not count against the address."""
    if not ip:
        return
    try:
        redis.eval(_GIVE_BACK, 1, _key(ip))
    except RedisError:
        log.warning("login throttle unavailable (Redis); success from %s not given back", ip)
