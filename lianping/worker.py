"""The RQ worker process: JSON jobs, a scheduler for retries, and the periodic sweep."""

from __future__ import annotations

import logging
import threading

from redis.exceptions import RedisError
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from lianping import context, queues

log = logging.getLogger(__name__)

SWEEP_EVERY = 15  # seconds


def _sweep_ticker(stop: threading.Event) -> None:
    """Enqueue the sweep every SWEEP_EVERY seconds, once across all workers."""
    ctx = context.current()
    while not stop.wait(SWEEP_EVERY):
        try:
            # SET NX with an expiry: whichever worker wins the tick enqueues it.
            if ctx.redis.set("lianping:sweep:tick", 1, nx=True, ex=SWEEP_EVERY - 1):
                queues.enqueue(ctx.redis, queues.DEFAULT, "lianping.jobs.sweep.sweep", retry=None)
        except RedisError as exc:
            log.warning("sweep tick skipped: %s", exc)


def run(burst: bool = False) -> None:
    """Work the queues until stopped (or, with ``burst``, until they are empty)."""
    ctx = context.current()
    stop = threading.Event()
    ticker = threading.Thread(target=_sweep_ticker, args=(stop,), name="sweep", daemon=True)
    ticker.start()
    # Jobs run in this process (no fork per job): a job is a few milliseconds of
    # work, and forking would cost more than the job itself.
    worker = SimpleWorker(
        [queues.queue(name, ctx.redis) for name in queues.ALL],
        connection=ctx.redis,
        serializer=JSONSerializer,
    )
    try:
        worker.work(with_scheduler=True, burst=burst, logging_level="WARNING")
    finally:
        stop.set()
