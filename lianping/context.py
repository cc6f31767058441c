"""Per-process wiring: settings, database sessions, Redis, queues and the LINE client.

The web app builds one in ``create_app``; a worker process builds one the first
time a job asks for it (jobs take ids, never live objects).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask import current_app
from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from lianping.config import Settings
from lianping.line.client import LineClient
from lianping.storage.db import make_engine, make_session_factory

# The web process answers LINE within 2 seconds whatever Redis does (a hung server
# included): each call gives up after this, and a failed call is not retried.
WEB_REDIS_TIMEOUT = 0.5
DATABASE_OVERFLOW = 10


@dataclass
class Context:
    settings: Settings
    # Seconds to connect to Redis and to wait for an answer; the web app sets shorter ones.
    redis_connect_timeout: float = 1.0
    redis_socket_timeout: float = 5.0
    # Test each pooled connection before use: the web app does, so the first page after a
    # database restart is not an error; jobs skip the round trip (a failed job is retried).
    ping_connections: bool = False
    # The webhook skips queueing until then (``time.monotonic()``) after Redis failed it.
    queueing_paused_until: float = 0.0
    # Database connections kept open for reuse; the worker keeps one per thread that may use
    # one at once (a connection beyond them is opened and closed per use, under load many a
    # second). Up to ``DATABASE_OVERFLOW`` more are opened for a moment when needed.
    database_connections: int = 5

    @cached_property
    def engine(self) -> Engine:
        return make_engine(
            self.settings.database_url,
            pool_pre_ping=self.ping_connections,
            pool_size=self.database_connections,
            max_overflow=DATABASE_OVERFLOW,
        )

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    @cached_property
    def redis(self) -> Redis:
        return Redis.from_url(
            self.settings.redis_url,
            socket_connect_timeout=self.redis_connect_timeout,
            socket_timeout=self.redis_socket_timeout,
            health_check_interval=30,
        )

    @cached_property
    def line(self) -> LineClient:
        return LineClient(
            self.settings.line_channel_access_token,
            api_base=self.settings.line_api_base,
            data_base=self.settings.line_api_data_base,
        )


_current: Context | None = None


def current() -> Context:
    """This process's context, built from the environment on first use."""
    global _current
    if _current is None:
        _current = Context(Settings.from_env())
    return _current


def for_worker(settings: Settings) -> Context:
    """A worker process's context: a database connection kept for each thread that may use
    one at once (the delivery threads, the profile fetchers, the drainer, RQ's job)."""
    return Context(settings, database_connections=settings.delivery_threads + 4)


def install(context: Context) -> Context:
    """Make ``context`` this process's context (app factory, tests)."""
    global _current
    _current = context
    return context


def of_app() -> Context:
    """The context of the Flask app serving the current request."""
    ctx: Context = current_app.extensions["lianping"]
    return ctx
