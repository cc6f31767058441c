"""RQ queues with the project's defaults set once: JSON payloads, retries, result TTLs."""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import Queue, Retry
from rq.serializers import JSONSerializer

DELIVERY = "delivery"  # outbox rows to send to LINE
DEFAULT = "default"  # everything else: media downloads, broadcasts, sweeps
ALL = (DELIVERY, DEFAULT)

# Backoff for jobs that talk to LINE or race a busy database.
RETRY = Retry(max=6, interval=[1, 2, 5, 15, 60, 300])


def queue(name: str, connection: Redis) -> Queue:
    """A queue that stores job arguments as JSON (jobs outlive a deploy; pickles don't)."""
    return Queue(name, connection=connection, serializer=JSONSerializer)


def enqueue(connection: Redis, name: str, func: str, *args: Any, **options: Any) -> None:
    """Enqueue ``func`` (dotted path) with JSON-able ``args`` and the default retry policy.

    Results are not kept (``result_ttl=0``): no caller reads a job's return value, and
    keeping them costs Redis writes per job. Failures are kept a week for the staff.
    """
    options.setdefault("retry", RETRY)
    options.setdefault("result_ttl", 0)
    options.setdefault("failure_ttl", 7 * 24 * 3600)
    queue(name, connection).enqueue(func, *args, **options)
