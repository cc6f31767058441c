"""Residents' media: downloaded at once, kept with type, size and sha256; unsend deletes it."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from lianping.context import Context
from lianping.line.client import ContentTooLarge
from lianping.storage.models import InboxEvent, MediaFile
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import WorkerProcess, wait_until


def media_row(ctx: Context, message_id: str) -> MediaFile | None:
    with ctx.sessions() as session:
        return session.scalar(select(MediaFile).where(MediaFile.line_message_id == message_id))


@pytest.mark.e2e
def test_photo_is_downloaded_and_unsend_deletes_it(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    user = sim.new_resident("傳照片")
    sent = sim.send(user, type="image")
    message_id = sent["event"]["message"]["id"]
    original = requests.get(f"{sim.url}/_sim/content/{message_id}", timeout=10).content

    stored = wait_until(lambda: (m := media_row(ctx, message_id)) and m.status == "stored" and m)
    assert stored.kind == "image"
    assert stored.content_type == "image/png"
    assert stored.size == len(original)
    assert stored.sha256 == hashlib.sha256(original).hexdigest()
    path = Path(ctx.settings.media_dir) / str(stored.path)
    assert path.read_bytes() == original

    sim.send(user, type="unsend", message_id=message_id)
    wait_until(lambda: (m := media_row(ctx, message_id)) and m.status == "unsent")
    # The file goes once the change is committed, just after the row says so.
    wait_until(lambda: not path.exists(), timeout=5)


def stored_message(ctx: Context, message_id: str) -> dict[str, object]:
    with ctx.sessions() as session:
        for payload in session.scalars(
            select(InboxEvent.payload).where(InboxEvent.event_type == "message")
        ):
            if payload["message"]["id"] == message_id:
                return dict(payload["message"])
    raise AssertionError(f"message {message_id} not stored")


@pytest.mark.e2e
def test_an_unsent_text_is_blanked_in_the_stored_event(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    user = sim.new_resident("收回訊息")
    taken_back = sim.send(user, type="text", text="我的電話是0912345678，地址在中正區")
    kept = sim.send(user, type="text", text="這則留著")
    message_id = taken_back["event"]["message"]["id"]
    wait_until(lambda: len(sim.bot_messages(user)) >= 2)
    assert stored_message(ctx, message_id)["text"].startswith("我的電話")

    sim.send(user, type="unsend", message_id=message_id)
    wait_until(lambda: stored_message(ctx, message_id).get("unsent"))
    assert stored_message(ctx, message_id) == {"id": message_id, "type": "text", "unsent": True}
    assert stored_message(ctx, kept["event"]["message"]["id"])["text"] == "這則留著"


@pytest.mark.e2e
def test_announced_oversized_file_is_refused_with_a_clear_message(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    user = sim.new_resident("大檔案")
    event = line_events.file(user, sim.reply_token(user), "錄影.mp4", 300 * 1024 * 1024)
    assert sim.raw([event])["webhook_status"] == 200
    message_id = event["message"]["id"]
    wait_until(lambda: (m := media_row(ctx, message_id)) and m.status == "too_large")
    texts = wait_until(
        lambda: [m["message"].get("text", "") for m in sim.bot_messages(user) if "MB" in
                 m["message"].get("text", "")]
    )  # fmt: skip
    assert "20" in texts[0]


def test_download_stops_past_the_size_limit(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident("影片")
    data = b"\x00" * 200_000
    sent = sim.send(
        user, type="video", content_base64=base64.b64encode(data).decode(), content_type="video/mp4"
    )
    target = io.BytesIO()
    with pytest.raises(ContentTooLarge):
        ctx.line.download_content(sent["event"]["message"]["id"], target, max_bytes=100_000)
    assert len(target.getvalue()) <= 100_000
