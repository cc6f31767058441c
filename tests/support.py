"""Helpers shared by the tests: waiting, worker processes, events handled in-process."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from lianping import worker
from lianping.jobs import inbox as inbox_jobs
from lianping.jobs import inbox_wake
from lianping.storage import inbox
from lianping.storage.db import make_engine
from lianping.storage.models import OUTBOX_PENDING, OutboxMessage
from lianping_dev import commands
from lianping_dev.processes import Process

T = TypeVar("T")

LIANPING = str(commands.BIN / "lianping")


def wait_until(predicate: Callable[[], T], timeout: float = 20.0, interval: float = 0.1) -> T:
    """Poll ``predicate`` until it returns something truthy; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last value: {value!r})")
        time.sleep(interval)


class WorkerProcess(Process):
    """A real ``lianping worker`` process (RQ worker with scheduler and sweep).

    ``kill()`` SIGKILLs its whole group (worker and scheduler), as a crash would;
    ``stop()`` shuts it down in order.
    """

    def __init__(self, env: dict[str, str]) -> None:
        super().__init__(commands.worker(), env, name="worker")


@contextmanager
def running_drainer(redis_url: str) -> Iterator[None]:
    """A worker's drainer (``drain_forever``) in a thread of this process for the ``with``
    block, waiting on a connection of its own to ``redis_url``; on the way out it is asked
    to stop and joined, and the test fails if it is still running or reported an outage."""
    stop = threading.Event()
    errors: list[BaseException] = []
    drainer = threading.Thread(
        target=inbox_jobs.drain_forever,
        args=(stop, worker.connection(redis_url), errors.append),
    )
    drainer.start()
    try:
        yield
    finally:
        stop.set()
        drainer.join(timeout=5)
    assert not drainer.is_alive() and errors == []


def copy_of_database(blank_url: str, name: str, directory: Path) -> str:
    """A new database ``name`` made as a copy of the migrated, unused ``blank_url``: a
    PostgreSQL database from it as a template, or a SQLite file in ``directory``."""
    blank = make_url(blank_url)
    if blank.get_backend_name() != "sqlite":
        engine = make_engine(blank_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{blank.database}"'))
        engine.dispose()
        return blank.set(database=name).render_as_string(hide_password=False)
    target = directory / f"{name}.db"
    source, copy = sqlite3.connect(str(blank.database)), sqlite3.connect(target)
    with closing(source), closing(copy):
        source.backup(copy)
    return f"sqlite:///{target}"


def fresh_database_beside(url: str, name: str) -> str:
    """The URL of database ``name`` on ``url``'s PostgreSQL server, dropped and created anew."""
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def handled_as_worker(ctx: Any, sim: Any, user: str, *events: dict[str, Any]) -> list[Any]:
    """``user``'s ``events``, stored as the webhook stores them and drained in order in this
    process as a worker would; returns the messages the bot then delivered to ``user``."""
    seen = len(sim.bot_messages(user))
    for event in events:
        with ctx.engine.begin() as connection:
            inbox.store(
                connection,
                [
                    {
                        "webhook_event_id": event["webhookEventId"],
                        "source_key": user,
                        "event_type": event["type"],
                        "event_timestamp": event["timestamp"],
                        "payload": event,
                    }
                ],
            )
        ctx.redis.hdel(inbox_wake.BACKOFF_KEY, user)
        assert inbox_jobs.drain(ctx, [inbox.shard_of(user)]).processed == 1
    # The drain hands its answers to the delivery threads: wait until they are settled.
    wait_until(lambda: _nothing_pending(ctx, user), timeout=20)
    return [item["message"] for item in sim.bot_messages(user)[seen:]]


def _nothing_pending(ctx: Any, user: str) -> bool:
    with ctx.sessions() as session:
        pending = select(OutboxMessage.id).where(
            OutboxMessage.status == OUTBOX_PENDING, OutboxMessage.to == user
        )
        return session.scalar(pending.limit(1)) is None
