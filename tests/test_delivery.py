"""Outbox delivery against the simulator: reply, push, retry keys, LINE's errors."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from lianping.bot import messages
from lianping.context import Context
from lianping.jobs import delivery
from lianping.services import system_status
from lianping.storage import outbox
from lianping.storage.models import OutboxMessage, utcnow
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import WorkerProcess, wait_until


def queue_row(ctx: Context, to: str, token: str | None = None, age_s: float = 1.0) -> int:
    with ctx.sessions.begin() as session:
        row = outbox.add(
            session,
            to,
            [messages.text("測試訊息")],
            reply_token=token,
            reply_token_issued_at=utcnow() - timedelta(seconds=age_s) if token else None,
        )
        return row.id


def load(ctx: Context, row_id: int) -> OutboxMessage:
    with ctx.sessions() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        return row


def test_fresh_reply_token_is_used(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user, sim.reply_token(user))
    assert delivery.deliver_now(ctx, row_id) == "sent"
    assert load(ctx, row_id).sent_via == "reply"
    assert [m["via"] for m in sim.bot_messages(user)] == ["reply"]


def test_stale_reply_token_falls_back_to_push(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user, sim.reply_token(user), age_s=55)
    assert delivery.deliver_now(ctx, row_id) == "sent"
    assert load(ctx, row_id).sent_via == "push"


def test_reply_that_timed_out_but_landed_is_not_sent_twice(
    sim: Sim, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user, sim.reply_token(user))
    # LINE takes the reply but answers after our client gave up waiting.
    sim.faults(latency_ms=1500, path_prefix="/v2/bot/message/reply")
    monkeypatch.setattr(ctx.line, "timeout", 0.3)
    with pytest.raises(delivery.DeliveryRetry):
        delivery.deliver_now(ctx, row_id)
    row = load(ctx, row_id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.reply_attempted_at is not None, "an unanswered reply is written down"
    wait_until(lambda: sim.bot_messages(user))
    sim.faults(clear=True)

    # The retry's reply is refused (token used): our first call landed, so it is sent.
    assert delivery.deliver_now(ctx, row_id) == "sent"
    assert load(ctx, row_id).sent_via == "reply"
    assert len(sim.bot_messages(user)) == 1
    assert not [c for c in sim.calls("/v2/bot/message/push") if c["json"]["to"] == user]


def test_reply_that_landed_before_the_worker_died_is_not_sent_twice(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    token = sim.reply_token(user)
    row_id = queue_row(ctx, user, token)
    # A drain committed its batch (with the mark), its reply reached LINE, then it died.
    with ctx.sessions.begin() as session:
        outbox.note_reply_attempt(session, row_id, utcnow())
    ctx.line.reply(token, load(ctx, row_id).messages)
    assert delivery.deliver_now(ctx, row_id) == "sent"
    assert len(sim.bot_messages(user)) == 1


def test_reply_refused_by_a_server_error_is_retried_by_reply(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user, sim.reply_token(user))
    sim.faults(status=500, count=1, path_prefix="/v2/bot/message/reply")
    with pytest.raises(delivery.DeliveryRetry):
        delivery.deliver_now(ctx, row_id)
    assert delivery.deliver_now(ctx, row_id) == "sent"
    assert load(ctx, row_id).sent_via == "reply"
    assert len(sim.bot_messages(user)) == 1


def test_invalid_token_never_tried_falls_back_to_push(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user, "not-a-token-LINE-issued")
    assert delivery.deliver_now(ctx, row_id) == "sent"
    row = load(ctx, row_id)
    assert (row.sent_via, row.attempts) == ("push", 2)
    assert [m["via"] for m in sim.bot_messages(user)] == ["push"]


@pytest.mark.sends_invalid_bodies
def test_batch_delivery_records_every_outcome_at_once(sim: Sim, ctx: Context) -> None:
    users = [sim.new_resident() for _ in range(3)]
    rows = [queue_row(ctx, users[0], sim.reply_token(users[0])), queue_row(ctx, users[1])]
    with ctx.sessions.begin() as session:
        rows.append(outbox.add(session, users[2], [{"type": "text", "text": "x" * 5001}]).id)
    with ctx.sessions() as session:
        snapshots = [delivery.Snapshot.of(session.get_one(OutboxMessage, i)) for i in rows]
    delivery.deliver_batch(ctx, snapshots)
    wait_until(lambda: all(load(ctx, i).status != "pending" for i in rows), timeout=10)
    assert [(load(ctx, i).status, load(ctx, i).sent_via) for i in rows] == [
        ("sent", "reply"), ("sent", "push"), ("failed", None),
    ]  # fmt: skip


def test_push_repeated_with_the_same_retry_key_counts_as_sent_once(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user)
    assert delivery.deliver_now(ctx, row_id) == "sent"
    # As if the first acceptance had not been recorded: LINE answers 409.
    with ctx.sessions.begin() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None
        row.status = "pending"
    assert delivery.deliver_now(ctx, row_id) == "sent"
    statuses = [c["status"] for c in sim.calls("/v2/bot/message/push") if c["json"]["to"] == user]
    assert statuses == [200, 409]
    assert len(sim.bot_messages(user)) == 1


def test_server_error_asks_for_a_retry_and_keeps_the_row_pending(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user)
    sim.faults(status=503, count=1, path_prefix="/v2/bot/message/push")
    with pytest.raises(delivery.DeliveryRetry):
        delivery.deliver_now(ctx, row_id)
    row = load(ctx, row_id)
    assert row.status == "pending"
    assert "503" in (row.last_error or "")
    assert delivery.deliver_now(ctx, row_id) == "sent"


@pytest.mark.sends_invalid_bodies
def test_client_error_is_a_permanent_failure_with_lines_words(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    with ctx.sessions.begin() as session:
        row_id = outbox.add(session, user, [{"type": "text", "text": "x" * 5001}]).id
    assert delivery.deliver_now(ctx, row_id) == "failed"
    row = load(ctx, row_id)
    assert row.last_error and "LINE 400" in row.last_error
    assert sim.bot_messages(user) == []
    # A failed row is left alone.
    assert delivery.deliver_now(ctx, row_id) == "failed"


def test_monthly_limit_is_final_but_rate_limit_is_retried(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    limited = queue_row(ctx, user)
    sim.faults(status=429, count=1, path_prefix="/v2/bot/message/push")
    with pytest.raises(delivery.DeliveryRetry):
        delivery.deliver_now(ctx, limited)
    sim.faults(
        status=429, count=1, message="You have reached your monthly limit.",
        path_prefix="/v2/bot/message/push",
    )  # fmt: skip
    assert delivery.deliver_now(ctx, limited) == "failed"
    assert "monthly limit" in (load(ctx, limited).last_error or "")


def test_outbox_refuses_more_than_five_messages(ctx: Context) -> None:
    with ctx.sessions.begin() as session, pytest.raises(ValueError):
        outbox.add(session, "U" + "3" * 32, [messages.text(str(i)) for i in range(6)])


def test_reply_that_may_have_landed_is_not_pushed_once_its_token_is_old(
    sim: Sim, ctx: Context
) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user, sim.reply_token(user), age_s=55)
    # A worker marked the reply and died during the call: nobody knows if it landed.
    with ctx.sessions.begin() as session:
        outbox.note_reply_attempt(session, row_id, utcnow() - timedelta(seconds=30))
    assert delivery.deliver_now(ctx, row_id) == "sent"
    row = load(ctx, row_id)
    assert row.sent_via == "unconfirmed", "counted as sent, but not claimed delivered"
    pushes = [c for c in sim.calls("/v2/bot/message/push") if c["json"]["to"] == user]
    assert not pushes, "a push could answer a second time"
    with ctx.sessions() as session:
        # Staff are told: 已送出, of which 送達未確認 1 (never counted as delivered).
        assert system_status.system_status(session, ctx.redis).outbox["unconfirmed"] == 1


def test_reply_refused_with_an_error_is_pushed_once_its_token_is_old(
    sim: Sim, ctx: Context
) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user, sim.reply_token(user))
    sim.faults(status=500, count=1, path_prefix="/v2/bot/message/reply")
    with pytest.raises(delivery.DeliveryRetry):
        delivery.deliver_now(ctx, row_id)
    assert load(ctx, row_id).reply_attempted_at is None, "LINE took nothing: mark taken back"
    with ctx.sessions.begin() as session:
        session.get_one(OutboxMessage, row_id).reply_token_issued_at = utcnow() - timedelta(
            seconds=55
        )
    assert delivery.deliver_now(ctx, row_id) == "sent"
    assert load(ctx, row_id).sent_via == "push"
    assert len(sim.bot_messages(user)) == 1


def test_a_later_answer_waits_while_an_earlier_one_of_its_chat_is_retried(
    sim: Sim, ctx: Context
) -> None:
    user = sim.new_resident()
    first, second = queue_row(ctx, user), queue_row(ctx, user)
    sim.faults(status=500, count=1, path_prefix="/v2/bot/message/push")
    with pytest.raises(delivery.DeliveryRetry):
        delivery.deliver_now(ctx, second)
    assert [load(ctx, i).status for i in (first, second)] == ["pending", "pending"]
    assert delivery.deliver_now(ctx, second) == "sent"
    calls = sim.calls("/v2/bot/message/push")
    pushes = [c for c in calls if c["json"]["to"] == user and c["status"] == 200]
    sent_keys = [c["headers"]["X-Line-Retry-Key"] for c in pushes]
    assert sent_keys == [load(ctx, first).retry_key, load(ctx, second).retry_key]


def test_the_drain_does_not_wait_for_line_and_chats_go_concurrently(sim: Sim, ctx: Context) -> None:
    users = [sim.new_resident() for _ in range(6)]
    rows = [queue_row(ctx, user) for user in users]
    with ctx.sessions() as session:
        snapshots = [delivery.Snapshot.of(session.get_one(OutboxMessage, i)) for i in rows]
    sim.faults(latency_ms=1000, path_prefix="/v2/bot/message/push")
    started = time.monotonic()
    delivery.deliver_batch(ctx, snapshots)
    handed_over = time.monotonic() - started
    assert handed_over < 0.5, f"the drain waited {handed_over:.1f} s for LINE"
    # Every row is recorded on its own once its call returns.
    wait_until(lambda: all(load(ctx, i).status == "sent" for i in rows), timeout=5)
    elapsed = time.monotonic() - started
    assert elapsed < 3, f"six chats at 1 s each took {elapsed:.1f} s: not concurrent"
    assert [len(sim.bot_messages(user)) for user in users] == [1] * 6


def test_an_answer_for_a_busy_chat_is_sent_by_its_holder_at_once(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    first = queue_row(ctx, user)
    sim.faults(latency_ms=1000, path_prefix="/v2/bot/message/push")
    holder = threading.Thread(target=delivery.deliver_chat, args=(ctx, user))
    holder.start()
    time.sleep(0.3)  # the first answer is in flight
    # A staff reply meanwhile: its deliverer finds the chat busy and leaves it to the holder.
    second = queue_row(ctx, user)
    assert delivery.deliver_chat(ctx, user) is None
    holder.join(timeout=10)
    # The holder looked again before it let go: no wait for a retry or the sweep.
    assert [load(ctx, i).status for i in (first, second)] == ["sent", "sent"]
    assert len(sim.bot_messages(user)) == 2


def test_two_deliverers_holding_one_chat_send_each_answer_once(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    rows = [queue_row(ctx, user, sim.reply_token(user)) for _ in range(3)]
    sim.faults(latency_ms=1000, path_prefix="/v2/bot/message/reply")
    first = threading.Thread(target=delivery.deliver_chat, args=(ctx, user))
    first.start()
    time.sleep(0.3)  # its first reply is in flight
    # Its lock lapses (a starved holder): a second deliverer takes the chat, and reads the
    # rows the first one is about to mark.
    ctx.redis.delete(f"{delivery.LOCK_PREFIX}lock:{user}")
    second = threading.Thread(target=delivery.deliver_chat, args=(ctx, user))
    second.start()
    first.join(timeout=20)
    second.join(timeout=20)
    assert [load(ctx, i).status for i in rows] == ["sent"] * 3
    assert [m["via"] for m in sim.bot_messages(user)] == ["reply"] * 3
    assert not [c for c in sim.calls("/v2/bot/message/push") if c["json"]["to"] == user]


@pytest.mark.parametrize(
    ("token_age_s", "outcome"),
    [(1, "sent"), (55, "retry")],  # fresh: LINE confirms it landed; old: left to its deliverer
    ids=["fresh-token", "old-token"],
)
def test_a_deliverer_that_read_a_row_before_another_replied_does_not_send_it_again(
    sim: Sim, ctx: Context, token_age_s: float, outcome: str
) -> None:
    user = sim.new_resident()
    token = sim.reply_token(user)
    row_id = queue_row(ctx, user, token, age_s=token_age_s)
    stale = delivery.Snapshot.of(load(ctx, row_id))
    # Another deliverer marks the row and replies; its outcome is not recorded yet.
    with ctx.sessions.begin() as session:
        outbox.note_reply_attempt(session, row_id, utcnow())
    ctx.line.reply(token, stale.messages)
    assert delivery._deliver_one(ctx, stale).status == outcome
    # Once the other deliverer has recorded it, one that read it before does nothing.
    with ctx.sessions.begin() as session:
        outbox.mark_sent(session.connection(), [outbox.SentRow(row_id, "reply", 1)], utcnow())
    calls = len(sim.calls())
    assert delivery._deliver_one(ctx, stale).status == "skipped"
    assert len(sim.calls()) == calls, "LINE is not called for a row already sent"
    assert [m["via"] for m in sim.bot_messages(user)] == ["reply"]
    assert not [c for c in sim.calls("/v2/bot/message/push") if c["json"]["to"] == user]


def test_a_reply_overtaken_by_another_deliverers_is_not_followed_by_a_push(
    sim: Sim, ctx: Context
) -> None:
    user = sim.new_resident()
    token = sim.reply_token(user)
    row_id = queue_row(ctx, user, token)
    stale = delivery.Snapshot.of(load(ctx, row_id))
    # The first deliverer marks the row first, and its reply is held up on the way...
    sim.faults(latency_ms=1500, path_prefix="/v2/bot/message/reply")
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(delivery._deliver_one, ctx, stale)
        wait_until(lambda: sim.stats()["in_flight"].get("/v2/bot/message/reply"))
        sim.faults(clear=True)
        # ...while a second one, which read the row at the same time, replies at once.
        assert delivery._deliver_one(ctx, stale).status == "sent"
        # The first one's reply then finds the token used: by the other one, not by an
        # earlier call of its own, so no push follows.
        assert first.result(timeout=10).status == "skipped"
    assert [m["via"] for m in sim.bot_messages(user)] == ["reply"]
    assert not [c for c in sim.calls("/v2/bot/message/push") if c["json"]["to"] == user]


def test_a_reply_whose_deliverer_died_is_asked_again_within_seconds(
    sim: Sim, ctx: Context, worker: WorkerProcess
) -> None:
    user = sim.new_resident()
    token = sim.reply_token(user)
    row_id = queue_row(ctx, user, token)
    # A deliverer marked the reply, LINE took it, and the deliverer died before recording it;
    # its chat's lock has expired since. No job of the row is queued, and the sweep would
    # take it only once it is 30 s old.
    died = utcnow() - timedelta(seconds=delivery.CHAT_LOCK_SECONDS + 1)
    with ctx.sessions.begin() as session:
        outbox.note_reply_attempt(session, row_id, died)
    ctx.line.reply(token, load(ctx, row_id).messages)
    started = time.monotonic()
    wait_until(
        lambda: load(ctx, row_id).status == "sent", timeout=2 * delivery.CHAT_LOCK_SECONDS + 4
    )
    assert time.monotonic() - started < 2 * delivery.CHAT_LOCK_SECONDS + 4
    row = load(ctx, row_id)
    assert row.sent_via == "reply"  # LINE's "invalid reply token": the earlier call landed
    assert len(sim.bot_messages(user)) == 1


def test_an_answer_whose_deliverer_died_before_its_turn_is_replied_within_seconds(
    sim: Sim, ctx: Context, worker: WorkerProcess
) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user, sim.reply_token(user))
    # A drain committed the answer and died before its delivery thread called LINE; its
    # chat's lock has expired since. No job of the row is queued, and the sweep would take
    # it only once it is 30 s old (and push it, the token being old by then).
    with ctx.sessions.begin() as session:
        row = session.get_one(OutboxMessage, row_id)
        row.created_at = utcnow() - timedelta(seconds=delivery.CHAT_LOCK_SECONDS + 1)
    started = time.monotonic()
    wait_until(
        lambda: load(ctx, row_id).status == "sent", timeout=2 * delivery.CHAT_LOCK_SECONDS + 4
    )
    assert time.monotonic() - started < 2 * delivery.CHAT_LOCK_SECONDS + 4
    assert load(ctx, row_id).sent_via == "reply"
    assert [m["via"] for m in sim.bot_messages(user)] == ["reply"]


def test_a_refused_reply_takes_back_only_its_own_mark(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    row_id = queue_row(ctx, user, sim.reply_token(user))
    # Marks ahead of the clock: the session's worker (retry_stalled) leaves the row alone.
    ours = utcnow() + timedelta(minutes=5)
    theirs = ours + timedelta(seconds=2)
    with ctx.sessions.begin() as session:
        assert outbox.note_reply_attempt(session, row_id, ours).previous is None
        # A second deliverer (the first one's lock lapsed) marks the row again.
        assert outbox.note_reply_attempt(session, row_id, theirs, ours).previous is not None
    with ctx.sessions.begin() as session:
        # LINE refuses the first deliverer's reply (a 500): the newer mark stays, since
        # the second deliverer's reply may have landed.
        outbox.note_attempt(session, row_id, attempts=1, error="500", failed=False,
                            refused_mark=ours)  # fmt: skip
    assert load(ctx, row_id).reply_attempted_at is not None
    with ctx.sessions.begin() as session:
        outbox.note_attempt(session, row_id, attempts=2, error="500", failed=False,
                            refused_mark=load(ctx, row_id).reply_attempted_at)  # fmt: skip
    assert load(ctx, row_id).reply_attempted_at is None


def test_a_fresh_answer_is_delivered_without_reading_its_chat(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    fresh = delivery.Snapshot.of(load(ctx, queue_row(ctx, user, sim.reply_token(user))))
    ran: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        ran.append(statement.split()[0])

    event.listen(ctx.engine, "before_cursor_execute", note)
    try:
        results = delivery.deliver_chat(ctx, user, fresh)
    finally:
        event.remove(ctx.engine, "before_cursor_execute", note)
    assert [(r.outbox_id, r.status, r.via) for r in results or []] == [(fresh.id, "sent", "reply")]
    # The mark (which also checks that no older answer waits) and the outcome: no SELECT.
    assert [word for word in ran if word in ("SELECT", "UPDATE")] == ["UPDATE", "UPDATE"]


def test_a_fresh_answer_waits_for_an_older_one_of_its_chat(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident()
    older = queue_row(ctx, user)  # e.g. a staff answer whose push is being retried
    fresh = delivery.Snapshot.of(load(ctx, queue_row(ctx, user, sim.reply_token(user))))
    delivery.deliver_chat(ctx, user, fresh)
    assert [load(ctx, i).status for i in (older, fresh.id)] == ["sent", "sent"]
    assert [m["via"] for m in sim.bot_messages(user)] == ["push", "reply"]
