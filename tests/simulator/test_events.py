"""Webhook events are built exactly like LINE's: the SDK parses them, webhook.yml accepts them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.models import UnknownEvent
from linebot.v3.webhooks.models import Event

from lianping_dev.simulator import events
from tests import line_spec

USER = "U0123456789abcdef0123456789abcdef"
GROUP = "C0123456789abcdef0123456789abcdef"
TOKEN = "0f3779fba3b349968c5d07db31eab56f"

BUILDERS: dict[str, Callable[[], dict[str, Any]]] = {
    "text": lambda: events.text(USER, TOKEN, "路燈壞了\n請處理"),
    "sticker": lambda: events.sticker(USER, TOKEN),
    "location": lambda: events.location(
        USER, TOKEN, 25.04, 121.51, "廉政署", "臺北市中正區重慶南路一段122號"
    ),
    "location without title": lambda: events.location(USER, TOKEN, 25.04, 121.51),
    "image": lambda: events.image(USER, TOKEN),
    "image in a set": lambda: events.image(
        USER, TOKEN, image_set={"id": "E005D41A", "index": 1, "total": 2}
    ),
    "video": lambda: events.video(USER, TOKEN, 5000),
    "audio": lambda: events.audio(USER, TOKEN, 3000),
    "file": lambda: events.file(USER, TOKEN, "陳情書.pdf", 2048),
    "postback": lambda: events.postback(USER, TOKEN, "action=nature&v=need"),
    "postback with params": lambda: events.postback(USER, TOKEN, "d", {"date": "2025-11-21"}),
    "follow": lambda: events.follow(USER, TOKEN),
    "follow after unblock": lambda: events.follow(USER, TOKEN, is_unblocked=True),
    "unfollow": lambda: events.unfollow(USER),
    "unsend": lambda: events.unsend(USER, "325708"),
    "join": lambda: events.join(GROUP, TOKEN),
    "leave": lambda: events.leave(GROUP),
    "memberJoined": lambda: events.member_joined(GROUP, TOKEN, [USER]),
    "memberLeft": lambda: events.member_left(GROUP, [USER]),
    "beacon": lambda: events.beacon(USER, TOKEN, "d41d8cd98f"),
    "accountLink": lambda: events.account_link(USER, TOKEN, "nonce-1"),
    "videoPlayComplete": lambda: events.video_play_complete(USER, TOKEN, "track-1"),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_event_parses_with_the_sdk_as_its_own_type(name: str) -> None:
    event = BUILDERS[name]()
    parsed = Event.from_dict(event)
    expected = event["type"][0].upper() + event["type"][1:] + "Event"
    assert type(parsed).__name__ == expected
    assert parsed.type == event["type"]
    body = events.envelope("Udeadbeefdeadbeefdeadbeefdeadbeef", [event])
    (via_parser,) = WebhookParser("s").parse(body.decode("utf-8"), events.sign("s", body))
    assert not isinstance(via_parser, UnknownEvent)
    assert type(via_parser).__name__ == expected
    assert parsed.mode.value == "active"
    assert parsed.delivery_context.is_redelivery is False


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_event_validates_against_webhook_yml(name: str) -> None:
    assert line_spec.validate_webhook_event(BUILDERS[name]()) == []


def test_common_properties_are_like_lines() -> None:
    event = events.text(USER, TOKEN, "hi", timestamp=1_700_000_000_000)
    assert event["mode"] == "active"
    assert event["timestamp"] == 1_700_000_000_000
    assert event["source"] == {"type": "user", "userId": USER}
    assert event["deliveryContext"] == {"isRedelivery": False}
    assert len(event["webhookEventId"]) == 26
    assert event["replyToken"] == TOKEN
    assert event["message"]["quoteToken"]


def test_envelope_is_compact_utf8_and_signature_verifies_with_the_sdk() -> None:
    body = events.envelope("Udeadbeefdeadbeefdeadbeefdeadbeef", [BUILDERS["text"]()])
    assert "路燈壞了".encode() in body
    assert b", " not in body and b": " not in body
    signature = events.sign("secret", body)

    parsed = WebhookParser("secret").parse(body.decode("utf-8"), signature)

    assert parsed[0].message.text == "路燈壞了\n請處理"
    with pytest.raises(InvalidSignatureError):
        WebhookParser("other-secret").parse(body.decode("utf-8"), signature)


def test_unknown_event_type_becomes_unknown_event_in_the_sdk() -> None:
    body = events.envelope(
        "Udeadbeefdeadbeefdeadbeefdeadbeef", [events.unknown("futureThing", USER)]
    )
    parsed = WebhookParser("s").parse(body.decode("utf-8"), events.sign("s", body))
    assert isinstance(parsed[0], UnknownEvent)


def test_whole_webhook_body_validates() -> None:
    body = events.envelope("Udeadbeefdeadbeefdeadbeefdeadbeef", [b() for b in BUILDERS.values()])
    assert line_spec.webhook_spec().validate_body(json.loads(body)) == []


def test_webhook_validator_rejects_broken_events() -> None:
    no_mode = BUILDERS["text"]()
    del no_mode["mode"]
    text_without_quote_token = BUILDERS["text"]()
    del text_without_quote_token["message"]["quoteToken"]
    follow_without_detail = BUILDERS["follow"]()
    del follow_without_detail["follow"]

    assert line_spec.validate_webhook_event(no_mode)
    assert line_spec.validate_webhook_event(text_without_quote_token)
    assert line_spec.validate_webhook_event(follow_without_detail)
