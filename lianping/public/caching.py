"""Cached, conditional answers for the public views (``services.public_cache`` holds them)."""

from __future__ import annotations

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


def etag_of(body: bytes) -> str:
    """A strong ETag of a body."""
    return hashlib.sha256(body).hexdigest()[:32]


def finish(body: bytes, content_type: str, etag: str) -> Response:
    """An answer with its ETag and cache headers; 304 when the client already has it."""
    response = Response(body, content_type=content_type)
    response.set_etag(etag)
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
                    return finish(hit.body, hit.content_type, hit.etag)
            response = view(*args, **kwargs)
            if response.status_code != 200:
                return response
            body = response.get_data()
            answer = public_cache.Cached(body, response.content_type or "text/html", etag_of(body))
            if key:
                public_cache.put(ctx.redis, key, answer, ttl)
            return finish(answer.body, answer.content_type, answer.etag)

        return wrapper

    return decorate(view) if view is not None else decorate
