"""Builders for LINE message objects (plain dicts in LINE's wire format)."""

from __future__ import annotations

from typing import Any

from lianping.bot import texts
from lianping.line.limits import LIMITS, utf16_units

Message = dict[str, Any]
Item = dict[str, Any]

MENU_ITEMS = tuple(texts.MENU_LABELS)
MAX_QUICK_REPLIES = LIMITS["quick_reply_items"]


def menu_postback_data(item: str) -> str:
    """Postback data of a main-menu choice."""
    return f"menu={item}"


def postback_action(label: str, data: str, display_text: str | None = None) -> dict[str, Any]:
    """A postback action; ``display_text`` shows the tap as the resident's own message."""
    action: dict[str, Any] = {"type": "postback", "label": label, "data": data}
    action["displayText"] = display_text or label
    return action


def item(action: dict[str, Any]) -> Item:
    """A quick-reply item around an action."""
    return {"type": "action", "action": action}


def postback_item(label: str, data: str, display_text: str | None = None) -> Item:
    """A quick-reply item that sends a postback."""
    return item(postback_action(label, data, display_text))


def message_item(label: str, text: str | None = None) -> Item:
    """A quick-reply item that sends ``text`` (the label by default) as the resident's message."""
    return item({"type": "message", "label": label, "text": text or label})


def camera_item() -> Item:
    """A quick-reply item that opens the phone's camera."""
    return item({"type": "camera", "label": texts.LABEL_CAMERA})


def camera_roll_item() -> Item:
    """A quick-reply item that opens the phone's photo album."""
    return item({"type": "cameraRoll", "label": texts.LABEL_CAMERA_ROLL})


def location_item() -> Item:
    """A quick-reply item that opens LINE's location picker."""
    return item({"type": "location", "label": texts.LABEL_LOCATION})


def main_menu_items() -> list[Item]:
    """Quick-reply items for the six main-menu choices."""
    return [
        postback_item(texts.MENU_LABELS[choice], menu_postback_data(choice))
        for choice in MENU_ITEMS
    ]


def with_quick_replies(message: Message, items: list[Item]) -> Message:
    """``message`` carrying ``items`` as quick replies (the first ``MAX_QUICK_REPLIES``)."""
    if not items:
        return message
    return {**message, "quickReply": {"items": items[:MAX_QUICK_REPLIES]}}


def text(body: str, quick_replies: list[Item] | None = None) -> Message:
    """A text message, optionally carrying quick-reply items."""
    return with_quick_replies({"type": "text", "text": body}, quick_replies or [])


def long_text(body: str) -> list[Message]:
    """``body`` as text messages of whole paragraphs, each within LINE's limit (the privacy
    notice an administrator writes may outgrow one message)."""
    limit = LIMITS["text_utf16_units"]
    found: list[str] = []
    for line in body.split("\n"):
        while utf16_units(line) > limit:  # a paragraph longer than a message: cut it
            cut = limit // 2  # a character is at most two UTF-16 units
            found.append(line[:cut])
            line = line[cut:]
        if found and utf16_units(f"{found[-1]}\n{line}") <= limit:
            found[-1] = f"{found[-1]}\n{line}"
        else:
            found.append(line)
    return [text(part) for part in found if part.strip()] or [text(body)]


def with_menu(body: str) -> Message:
    """A text message that offers the main menu as quick replies."""
    return text(body, main_menu_items())


def flex(alt_text: str, contents: dict[str, Any]) -> Message:
    """A Flex message; ``alt_text`` is what notifications and old clients show."""
    return {"type": "flex", "altText": alt_text, "contents": contents}
