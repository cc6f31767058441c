"""Redis locks that a second comer marks *dirty* instead of waiting for.

A worker that finds a name (an inbox shard, a chat) held leaves its work to the holder:
it marks the name dirty, and the holder, as it lets go, is told to look again. So nothing
waits on a lock, and nothing committed before the mark is left behind. A lock expires
after ``ttl_s`` unless its holder renews it, so a killed holder's names free soon.

Keys: ``<prefix>lock:<name>`` (the holder's token) and ``<prefix>dirty:<name>``. Each
call is one Lua script: one round trip, atomic. Keys are built inside the scripts, which
a single Redis server (not a cluster) allows.
"""

from __future__ import annotations

import weakref
from typing import Any, cast

from redis import Redis
from redis.commands.core import Script

DIRTY_TTL = 60  # seconds; longer than any lock, so the holder sees the mark before it lets go

# Lua: lock ``name`` for ``token`` or mark it dirty; true when locked. ``prefix`` ends in ':'.
HOLD_LUA = """
local function hold(prefix, name, token, ms, dirty_s)
  if redis.call('SET', prefix .. 'lock:' .. name, token, 'NX', 'PX', ms) then
    redis.call('DEL', prefix .. 'dirty:' .. name)
    return true
  end
  redis.call('SET', prefix .. 'dirty:' .. name, 1, 'EX', dirty_s)
  return false
end
"""

# KEYS[1] prefix; ARGV: token, lock ms, dirty s, then names.
_HOLD = (
    HOLD_LUA
    + """
local taken = {}
for i = 4, #ARGV do
  if hold(KEYS[1], ARGV[i], ARGV[1], ARGV[2], ARGV[3]) then taken[#taken + 1] = ARGV[i] end
end
return taken
"""
)

# KEYS[1] prefix; ARGV: token, lock ms, then names. Renews the locks still ours; returns them.
_RENEW = """
local ours = {}
for i = 3, #ARGV do
  local key = KEYS[1] .. 'lock:' .. ARGV[i]
  if redis.call('GET', key) == ARGV[1] then
    redis.call('PEXPIRE', key, ARGV[2])
    ours[#ours + 1] = ARGV[i]
  end
end
return ours
"""

# KEYS[1] prefix; ARGV: token, lock ms, then names. Lets go of the clean names; keeps
# (renewed) and returns the dirty ones, to be worked on again.
_RELEASE = """
local again = {}
for i = 3, #ARGV do
  local key = KEYS[1] .. 'lock:' .. ARGV[i]
  if redis.call('GET', key) == ARGV[1] then
    if redis.call('DEL', KEYS[1] .. 'dirty:' .. ARGV[i]) == 1 then
      redis.call('PEXPIRE', key, ARGV[2])
      again[#again + 1] = ARGV[i]
    else
      redis.call('DEL', key)
    end
  end
end
return again
"""


def hold(redis: Redis, prefix: str, token: str, ttl_s: float, names: list[str]) -> list[str]:
    """Lock ``names`` for ``token``; those held by others are marked dirty for them.
    Returns the names now held."""
    if not names:
        return []
    args: list[str | int] = [token, int(ttl_s * 1000), DIRTY_TTL, *names]
    return _names(run_script(redis, _HOLD, [prefix], args))


def renew(redis: Redis, prefix: str, token: str, ttl_s: float, names: list[str]) -> list[str]:
    """Keep ``token``'s locks of ``names`` alive; returns those still its own."""
    if not names:
        return []
    args: list[str | int] = [token, int(ttl_s * 1000), *names]
    return _names(run_script(redis, _RENEW, [prefix], args))


def release(redis: Redis, prefix: str, token: str, ttl_s: float, names: list[str]) -> list[str]:
    """Let go of ``token``'s ``names``; returns the ones marked dirty meanwhile, which it
    keeps (renewed) and must work on again."""
    if not names:
        return []
    args: list[str | int] = [token, int(ttl_s * 1000), *names]
    return _names(run_script(redis, _RELEASE, [prefix], args))


# Each client's scripts, made once: making a Script (hashing its source) was a fifth of
# a lock call. Keyed weakly, so a dropped client takes its scripts with it.
_SCRIPTS: weakref.WeakKeyDictionary[Redis, dict[str, Script]] = weakref.WeakKeyDictionary()


def run_script(redis: Redis, source: str, keys: list[str], args: list[Any]) -> Any:
    """Run the Lua ``source`` on ``redis`` by its SHA1, one round trip; a script Redis has
    forgotten (a restart, ``SCRIPT FLUSH``) is loaded again by redis-py."""
    scripts = _SCRIPTS.get(redis)
    if scripts is None:
        scripts = _SCRIPTS.setdefault(redis, {})
    script = scripts.get(source)
    if script is None:
        script = scripts.setdefault(source, redis.register_script(source))
    return script(keys=keys, args=args)


def _names(values: Any) -> list[str]:
    return [as_text(value) for value in cast(list[Any], values)]


def as_text(value: bytes | str) -> str:
    """A value Redis answered, as text (clients may or may not decode answers)."""
    return value.decode() if isinstance(value, bytes) else value
