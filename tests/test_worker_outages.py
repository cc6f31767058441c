"""A real worker process outlives Redis dying, Redis hanging and the database going away:
it stays up, reconnects, and every event is answered exactly once."""

from __future__ import annotations

import gc
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from lianping.app import create_app
from lianping.config import Settings
from lianping.context import Context
from lianping.storage.db import make_engine
from lianping.storage.models import InboxEvent
from lianping_dev import commands
from lianping_dev.processes import Process
from lianping_dev.redis_server import RedisServer
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from lianping_dev.simulator.settings import SIMULATED_BOT_USER_ID
from tests.conftest import SECRET
from tests.support import wait_until

pytestmark = pytest.mark.e2e

DESTINATION = SIMULATED_BOT_USER_ID
OUTAGE_LOGGED = "Redis unreachable"
RECOVERY_LOGGED = "Redis reachable again"


@dataclass
class Stack:
    """The web app's webhook and one worker process on a Redis and a database of their own."""

    redis: RedisServer
    client: Any
    worker: Process
    sim: Sim
    ctx: Context

    def post(self, user: str, body: str) -> None:
        """The resident ``user`` writes ``body``; the webhook must take it."""
        event = line_events.text(user, self.sim.reply_token(user), body)
        raw = line_events.envelope(DESTINATION, [event])
        response = self.client.post(
            "/callback", data=raw,
            headers={"Content-Type": "application/json",
                     "X-Line-Signature": line_events.sign(SECRET, raw)},
        )  # fmt: skip
        assert response.status_code == 200

    def restart_redis(self) -> None:
        """A new, empty redis-server on the same port (what a restart after a crash gives)."""
        self.redis.process = None
        self.redis.start()

    def worker_log(self) -> str:
        assert self.worker.log is not None
        return self.worker.log.read_text(errors="replace")

    def answered_once(self, users: list[str]) -> bool:
        """Every event is processed and each user has exactly one answer (fails on two)."""
        counts = [len(self.sim.bot_messages(user)) for user in users]
        assert max(counts, default=0) <= 1, f"answered twice: {counts}"
        with self.ctx.sessions() as session:
            rows = list(session.scalars(select(InboxEvent)))
        return len(rows) == len(users) and all(r.processed_at for r in rows) and min(counts) == 1


@pytest.fixture
def stack(
    tmp_path: Path, settings: Settings, env: dict[str, str], sim: Sim, private_database_url: str
) -> Iterator[Stack]:
    redis = RedisServer(tmp_path / "redis").start()
    private = Settings(
        **{**settings.__dict__, "redis_url": redis.url, "database_url": private_database_url}
    )
    worker = Process(
        commands.worker(), {**env, "REDIS_URL": redis.url, "DATABASE_URL": private_database_url},
        name="worker", log=tmp_path / "worker.log",
    )  # fmt: skip
    stack = Stack(redis, create_app(private).test_client(), worker, sim, Context(private))
    try:
        yield stack
    finally:
        worker.kill()
        if redis.process:
            redis.process.signal(signal.SIGCONT)
        redis.stop()
        stack.ctx.engine.dispose()


def _settle(stack: Stack, users: list[str]) -> None:
    """A wrongly repeated answer has the time to show up; then none has."""
    time.sleep(1.0)
    assert stack.answered_once(users)
    stack.worker.check_alive()


@pytest.mark.parametrize("busy", [False, True], ids=["idle", "busy"])
def test_worker_outlives_redis_killed_and_restarted_empty(stack: Stack, busy: bool) -> None:
    sim = stack.sim
    users = [sim.new_resident(f"斷線{i}") for i in range(6 if busy else 4)]
    stack.post(users[0], "開始之前")
    wait_until(lambda: stack.answered_once(users[:1]), timeout=20)
    if busy:
        # LINE answers slowly: the worker is inside a drain, its replies in flight.
        sim.faults(latency_ms=1500, path_prefix="/v2/bot/message/reply")
        for user in users[-2:]:
            stack.post(user, "Redis 當掉前的訊息")
        time.sleep(0.7)
    assert stack.redis.process is not None
    stack.redis.process.kill()
    for user in users[1:3]:
        stack.post(user, "Redis 當掉時的訊息")  # stored; no job could be queued
    time.sleep(3.0)
    stack.worker.check_alive()

    stack.restart_redis()
    restarted = time.monotonic()
    stack.post(users[3], "Redis 回來後的訊息")
    wait_until(lambda: stack.answered_once(users), timeout=40)
    recovered = time.monotonic() - restarted
    sim.faults(clear=True)
    _settle(stack, users)
    log = stack.worker_log()
    assert log.count(OUTAGE_LOGGED) == 1, log
    assert log.count(RECOVERY_LOGGED) == 1, log
    print(f"\nRedis killed ({'busy' if busy else 'idle'}): all {len(users)} answered once "
          f"{recovered:.1f} s after the restart")  # fmt: skip


def test_worker_outlives_a_hung_redis(stack: Stack) -> None:
    sim = stack.sim
    users = [sim.new_resident(f"停頓{i}") for i in range(3)]
    stack.post(users[0], "開始之前")
    wait_until(lambda: stack.answered_once(users[:1]), timeout=20)
    sim.faults(latency_ms=1000, path_prefix="/v2/bot/message/reply")
    stack.post(users[1], "停頓前的訊息")
    time.sleep(0.5)
    assert stack.redis.process is not None
    # The worker gives up waiting on a Redis that does not answer, and says so once.
    stack.redis.process.signal(signal.SIGSTOP)
    stopped = time.monotonic()
    wait_until(lambda: OUTAGE_LOGGED in stack.worker_log(), timeout=25, interval=0.5)
    noticed = time.monotonic() - stopped
    time.sleep(2.0)
    stack.worker.check_alive()
    stack.redis.process.signal(signal.SIGCONT)
    resumed = time.monotonic()
    stack.post(users[2], "恢復後的訊息")
    wait_until(lambda: stack.answered_once(users), timeout=40)
    recovered = time.monotonic() - resumed
    sim.faults(clear=True)
    _settle(stack, users)
    log = stack.worker_log()
    assert log.count(OUTAGE_LOGGED) == 1, log
    assert log.count(RECOVERY_LOGGED) == 1, log
    print(f"\nRedis stopped: noticed after {noticed:.1f} s; all {len(users)} answered once "
          f"{recovered:.1f} s after SIGCONT")  # fmt: skip


def test_worker_outlives_the_database_going_away(stack: Stack, database_url: str) -> None:
    if not database_url.startswith("postgres"):
        pytest.skip("cutting a database's connections needs PostgreSQL")
    sim = stack.sim
    users = [sim.new_resident(f"資料庫{i}") for i in range(3)]
    stack.post(users[0], "開始之前")
    wait_until(lambda: stack.answered_once(users[:1]), timeout=20)
    # The worker is inside a drain, its reply on its way, when the database goes.
    sim.faults(latency_ms=1500, path_prefix="/v2/bot/message/reply")
    stack.post(users[1], "資料庫中斷前的訊息")
    time.sleep(0.5)
    name = stack.ctx.engine.url.database
    admin = make_engine(database_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
            {"n": name},
        )
        time.sleep(5.0)
        stack.worker.check_alive()
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    admin.dispose()
    back = time.monotonic()
    # This process's connections were cut too: every pool in it starts afresh (the
    # session's other apps too, which the next tests use; pools do not ping, by design).
    for engine in [found for found in gc.get_objects() if isinstance(found, Engine)]:
        engine.dispose()
    stack.post(users[2], "資料庫恢復後的訊息")
    wait_until(lambda: stack.answered_once(users), timeout=40)
    recovered = time.monotonic() - back
    sim.faults(clear=True)
    _settle(stack, users)
    print(f"\ndatabase cut 5 s: all {len(users)} answered once {recovered:.1f} s after it was back")


def test_the_webhook_answers_at_once_while_redis_hangs(stack: Stack) -> None:
    """Only the first webhook call waits for Redis's timeout; the next ones leave queueing
    to the sweep at once, and every message is answered once Redis is back."""
    users = [stack.sim.new_resident(f"卡住{i}") for i in range(8)]
    assert stack.redis.process is not None
    stack.redis.process.signal(signal.SIGSTOP)
    took = []
    try:
        for user in users:
            began = time.perf_counter()
            stack.post(user, "Redis 沒有回應時的訊息")
            took.append(time.perf_counter() - began)
    finally:
        stack.redis.process.signal(signal.SIGCONT)
    assert took[0] >= 0.4, took  # the one that found Redis hung
    # The others do not wait for Redis (each would take ≥ 0.4 s as the first did). On SQLite
    # an insert may wait a little for the worker's write lock (0.21 s seen in CI).
    assert max(took[1:]) < 0.35, took
    wait_until(lambda: stack.answered_once(users), timeout=60)
