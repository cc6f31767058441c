"""POST /callback never hangs, never loops, never loses: bad events are set aside while the
good ones beside them are kept, another channel's bodies and deep nesting are refused, a
hung Redis costs at most its short timeout, and an unreachable database leaves the body in
the spool for the sweep."""

from __future__ import annotations

import dataclasses
import json
import logging
import signal
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import context
from lianping.app import create_app
from lianping.config import Settings
from lianping.context import Context
from lianping.jobs import sweep
from lianping.line.webhook_body import MAX_DEPTH
from lianping.services import retention
from lianping.storage import rejected_events, spool
from lianping.storage.models import InboxEvent, RejectedWebhookEvent, utcnow
from lianping_dev.redis_server import RedisServer
from lianping_dev.simulator import events as line_events
from tests.admin_support import logged_in, staff
from tests.conftest import BOT_USER_ID, SECRET

USER = "U" + "1" * 32
OTHER = "U" + "2" * 32
RT = "0" * 32  # a reply token (never used: these tests run no worker)
# A database that refuses every connection: the webhook's view of a stopped server.
REFUSING_DATABASE = "postgresql://lianping@127.0.0.1:1/x"


def post(client: Any, body: bytes) -> Any:
    return client.post(
        "/callback",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Line-Signature": line_events.sign(SECRET, body),
        },
    )


def body_of(*events: Any, destination: str = BOT_USER_ID) -> bytes:
    try:
        return line_events.envelope(destination, list(events))
    except UnicodeEncodeError:  # a lone surrogate: JSON's escape carries it
        return json.dumps({"destination": destination, "events": list(events)}).encode()


def stored_ids(ctx: Context) -> list[str]:
    with ctx.sessions() as session:
        return sorted(session.scalars(select(InboxEvent.webhook_event_id)))


def rejections(ctx: Context) -> list[RejectedWebhookEvent]:
    with ctx.sessions() as session:
        return list(session.scalars(select(RejectedWebhookEvent).order_by(RejectedWebhookEvent.id)))


def _with(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**event, **changes}


def _source(user_id: Any) -> dict[str, Any]:
    return _with(line_events.text(OTHER, RT, "壞"), source={"type": "user", "userId": user_id})


BAD_EVENTS = {
    "timestamp-huge": lambda: _with(line_events.text(OTHER, RT, "壞"), timestamp=10**30),
    "timestamp-negative": lambda: _with(line_events.text(OTHER, RT, "壞"), timestamp=-1),
    "timestamp-bool": lambda: _with(line_events.text(OTHER, RT, "壞"), timestamp=True),
    "event-id-long": lambda: _with(line_events.text(OTHER, RT, "壞"), webhookEventId="E" * 65),
    "event-id-nul": lambda: _with(line_events.text(OTHER, RT, "壞"), webhookEventId="E\x00"),
    "user-id-long": lambda: _source("U" + "a" * 80),
    "user-id-nul": lambda: _source("U" + "a" * 31 + "\x00"),
    "user-id-shape": lambda: _source("not-a-line-id"),
    "group-id-shape": lambda: _with(
        line_events.text(OTHER, RT, "壞"), source={"type": "group", "groupId": "G" * 33}
    ),
    "source-not-object": lambda: _with(line_events.base("somethingNew", None), source="user"),
    "not-an-object": lambda: [1, 2],
    "number": lambda: 7,
    "no-mode": lambda: {k: v for k, v in line_events.text(OTHER, RT, "壞").items() if k != "mode"},
    "no-delivery-context": lambda: {
        k: v for k, v in line_events.text(OTHER, RT, "壞").items() if k != "deliveryContext"
    },
    "type-long": lambda: _with(line_events.base("x" * 41, None)),
    "nul-in-text": lambda: line_events.text(OTHER, RT, "壞\x00字"),
    "lone-surrogate": lambda: line_events.text(OTHER, RT, "壞\ud800字"),
    "sdk-model": lambda: _with(
        line_events.text(OTHER, RT, "壞"), message={"type": "text", "text": "沒有 id"}
    ),
}


@pytest.mark.parametrize("kind", BAD_EVENTS)
def test_a_bad_event_is_set_aside_and_the_good_ones_kept(
    client: Any, ctx: Context, kind: str
) -> None:
    before = line_events.text(USER, RT, "之前")
    after = line_events.text(USER, RT, "之後")
    body = body_of(before, BAD_EVENTS[kind](), after)
    response = post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert stored_ids(ctx) == sorted([before["webhookEventId"], after["webhookEventId"]])
    [rejected] = rejections(ctx)
    assert rejected.reason and rejected.raw and rejected.raw_purged_at is None
    assert "\x00" not in rejected.raw
    # A redelivery stores nothing twice.
    assert post(client, body).status_code == 200
    assert len(stored_ids(ctx)) == 2


def test_the_rejected_event_is_kept_as_bounded_json(client: Any, ctx: Context) -> None:
    huge = _with(line_events.text(OTHER, RT, "長" * 200_000), timestamp=-5)
    assert post(client, body_of(huge)).status_code == 200
    [rejected] = rejections(ctx)
    assert rejected.raw is not None
    assert len(rejected.raw) == rejected_events.MAX_RAW_CHARS
    assert rejected.raw.startswith('{"type": "message"')
    assert "長長" in rejected.raw  # readable, not escaped
    assert rejected.reason == "timestamp 超出範圍"


def test_a_body_of_only_bad_events_is_200_with_nothing_stored(client: Any, ctx: Context) -> None:
    assert post(client, body_of(1, "two", None)).status_code == 200
    assert stored_ids(ctx) == []
    assert len(rejections(ctx)) == 3


def test_staff_see_the_rejected_events_on_the_status_page(
    app: Any, client: Any, ctx: Context
) -> None:
    admin, _ = logged_in(app, ctx, staff(ctx, "watcher", "admin"))
    page = admin.get("/admin/status").get_data(as_text=True)
    assert "拒收事件" in page and "最近拒收的事件" not in page
    secret_text = "我的電話是0912345678"
    bad = _with(line_events.text(OTHER, RT, secret_text), timestamp=10**30)
    assert post(client, body_of(bad, line_events.text(USER, RT, "好"))).status_code == 200
    page = admin.get("/admin/status").get_data(as_text=True)
    assert (
        '<div class="card alert" id="events-rejected"><h2>拒收事件</h2><p class="figure">1</p>'
        in page
    )
    assert "最近拒收的事件" in page and "timestamp 超出範圍" in page
    assert f"{utcnow().year - 1911}年" in page
    assert secret_text not in page, "the page shows why, never what a resident wrote"


def test_the_retention_purge_drops_the_raw_json_of_old_rejections(
    client: Any, ctx: Context
) -> None:
    assert post(client, body_of(7)).status_code == 200
    with ctx.sessions() as session:
        days = retention.periods(session)["payloads"]
        assert {p.kind.code: p for p in retention.plan(session, utcnow())}[
            "payloads"
        ].due.count == 0
    later = utcnow() + timedelta(days=days + 1)
    with ctx.sessions.begin() as session:
        due = {p.kind.code: p for p in retention.plan(session, later)}["payloads"].due
        assert due.count == 1 and due.oldest is not None
        batch = retention.purge(session, later, 100)
    assert batch.counts["payloads"] == 1
    [rejected] = rejections(ctx)
    assert rejected.raw is None and rejected.raw_purged_at is not None and rejected.reason
    with ctx.sessions() as session:
        assert {p.kind.code: p for p in retention.plan(session, later)}["payloads"].due.count == 0


# -- destination ----------------------------------------------------------------------------


def test_a_body_for_another_bot_is_refused_and_logged_without_content(
    client: Any, ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    words = "不該出現在紀錄裡"
    body = body_of(line_events.text(USER, RT, words), destination="U" + "9" * 32)
    with caplog.at_level(logging.WARNING, logger="lianping.web.callback"):
        response = post(client, body)
    assert response.status_code == 400
    assert response.json["message"]
    assert stored_ids(ctx) == [] and rejections(ctx) == []
    [record] = [r for r in caplog.records if r.name == "lianping.web.callback"]
    assert record.levelno == logging.WARNING
    assert words not in record.getMessage() and USER not in record.getMessage()


def test_without_a_bot_user_id_any_destination_is_taken_and_that_is_said_at_start(
    settings: Settings, ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    open_settings = dataclasses.replace(settings, line_bot_user_id="")
    with caplog.at_level(logging.WARNING, logger="lianping.web.callback"):
        client = create_app(open_settings).test_client()
    assert any("LINE_BOT_USER_ID" in r.getMessage() for r in caplog.records)
    event = line_events.text(USER, RT, "你好")
    assert post(client, body_of(event, destination="U" + "9" * 32)).status_code == 200
    assert stored_ids(ctx) == [event["webhookEventId"]]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="lianping.web.callback"):
        create_app(settings)
    assert not caplog.records, "with the id set, nothing to warn about"


# -- nesting --------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deep_nesting_is_400_never_500(client: Any, ctx: Context, depth: int) -> None:
    # The nesting sits inside an otherwise good event, where a recursive step would meet it.
    event = line_events.text(USER, RT, "巢狀")
    head, tail = json.dumps(event)[:-1], "}"
    nested = "[" * (depth - 3) + "]" * (depth - 3)
    body = f'{{"destination": "{BOT_USER_ID}", "events": [{head}, "x": {nested}{tail}]}}'
    response = post(client, body.encode())
    assert response.status_code == 400
    assert "nested" in response.json["message"]
    assert stored_ids(ctx) == []


def test_nesting_within_the_bound_is_taken(client: Any, ctx: Context) -> None:
    event = line_events.text(USER, RT, "巢狀")
    value: Any = []
    for _ in range(MAX_DEPTH - 4):  # body, events, event, "x": the rest is the list
        value = [value]
    event["x"] = value
    assert post(client, body_of(event)).status_code == 200
    assert stored_ids(ctx) == [event["webhookEventId"]]


# -- Redis hung -----------------------------------------------------------------------------


@pytest.fixture
def hung_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis server stopped with SIGSTOP: it accepts connections and never answers."""
    server = RedisServer(tmp_path / "redis").start()
    assert server.process is not None
    server.process.signal(signal.SIGSTOP)
    yield server
    server.process.signal(signal.SIGCONT)
    server.stop()


def test_a_hung_redis_costs_the_webhook_at_most_its_short_timeout(
    settings: Settings, ctx: Context, hung_redis: RedisServer
) -> None:
    client = create_app(dataclasses.replace(settings, redis_url=hung_redis.url)).test_client()
    durations = []
    for n in range(3):
        event = line_events.text(f"U{n:032x}", RT, "Redis 停住了")
        started = time.monotonic()
        response = post(client, body_of(event))
        durations.append(time.monotonic() - started)
        assert response.status_code == 200
    assert len(stored_ids(ctx)) == 3, "stored; the sweep queues them once Redis answers"
    assert max(durations) < 1.5, durations  # LINE waits 2 s


# -- database unreachable: the spool ---------------------------------------------------------


@pytest.fixture
def spooled(settings: Settings, tmp_path: Path) -> Settings:
    return dataclasses.replace(settings, spool_dir=tmp_path / "spool")


def test_bodies_wait_in_the_spool_and_the_sweep_stores_each_event_once(
    spooled: Settings, quiet: Context, ctx: Context
) -> None:
    down = create_app(dataclasses.replace(spooled, database_url=REFUSING_DATABASE))
    client = down.test_client()
    events = [line_events.text(f"U{n:032x}", RT, f"第{n}則") for n in range(30)]
    bodies = [body_of(*events[n : n + 3]) for n in range(0, 30, 3)]
    bodies.append(bodies[0])  # LINE redelivers one
    bodies.append(body_of(events[5], 99))  # one event again, beside a bad one
    for body in bodies:
        assert post(client, body).status_code == 200
    files = spool.pending(spooled.spool_dir, 100)
    assert len(files) == len(bodies)
    assert sorted(f.read_bytes() for f in files) == sorted(bodies), "the verified bytes"
    assert stored_ids(ctx) == []

    # The database is back: the sweep imports the spool.
    importer = Context(dataclasses.replace(quiet.settings, spool_dir=spooled.spool_dir))
    assert sweep.import_spool(importer) == len(bodies)
    assert stored_ids(ctx) == sorted(e["webhookEventId"] for e in events)
    assert len(rejections(ctx)) == 1
    assert list(spooled.spool_dir.iterdir()) == []
    assert sweep.import_spool(importer) == 0
    queued = {int(key.rsplit(b":", 1)[1]) for key in quiet.redis.keys("lianping:inbox:queued:*")}
    with ctx.sessions() as session:
        assert queued == set(session.scalars(select(InboxEvent.shard).distinct()))


def test_the_sweep_job_imports_the_spool(spooled: Settings, quiet: Context, ctx: Context) -> None:
    down = create_app(dataclasses.replace(spooled, database_url=REFUSING_DATABASE))
    event = line_events.text(USER, RT, "資料庫停了")
    assert post(down.test_client(), body_of(event)).status_code == 200
    context.install(Context(dataclasses.replace(quiet.settings, spool_dir=spooled.spool_dir)))
    try:
        result = sweep.sweep()
    finally:
        context.install(ctx)
    assert result["spooled_bodies"] == 1
    assert stored_ids(ctx) == [event["webhookEventId"]]


def test_a_body_the_import_cannot_take_is_set_aside(spooled: Settings, ctx: Context) -> None:
    spool.write(spooled.spool_dir, b"not a webhook body", 10**6)
    good = line_events.text(USER, RT, "好")
    spool.write(spooled.spool_dir, body_of(good), 10**6)
    importer = Context(spooled)
    assert sweep.import_spool(importer) == 1
    assert stored_ids(ctx) == [good["webhookEventId"]]
    [left] = spooled.spool_dir.iterdir()
    assert left.name.endswith(spool.SET_ASIDE)
    assert sweep.import_spool(importer) == 0, "never tried again"


def test_a_full_spool_is_a_clear_503(spooled: Settings, ctx: Context) -> None:
    body = body_of(line_events.text(USER, RT, "你好"))
    tiny = dataclasses.replace(
        spooled, database_url=REFUSING_DATABASE, spool_max_bytes=len(body) * 2
    )
    client = create_app(tiny).test_client()
    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200
    response = post(client, body)
    assert response.status_code == 503
    assert response.json["message"]
    assert len(spool.pending(spooled.spool_dir, 100)) == 2


def test_with_the_database_up_nothing_is_spooled(spooled: Settings, ctx: Context) -> None:
    client = create_app(spooled).test_client()
    assert post(client, body_of(line_events.text(USER, RT, "你好"))).status_code == 200
    assert not spooled.spool_dir.exists() or list(spooled.spool_dir.iterdir()) == []
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 1
