"""POST /callback: verify, validate, store durably, enqueue, answer at once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis
from sqlalchemy import func, select

from lianping.app import create_app
from lianping.config import Settings
from lianping.context import Context
from lianping.jobs.inbox_wake import WAKE_KEY
from lianping.storage.inbox import shard_of
from lianping.storage.models import InboxEvent
from lianping_dev.simulator import events as line_events
from tests.conftest import BOT_USER_ID, SECRET

USER = "U" + "1" * 32
RT = "0" * 32  # a reply token (never used: these tests run no worker)


def post(client: Any, body: bytes, signature: str | None = None) -> Any:
    return client.post(
        "/callback",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Line-Signature": signature
            if signature is not None
            else line_events.sign(SECRET, body),
        },
    )


def body_of(*events: dict[str, Any]) -> bytes:
    return line_events.envelope(BOT_USER_ID, list(events))


def stored(ctx: Context) -> int:
    with ctx.sessions() as session:
        return session.scalar(select(func.count()).select_from(InboxEvent)) or 0


@pytest.fixture
def quiet(settings: Settings) -> Iterator[Settings]:
    """Settings with a Redis database no worker listens on: queued jobs stay to be seen."""
    quiet = Settings(
        **{**settings.__dict__, "redis_url": settings.redis_url.rsplit("/", 1)[0] + "/15"}
    )
    Redis.from_url(quiet.redis_url).flushdb()
    yield quiet
    Redis.from_url(quiet.redis_url).flushdb()


def woken(settings: Settings) -> list[int]:
    """The shards waiting for a drainer, oldest first."""
    return [int(s) for s in Redis.from_url(settings.redis_url).lrange(WAKE_KEY, 0, -1)][::-1]


def test_valid_event_is_stored_and_a_drainer_woken(quiet: Settings, ctx: Context) -> None:
    response = post(create_app(quiet).test_client(), body_of(line_events.text(USER, RT, "你好")))
    assert response.status_code == 200
    assert stored(ctx) == 1
    assert woken(quiet) == [shard_of(USER)]
    with ctx.sessions() as session:
        assert session.scalars(select(InboxEvent.shard)).all() == [shard_of(USER)]


def test_a_shard_is_woken_once_until_a_drainer_takes_it(quiet: Settings, ctx: Context) -> None:
    client = create_app(quiet).test_client()
    users = [f"U{i:032x}" for i in range(40)]  # 40 chats over 32 shards: some share one
    for n in range(3):
        body = body_of(*(line_events.text(user, RT, f"第{n}則") for user in users))
        assert post(client, body).status_code == 200
    assert stored(ctx) == 3 * len(users)
    shards = {shard_of(user) for user in users}
    assert 1 < len(shards) < len(users)
    queued = woken(quiet)
    assert sorted(queued) == sorted(shards), "each shard touched once, not per event or chat"

    # A drainer that took the shard lets the webhook wake it again.
    started = queued[0]
    Redis.from_url(quiet.redis_url).delete(f"lianping:inbox:queued:{started}")
    user = next(user for user in users if shard_of(user) == started)
    assert post(client, body_of(line_events.text(user, RT, "再一則"))).status_code == 200
    assert woken(quiet).count(started) == 2


def test_empty_events_is_a_connectivity_check(client: Any, ctx: Context) -> None:
    assert post(client, body_of()).status_code == 200
    assert stored(ctx) == 0


def test_bad_signature_is_refused_and_nothing_stored(client: Any, ctx: Context) -> None:
    body = body_of(line_events.text(USER, RT, "你好"))
    assert post(client, body, signature="bm90IGEgc2lnbmF0dXJl").status_code == 400
    assert post(client, body, signature="").status_code == 400
    # Re-serialising the body changes the bytes, so the signature no longer matches.
    respaced = json.dumps(json.loads(body), indent=1).encode()
    assert post(client, respaced, signature=line_events.sign(SECRET, body)).status_code == 400
    assert stored(ctx) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b'{"destination": "U1"}',
        b'{"destination": "U1", "events": [NaN]}',
        b'{"destination": "U1", "events": [1e999]}',
        b'{"destination": "U1", "events": [' + b"9" * 5000 + b"]}",
    ],
    ids=["malformed", "array", "no-events", "nan", "infinite", "too-many-digits"],
)
def test_malformed_body_is_400_and_nothing_stored(client: Any, ctx: Context, body: bytes) -> None:
    response = post(client, body)
    assert response.status_code == 400
    assert response.json["message"]
    assert stored(ctx) == 0


def test_oversized_body_is_413_and_nothing_stored(client: Any, ctx: Context) -> None:
    big = body_of(line_events.text(USER, RT, "長" * (700 * 1024)))  # about 2 MiB of UTF-8
    assert len(big) > 2 * 1024 * 1024
    assert post(client, big).status_code == 413
    assert stored(ctx) == 0


def test_redis_unreachable_still_200_and_stored(settings: Settings, ctx: Context) -> None:
    no_redis = Settings(**{**settings.__dict__, "redis_url": "redis://127.0.0.1:1/0"})
    client = create_app(no_redis).test_client()
    response = post(client, body_of(line_events.text(USER, RT, "你好")))
    assert response.status_code == 200
    assert stored(ctx) == 1


def test_duplicate_deliveries_are_stored_once(client: Any, ctx: Context) -> None:
    event = line_events.text(USER, RT, "重送")
    for _ in range(3):
        assert post(client, body_of(event)).status_code == 200
    assert stored(ctx) == 1
