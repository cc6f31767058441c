"""The public pages' cache: rendered answers kept in Redis under a generation number.

Staff publishing, editing or unpublishing a case, acting on a case, or changing the public
settings bumps the generation (``invalidate``), so every cached answer is dropped at once;
keys also carry the Taipei date, so a closing report period starts afresh. A Redis outage
never breaks the pages: they are then built for each request.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

GENERATION = "lianping:public:generation"
PREFIX = "lianping:public:page"
# Even without a change, an answer is rebuilt after this long (statuses move on).
TTL_SECONDS = 300


@dataclass(frozen=True)
class Cached:
    """A stored answer: its body, content type and ETag."""

    body: bytes
    content_type: str
    etag: str


def generation(redis: Redis) -> int | None:
    """The current generation (None when Redis cannot be reached)."""
    try:
        raw = redis.get(GENERATION)
    except RedisError:
        return None
    return int(raw) if raw else 0


def invalidate(redis: Redis) -> None:
    """Drop every cached public answer (a new generation)."""
    try:
        redis.incr(GENERATION)
    except RedisError:
        log.warning("public cache: Redis unavailable, cached pages expire on their own")


def key(gen: int, day: str, path: str) -> str:
    """The cache key of one request path (with its query) on one day."""
    return f"{PREFIX}:{gen}:{day}:{path}"


def get(redis: Redis, cache_key: str) -> Cached | None:
    """A stored answer, if any."""
    try:
        found = redis.hgetall(cache_key)
    except RedisError:
        return None
    if not found:
        return None
    body, kind, etag = (_bytes(found[name]) for name in (b"body", b"type", b"etag"))
    return Cached(body, kind.decode(), etag.decode())


def _bytes(value: bytes | str) -> bytes:
    # The client is made without decode_responses: Redis answers bytes.
    return value if isinstance(value, bytes) else value.encode()


def put(redis: Redis, cache_key: str, answer: Cached) -> None:
    """Store an answer for ``TTL_SECONDS``."""
    try:
        with redis.pipeline() as pipe:
            pipe.hset(
                cache_key,
                mapping={"body": answer.body, "type": answer.content_type, "etag": answer.etag},
            )
            pipe.expire(cache_key, TTL_SECONDS)
            pipe.execute()
    except RedisError:
        log.warning("public cache: Redis unavailable, page not cached")
