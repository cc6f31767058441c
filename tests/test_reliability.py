"""Nothing a resident sends is lost or handled twice: duplicates, crashes, outages, LINE errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from lianping import queues
from lianping.app import create_app
from lianping.config import Settings
from lianping.context import Context
from lianping.storage.models import InboxEvent, OutboxMessage
from lianping_dev.redis_server import RedisServer
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.conftest import BOT_USER_ID, SECRET
from tests.support import WorkerProcess, wait_until

pytestmark = pytest.mark.e2e

DESTINATION = BOT_USER_ID


def post_events(client: Any, *events: dict[str, Any]) -> int:
    body = line_events.envelope(DESTINATION, list(events))
    response = client.post(
        "/callback",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Line-Signature": line_events.sign(SECRET, body),
        },
    )
    return int(response.status_code)


def inbox_rows(ctx: Context) -> list[InboxEvent]:
    with ctx.sessions() as session:
        return list(session.scalars(select(InboxEvent).order_by(InboxEvent.id)))


def all_processed(ctx: Context, expected: int) -> bool:
    rows = inbox_rows(ctx)
    return len(rows) == expected and all(row.processed_at for row in rows)


def failed_jobs(ctx: Context) -> int:
    return sum(FailedJobRegistry(queue=queues.queue(name, ctx.redis)).count for name in queues.ALL)


@dataclass
class PrivateStack:
    """A web app and workers on a Redis and a database of their own, so workers can be
    killed and Redis stopped (the session's worker sees none of it)."""

    redis: RedisServer
    client: Any
    env: dict[str, str]
    workers: list[WorkerProcess]
    ctx: Context

    def start_worker(self) -> WorkerProcess:
        worker = WorkerProcess(self.env)
        self.workers.append(worker)
        return worker


@pytest.fixture
def stack(
    tmp_path: Path, settings: Settings, env: dict[str, str], sim: Sim, private_database_url: str
) -> Iterator[PrivateStack]:
    redis = RedisServer(tmp_path / "redis").start()
    private = Settings(
        **{**settings.__dict__, "redis_url": redis.url, "database_url": private_database_url}
    )
    stack = PrivateStack(
        redis,
        create_app(private).test_client(),
        {**env, "REDIS_URL": redis.url, "DATABASE_URL": private_database_url},
        [],
        Context(private),
    )
    yield stack
    for worker in stack.workers:
        worker.kill()
    redis.stop()
    stack.ctx.engine.dispose()


def test_every_documented_event_type_is_accepted_and_no_job_fails(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    user = sim.new_resident("各式事件")
    group = "C" + "a" * 32
    t = sim.reply_token
    events = [
        line_events.text(user, t(user), "文字"),
        line_events.image(user, t(user)),
        line_events.video(user, t(user), 12_000),
        line_events.audio(user, t(user), 8_000),
        line_events.file(user, t(user), "報告.pdf", 1024),
        line_events.location(user, t(user), 25.03, 121.52),
        line_events.sticker(user, t(user)),
        line_events.follow(user, t(user)),
        line_events.unfollow(user),
        line_events.follow(user, t(user), is_unblocked=True),
        line_events.postback(user, t(user), "menu=help"),
        line_events.beacon(user, t(user), "d41d8cd98f"),
        line_events.account_link(user, t(user), "nonce-1"),
        line_events.video_play_complete(user, t(user), "track-1"),
        line_events.unsend(user, "100001"),
        line_events.join(group, "j" * 32),
        line_events.member_joined(group, "m" * 32, [user]),
        line_events.member_left(group, [user]),
        line_events.leave(group),
        line_events.unknown("somethingNew", user),
    ]
    result = sim.raw(events)
    assert result["webhook_status"] == 200

    wait_until(lambda: all_processed(ctx, len(events)))
    rows = inbox_rows(ctx)
    assert {row.event_type for row in rows} >= {"message", "follow", "unsend", "somethingNew"}
    assert all(row.attempts == 0 and row.last_error is None for row in rows)
    assert failed_jobs(ctx) == 0
    # The account serves 1:1 chats: it leaves a group it is invited to.
    wait_until(lambda: sim.calls(f"/v2/bot/group/{group}/leave"))


def test_same_event_three_times_gives_one_row_and_one_answer(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    user = sim.new_resident("重送")
    event = line_events.text(user, sim.reply_token(user), "同一則訊息")
    for _ in range(3):
        assert (
            sim.raw([{**event, "deliveryContext": {"isRedelivery": True}}])["webhook_status"] == 200
        )
    wait_until(lambda: all_processed(ctx, 1))
    wait_until(lambda: sim.bot_messages(user))
    time.sleep(1.0)  # give a wrongly repeated answer the time to show up
    assert len(sim.bot_messages(user)) == 1
    assert len(inbox_rows(ctx)) == 1


def test_push_after_injected_500s_arrives_exactly_once(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    user = sim.new_resident("重試")
    # Two minutes old: the reply token is stale, so the answer goes out by push.
    stale = int(time.time() * 1000) - 120_000
    sim.faults(status=500, count=3, path_prefix="/v2/bot/message/push")
    assert (
        sim.raw([line_events.text(user, "x" * 32, "請問", timestamp=stale)])["webhook_status"]
        == 200
    )

    delivered = wait_until(lambda: sim.bot_messages(user), timeout=30)
    time.sleep(1.0)
    assert len(sim.bot_messages(user)) == 1
    assert delivered[0]["via"] == "push"
    pushes = [c for c in sim.calls("/v2/bot/message/push") if c["json"]["to"] == user]
    assert [c["status"] for c in pushes] == [500, 500, 500, 200]
    assert len({c["headers"]["X-Line-Retry-Key"] for c in pushes}) == 1
    with ctx.sessions() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.sent_via, row.attempts) == ("sent", "push", 4)


def test_worker_killed_mid_stream_loses_and_repeats_nothing(stack: PrivateStack, sim: Sim) -> None:
    # Three batches of the drainer; one delivery thread and a slow LINE hold the first
    # worker's drain up, so the kill lands between its commits.
    users = [sim.new_resident(f"居民{i}") for i in range(40)]
    start = int(time.time() * 1000)
    per_user = 6
    for n in range(per_user):
        for i, user in enumerate(users):
            event = line_events.text(
                user, sim.reply_token(user), f"第{n}則", timestamp=start + n * 10 + i
            )
            assert post_events(stack.client, event) == 200
    total = len(users) * per_user

    sim.faults(latency_ms=200, path_prefix="/v2/bot/message/reply")
    first = WorkerProcess({**stack.env, "DELIVERY_THREADS": "1"})
    stack.workers.append(first)
    wait_until(lambda: sum(1 for row in inbox_rows(stack.ctx) if row.processed_at) >= 8, timeout=30)
    first.kill()
    done_at_kill = sum(1 for row in inbox_rows(stack.ctx) if row.processed_at)
    assert done_at_kill < total, "the kill must land before the work is done"
    sim.faults(clear=True)

    stack.start_worker()
    wait_until(lambda: all_processed(stack.ctx, total), timeout=90)
    wait_until(lambda: all(len(sim.bot_messages(user)) >= per_user for user in users), timeout=60)
    time.sleep(1.0)
    assert [len(sim.bot_messages(user)) for user in users] == [per_user] * len(users)
    for user in users:
        rows = [row for row in inbox_rows(stack.ctx) if row.source_key == user]
        assert len(rows) == per_user
        by_time = sorted(rows, key=lambda row: row.event_timestamp)
        processed = [row.processed_at for row in by_time]
        assert processed == sorted(processed), "events of one resident are handled in order"


def test_redis_down_events_still_acknowledged_then_processed(stack: PrivateStack, sim: Sim) -> None:
    stack.start_worker()
    users = [sim.new_resident(f"停機{i}") for i in range(3)]
    stack.redis.stop()
    for user in users:
        event = line_events.text(user, sim.reply_token(user), "Redis 停機時的訊息")
        assert post_events(stack.client, event) == 200
    assert len(inbox_rows(stack.ctx)) == len(users)

    stack.redis.start()  # same port: the workers and web reconnect
    wait_until(lambda: all_processed(stack.ctx, len(users)), timeout=90)
    for user in users:
        wait_until(lambda user=user: sim.bot_messages(user), timeout=30)
