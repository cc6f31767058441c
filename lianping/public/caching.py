"""Cached, conditional answers for the public views (``services.public_cache`` holds them)."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, request

from lianping import context
from lianping.rocdate import taipei_today
from lianping.services import public_cache

# Browsers and proxies may keep an answer briefly; the ETag lets them ask again cheaply.
CACHE_CONTROL = "public, max-age=60"
# Longer request paths (odd query strings) are answered but not stored.
LONGEST_KEY = 400
GZIP_FROM = 4096


def etag_of(body: bytes) -> str:
    """A strong ETag of a body."""
    return hashlib.sha256(body).hexdigest()[:32]


def compressed(body: bytes) -> bytes:
    """The body gzip-compressed when that is worth it (else empty): the open data files run
    to megabytes, and a tenth of that crosses the wire."""
    return gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_FROM else b""


def finish(answer: public_cache.Cached) -> Response:
    """An answer with its ETag and cache headers, gzip-encoded when the client accepts it;
    304 when the client already has it."""
    use_gzip = bool(answer.gzipped) and "gzip" in request.headers.get("Accept-Encoding", "")
    body = answer.gzipped if use_gzip else answer.body
    response = Response(body, content_type=answer.content_type)
    if use_gzip:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    # Each encoding is its own representation, with its own strong ETag.
    response.set_etag(f"{answer.etag}-gz" if use_gzip else answer.etag)
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    response.make_conditional(request)
    return response


def cached(
    view: Callable[..., Response] | None = None, *, on: tuple[str, ...] = (public_cache.CASES,)
) -> Any:
    """Serve the view's 200 answers from the cache, keyed by the generations it depends ``on``
    (``services.public_cache``), path, query and Taipei date."""

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        ttl = (
            public_cache.FIGURES_TTL if on == (public_cache.FIGURES,) else public_cache.TTL_SECONDS
        )

        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Response:
            ctx = context.of_app()
            path = request.full_path
            gen = public_cache.generations(ctx.redis, on) if len(path) <= LONGEST_KEY else None
            key = public_cache.key(gen, taipei_today().isoformat(), path) if gen else ""
            if key:
                hit = public_cache.get(ctx.redis, key)
                if hit is not None:
                    return finish(hit)
            response = view(*args, **kwargs)
            if response.status_code != 200:
                return response
            body = response.get_data()
            kind = response.content_type or "text/html"
            answer = public_cache.Cached(body, kind, etag_of(body), compressed(body))
            if key:
                public_cache.put(ctx.redis, key, answer, ttl)
            return finish(answer)

        return wrapper

    return decorate(view) if view is not None else decorate
