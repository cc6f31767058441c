"""The public pages' cache: rendered answers kept in Redis under generation numbers.

Two generations, for what pages depend on:

- ``cases``: what staff publish — a case published, edited or unpublished, any action on a
  case (its status shows), a library entry approved or withdrawn;
- ``figures``: 成果統計 — bumped when the public-statistics settings change. The figures'
  default periods end when the last two-week period closed and keys carry the Taipei date,
  so a closing period starts afresh; other figures are rebuilt after ``FIGURES_TTL``.

``invalidate`` bumps a generation and so drops every answer built under it at once. A Redis
outage never breaks the pages: they are then built for each request.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

CASES, FIGURES = "cases", "figures"
GENERATION = "lianping:public:generation:{name}"
PREFIX = "lianping:public:page"
# Even without a change, an answer is rebuilt after this long (statuses move on).
TTL_SECONDS = 300
FIGURES_TTL = 3600


@dataclass(frozen=True)
class Cached:
    """A stored answer: its body, content type and ETag."""

    body: bytes
    content_type: str
    etag: str
    # The body gzip-compressed, for clients that accept it (large answers only).
    gzipped: bytes = b""


def generations(redis: Redis, names: Iterable[str]) -> str | None:
    """The current generations of ``names`` as one key part (None when Redis is unreachable)."""
    names = list(names)
    try:
        values = redis.mget([GENERATION.format(name=name) for name in names])
    except RedisError:
        return None
    return ".".join(f"{name}{int(v) if v else 0}" for name, v in zip(names, values, strict=True))


def invalidate(redis: Redis, *names: str) -> None:
    """Drop every cached public answer built under ``names`` (default: all of them)."""
    try:
        for name in names or (CASES, FIGURES):
            redis.incr(GENERATION.format(name=name))
    except RedisError:
        log.warning("public cache: Redis unavailable, cached pages expire on their own")


def key(gen: str, day: str, path: str) -> str:
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
    return Cached(body, kind.decode(), etag.decode(), _bytes(found.get(b"gz", b"")))


def _bytes(value: bytes | str) -> bytes:
    # The client is made without decode_responses: Redis answers bytes.
    return value if isinstance(value, bytes) else value.encode()


def put(redis: Redis, cache_key: str, answer: Cached, ttl: int = TTL_SECONDS) -> None:
    """Store an answer for ``ttl`` seconds."""
    try:
        with redis.pipeline() as pipe:
            pipe.hset(
                cache_key,
                mapping={
                    "body": answer.body,
                    "type": answer.content_type,
                    "etag": answer.etag,
                    "gz": answer.gzipped,
                },
            )
            pipe.expire(cache_key, ttl)
            pipe.execute()
    except RedisError:
        log.warning("public cache: Redis unavailable, page not cached")
