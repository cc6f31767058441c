"""Which inbox shards have events waiting, and which drainer holds each: a few Redis scripts.

Chats are spread over ``inbox.INBOX_SHARDS`` shards, all events of a chat in one. The
webhook (or the sweep) *wakes* the shards it stored events in: each is pushed once onto
a list the drainers wait on, until a drainer *takes* it. A drainer takes whatever shards
are waiting at once, holding a lock per shard, so a burst becomes a few large batches;
a shard locked by another drainer is marked *dirty* instead, and its holder, as it
*releases* it, drains it again. So one drainer at a time works a chat (its events stay in
order) and no event committed before its wake is left behind.

The locks are :mod:`lianping.jobs.dirty_locks`; each step is one Lua script: one round
trip to Redis, atomic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, cast

from redis import Redis

from lianping.jobs import dirty_locks

WAKE_KEY = "lianping:inbox:wake"
# Chats whose last event failed: chat → time (epoch seconds) until which they wait.
BACKOFF_KEY = "lianping:inbox:backoff"
PREFIX = "lianping:inbox:"
# A shard's wake is pushed once until a drainer takes it; should the push be lost, the
# flag expires after this and the sweep wakes the shard again.
QUEUED_FLAG_TTL = 30  # seconds

_WAKE = """
local woken = 0
for i = 2, #ARGV do
  if redis.call('SET', KEYS[2] .. 'queued:' .. ARGV[i], 1, 'NX', 'EX', ARGV[1]) then
    redis.call('LPUSH', KEYS[1], ARGV[i])
    woken = woken + 1
  end
end
return woken
"""

# KEYS: wake list, prefix, backoff hash. ARGV: token, lock ms, dirty s, how many more to
# pop, then shards already popped.
_TAKE = (
    dirty_locks.HOLD_LUA
    + """
local shards, seen = {}, {}
local function add(shard)
  if shard and not seen[shard] then seen[shard] = true; shards[#shards + 1] = shard end
end
for i = 5, #ARGV do add(ARGV[i]) end
for _ = 1, tonumber(ARGV[4]) do
  local shard = redis.call('RPOP', KEYS[1])
  if not shard then break end
  add(shard)
end
local taken = {}
for _, shard in ipairs(shards) do
  redis.call('DEL', KEYS[2] .. 'queued:' .. shard)
  if hold(KEYS[2], shard, ARGV[1], ARGV[2], ARGV[3]) then taken[#taken + 1] = shard end
end
return {taken, redis.call('HGETALL', KEYS[3])}
"""
)


def wake(redis: Redis, shards: list[int]) -> int:
    """Have a drainer take these shards (unless they wait for one already); returns how
    many were pushed. One round trip. Raises ``RedisError`` when Redis is unreachable."""
    if not shards:
        return 0
    return int(dirty_locks.run_script(redis, _WAKE, [WAKE_KEY, PREFIX], [QUEUED_FLAG_TTL, *shards]))


def wait(redis: Redis, timeout: float) -> int | None:
    """Block until a shard is woken (returns it) or ``timeout`` seconds pass (None)."""
    popped = redis.brpop([WAKE_KEY], timeout=timeout)
    return None if popped is None else int(popped[1])


@dataclass(frozen=True)
class Taken:
    """Shards a drainer now holds, and the chats waiting after a failure (until when)."""

    shards: list[int]
    backoff: dict[str, float]


def take(redis: Redis, token: str, lock_s: int, first: list[int], more: int) -> Taken:
    """Lock ``first`` and up to ``more`` other woken shards for the drainer ``token``; a
    shard another drainer holds is marked dirty for it instead. One round trip."""
    taken, backoff = cast(
        list[Any],
        dirty_locks.run_script(
            redis,
            _TAKE,
            [WAKE_KEY, PREFIX, BACKOFF_KEY],
            [token, lock_s * 1000, dirty_locks.DIRTY_TTL, more, *first],
        ),
    )
    pairs = [dirty_locks.as_text(value) for value in backoff]
    return Taken(
        shards=[int(shard) for shard in taken],
        backoff=_times({pairs[i]: pairs[i + 1] for i in range(0, len(pairs), 2)}),
    )


def _times(entries: dict[str, str]) -> dict[str, float]:
    """The backoff entries as times; one that is not a time waits no longer (the locks are
    taken already: raising here would leave them held until they expire)."""
    times: dict[str, float] = {}
    for chat, until in entries.items():
        try:
            times[chat] = float(until)
        except ValueError:
            times[chat] = 0.0
    return times


def renew(redis: Redis, token: str, lock_s: int, shards: list[int]) -> list[int]:
    """Keep the drainer's locks of ``shards`` alive; returns those still its own."""
    return [int(s) for s in dirty_locks.renew(redis, PREFIX, token, lock_s, _names(shards))]


def release(redis: Redis, token: str, lock_s: int, shards: list[int]) -> list[int]:
    """Let go of the drainer's shards; returns the ones woken meanwhile (dirty), which it
    keeps and must drain again. One round trip."""
    return [int(s) for s in dirty_locks.release(redis, PREFIX, token, lock_s, _names(shards))]


def _names(shards: list[int]) -> list[str]:
    return [str(shard) for shard in shards]


def back_off(redis: Redis, until: dict[str, float], keep_s: int) -> None:
    """Let these chats wait (chat → epoch seconds); forgotten after ``keep_s`` at most."""
    if not until:
        return
    with redis.pipeline(transaction=False) as pipe:
        pipe.hset(BACKOFF_KEY, mapping=cast(dict[Any, Any], until))
        pipe.expire(BACKOFF_KEY, keep_s)
        pipe.execute()


def waiting(redis: Redis, backoff: dict[str, float]) -> set[str]:
    """The chats of ``backoff`` still waiting; the others are forgotten."""
    now = time.time()
    expired = [chat for chat, until in backoff.items() if until <= now]
    if expired:
        redis.hdel(BACKOFF_KEY, *expired)
    return {chat for chat, until in backoff.items() if until > now}
