"""A worker keeps its database connections: none is opened and closed per use under load."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import event

from lianping import context
from lianping.config import Settings


def test_a_worker_reuses_a_connection_per_thread_that_needs_one(settings: Settings) -> None:
    ctx = context.for_worker(settings)
    opened: list[int] = []
    event.listen(ctx.engine, "connect", lambda *_: opened.append(1))
    threads = settings.delivery_threads + 2
    start = threading.Barrier(threads)

    def use(_: Any = None) -> None:
        for _round in range(3):
            start.wait(timeout=30)  # every thread holds a connection at once
            connection = ctx.engine.raw_connection()  # what a session checks out
            try:
                start.wait(timeout=30)
            finally:
                connection.close()  # back to the pool

    workers = [threading.Thread(target=use) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    ctx.engine.dispose()
    # Opened once each, in the first round; the later rounds reuse them.
    assert len(opened) == threads
