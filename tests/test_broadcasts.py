"""Broadcasts: drafts and their rules, audiences, quota, scheduling, cancelling, delivery jobs.

Jobs are called directly here (``freeze`` then ``send_chunk_now``) so each test
controls exactly which LINE call meets which injected fault; the simulator counts
what each LINE user received (``/_sim/receipts``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from rq.job import Job
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select

from lianping import queues
from lianping.config import Settings
from lianping.context import Context
from lianping.jobs import broadcasts as jobs
from lianping.services import broadcasts
from lianping.services.access import Actor, PermissionDenied
from lianping.storage import promotions
from lianping.storage.models import (
    AuditEntry,
    Broadcast,
    BroadcastChunk,
    BroadcastLink,
    PromotionImage,
    QuizAnswer,
    Resident,
    ResidentTag,
    User,
    utcnow,
)
from lianping_dev.simulator.app import RunningSimulator
from lianping_dev.simulator.client import SimulatorClient as Sim
from lianping_dev.simulator.faults import MONTHLY_LIMIT_MESSAGE

OFFICER = Actor(None, "officer", "承辦人", "officer")
ADMIN = Actor(None, "admin", "管理者", "admin")
VIEWER = Actor(None, "viewer", "檢視者", "viewer")
TEXT = [{"type": "text", "text": "反貪倡廉，人人有責。"}]


def new_id() -> str:
    return "U" + secrets.token_hex(16)


def sim_followers(sim: Sim, count: int) -> list[str]:
    """``count`` fresh LINE users who follow the account in the simulator."""
    ids = [new_id() for _ in range(count)]
    response = requests.post(
        f"{sim.url}/_sim/residents/bulk", json={"user_ids": ids, "follow": True}, timeout=30
    )
    response.raise_for_status()
    return ids


def receipts(sim: Sim, via: str = "multicast") -> dict[str, int]:
    response = requests.get(f"{sim.url}/_sim/receipts", params={"via": via}, timeout=30)
    response.raise_for_status()
    return dict(response.json()["receipts"])


def add_residents(ctx: Context, ids: list[str], **fields: Any) -> list[int]:
    with ctx.sessions.begin() as session:
        rows = [Resident(line_user_id=uid, **fields) for uid in ids]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def draft(
    ctx: Context,
    audience: dict[str, Any],
    messages: list[dict[str, Any]] | None = None,
    title: str = "廉政宣導",
) -> int:
    with ctx.sessions.begin() as session:
        return broadcasts.save_draft(
            session, OFFICER, broadcast_id=None, title=title,
            messages=messages or TEXT, audience=audience,
        ).id  # fmt: skip


def send_now(ctx: Context, broadcast_id: int, actor: Actor = OFFICER, **options: Any) -> Broadcast:
    quota = broadcasts.read_quota(ctx.line)
    options.setdefault("public_base_url", ctx.settings.public_base_url)
    with ctx.sessions.begin() as session:
        return broadcasts.send(session, actor, broadcast_id, quota=quota, **options)


def deliver_all(ctx: Context, broadcast_id: int) -> list[str]:
    """Freeze the broadcast and send each chunk once, as the workers would."""
    return [jobs.send_chunk_now(ctx, chunk_id) for chunk_id in jobs.freeze(ctx, broadcast_id)]


def load(ctx: Context, broadcast_id: int) -> Broadcast:
    with ctx.sessions() as session:
        return session.get_one(Broadcast, broadcast_id)


def progress_of(ctx: Context, broadcast_id: int) -> dict[str, Any]:
    with ctx.sessions() as session:
        return broadcasts.progress(session, broadcast_id)


def chunks(ctx: Context, broadcast_id: int) -> list[BroadcastChunk]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(BroadcastChunk)
                .where(BroadcastChunk.broadcast_id == broadcast_id)
                .order_by(BroadcastChunk.seq)
            )
        )


@pytest.fixture
def quota(simulator: RunningSimulator) -> Iterator[Any]:
    """Set the simulator's monthly limit relative to what was used; restored afterwards."""
    store = simulator.store
    original, _ = store.quota()

    def leave(remaining: int) -> None:
        store.set_quota(store.quota()[1] + remaining)

    yield leave
    store.set_quota(max(original, store.quota()[1] + 1_000_000))


@pytest.fixture
def https_ctx(ctx: Context) -> Context:
    """The context with an https public address: LINE fetches images only over https."""
    settings = Settings(**{**ctx.settings.__dict__, "public_base_url": "https://lianping.example"})
    return Context(settings)


# ---------------------------------------------------------------- audiences


def test_area_audience_reaches_exactly_the_matching_followers(sim: Sim, ctx: Context) -> None:
    ids = sim_followers(sim, 6)
    wenbei, wenbei2, xingshi, opted_out, unfollowed, elsewhere = ids
    add_residents(ctx, [wenbei, wenbei2], district="中正區", village="文北里")
    add_residents(ctx, [xingshi], district="中正區", village="幸市里")
    add_residents(ctx, [opted_out], district="中正區", village="文北里", promotions_opt_out=True)
    add_residents(ctx, [unfollowed], district="中正區", village="文北里", following=False)
    add_residents(ctx, [elsewhere], district="大安區", village="文北里")
    village = {"kind": "area", "district": "中正區", "villages": ["文北里"]}
    district = {"kind": "area", "district": "中正區", "villages": []}
    with ctx.sessions() as session:
        assert broadcasts.audience_count(session, village) == 2
        assert broadcasts.audience_count(session, district) == 3

    broadcast_id = draft(ctx, village)
    sending = send_now(ctx, broadcast_id)
    assert sending.status == "sending" and sending.estimated_recipients == 2
    assert deliver_all(ctx, broadcast_id) == ["sent"]

    got = receipts(sim)
    assert {uid: got.get(uid, 0) for uid in ids} == {
        wenbei: 1, wenbei2: 1, xingshi: 0, opted_out: 0, unfollowed: 0, elsewhere: 0,
    }  # fmt: skip
    done = load(ctx, broadcast_id)
    assert (done.status, done.recipients, done.chunks_total, done.chunks_sent) == ("sent", 2, 1, 1)
    assert done.finished_at is not None


def test_tag_audience_takes_residents_with_any_of_the_tags_once(sim: Sim, ctx: Context) -> None:
    ids = sim_followers(sim, 4)
    chief, volunteer, both, _untagged = ids
    rows = dict(zip(ids, add_residents(ctx, ids), strict=True))
    with ctx.sessions.begin() as session:
        session.add_all(
            [
                ResidentTag(resident_id=rows[chief], tag="村里長"),
                ResidentTag(resident_id=rows[volunteer], tag="志工"),
                ResidentTag(resident_id=rows[both], tag="村里長"),
                ResidentTag(resident_id=rows[both], tag="志工"),
            ]
        )
    broadcast_id = draft(ctx, {"kind": "tag", "tags": ["村里長", "志工"]})
    send_now(ctx, broadcast_id)
    deliver_all(ctx, broadcast_id)
    got = receipts(sim)
    assert [got.get(uid, 0) for uid in ids] == [1, 1, 1, 0]
    [chunk] = chunks(ctx, broadcast_id)
    assert chunk.user_ids == [chief, volunteer, both]


def test_test_audience_is_active_staff_with_a_line_id_even_if_opted_out(
    sim: Sim, ctx: Context
) -> None:
    mine, retired, resident = sim_followers(sim, 3)
    add_residents(ctx, [mine, resident], promotions_opt_out=True)
    with ctx.sessions.begin() as session:
        session.add_all(
            [
                User(username="u1", display_name="同仁", password_hash="x", role="officer",
                     line_user_id=mine),
                User(username="u2", display_name="退休", password_hash="x", role="officer",
                     line_user_id=retired, active=False),
                User(username="u3", display_name="無帳號", password_hash="x", role="viewer"),
            ]
        )  # fmt: skip
    broadcast_id = draft(ctx, {"kind": "test"})
    deliver = send_now(ctx, broadcast_id)
    assert deliver.estimated_recipients == 1
    deliver_all(ctx, broadcast_id)
    got = receipts(sim)
    assert (got.get(mine), got.get(retired), got.get(resident)) == (1, None, None)
    with ctx.sessions() as session:
        # A rehearsal is not a publication: the bot's 廉政宣導 menu does not list it.
        assert promotions.latest_for(session, None, None, set(), 5) == []


def test_all_followers_go_through_the_broadcast_endpoint_unless_someone_opted_out(
    sim: Sim, ctx: Context
) -> None:
    ids = sim_followers(sim, 3)
    add_residents(ctx, ids)
    first = draft(ctx, {"kind": "all"})
    send_now(ctx, first)
    before = len(sim.calls("/v2/bot/message/broadcast"))
    assert deliver_all(ctx, first) == ["sent"]
    [chunk] = chunks(ctx, first)
    assert chunk.user_ids == []
    [call] = sim.calls("/v2/bot/message/broadcast")[before:]
    assert call["status"] == 200 and call["headers"]["X-Line-Retry-Key"] == chunk.retry_key
    assert all(receipts(sim, "broadcast").get(uid) == 1 for uid in ids)
    assert load(ctx, first).recipients == 3

    with ctx.sessions.begin() as session:
        resident = session.scalars(select(Resident).where(Resident.line_user_id == ids[0])).one()
        resident.promotions_opt_out = True
    second = draft(ctx, {"kind": "all"})
    send_now(ctx, second)
    deliver_all(ctx, second)
    got = receipts(sim)
    assert [got.get(uid, 0) for uid in ids] == [0, 1, 1]
    with ctx.sessions() as session:
        published = promotions.latest_for(session, None, None, set(), 5)
        assert [b.id for b in published] == [second, first]


def test_a_large_audience_is_cut_into_chunks_of_500_with_their_own_retry_keys(
    sim: Sim, ctx: Context
) -> None:
    ids = sim_followers(sim, 1201)
    add_residents(ctx, ids, district="信義區", village="三張里")
    broadcast_id = draft(ctx, {"kind": "area", "district": "信義區", "villages": ["三張里"]})
    send_now(ctx, broadcast_id)
    assert deliver_all(ctx, broadcast_id) == ["sent"] * 3
    made = chunks(ctx, broadcast_id)
    assert [len(c.user_ids) for c in made] == [500, 500, 201]
    assert [uid for c in made for uid in c.user_ids] == ids
    assert len({c.retry_key for c in made}) == 3
    got = receipts(sim)
    assert all(got.get(uid) == 1 for uid in ids)
    progress = progress_of(ctx, broadcast_id)
    assert progress["percent"] == 100 and progress["status_label"] == "已發送"
    assert progress["reached"] == progress["recipients"] == 1201
    assert progress["finished_at_roc"].startswith(str(utcnow().year - 1911))


# ---------------------------------------------------------------- quota and permissions


def test_over_quota_is_refused_unless_an_admin_confirms(sim: Sim, ctx: Context, quota: Any) -> None:
    ids = sim_followers(sim, 3)
    add_residents(ctx, ids, district="萬華區")
    broadcast_id = draft(ctx, {"kind": "area", "district": "萬華區", "villages": []})
    quota(2)
    with pytest.raises(broadcasts.QuotaExceeded) as refused:
        send_now(ctx, broadcast_id)
    estimate = refused.value.estimate
    assert (estimate.recipients, estimate.cost, estimate.remaining) == (3, 3, 2)
    assert estimate.exceeds and estimate.quota_limit is not None
    with pytest.raises(PermissionDenied):
        send_now(ctx, broadcast_id, confirm_over_quota=True)
    assert load(ctx, broadcast_id).status == "draft"

    admin_id = add_user(ctx, "admin-q", "admin")
    admin = Actor(admin_id, "admin-q", "管理者", "admin")
    confirmed = send_now(ctx, broadcast_id, admin, confirm_over_quota=True)
    assert confirmed.status == "sending" and confirmed.over_quota_confirmed_by == admin_id
    assert confirmed.quota_limit == estimate.quota_limit
    with ctx.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "broadcast.send")
        ).one()
        assert entry.after is not None and entry.after["over_quota_confirmed"] is True


def test_all_followers_by_broadcast_are_costed_as_every_friend_line_counts(
    sim: Sim, ctx: Context, simulator: RunningSimulator
) -> None:
    # Three friends wrote to the account; two more added it before this system existed.
    ids = sim_followers(sim, 5)
    add_residents(ctx, ids[:3])
    broadcast_id = draft(ctx, {"kind": "all"})
    quota = broadcasts.read_quota(ctx.line)
    added, blocks = simulator.store.friend_counts()
    assert quota.friends == added - blocks >= 5
    with ctx.sessions() as session:
        found = broadcasts.estimate(session, session.get_one(Broadcast, broadcast_id), quota)
        assert (found.recipients, found.cost) == (3, quota.friends)
        # With someone opted out it goes by multicast to our followers: they are the cost.
        session.scalars(select(Resident)).first().promotions_opt_out = True  # type: ignore[union-attr]
        session.flush()
        narrowed = broadcasts.estimate(session, session.get_one(Broadcast, broadcast_id), quota)
        assert (narrowed.recipients, narrowed.cost) == (2, 2)


def add_user(ctx: Context, username: str, role: str) -> int:
    with ctx.sessions.begin() as session:
        user = User(username=username, display_name=username, password_hash="x", role=role)
        session.add(user)
        session.flush()
        return user.id


def test_viewers_read_only(ctx: Context) -> None:
    broadcast_id = draft(ctx, {"kind": "test"})
    with ctx.sessions() as session:
        with pytest.raises(PermissionDenied):
            broadcasts.save_draft(
                session, VIEWER, broadcast_id=None, title="x", messages=TEXT,
                audience={"kind": "test"},
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            broadcasts.send(
                session, VIEWER, broadcast_id, quota=broadcasts.Quota(None, 0),
                public_base_url=ctx.settings.public_base_url,
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            broadcasts.cancel(session, VIEWER, broadcast_id)
        assert broadcasts.progress(session, broadcast_id)["status"] == "draft"


# ---------------------------------------------------------------- schedule and cancel


def test_scheduled_broadcast_is_started_by_the_sweep_when_due(sim: Sim, ctx: Context) -> None:
    ids = sim_followers(sim, 2)
    add_residents(ctx, ids, district="北投區")
    broadcast_id = draft(ctx, {"kind": "area", "district": "北投區", "villages": []})
    at = utcnow() + timedelta(hours=1)
    scheduled = send_now(ctx, broadcast_id, at=at)
    assert scheduled.status == "scheduled" and scheduled.scheduled_at == at
    assert progress_of(ctx, broadcast_id)["scheduled_at_roc"]

    assert jobs.start_due(ctx, utcnow()) == []
    assert load(ctx, broadcast_id).status == "scheduled"
    assert jobs.start_due(ctx, at + timedelta(seconds=1)) == [broadcast_id]
    assert jobs.start_due(ctx, at + timedelta(seconds=2)) == []
    assert load(ctx, broadcast_id).status in ("sending", "sent")
    deliver_all(ctx, broadcast_id)
    assert load(ctx, broadcast_id).status == "sent"
    assert all(receipts(sim).get(uid) == 1 for uid in ids)


def test_schedule_in_the_past_is_refused(ctx: Context) -> None:
    broadcast_id = draft(ctx, {"kind": "test"})
    with pytest.raises(broadcasts.BroadcastInvalid) as refused:
        send_now(ctx, broadcast_id, at=utcnow() - timedelta(minutes=1))
    assert refused.value.errors == ["排程時間須為未來的時間"]


def test_cancel_a_draft_or_a_scheduled_broadcast_but_not_one_that_is_sending(
    sim: Sim, ctx: Context
) -> None:
    [uid] = sim_followers(sim, 1)
    add_residents(ctx, [uid], district="士林區")
    audience = {"kind": "area", "district": "士林區", "villages": []}
    first, second, third = draft(ctx, audience), draft(ctx, audience), draft(ctx, audience)
    send_now(ctx, second, at=utcnow() + timedelta(days=1))
    send_now(ctx, third)
    with ctx.sessions.begin() as session:
        assert broadcasts.cancel(session, OFFICER, first).status == "cancelled"
        assert broadcasts.cancel(session, OFFICER, second).cancelled_at is not None
    with ctx.sessions() as session:
        with pytest.raises(broadcasts.BroadcastConflict) as refused:
            broadcasts.cancel(session, OFFICER, third)
        assert "發送中" in refused.value.errors[0]
        with pytest.raises(broadcasts.BroadcastConflict):
            broadcasts.save_draft(
                session, OFFICER, broadcast_id=second, title="改", messages=TEXT,
                audience=audience,
            )  # fmt: skip
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions.count("broadcast.cancel") == 2 and "broadcast.schedule" in actions
    assert jobs.start_due(ctx, utcnow() + timedelta(days=2)) == []


# ---------------------------------------------------------------- LINE's answers


def one_recipient_broadcast(sim: Sim, ctx: Context, district: str) -> tuple[int, int, str]:
    [uid] = sim_followers(sim, 1)
    add_residents(ctx, [uid], district=district)
    broadcast_id = draft(ctx, {"kind": "area", "district": district, "villages": []})
    send_now(ctx, broadcast_id)
    [chunk_id] = jobs.freeze(ctx, broadcast_id)
    return broadcast_id, chunk_id, uid


def scheduled_chunk_jobs(ctx: Context) -> list[int]:
    """Chunk ids of the send_chunk jobs waiting in RQ's scheduler."""
    queue = queues.queue(queues.DEFAULT, ctx.redis)
    registry = ScheduledJobRegistry(queue=queue, serializer=queue.serializer)
    waiting = []
    for job_id in registry.get_job_ids():
        job = Job.fetch(job_id, connection=ctx.redis, serializer=queue.serializer)
        if job.func_name == "lianping.jobs.broadcasts.send_chunk":
            waiting.append(job.args[0])
    return waiting


def test_rate_limit_429_and_500_are_retried_later_with_the_same_retry_key(
    sim: Sim, ctx: Context
) -> None:
    broadcast_id, chunk_id, uid = one_recipient_broadcast(sim, ctx, "南港區")
    before = len(sim.calls("/v2/bot/message/multicast"))
    waiting_before = scheduled_chunk_jobs(ctx).count(chunk_id)
    sim.faults(status=429, count=1, path_prefix="/v2/bot/message/multicast")
    assert jobs.send_chunk_now(ctx, chunk_id) == "retrying"
    [chunk] = chunks(ctx, broadcast_id)
    # A rate limit is waited out: the next try is scheduled, and no attempt is used up.
    assert chunk.attempts == 0 and chunk.retry_at is not None and chunk.retry_at > utcnow()
    assert chunk.first_attempt_at is not None
    sim.faults(status=500, count=1, path_prefix="/v2/bot/message/multicast")
    assert jobs.send_chunk_now(ctx, chunk_id) == "retrying"
    [chunk] = chunks(ctx, broadcast_id)
    assert chunk.attempts == 1 and "500" in (chunk.last_error or "")
    assert scheduled_chunk_jobs(ctx).count(chunk_id) == waiting_before + 2
    assert load(ctx, broadcast_id).status == "sending"
    assert jobs.send_chunk_now(ctx, chunk_id) == "sent"
    assert jobs.send_chunk_now(ctx, chunk_id) == "sent"  # a repeated job changes nothing

    calls = sim.calls("/v2/bot/message/multicast")[before:]
    assert [c["status"] for c in calls] == [429, 500, 200]
    assert len({c["headers"]["X-Line-Retry-Key"] for c in calls}) == 1
    [chunk] = chunks(ctx, broadcast_id)
    assert (chunk.status, chunk.attempts) == ("sent", 2)
    assert receipts(sim)[uid] == 1
    assert load(ctx, broadcast_id).status == "sent"


def test_a_chunk_failing_every_attempt_ends_failed(sim: Sim, ctx: Context) -> None:
    broadcast_id, chunk_id, _ = one_recipient_broadcast(sim, ctx, "內湖區")
    sim.faults(status=503, count=jobs.MAX_ATTEMPTS, path_prefix="/v2/bot/message/multicast")
    for _ in range(jobs.MAX_ATTEMPTS - 1):
        assert jobs.send_chunk_now(ctx, chunk_id) == "retrying"
    assert jobs.send_chunk_now(ctx, chunk_id) == "failed"
    done = load(ctx, broadcast_id)
    assert (done.status, done.chunks_failed, done.chunks_sent) == ("stopped", 1, 0)
    assert "503" in (done.last_error or "")


def test_monthly_limit_stops_the_broadcast_with_a_clear_state(sim: Sim, ctx: Context) -> None:
    ids = sim_followers(sim, 501)
    add_residents(ctx, ids, district="文山區")
    broadcast_id = draft(ctx, {"kind": "area", "district": "文山區", "villages": []})
    send_now(ctx, broadcast_id)
    first, second = jobs.freeze(ctx, broadcast_id)
    sim.faults(
        status=429, count=1, message=MONTHLY_LIMIT_MESSAGE, path_prefix="/v2/bot/message/multicast"
    )
    assert jobs.send_chunk_now(ctx, first) == "stopped"
    assert jobs.send_chunk_now(ctx, second) == "idle"
    done = load(ctx, broadcast_id)
    assert done.status == "stopped" and done.finished_at is not None
    assert "本月訊息額度已用完" in (done.last_error or "")
    assert MONTHLY_LIMIT_MESSAGE in (done.last_error or "")
    assert [c.status for c in chunks(ctx, broadcast_id)] == ["failed", "pending"]
    assert progress_of(ctx, broadcast_id)["status_label"] == "已中止"
    assert not any(receipts(sim).get(uid) for uid in ids)


def test_the_real_quota_running_out_mid_send_stops_it_too(
    sim: Sim, ctx: Context, quota: Any
) -> None:
    ids = sim_followers(sim, 600)
    add_residents(ctx, ids, district="大同區")
    broadcast_id = draft(ctx, {"kind": "area", "district": "大同區", "villages": []})
    send_now(ctx, broadcast_id)
    quota(550)  # room for the first chunk of 500, not the second of 100
    assert deliver_all(ctx, broadcast_id) == ["sent", "stopped"]
    done = load(ctx, broadcast_id)
    assert (done.status, done.chunks_sent, done.chunks_failed) == ("stopped", 1, 1)


def test_other_4xx_fails_the_chunk_with_lines_words(sim: Sim, ctx: Context) -> None:
    broadcast_id, chunk_id, _ = one_recipient_broadcast(sim, ctx, "松山區")
    sim.faults(
        status=400, count=1, message="The request body has 1 error(s)",
        path_prefix="/v2/bot/message/multicast",
    )  # fmt: skip
    assert jobs.send_chunk_now(ctx, chunk_id) == "failed"
    [chunk] = chunks(ctx, broadcast_id)
    assert chunk.status == "failed" and chunk.attempts == 1
    assert chunk.last_error == "LINE 400: The request body has 1 error(s)"
    done = load(ctx, broadcast_id)
    assert done.last_error == chunk.last_error and done.status == "stopped"
    assert len([c for c in sim.calls("/v2/bot/message/multicast") if c["status"] == 400]) == 1


def test_a_send_that_landed_before_a_crash_is_counted_once_on_409(sim: Sim, ctx: Context) -> None:
    broadcast_id, chunk_id, uid = one_recipient_broadcast(sim, ctx, "中山區")
    [chunk] = chunks(ctx, broadcast_id)
    with ctx.sessions() as session:
        messages = jobs.rendered(session, ctx, session.get_one(Broadcast, broadcast_id))
    # A worker sent it, then died before writing it down.
    ctx.line.multicast(chunk.user_ids, messages, chunk.retry_key)
    assert jobs.send_chunk_now(ctx, chunk_id) == "sent"
    assert receipts(sim)[uid] == 1
    statuses = [c["status"] for c in sim.calls("/v2/bot/message/multicast")[-2:]]
    assert statuses == [200, 409]
    assert load(ctx, broadcast_id).chunks_sent == 1


def test_stalled_broadcasts_are_resumed_by_the_sweep(sim: Sim, ctx: Context) -> None:
    _, chunk_id, _ = one_recipient_broadcast(sim, ctx, "信義區")
    later = utcnow() + jobs.STALL_GRACE + timedelta(seconds=1)
    assert jobs.resume_stalled(ctx, utcnow()) == 0
    assert jobs.resume_stalled(ctx, later) == 1
    jobs.send_chunk_now(ctx, chunk_id)
    assert jobs.resume_stalled(ctx, later) == 0
    # A start job lost before it froze the audience is queued again.
    unfrozen = draft(ctx, {"kind": "area", "district": "信義區", "villages": []})
    send_now(ctx, unfrozen)
    assert jobs.resume_stalled(ctx, later) == 1


def test_the_sweep_leaves_a_chunk_waiting_for_its_retry_alone(sim: Sim, ctx: Context) -> None:
    _, chunk_id, _ = one_recipient_broadcast(sim, ctx, "松山區")
    sim.faults(status=500, count=1, path_prefix="/v2/bot/message/multicast")
    assert jobs.send_chunk_now(ctx, chunk_id) == "retrying"
    retry_at = utcnow() + timedelta(minutes=5)  # as after a few failures: a long wait
    with ctx.sessions.begin() as session:
        waiting = session.get_one(BroadcastChunk, chunk_id)
        assert waiting.retry_at is not None
        waiting.retry_at = retry_at
    stalled = utcnow() + jobs.STALL_GRACE + timedelta(seconds=1)
    # Its retry is scheduled: the sweep does not queue another job for it …
    assert jobs.resume_stalled(ctx, stalled) == 0
    assert jobs.resume_stalled(ctx, retry_at) == 0
    # … unless the retry is long overdue (its job was lost).
    assert jobs.resume_stalled(ctx, retry_at + jobs.STALL_GRACE + timedelta(seconds=1)) == 1


def test_a_chunk_first_tried_over_a_day_ago_is_failed_not_resent(sim: Sim, ctx: Context) -> None:
    broadcast_id, chunk_id, _ = one_recipient_broadcast(sim, ctx, "大同區")
    with ctx.sessions.begin() as session:
        chunk = session.get_one(BroadcastChunk, chunk_id)
        chunk.first_attempt_at = utcnow() - timedelta(hours=25)
    before = len(sim.calls("/v2/bot/message/multicast"))
    assert jobs.send_chunk_now(ctx, chunk_id) == "failed"
    assert len(sim.calls("/v2/bot/message/multicast")) == before  # LINE was not asked again
    done = load(ctx, broadcast_id)
    assert done.status == "stopped" and "24小時" in (done.last_error or "")


def test_a_scheduled_broadcast_is_stopped_at_start_if_the_quota_ran_out(
    sim: Sim, ctx: Context, quota: Any
) -> None:
    ids = sim_followers(sim, 3)
    add_residents(ctx, ids, district="中正區")
    broadcast_id = draft(ctx, {"kind": "area", "district": "中正區", "villages": []})
    at = utcnow() + timedelta(hours=1)
    send_now(ctx, broadcast_id, at=at)
    quota(2)  # the month's quota was used up meanwhile
    assert jobs.start_due(ctx, at + timedelta(seconds=1)) == [broadcast_id]
    assert jobs.start_now(ctx, broadcast_id) == 0
    stopped = load(ctx, broadcast_id)
    assert stopped.status == "stopped" and stopped.chunks_sent == 0
    assert "不足以發送給 3 人" in (stopped.last_error or "")
    assert all(uid not in receipts(sim) for uid in ids)


def test_a_send_is_refused_when_line_could_not_fetch_its_images(ctx: Context) -> None:
    image_id = add_image(ctx)
    broadcast_id = draft(ctx, {"kind": "test"}, [{"type": "image", "image_id": image_id}])
    with pytest.raises(broadcasts.BroadcastInvalid) as refused:
        send_now(ctx, broadcast_id, public_base_url="http://lianping.intranet.example")
    assert "https" in refused.value.errors[0]
    assert load(ctx, broadcast_id).status == "draft"


def test_a_duplicate_is_a_new_draft_with_the_same_content(ctx: Context) -> None:
    broadcast_id = draft(ctx, {"kind": "test"}, title="測試後正式發送")
    with ctx.sessions.begin() as session:
        copy = broadcasts.duplicate(session, OFFICER, broadcast_id)
        copy_id = copy.id
    original, duplicate = load(ctx, broadcast_id), load(ctx, copy_id)
    assert copy_id != broadcast_id and duplicate.status == "draft"
    assert (duplicate.title, duplicate.messages, duplicate.audience) == (
        original.title, original.messages, original.audience,
    )  # fmt: skip


# ---------------------------------------------------------------- content


def add_image(ctx: Context, content_type: str = "image/png") -> int:
    with ctx.sessions.begin() as session:
        image = PromotionImage(
            token=secrets.token_urlsafe(16), content_type=content_type, size=1000,
            sha256="0" * 64, width=1040, height=680, storage_path="promo/x.png",
        )  # fmt: skip
        session.add(image)
        session.flush()
        return image.id


CARD_LINK = "https://www.aac.moj.gov.tw/"


def test_card_quiz_and_image_are_rendered_and_links_go_through_the_redirect(
    sim: Sim, ctx: Context, https_ctx: Context
) -> None:
    [uid] = sim_followers(sim, 1)
    add_residents(ctx, [uid], district="大安區")
    image_id = add_image(ctx)
    messages = [
        {"type": "image", "image_id": image_id},
        {
            "type": "card", "title": "廉政檢舉管道", "body": "檢舉專線 0800-286-586",
            "image_id": image_id, "link_label": "了解更多", "link_url": CARD_LINK,
        },
        {
            "type": "quiz", "question": "廉政署檢舉專線是？",
            "choices": ["0800-286-586", "110"], "answer": 0, "explanation": "免付費專線",
        },
    ]  # fmt: skip
    broadcast_id = draft(ctx, {"kind": "area", "district": "大安區", "villages": []}, messages)
    send_now(ctx, broadcast_id)
    assert deliver_all(https_ctx, broadcast_id) == ["sent"]

    with ctx.sessions() as session:
        [link] = session.scalars(select(BroadcastLink)).all()
        token = session.get_one(PromotionImage, image_id).token
    assert (link.url, link.label, link.clicks) == (CARD_LINK, "了解更多", 0)
    [call] = [c for c in sim.calls("/v2/bot/message/multicast") if c["json"]["to"] == [uid]]
    image, card, quiz = call["json"]["messages"]
    assert image["originalContentUrl"] == f"https://lianping.example/promo/{token}.png"
    assert image["previewImageUrl"] == f"https://lianping.example/promo/{token}/preview.jpg"
    assert card["altText"] == "廉政檢舉管道"
    assert card["contents"]["hero"]["url"] == image["originalContentUrl"]
    [button] = card["contents"]["footer"]["contents"]
    assert button["action"]["uri"] == f"https://lianping.example/l/{link.token}"
    assert quiz["altText"] == "有獎徵答：廉政署檢舉專線是？"
    actions = [b["action"] for b in quiz["contents"]["footer"]["contents"]]
    assert [(a["data"], a["displayText"]) for a in actions] == [
        (f"quiz:{broadcast_id}:2:0", "0800-286-586"),
        (f"quiz:{broadcast_id}:2:1", "110"),
    ]


def test_results_count_quiz_answers_per_choice_and_link_taps(ctx: Context) -> None:
    quiz = {"type": "quiz", "question": "問", "choices": ["甲", "乙", "丙"], "answer": 1}
    card = {
        "type": "card",
        "title": "卡",
        "body": "內文",
        "link_label": "看",
        "link_url": CARD_LINK,
    }
    broadcast_id = draft(ctx, {"kind": "test"}, [card, quiz])
    residents = add_residents(ctx, [new_id() for _ in range(3)])
    with ctx.sessions.begin() as session:
        for resident_id, choice in zip(residents, [1, 1, 2], strict=True):
            session.add(
                QuizAnswer(broadcast_id=broadcast_id, message_index=1, resident_id=resident_id,
                           choice=choice, correct=choice == 1)
            )  # fmt: skip
        session.add(BroadcastLink(broadcast_id=broadcast_id, token="t0k", url=CARD_LINK,
                                  label="看", clicks=4))  # fmt: skip
    with ctx.sessions() as session:
        found = broadcasts.results(session, broadcast_id)
        stored = session.get_one(Broadcast, broadcast_id).messages
    assert stored[1]["explanation"] == "" and stored[0]["image_id"] is None
    assert found["quizzes"] == [
        {
            "message_index": 1, "question": "問", "answers": 3, "correct": 2,
            "choices": [
                {"label": "甲", "count": 0, "correct": False},
                {"label": "乙", "count": 2, "correct": True},
                {"label": "丙", "count": 1, "correct": False},
            ],
        }
    ]  # fmt: skip
    assert found["links"] == [{"label": "看", "url": CARD_LINK, "token": "t0k", "clicks": 4}]


@pytest.mark.parametrize(
    ("messages", "audience", "errors"),
    [
        ([{"type": "text", "text": "字" * 5001}], {"kind": "all"}, ["第 1 則：文字超過 5,000 字"]),
        (
            [{"type": "text", "text": "好"}, {"type": "text", "text": "😀" * 2501}],
            {"kind": "all"},
            ["第 2 則：文字超過 5,000 字"],
        ),
        ([], {"kind": "all"}, ["訊息須有 1 至 5 則"]),
        ([{"type": "text", "text": "x"}] * 6, {"kind": "all"}, ["訊息須有 1 至 5 則"]),
        (
            [{"type": "image", "image_id": 999_999}, {"type": "video"}],
            {"kind": "all"},
            [
                "第 1 則：找不到選擇的圖片，請重新上傳",
                "第 2 則：訊息類型須為文字、圖片、圖文卡片或有獎徵答",
            ],
        ),
        (
            [{"type": "card", "title": "卡" * 41, "body": " ", "link_label": "看"}],
            {"kind": "all"},
            [
                "第 1 則：標題超過 40 字",
                "第 1 則：內文不可空白",
                "第 1 則：連結按鈕的文字與網址須一併填寫",
            ],
        ),
        (
            [{"type": "card", "title": "卡", "body": "文", "link_label": "看",
              "link_url": "http://example.com/"}],
            {"kind": "all"},
            ["第 1 則：連結網址須為 https:// 開頭的完整網址"],
        ),
        (
            [{"type": "quiz", "question": "問", "choices": ["甲"], "answer": 3}],
            {"kind": "all"},
            ["第 1 則：選項須有 2 至 4 個", "第 1 則：請指定正確答案"],
        ),
        (
            [{"type": "quiz", "question": "問", "choices": ["甲", "甲", "乙" * 21], "answer": 0}],
            {"kind": "all"},
            ["第 1 則：選項 3 超過 20 字", "第 1 則：選項不可重複"],
        ),
        (TEXT, {"kind": "area", "villages": ["文北里"]}, ["區須為文字"]),
        (TEXT, {"kind": "tag", "tags": []}, ["請至少選擇一個標籤"]),
        (TEXT, {"kind": "everyone"}, ["發送對象須為全部追蹤者、依區／村里、依標籤或測試對象"]),
        (TEXT, {"kind": "all", "district": "x"}, ["發送對象含有不接受的欄位 district"]),
    ],
)  # fmt: skip
def test_bad_drafts_are_refused_with_every_problem_and_nothing_saved(
    ctx: Context, messages: list[Any], audience: dict[str, Any], errors: list[str]
) -> None:
    with ctx.sessions() as session:
        with pytest.raises(broadcasts.BroadcastInvalid) as refused:
            broadcasts.save_draft(
                session, OFFICER, broadcast_id=None, title="宣導", messages=messages,
                audience=audience,
            )  # fmt: skip
        assert refused.value.errors == errors
        session.rollback()
        assert session.scalars(select(Broadcast)).all() == []


def test_a_draft_is_edited_in_place_and_audited(ctx: Context) -> None:
    broadcast_id = draft(ctx, {"kind": "test"})
    with ctx.sessions.begin() as session:
        edited = broadcasts.save_draft(
            session, OFFICER, broadcast_id=broadcast_id, title="新標題",
            messages=[{"type": "text", "text": "更新"}], audience={"kind": "all"},
        )  # fmt: skip
        assert edited.id == broadcast_id
    done = load(ctx, broadcast_id)
    assert (done.title, done.messages, done.audience) == (
        "新標題", [{"type": "text", "text": "更新"}], {"kind": "all"},
    )  # fmt: skip
    with ctx.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["broadcast.create", "broadcast.update"]
        with pytest.raises(LookupError):
            broadcasts.progress(session, 999_999)


def test_the_promotion_list_shows_each_resident_what_was_sent_to_them(ctx: Context) -> None:
    def went_out(audience: dict[str, Any]) -> int:
        broadcast_id = draft(ctx, audience)
        with ctx.sessions.begin() as session:
            row = session.get_one(Broadcast, broadcast_id)
            row.status, row.started_at, row.chunks_sent = "sent", utcnow(), 1
        return broadcast_id

    everyone = went_out({"kind": "all"})
    village = went_out({"kind": "area", "district": "中正區", "villages": ["文北里"]})
    district = went_out({"kind": "area", "district": "中正區", "villages": []})
    chiefs = went_out({"kind": "tag", "tags": ["村里長"]})
    with ctx.sessions() as session:

        def shown(district: str | None, village: str | None, tags: set[str]) -> list[int]:
            return [b.id for b in promotions.latest_for(session, district, village, tags, 5)]

        assert shown(None, None, set()) == [everyone]
        assert shown("中正區", "幸市里", set()) == [district, everyone]
        assert shown("中正區", "文北里", {"村里長"}) == [chiefs, district, village, everyone]
