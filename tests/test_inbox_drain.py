"""The inbox drain: batches, per-event savepoints, a failing chat held back alone, order kept."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any

import requests
from sqlalchemy import event, select, update

from lianping.context import Context
from lianping.jobs import inbox as inbox_jobs
from lianping.jobs import inbox_wake
from lianping.storage import inbox, residents
from lianping.storage.models import InboxEvent, OutboxMessage
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import wait_until


def users_in_shard(sim: Sim, shard: int, how_many: int) -> list[str]:
    """New simulator residents whose chats all fall into ``shard``."""
    found: list[str] = []
    while len(found) < how_many:
        user = f"U{uuid.uuid4().hex}"
        if inbox.shard_of(user) == shard:
            requests.post(
                f"{sim.url}/_sim/residents", json={"user_id": user}, timeout=10
            ).raise_for_status()
            found.append(user)
    return found


def store(ctx: Context, *events: dict[str, Any]) -> None:
    with ctx.engine.begin() as connection:
        inbox.store(
            connection,
            [
                {
                    "webhook_event_id": event["webhookEventId"],
                    "source_key": event["source"]["userId"],
                    "event_type": event["type"],
                    "event_timestamp": event["timestamp"],
                    "payload": event,
                }
                for event in events
            ],
        )


def text(user: str, words: str, timestamp: int) -> dict[str, Any]:
    # Two minutes old: the token is stale, so answers go by push (retry key) at once.
    return line_events.text(user, "x" * 32, words, timestamp=timestamp)


def rows_of(ctx: Context, user: str) -> list[InboxEvent]:
    with ctx.sessions() as session:
        statement = (
            select(InboxEvent)
            .where(InboxEvent.source_key == user)
            .order_by(InboxEvent.event_timestamp, InboxEvent.id)
        )
        return list(session.scalars(statement))


def answered_events(ctx: Context, user: str) -> list[int]:
    """Ids of the user's events, in the order their answers were written."""
    with ctx.sessions() as session:
        statement = (
            select(OutboxMessage.source_event_id)
            .where(OutboxMessage.to == user)
            .order_by(OutboxMessage.id)
        )
        return [i for i in session.scalars(statement) if i is not None]


def statements_of_drain(ctx: Context, shard: int, processed: int) -> list[str]:
    """The SQL statements a drain of ``shard`` ran in this thread (not those of the delivery
    threads it hands the answers to), in order; the drain must process ``processed`` events."""
    drain_thread = threading.current_thread()
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.current_thread() is drain_thread:
            statements.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", seen)
    try:
        assert inbox_jobs.drain(ctx, [shard]).processed == processed
    finally:
        event.remove(ctx.engine, "before_cursor_execute", seen)
    return statements


def test_a_failing_event_holds_back_its_chat_only(sim: Sim, ctx: Context) -> None:
    shard = 7
    broken, other = users_in_shard(sim, shard, 2)
    start = int(time.time() * 1000) - 120_000
    bad = text(broken, "壞掉的事件", start)
    bad["message"] = "not an object"  # stored as is: the engine raises on it
    store(
        ctx,
        bad,
        text(broken, "之後的訊息", start + 10),
        text(other, "第一則", start + 5),
        text(other, "第二則", start + 20),
    )
    ctx.redis.delete(inbox_wake.BACKOFF_KEY)

    assert inbox_jobs.drain(ctx, [shard]).failed == {broken: 1}

    first, later = rows_of(ctx, broken)
    assert (first.processed_at, first.attempts) == (None, 1)
    assert "AttributeError" in (first.last_error or "")
    assert (later.processed_at, later.attempts) == (None, 0), "later events stay pending"
    assert all(row.processed_at for row in rows_of(ctx, other)), "other chats go on"
    wait_until(lambda: len(sim.bot_messages(other)) == 2, timeout=10)
    assert sim.bot_messages(broken) == []

    # Right away, the failed chat waits (backoff) instead of failing again.
    assert inbox_jobs.drain(ctx, [shard]).processed == 0
    assert rows_of(ctx, broken)[0].attempts == 1

    # Once the cause is gone and the wait is over, the chat's events go, in order.
    with ctx.sessions.begin() as session:
        session.execute(
            update(InboxEvent)
            .where(InboxEvent.id == first.id)
            .values(payload=text(broken, "修好的事件", start))
        )
    ctx.redis.delete(inbox_wake.BACKOFF_KEY)
    assert inbox_jobs.drain(ctx, [shard]).processed == 2
    assert answered_events(ctx, broken) == [first.id, later.id]


def test_an_event_failing_max_attempts_times_stops_holding_up_its_chat(
    sim: Sim, ctx: Context
) -> None:
    shard = 11
    [user] = users_in_shard(sim, shard, 1)
    start = int(time.time() * 1000) - 120_000
    bad = text(user, "壞掉的事件", start)
    bad["message"] = "not an object"
    store(ctx, bad, text(user, "之後的訊息", start + 10))
    for attempt in range(1, inbox.MAX_ATTEMPTS + 1):
        ctx.redis.delete(inbox_wake.BACKOFF_KEY)
        assert inbox_jobs.drain(ctx, [shard]).failed == {user: attempt}
        assert rows_of(ctx, user)[0].attempts == attempt
    ctx.redis.delete(inbox_wake.BACKOFF_KEY)
    assert inbox_jobs.drain(ctx, [shard]).processed == 1
    failed, later = rows_of(ctx, user)
    assert failed.processed_at is None and later.processed_at is not None
    wait_until(lambda: len(sim.bot_messages(user)) == 1, timeout=10)


def test_a_chats_events_keep_their_order_across_batches(sim: Sim, ctx: Context) -> None:
    shard = 3
    users = users_in_shard(sim, shard, 4)
    per_user = 70  # 280 events: three batches
    start = int(time.time() * 1000) - 120_000
    events = [
        text(user, f"第{n}則", start + n * 10 + i)
        for n in range(per_user)
        for i, user in enumerate(users)
    ]
    # Stored out of order (LINE may deliver so): the LINE timestamp decides.
    store(ctx, *events[1::2])
    store(ctx, *events[0::2])
    with ctx.sessions() as session:
        assert set(session.scalars(select(InboxEvent.shard))) == {shard}

    assert inbox_jobs.drain(ctx, [shard]).processed == len(events)
    assert len(events) > inbox_jobs.batch_size(ctx)
    for user in users:
        by_timestamp = [row.id for row in rows_of(ctx, user)]
        assert answered_events(ctx, user) == by_timestamp
        wait_until(lambda user=user: len(sim.bot_messages(user)) == per_user, timeout=20)


def test_the_drain_reads_back_none_of_the_answers_it_just_wrote(sim: Sim, ctx: Context) -> None:
    shard = 5
    users = users_in_shard(sim, shard, 20)
    start = int(time.time() * 1000) - 120_000
    store(ctx, *(text(user, "路燈不亮", start + i) for i, user in enumerate(users)))
    # The delivery threads read their chats' rows; the drain itself must not.
    statements = statements_of_drain(ctx, shard, len(users))
    read_back = [s for s in statements if s.startswith("SELECT") and "FROM outbox_messages" in s]
    assert read_back == []
    for user in users:
        wait_until(lambda user=user: len(sim.bot_messages(user)) == 1, timeout=20)


def test_a_batch_of_known_residents_costs_one_query_for_them_and_no_savepoints(
    sim: Sim, ctx: Context
) -> None:
    shard = 9
    users = users_in_shard(sim, shard, 15)  # one batch (SQLite's are 20)
    start = int(time.time() * 1000) - 120_000
    store(ctx, *(text(user, "你好", start + i) for i, user in enumerate(users)))
    assert inbox_jobs.drain(ctx, [shard]).processed == len(users)  # now they are known
    store(ctx, *(text(user, "路燈不亮", start + 100 + i) for i, user in enumerate(users)))
    statements = statements_of_drain(ctx, shard, len(users))
    residents_read = [s for s in statements if s.startswith("SELECT") and "FROM residents" in s]
    assert len(residents_read) == 1, "the batch's residents in one query"
    assert len([s for s in statements if "inbox_events" in s]) == 1, "one claim"
    assert not [s for s in statements if "SAVEPOINT" in s.upper()]
    # The answers are flushed at once for the batch: one INSERT on PostgreSQL (SQLite's
    # driver takes them one by one, in process).
    inserts = len([s for s in statements if s.startswith("INSERT INTO outbox_messages")])
    assert inserts == (1 if ctx.engine.dialect.name == "postgresql" else len(users))


def test_a_batch_of_first_contacts_creates_their_residents_in_three_statements(
    sim: Sim, ctx: Context
) -> None:
    shard = 13
    users = users_in_shard(sim, shard, 15)  # one batch (SQLite's are 20)
    start = int(time.time() * 1000) - 120_000
    store(ctx, *(text(user, "你好", start + i) for i, user in enumerate(users)))
    statements = statements_of_drain(ctx, shard, len(users))
    on_residents = [s.split()[0] for s in statements if "residents" in s.split("(")[0]]
    reads_and_inserts = [s for s in on_residents if s in ("SELECT", "INSERT")]
    assert reads_and_inserts == ["SELECT", "INSERT", "SELECT"], "the batch's residents at once"
    with ctx.sessions() as session:
        assert set(residents.by_line_user_ids(session, users)) == set(users)
