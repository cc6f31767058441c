"""Helpers shared by the tests: waiting, worker processes."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.engine import make_url

from lianping.storage.db import make_engine
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


def fresh_database_beside(url: str, name: str) -> str:
    """The URL of database ``name`` on ``url``'s PostgreSQL server, dropped and created anew."""
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)
