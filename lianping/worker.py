"""The worker process: the inbox's drainer, RQ's JSON jobs with a scheduler for retries,
the periodic sweep, and a process that outlives Redis.

When Redis dies or hangs, RQ's worker either retries on its own (idle, connection
refused) or gives up and returns (a job's bookkeeping failed, a command timed out).
Either way this process stays: it logs the outage once, waits for Redis with backoff
and starts a fresh RQ worker. Nothing is lost by it: the job in flight is finished
in the database or not at all (the inbox and outbox rows say which), and the sweep
queues again whatever the database holds undone, even after Redis restarted empty.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import pkgutil
import signal
import threading
import time
from types import FrameType

from redis import Redis
from redis.backoff import ConstantBackoff
from redis.client import Pipeline
from redis.exceptions import RedisError
from redis.retry import Retry
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from lianping import context, jobs, queues
from lianping.jobs import delivery, inbox

log = logging.getLogger(__name__)

SWEEP_EVERY = 15  # seconds
# RQ waits this long less 15 s for a job (BLPOP), and gives its connection a socket
# timeout 10 s above that: a Redis that hangs (stopped, not dead) is given up on after
# SOCKET_TIMEOUT seconds instead of RQ's default of seven minutes.
WORKER_TTL = 20
SOCKET_TIMEOUT = WORKER_TTL - 15 + 10
# Seconds between attempts to reach Redis again; the last one repeats.
RECONNECT_BACKOFF = (0.5, 1.0, 2.0, 4.0, 5.0)
# RQ's registry clean-up, which also restarts a scheduler that died during an outage.
MAINTENANCE_EVERY = 60


class Outage:
    """A Redis outage, logged once when first noticed and once when over."""

    def __init__(self) -> None:
        self._since: float | None = None
        self._lock = threading.Lock()

    @property
    def ongoing(self) -> bool:
        """Whether Redis was last seen unreachable."""
        return self._since is not None

    def begin(self, exc: BaseException) -> None:
        """Redis failed: log it unless this outage was already logged."""
        with self._lock:
            if self._since is not None:
                return
            self._since = time.monotonic()
        log.warning("Redis unreachable (%s): the worker waits for it and reconnects", exc)

    def end(self) -> None:
        """Redis answered: log the end of the outage, if there was one."""
        with self._lock:
            if self._since is None:
                return
            took, self._since = time.monotonic() - self._since, None
        log.warning("Redis reachable again after %.1f s: the worker resumes", took)


class _OutageLog(logging.Filter):
    """Turns RQ's log line per failed retry into the outage's single line."""

    def __init__(self, outage: Outage) -> None:
        super().__init__()
        self.outage = outage

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if "could not connect to Redis" in message or "Redis connection timeout" in message:
            failure = next((a for a in record.args or () if isinstance(a, RedisError)), None)
            self.outage.begin(failure or RedisError("connection timeout"))
            return False
        if record.exc_info and isinstance(record.exc_info[1], RedisError):
            self.outage.begin(record.exc_info[1])
            return False
        # The scheduler (a forked process: its outage is a copy) ended on the outage the
        # worker logs; RQ's maintenance starts another.
        return not (record.name == "rq.scheduler" and "redis.exceptions." in record.getMessage())


class _Worker(SimpleWorker):
    """RQ's in-process worker that tells an asked-for stop from giving up on Redis."""

    # RQ's own reconnect loop (idle worker, connection refused) waits up to this long.
    max_connection_wait_time = 5.0
    outage: Outage
    stop_asked = False

    def handle_warm_shutdown_request(self) -> None:
        self.stop_asked = True
        super().handle_warm_shutdown_request()

    def heartbeat(self, timeout: int | None = None, pipeline: Pipeline | None = None) -> None:
        super().heartbeat(timeout, pipeline)
        if pipeline is None:  # sent, and answered: Redis is back
            self.outage.end()


def connection(url: str) -> Redis:
    """The worker's own Redis client: bounded waits, so a hung Redis is noticed.

    One quick retry covers a connection the server closed while idle; more would
    multiply the socket timeout during an outage.
    """
    return Redis.from_url(
        url,
        socket_connect_timeout=2.0,
        socket_timeout=SOCKET_TIMEOUT,
        socket_keepalive=True,
        health_check_interval=10,
        retry=Retry(ConstantBackoff(0.1), 1),
    )


# Periodic jobs, each queued once across all workers per period: (name, seconds, queue, job).
TICKS = (
    ("sweep", SWEEP_EVERY, queues.DEFAULT, "lianping.jobs.sweep.sweep"),
    # Rows whose deliverer died, tried again once their chat's lock expired (token still fresh).
    ("replies", delivery.CHAT_LOCK_SECONDS, queues.DELIVERY, delivery.RETRY_STALLED),
)


def _ticker(stop: threading.Event, outage: Outage, name: str, every: int, queue: str,
            job: str) -> None:  # fmt: skip
    """Enqueue ``job`` every ``every`` seconds, once across all workers."""
    ctx = context.current()
    while not stop.wait(every):
        try:
            # SET NX with an expiry: whichever worker wins the tick enqueues it.
            if ctx.redis.set(f"lianping:{name}:tick", 1, nx=True, ex=max(every - 1, 1)):
                queues.enqueue(ctx.redis, queue, job, retry=None)
        except RedisError as exc:
            outage.begin(exc)


def _wait_for_redis(redis: Redis, outage: Outage, stopping: threading.Event) -> bool:
    """Ping Redis with backoff until it answers (True) or a stop is asked (False)."""
    attempt = 0
    while not stopping.wait(RECONNECT_BACKOFF[min(attempt, len(RECONNECT_BACKOFF) - 1)]):
        attempt += 1
        try:
            redis.ping()
        except RedisError as exc:
            outage.begin(exc)
            continue
        outage.end()
        return True
    return False


def _import_jobs() -> None:
    """Import every job's module at start: RQ imports one at its first job, and the
    sweep's first run (its imports reach the broadcasts and the LINE models) took about
    half a second of this process's CPU while events were waiting."""
    for module in pkgutil.iter_modules(jobs.__path__):
        importlib.import_module(f"{jobs.__name__}.{module.name}")


def run(burst: bool = False) -> None:
    """Drain the inbox and work the queues until stopped (or, with ``burst``, until they
    are empty).

    Survives Redis outages: see the module's docstring.
    """
    ctx = context.current()
    _import_jobs()
    outage = Outage()
    for name in ("rq.worker", "rq.scheduler"):
        logging.getLogger(name).addFilter(_OutageLog(outage))
    redis = connection(ctx.settings.redis_url)
    stop, stopping = threading.Event(), threading.Event()
    for tick in () if burst else TICKS:
        threading.Thread(
            target=_ticker, args=(stop, outage, *tick), name=tick[0], daemon=True
        ).start()
    # The drainer waits on a connection of its own (a blocking pop) beside RQ's.
    drainer_redis = connection(ctx.settings.redis_url)
    drainer = threading.Thread(
        target=inbox.drain_forever,
        args=(stop, drainer_redis, outage.begin, burst),
        name="drainer",
        # A drain stuck on a hung database does not keep the process alive past the join
        # below: its transaction then rolls back, and its events stay pending.
        daemon=True,
    )
    drainer.start()

    def _stop_between_workers(_signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    try:
        while True:
            # Jobs run in this process (no fork per job): a job is a few milliseconds of
            # work, and forking would cost more than the job itself.
            worker = _Worker(
                [queues.queue(name, redis) for name in queues.ALL],
                connection=redis,
                serializer=JSONSerializer,
                worker_ttl=WORKER_TTL,
                maintenance_interval=MAINTENANCE_EVERY,
            )
            worker.outage = outage
            try:
                worker.work(with_scheduler=True, burst=burst, logging_level="WARNING")
            except RedisError as exc:  # RQ's clean-up on the way out could not reach Redis
                outage.begin(exc)
            # RQ's signal handlers belong to the worker that just ended.
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, _stop_between_workers)
            if worker.stop_asked or not outage.ongoing:
                return
            if not _wait_for_redis(redis, outage, stopping):
                return
            # Over a Redis that kept its data the ended worker is still listed: end it.
            with contextlib.suppress(RedisError):
                worker.register_death()
    finally:
        # The drainer finishes the batch in hand (its transaction commits or not at all).
        if not burst:
            stop.set()
        drainer.join(timeout=inbox.LOCK_TIMEOUT)
        if burst:  # what the jobs woke meanwhile
            inbox.drain_forever(stop, drainer_redis, outage.begin, burst=True)
