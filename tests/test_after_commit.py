"""After their commit the pages and the API queue LINE deliveries and broadcast starts the
same way, and with Redis away they leave them to the sweep instead of failing the request."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

import pytest

from lianping import queues
from lianping.context import Context
from lianping.jobs import broadcasts as broadcast_jobs
from lianping.jobs import delivery


def _on_redis(ctx: Context, url: str) -> Context:
    return Context(dataclasses.replace(ctx.settings, redis_url=url))


def queued(ctx: Context, name: str) -> list[tuple[str, list[Any]]]:
    return [(job.func_name, list(job.args)) for job in queues.queue(name, ctx.redis).jobs]


def test_each_committed_outbox_row_is_queued_for_delivery(quiet: Context) -> None:
    delivery.enqueue_after_commit(quiet, [7, 8])
    assert queued(quiet, queues.DELIVERY) == [
        ("lianping.jobs.delivery.deliver", [7]),
        ("lianping.jobs.delivery.deliver", [8]),
    ]


def test_only_a_broadcast_now_sending_is_started(quiet: Context) -> None:
    broadcast_jobs.start_after_commit(quiet, 5, "scheduled")  # the sweep starts it on time
    assert queued(quiet, queues.DEFAULT) == []
    broadcast_jobs.start_after_commit(quiet, 5, "sending")
    assert queued(quiet, queues.DEFAULT) == [("lianping.jobs.broadcasts.start", [5])]


def test_with_redis_away_they_are_left_to_the_sweep(
    ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    away = _on_redis(ctx, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    with caplog.at_level(logging.WARNING):
        delivery.enqueue_after_commit(away, [7])
        broadcast_jobs.start_after_commit(away, 5, "sending")
    assert [r.getMessage() for r in caplog.records] == [
        "outbox 7 not queued (Redis down); the sweep will send it",
        "broadcast 5 start not queued (Redis down); the sweep will",
    ]
