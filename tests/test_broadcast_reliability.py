"""A broadcast survives LINE failing 5% of its calls and a worker killed mid-broadcast.

Acceptance of issue 6: every recipient gets the broadcast exactly once, as the
simulator counts it, and the broadcast ends ``sent`` with every chunk counted once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import select

from lianping.config import Settings
from lianping.context import Context
from lianping.jobs import broadcasts as jobs
from lianping.services import broadcasts
from lianping.services.access import Actor
from lianping.storage.models import Broadcast, BroadcastChunk, Resident
from lianping_dev.redis_server import RedisServer
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import WorkerProcess, wait_until

pytestmark = pytest.mark.e2e

OFFICER = Actor(None, "officer", "承辦人", "officer")
FOLLOWERS = 4_000  # 8 chunks of 500
MULTICAST = "/v2/bot/message/multicast"


class Stack:
    """Workers on a Redis and a database of their own, so one can be killed without touching
    the session's."""

    def __init__(
        self, tmp_path: Path, settings: Settings, env: dict[str, str], database_url: str
    ) -> None:
        self.redis = RedisServer(tmp_path / "redis").start()
        private = {"redis_url": self.redis.url, "database_url": database_url}
        self.ctx = Context(Settings(**{**settings.__dict__, **private}))
        self.env = {**env, "REDIS_URL": self.redis.url, "DATABASE_URL": database_url}
        self.workers: list[WorkerProcess] = []

    def start_worker(self) -> WorkerProcess:
        worker = WorkerProcess(self.env)
        self.workers.append(worker)
        return worker

    def close(self) -> None:
        for worker in self.workers:
            worker.kill()
        self.redis.stop()
        self.ctx.engine.dispose()


@pytest.fixture
def stack(
    tmp_path: Path, settings: Settings, env: dict[str, str], sim: Sim, private_database_url: str
) -> Iterator[Stack]:
    made = Stack(tmp_path, settings, env, private_database_url)
    yield made
    made.close()


def load(ctx: Context, broadcast_id: int) -> Broadcast:
    with ctx.sessions() as session:
        return session.get_one(Broadcast, broadcast_id)


def chunk_rows(ctx: Context, broadcast_id: int) -> list[BroadcastChunk]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(BroadcastChunk).where(BroadcastChunk.broadcast_id == broadcast_id)
            )
        )


def test_5_percent_500s_and_a_killed_worker_still_deliver_exactly_once(
    stack: Stack, sim: Sim
) -> None:
    ids = ["U" + secrets.token_hex(16) for _ in range(FOLLOWERS)]
    requests.post(
        f"{sim.url}/_sim/residents/bulk", json={"user_ids": ids, "follow": True}, timeout=30
    ).raise_for_status()
    with stack.ctx.sessions.begin() as session:
        session.add_all(Resident(line_user_id=uid, district="中正區") for uid in ids)
        broadcast_id = broadcasts.save_draft(
            session, OFFICER, broadcast_id=None, title="可靠性",
            messages=[{"type": "text", "text": "反貪倡廉"}],
            audience={"kind": "area", "district": "中正區", "villages": []},
        ).id  # fmt: skip
        broadcasts.send(
            session, OFFICER, broadcast_id, quota=broadcasts.read_quota(stack.ctx.line),
            public_base_url=stack.ctx.settings.public_base_url,
        )  # fmt: skip
    # Each multicast takes a while, so the kill lands with a request in flight.
    sim.faults(error_rate=0.05, seed=6, latency_ms=400, path_prefix=MULTICAST)
    before = len(sim.calls(MULTICAST))
    jobs.enqueue_start(stack.ctx, broadcast_id)

    def in_flight() -> int:
        stats = requests.get(f"{sim.url}/_sim/stats", timeout=10).json()
        return int(stats["in_flight"].get(MULTICAST, 0))

    first = stack.start_worker()
    # Killed while LINE is handling one of its multicasts: that chunk is sent but not
    # recorded, and only the resume can finish it.
    wait_until(
        lambda: load(stack.ctx, broadcast_id).chunks_sent >= 2 and in_flight() > 0, timeout=60
    )
    first.kill()
    at_kill = load(stack.ctx, broadcast_id)
    assert at_kill.status == "sending", "the kill must land before the broadcast is done"
    assert at_kill.chunks_sent < at_kill.chunks_total
    wait_until(lambda: in_flight() == 0, timeout=10)
    orphaned = {c["headers"]["X-Line-Retry-Key"] for c in sim.calls(MULTICAST)[before:]}
    recorded = {
        chunk.retry_key
        for chunk in chunk_rows(stack.ctx, broadcast_id)
        if chunk.status != "pending"
    }
    lost_in_flight = orphaned - recorded
    assert lost_in_flight, "a chunk was at LINE when its worker died"
    after_kill = len(sim.calls(MULTICAST))

    stack.start_worker()
    done = wait_until(
        lambda: (b := load(stack.ctx, broadcast_id)).status != "sending" and b, timeout=120
    )
    assert (done.status, done.recipients, done.chunks_total) == ("sent", FOLLOWERS, 8)
    assert (done.chunks_sent, done.chunks_failed) == (8, 0)
    chunks = chunk_rows(stack.ctx, broadcast_id)
    assert all(chunk.status == "sent" for chunk in chunks)
    # The chunk LINE took from the dead worker was asked again, with its key, and counted once.
    resumed = [
        c
        for c in sim.calls(MULTICAST)[after_kill:]
        if c["headers"]["X-Line-Retry-Key"] in lost_in_flight
    ]
    assert resumed and {c["status"] for c in resumed} <= {200, 409, 500}

    got = requests.get(f"{sim.url}/_sim/receipts", params={"via": "multicast"}, timeout=30).json()
    counts: dict[str, Any] = got["receipts"]
    assert [counts.get(uid, 0) for uid in ids] == [1] * FOLLOWERS
    calls = [c for c in sim.calls(MULTICAST)[before:] if c["json"]["to"][0] in set(ids)]
    statuses = {c["status"] for c in calls}
    assert 200 in statuses and statuses <= {200, 409, 500}
    # Every request of a chunk carried the chunk's own retry key.
    keys = {chunk.retry_key: set(chunk.user_ids) for chunk in chunks}
    assert all(set(c["json"]["to"]) == keys[c["headers"]["X-Line-Retry-Key"]] for c in calls)
