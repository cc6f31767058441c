"""Builders for LINE message objects (plain dicts in LINE's wire format)."""

from __future__ import annotations

from typing import Any

from lianping.bot import texts

Message = dict[str, Any]

MENU_ITEMS = tuple(texts.MENU_LABELS)


def menu_postback_data(item: str) -> str:
    """Postback data of a main-menu choice."""
    return f"menu={item}"


def postback_action(label: str, data: str, display_text: str | None = None) -> dict[str, Any]:
    """A postback action; ``display_text`` shows the tap as the resident's own message."""
    action: dict[str, Any] = {"type": "postback", "label": label, "data": data}
    action["displayText"] = display_text or label
    return action


def main_menu_items() -> list[dict[str, Any]]:
    """Quick-reply items for the six main-menu choices."""
    return [
        {
            "type": "action",
            "action": postback_action(texts.MENU_LABELS[item], menu_postback_data(item)),
        }
        for item in MENU_ITEMS
    ]


def text(body: str, quick_replies: list[dict[str, Any]] | None = None) -> Message:
    """A text message, optionally carrying quick-reply items."""
    message: Message = {"type": "text", "text": body}
    if quick_replies:
        message["quickReply"] = {"items": quick_replies}
    return message


def with_menu(body: str) -> Message:
    """A text message that offers the main menu as quick replies."""
    return text(body, main_menu_items())
