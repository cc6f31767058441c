"""Resident actions reach the bot as signed webhooks; media is served by the content endpoint."""

from __future__ import annotations

import base64
import json
from typing import Any

from lianping_dev.simulator import events
from tests.simulator.conftest import SECRET, Client, Receiver


def test_text_reaches_the_webhook_signed_with_lines_headers(
    client: Client, receiver: Receiver
) -> None:
    user = client.resident(follow=False)
    result = client.say(user, "我家巷口路燈不亮")

    assert result["webhook_status"] == 200
    got = receiver.received[-1]
    assert got.signature_ok
    assert got.headers["Content-Type"] == "application/json; charset=utf-8"
    assert got.headers["User-Agent"] == "LineBotWebhook/2.0"
    assert got.body == events.envelope("Udeadbeefdeadbeefdeadbeefdeadbeef", [result["event"]])


def test_webhook_status_is_recorded(client: Client, receiver: Receiver) -> None:
    user = client.resident(follow=False)
    receiver.status = 500
    assert client.say(user, "x")["webhook_status"] == 500
    items = client.sim("GET", f"/residents/{user}/messages").json()["items"]
    assert items[-1]["webhook_status"] == 500
    assert client.sim("GET", "/stats").json()["webhooks_by_status"]["500"] == 1


def test_an_answer_sent_while_the_webhook_is_open_comes_after_the_message(
    client: Client, receiver: Receiver
) -> None:
    user = client.resident()
    before = client.sim("GET", f"/residents/{user}/messages").json()["last_seq"]
    seen_meanwhile: list[list[dict[str, Any]]] = []

    def answer_at_once() -> None:
        push = {"to": user, "messages": [{"type": "text", "text": "收到"}]}
        assert client.api("POST", "/v2/bot/message/push", json=push).status_code == 200
        # A reader polling now sees neither the message nor its answer yet.
        path = f"/residents/{user}/messages?after={before}"
        seen_meanwhile.append(client.sim("GET", path).json()["items"])

    receiver.before_answer = answer_at_once
    assert client.say(user, "路燈壞了")["webhook_status"] == 200
    assert seen_meanwhile == [[]]
    items = client.sim("GET", f"/residents/{user}/messages?after={before}").json()["items"]
    assert [item["from"] for item in items] == ["user", "bot"]
    assert items[0]["seq"] < items[1]["seq"] and items[0]["webhook_status"] == 200


def test_image_bytes_are_served_until_unsent(client: Client) -> None:
    user = client.resident()
    photo = b"\x89PNG\r\n\x1a\nfake-photo"
    sent = client.sim(
        "POST",
        f"/residents/{user}/send",
        json={
            "type": "image",
            "content_base64": base64.b64encode(photo).decode(),
            "content_type": "image/png",
        },
    ).json()
    message_id = sent["event"]["message"]["id"]

    content = client.api("GET", f"/v2/bot/message/{message_id}/content")
    assert content.status_code == 200
    assert content.headers["Content-Type"] == "image/png"
    assert content.content == photo

    client.sim("POST", f"/residents/{user}/send", json={"type": "unsend", "message_id": message_id})
    assert client.api("GET", f"/v2/bot/message/{message_id}/content").status_code == 410
    assert client.api("GET", "/v2/bot/message/999/content").status_code == 404


def test_default_image_is_a_generated_png(client: Client) -> None:
    user = client.resident()
    sent = client.sim("POST", f"/residents/{user}/send", json={"type": "image"}).json()
    content = client.api("GET", f"/v2/bot/message/{sent['event']['message']['id']}/content")
    assert content.content.startswith(b"\x89PNG")


def test_each_command_builds_the_right_event(client: Client, receiver: Receiver) -> None:
    user = client.resident(follow=False)
    commands = [
        ({"type": "sticker"}, "message"),
        (
            {
                "type": "location",
                "title": "里民活動中心",
                "address": "臺北市中正區重慶南路一段122號",
                "latitude": 25.04,
                "longitude": 121.51,
            },
            "message",
        ),
        ({"type": "postback", "data": "nature=need", "displayText": "民情需求"}, "postback"),
        ({"type": "follow"}, "follow"),
        ({"type": "unfollow"}, "unfollow"),
        ({"type": "follow"}, "follow"),
    ]
    sent = [
        client.sim("POST", f"/residents/{user}/send", json=c).json()["event"] for c, _ in commands
    ]

    assert [e["type"] for e in sent] == [t for _, t in commands]
    assert sent[0]["message"]["stickerResourceType"] == "STATIC"
    assert sent[1]["message"]["address"] == "臺北市中正區重慶南路一段122號"
    assert sent[2]["postback"] == {"data": "nature=need"}
    assert sent[3]["follow"] == {"isUnblocked": False}
    assert sent[5]["follow"] == {"isUnblocked": True}
    timeline = client.sim("GET", f"/residents/{user}/messages").json()["items"]
    assert timeline[2]["displayText"] == "民情需求"
    assert all(r.signature_ok for r in receiver.received)


def test_bad_commands_are_refused(client: Client) -> None:
    user = client.resident()
    assert client.sim("POST", f"/residents/{user}/send", json={"type": "dance"}).status_code == 400
    assert client.sim("POST", f"/residents/{user}/send", json={"type": "text"}).status_code == 400
    assert (
        client.sim(
            "POST", "/residents/Unobody/send", json={"type": "text", "text": "x"}
        ).status_code
        == 404
    )


def test_raw_webhook_can_be_signed_without_sending(client: Client, receiver: Receiver) -> None:
    odd = events.unknown("somethingNew", "U0123456789abcdef0123456789abcdef")
    dry = client.sim(
        "POST", "/_sim/webhook".removeprefix("/_sim"), params={"send": "0"}, json={"events": [odd]}
    ).json()
    assert json.loads(dry["body"])["events"] == [odd]
    assert dry["signature"] == events.sign(SECRET, dry["body"].encode())
    assert receiver.received == []

    sent = client.sim("POST", "/webhook", json={"events": [odd]}).json()
    assert sent["webhook_status"] == 200
    assert receiver.received[-1].body == dry["body"].encode()


def test_unreachable_webhook_reports_status_zero(client: Client, sim) -> None:
    sim.state.settings.webhook_url = "http://127.0.0.1:9/callback"
    user = client.resident(follow=False)
    result = client.say(user, "x")
    assert result["webhook_status"] == 0
    assert result["webhook_error"]
