"""The spec validator itself: it must reject bad bodies, or it would silently pass everything.

Each test skips without LINE's spec locally and fails without it under CI.
"""

from __future__ import annotations

from tests import line_spec

PUSH = "/v2/bot/message/push"
GOOD_TEXT = {"type": "text", "text": "您的案件已受理"}


def _push(*messages: dict) -> list[str]:
    return line_spec.validate("POST", PUSH, {"to": "U" + "a" * 32, "messages": list(messages)})


def test_good_bodies_pass() -> None:
    flex = {
        "type": "flex",
        "altText": "案件",
        "contents": {
            "type": "carousel",
            "contents": [
                {
                    "type": "bubble",
                    "hero": {"type": "image", "url": "https://example.com/a.png"},
                    "body": {
                        "type": "box",
                        "layout": "vertical",
                        "contents": [
                            {"type": "text", "text": "案號 115-0001", "weight": "bold"},
                            {"type": "separator"},
                            {
                                "type": "button",
                                "action": {"type": "postback", "label": "查看", "data": "case=1"},
                            },
                        ],
                    },
                }
            ],
        },
    }
    quick = {
        **GOOD_TEXT,
        "quickReply": {
            "items": [
                {"type": "action", "action": {"type": "message", "label": "是", "text": "是"}}
            ]
        },
    }
    assert _push(GOOD_TEXT, flex, quick) == []
    assert (
        line_spec.validate(
            "POST", "/v2/bot/message/reply", {"replyToken": "t", "messages": [GOOD_TEXT]}
        )
        == []
    )


def test_message_without_type_is_caught() -> None:
    assert any("type" in e for e in _push({"text": "hi"}))


def test_unknown_message_type_is_caught() -> None:
    assert _push({"type": "hologram"})


def test_quick_reply_item_with_bad_action_is_caught() -> None:
    bad_type = {
        **GOOD_TEXT,
        "quickReply": {"items": [{"type": "action", "action": {"type": "teleport", "label": "x"}}]},
    }
    message_without_text = {
        **GOOD_TEXT,
        "quickReply": {"items": [{"type": "action", "action": {"type": "message", "label": "x"}}]},
    }
    assert any("action" in e for e in _push(bad_type))
    assert any("text" in e for e in _push(message_without_text))


def test_text_over_5000_units_is_caught() -> None:
    assert _push({"type": "text", "text": "字" * 5001}) == [
        "messages[0].text: Length must be between 0 and 5000"
    ]


def test_flex_box_without_layout_is_caught() -> None:
    flex = {
        "type": "flex",
        "altText": "a",
        "contents": {"type": "bubble", "body": {"type": "box", "contents": []}},
    }
    assert any("layout" in e for e in _push(flex))


def test_nested_flex_component_errors_are_found() -> None:
    inner = {
        "type": "box",
        "layout": "vertical",
        "contents": [{"type": "box", "layout": "diagonal", "contents": []}],
    }
    flex = {"type": "flex", "altText": "a", "contents": {"type": "bubble", "body": inner}}
    errors = _push(flex)
    assert any(e.startswith("messages[0].contents.body.contents[0].layout") for e in errors)


def test_request_level_errors_are_caught() -> None:
    assert line_spec.validate("POST", PUSH, {"messages": [GOOD_TEXT]})  # no "to"
    assert line_spec.validate("POST", PUSH, {"to": "U1", "messages": []})
    assert line_spec.validate("POST", "/v2/bot/message/reply", {"messages": [GOOD_TEXT]})


def test_rich_menu_body_is_checked_with_limits() -> None:
    menu = {
        "size": {"width": 2500, "height": 843},
        "selected": False,
        "name": "m",
        "chatBarText": "選單",
        "areas": [],
    }
    assert line_spec.validate("POST", "/v2/bot/richmenu", menu) == []
    assert line_spec.validate(
        "POST", "/v2/bot/richmenu", {**menu, "size": {"width": 2500, "height": 2500}}
    )


def test_unknown_operation_is_reported() -> None:
    assert line_spec.validate("POST", "/v2/bot/not/an/operation", {}) != []
