"""Waking, taking and releasing inbox shards: one drainer per shard, nothing left behind."""

from __future__ import annotations

import threading
import time
from typing import Any

from sqlalchemy import event

from lianping.context import Context
from lianping.jobs import inbox as inbox_jobs
from lianping.jobs import inbox_wake
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import running_drainer, wait_until
from tests.test_inbox_drain import store, users_in_shard


def test_a_shard_is_woken_once_and_held_by_one_drainer(quiet: Context) -> None:
    redis = quiet.redis
    assert inbox_wake.wake(redis, [4, 9]) == 2
    assert inbox_wake.wake(redis, [9, 4, 12]) == 1, "waiting shards are not pushed again"

    first = inbox_wake.take(redis, "A", 15, [], 31)
    assert sorted(first.shards) == [4, 9, 12]
    assert redis.llen(inbox_wake.WAKE_KEY) == 0
    # Taken: the webhook may wake them again, and a second drainer finds them held.
    assert inbox_wake.wake(redis, [9]) == 1
    second = inbox_wake.take(redis, "B", 15, [], 31)
    assert second.shards == []
    # The holder keeps the shard woken meanwhile and drains it again; the others it lets go.
    assert inbox_wake.release(redis, "A", 15, first.shards) == [9]
    assert inbox_wake.release(redis, "B", 15, [9]) == [], "not B's to release"
    assert inbox_wake.release(redis, "A", 15, [9]) == []
    assert redis.keys("lianping:inbox:lock:*") == []
    assert inbox_wake.take(redis, "B", 15, [9], 0).shards == [9]


def test_a_renewal_keeps_only_the_drainers_own_locks(quiet: Context) -> None:
    redis = quiet.redis
    taken = inbox_wake.take(redis, "A", 1, [3, 5], 0).shards
    time.sleep(1.2)  # the locks expired: another drainer took one
    assert inbox_wake.take(redis, "B", 15, [5], 0).shards == [5]
    assert inbox_wake.renew(redis, "A", 15, taken) == []
    assert inbox_wake.take(redis, "A", 15, [3], 0).shards == [3]
    assert inbox_wake.renew(redis, "A", 15, [3, 5]) == [3]
    assert redis.pttl("lianping:inbox:lock:3") > 10_000


def test_the_lock_scripts_run_again_after_redis_forgot_them(quiet: Context) -> None:
    redis = quiet.redis
    assert inbox_wake.take(redis, "A", 15, [7], 0).shards == [7]
    # A restarted Redis has no scripts: each is run by its SHA1 and must be loaded again.
    redis.script_flush()
    assert inbox_wake.wake(redis, [8]) == 1
    redis.script_flush()
    assert inbox_wake.take(redis, "B", 15, [7], 31).shards == [8], "7 is A's"
    redis.script_flush()
    assert inbox_wake.renew(redis, "A", 15, [7]) == [7]
    redis.script_flush()
    assert inbox_wake.release(redis, "A", 15, [7]) == [7], "B marked 7 dirty for A"
    assert inbox_wake.release(redis, "A", 15, [7]) == []
    assert inbox_wake.release(redis, "B", 15, [8]) == []
    assert redis.keys("lianping:inbox:lock:*") == []


def test_events_stored_while_another_drainer_holds_the_shard_are_drained_by_it(
    sim: Sim, ctx: Context, quiet: Context
) -> None:
    shard = 21
    first, second = users_in_shard(sim, shard, 2)
    start = int(time.time() * 1000) - 120_000
    store(ctx, line_events.text(first, "x" * 32, "路燈不亮", timestamp=start))
    # A drainer holds the shard as the second event is stored and woken: the drain that
    # woke up for it finds the shard held and leaves it to the holder.
    holder = inbox_wake.take(quiet.redis, "holder", 15, [shard], 0)
    store(ctx, line_events.text(second, "x" * 32, "水溝堵住", timestamp=start + 1))
    inbox_jobs.enqueue(quiet, [shard])
    assert inbox_jobs.drain(ctx, [], quiet.redis).processed == 0
    assert inbox_wake.release(quiet.redis, "holder", 15, holder.shards) == [shard]
    inbox_wake.release(quiet.redis, "holder", 15, [shard])
    # Lets go; the shard's events are drained by whoever takes it next.
    assert inbox_jobs.drain(ctx, [shard], quiet.redis).processed == 2


def test_a_drainer_takes_every_woken_shard_in_one_batch(
    sim: Sim, ctx: Context, quiet: Context
) -> None:
    shards = [2, 14, 30]
    users = [users_in_shard(sim, shard, 1)[0] for shard in shards]
    start = int(time.time() * 1000) - 120_000
    store(
        ctx,
        *(line_events.text(u, "x" * 32, "你好", timestamp=start + i) for i, u in enumerate(users)),
    )
    inbox_jobs.enqueue(quiet, shards)
    drainer = threading.current_thread()
    reads: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        mine = threading.current_thread() is drainer
        if mine and "inbox_events" in statement:
            reads.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", seen)
    try:
        shard = inbox_wake.wait(quiet.redis, 1)
        assert shard is not None
        assert inbox_jobs.drain(ctx, [shard], quiet.redis).processed == 3
    finally:
        event.remove(ctx.engine, "before_cursor_execute", seen)
    assert len(reads) == 1, "one claim (its batch) for the three shards"


def one_waiting_text(sim: Sim, ctx: Context, shard: int) -> str:
    """A resident of ``shard`` with one stored text, two minutes old, not yet handled."""
    [user] = users_in_shard(sim, shard, 1)
    store(
        ctx, line_events.text(user, "x" * 32, "請問", timestamp=int(time.time() * 1000) - 120_000)
    )
    return user


def test_the_drainer_drains_woken_shards_and_stops_when_asked(
    sim: Sim, ctx: Context, quiet: Context
) -> None:
    shard = 17
    user = one_waiting_text(sim, ctx, shard)
    with running_drainer(quiet.settings.redis_url):
        inbox_jobs.enqueue(quiet, [shard])
        wait_until(lambda: len(sim.bot_messages(user)) == 1, timeout=10)


def test_an_unreadable_backoff_entry_holds_up_no_chat(
    sim: Sim, ctx: Context, quiet: Context
) -> None:
    shard = 19
    user = one_waiting_text(sim, ctx, shard)
    quiet.redis.hset(inbox_wake.BACKOFF_KEY, mapping={user: "not a time", "U" + "0" * 32: "x"})
    with running_drainer(quiet.settings.redis_url):
        inbox_jobs.enqueue(quiet, [shard])
        wait_until(lambda: len(sim.bot_messages(user)) == 1, timeout=5)
    assert quiet.redis.hlen(inbox_wake.BACKOFF_KEY) == 0, "the unreadable entries are dropped"
