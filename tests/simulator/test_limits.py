"""Every rule of the limits table is enforced by the fake API: 400, LINE's body, nothing sent."""

from __future__ import annotations

from typing import Any

import pytest

from tests.simulator.conftest import Client


def _bubble(text: str = "內容") -> dict[str, Any]:
    return {
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "contents": [{"type": "text", "text": text}]},
    }


def _quick_reply(*actions: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "text",
        "text": "請選擇",
        "quickReply": {"items": [{"type": "action", "action": a} for a in actions]},
    }


def _postback(label: str = "選項", data: str = "a=1", **extra: str) -> dict[str, Any]:
    return {"type": "postback", "label": label, "data": data, **extra}


CASES: dict[str, tuple[list[dict[str, Any]], str]] = {
    "text over 5000 UTF-16 units": ([{"type": "text", "text": "😀" * 2501}], "messages[0].text"),
    "quick reply over 13 items": (
        [_quick_reply(*[_postback(data=str(i)) for i in range(14)])],
        "messages[0].quickReply.items",
    ),
    "action label over 20 chars": (
        [_quick_reply(_postback(label="長" * 21))],
        "messages[0].quickReply.items[0].action.label",
    ),
    "postback data over 300": (
        [_quick_reply(_postback(data="d" * 301))],
        "messages[0].quickReply.items[0].action.data",
    ),
    "displayText over 300": (
        [_quick_reply(_postback(displayText="字" * 301))],
        "messages[0].quickReply.items[0].action.displayText",
    ),
    "flex bubble over 30 KB": (
        [{"type": "flex", "altText": "a", "contents": _bubble("x" * 31_000)}],
        "messages[0].contents",
    ),
    "carousel over 12 bubbles": (
        [
            {
                "type": "flex",
                "altText": "a",
                "contents": {"type": "carousel", "contents": [_bubble()] * 13},
            }
        ],
        "messages[0].contents.contents",
    ),
    "carousel over 50 KB": (
        [
            {
                "type": "flex",
                "altText": "a",
                "contents": {"type": "carousel", "contents": [_bubble("y" * 9_000)] * 6},
            }
        ],
        "messages[0].contents",
    ),
    "image URL not HTTPS": (
        [
            {
                "type": "image",
                "originalContentUrl": "http://example.com/a.jpg",
                "previewImageUrl": "https://example.com/p.jpg",
            }
        ],
        "messages[0].originalContentUrl",
    ),
    "image URL over 2000 chars": (
        [
            {
                "type": "image",
                "originalContentUrl": "https://example.com/" + "a" * 2000,
                "previewImageUrl": "https://example.com/p.jpg",
            }
        ],
        "messages[0].originalContentUrl",
    ),
    "template altText over 400": (
        [
            {
                "type": "template",
                "altText": "a" * 401,
                "template": {
                    "type": "confirm",
                    "text": "確定？",
                    "actions": [_postback(label="是"), _postback(label="否")],
                },
            }
        ],
        "messages[0].altText",
    ),
    "postback without data": (
        [_quick_reply({"type": "postback", "label": "x"})],
        "messages[0].quickReply.items[0].action.data",
    ),
    "carousel without bubbles": (
        [{"type": "flex", "altText": "a", "contents": {"type": "carousel", "contents": []}}],
        "messages[0].contents.contents",
    ),
    "desktop URI over 1000 chars": (
        [
            _quick_reply(
                {
                    "type": "uri",
                    "label": "網站",
                    "uri": "https://example.com/",
                    "altUri": {"desktop": "https://example.com/" + "d" * 1000},
                }
            )
        ],
        "messages[0].quickReply.items[0].action.altUri.desktop",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_limit_violation_is_refused_and_nothing_is_delivered(client: Client, case: str) -> None:
    messages, prop = CASES[case]
    user = client.resident()

    response = client.api("POST", "/v2/bot/message/push", json={"to": user, "messages": messages})

    assert response.status_code == 400, response.text
    body = response.json()
    assert body["message"] == f"The request body has {len(body['details'])} error(s)"
    assert prop in [d["property"] for d in body["details"]]
    assert client.bot_messages(user) == []


def test_text_of_exactly_5000_units_is_accepted(client: Client) -> None:
    user = client.resident()
    response = client.api(
        "POST",
        "/v2/bot/message/push",
        json={"to": user, "messages": [{"type": "text", "text": "😀" * 2500}]},
    )
    assert response.status_code == 200


def test_multicast_over_500_ids_is_refused(client: Client) -> None:
    user = client.resident()
    to = [user] + [f"U{i:032x}" for i in range(500)]
    response = client.api(
        "POST",
        "/v2/bot/message/multicast",
        json={"to": to, "messages": [{"type": "text", "text": "x"}]},
    )
    assert response.status_code == 400
    assert "to" in [d["property"] for d in response.json()["details"]]
    assert client.bot_messages(user) == []


def test_sdk_model_errors_are_reported_with_paths(client: Client) -> None:
    user = client.resident()
    response = client.api(
        "POST",
        "/v2/bot/message/push",
        json={"to": user, "messages": [{"text": "no type"}, {"type": "text"}]},
    )
    assert response.status_code == 400
    props = [d["property"] for d in response.json()["details"]]
    assert props == ["messages[0].type", "messages[1].text"]


def test_malformed_json_is_a_400(client: Client) -> None:
    response = client.api(
        "POST",
        "/v2/bot/message/push",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert "message" in response.json()
