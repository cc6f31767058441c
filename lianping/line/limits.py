"""Size rules of the Messaging API that neither the SDK models nor the OpenAPI spec encode.

The product judges what it sends by this table (broadcast drafts before they are saved,
among others). The LINE simulator of the development tools keeps a table of its own on
purpose, and the tests hold the two against each other and against LINE's spec, so a
misread limit is not wrong on both sides. Every check walks plain JSON (dicts and lists)
and reports violations with LINE's property paths, e.g. ``messages[0].quickReply.items``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, NamedTuple


class Violation(NamedTuple):
    """One broken rule, in the shape of an item of LINE's error ``details``."""

    property: str
    message: str


# The table: name -> (limit, what it limits). Units are noted in each name.
LIMITS: dict[str, int] = {
    "messages_per_request": 5,
    "text_utf16_units": 5000,
    "quick_reply_items": 13,
    "action_label_chars": 20,
    "postback_data_chars": 300,
    "display_text_chars": 300,
    "flex_bubble_bytes": 30 * 1024,
    "flex_carousel_bubbles": 12,
    "flex_carousel_bytes": 50 * 1024,
    "image_url_chars": 2000,
    "template_alt_text_chars": 400,
    "flex_alt_text_chars": 1500,
    "multicast_recipients": 500,
    "rich_menu_areas": 20,
    "rich_menu_chat_bar_text_chars": 14,
    "rich_menu_width_min": 800,
    "rich_menu_width_max": 2500,
    "rich_menu_height_min": 250,
    "rich_menu_image_bytes": 1024 * 1024,
}

# Rich menus must be at least 1.45 times as wide as they are tall.
RICH_MENU_MIN_ASPECT = 1.45

# Properties that hold an image URL, which LINE requires to be HTTPS.
_IMAGE_URL_KEYS = frozenset(
    {"originalContentUrl", "previewImageUrl", "thumbnailImageUrl", "imageUrl", "baseUrl"}
)
_FLEX_URL_COMPONENTS = frozenset({"image", "icon"})
# LINE rejects a rich menu without these, though the spec marks none of them required.
_RICH_MENU_REQUIRED = ("size", "selected", "name", "chatBarText", "areas")
_ACTION_PAYLOAD = {"postback": "data", "message": "text", "uri": "uri"}
_ACTION_TYPES = frozenset(
    {
        "postback",
        "message",
        "uri",
        "datetimepicker",
        "camera",
        "cameraRoll",
        "location",
        "richmenuswitch",
        "clipboard",
    }
)


def utf16_units(text: str) -> int:
    """Length of ``text`` as LINE counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def json_bytes(value: Any) -> int:
    """Size in bytes of ``value`` serialized as compact UTF-8 JSON."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _size(path: str, low: int, high: int) -> Violation:
    return Violation(path, f"Size must be between {low} and {high}")


def _length(path: str, low: int, high: int) -> Violation:
    return Violation(path, f"Length must be between {low} and {high}")


def check_message_count(messages: Any, path: str = "messages") -> list[Violation]:
    """At most five messages per request (and at least one)."""
    if isinstance(messages, list) and not 1 <= len(messages) <= LIMITS["messages_per_request"]:
        return [_size(path, 1, LIMITS["messages_per_request"])]
    return []


def check_recipients(to: Any, path: str = "to") -> list[Violation]:
    """A multicast names between 1 and 500 user ids."""
    if isinstance(to, list) and not 1 <= len(to) <= LIMITS["multicast_recipients"]:
        return [_size(path, 1, LIMITS["multicast_recipients"])]
    return []


def check_messages(messages: Any, path: str = "messages") -> list[Violation]:
    """Every size rule for a ``messages`` array, message by message."""
    found = check_message_count(messages, path)
    if isinstance(messages, list):
        for index, message in enumerate(messages):
            if isinstance(message, dict):
                found += check_message(message, f"{path}[{index}]")
    return found


def check_message(message: dict[str, Any], path: str) -> list[Violation]:
    """Size rules for one message object, including its quick reply and nested actions."""
    found: list[Violation] = []
    kind = message.get("type")
    text = message.get("text")
    too_long = isinstance(text, str) and utf16_units(text) > LIMITS["text_utf16_units"]
    if kind in ("text", "textV2") and too_long:
        found.append(_length(f"{path}.text", 0, LIMITS["text_utf16_units"]))
    alt = message.get("altText")
    if isinstance(alt, str):
        key = "template_alt_text_chars" if kind == "template" else "flex_alt_text_chars"
        if len(alt) > LIMITS[key]:
            found.append(_length(f"{path}.altText", 0, LIMITS[key]))
    if kind == "flex" and isinstance(message.get("contents"), dict):
        found += check_flex_container(message["contents"], f"{path}.contents")
    items = (message.get("quickReply") or {}).get("items")
    if isinstance(items, list) and len(items) > LIMITS["quick_reply_items"]:
        found.append(_size(f"{path}.quickReply.items", 0, LIMITS["quick_reply_items"]))
    for sub_path, action in iter_actions(message, path):
        found += check_action(action, sub_path)
    found += check_image_urls(message, path)
    return found


def check_flex_container(container: dict[str, Any], path: str) -> list[Violation]:
    """A bubble is at most 30 KB; a carousel at most 12 bubbles and 50 KB."""
    found: list[Violation] = []
    if container.get("type") == "bubble" and json_bytes(container) > LIMITS["flex_bubble_bytes"]:
        found.append(Violation(path, f"Bubble must not exceed {LIMITS['flex_bubble_bytes']} bytes"))
    if container.get("type") == "carousel":
        bubbles = container.get("contents")
        if isinstance(bubbles, list):
            if len(bubbles) > LIMITS["flex_carousel_bubbles"]:
                found.append(_size(f"{path}.contents", 1, LIMITS["flex_carousel_bubbles"]))
            for index, bubble in enumerate(bubbles):
                if isinstance(bubble, dict):
                    found += check_flex_container(bubble, f"{path}.contents[{index}]")
        if json_bytes(container) > LIMITS["flex_carousel_bytes"]:
            limit = LIMITS["flex_carousel_bytes"]
            found.append(Violation(path, f"Carousel must not exceed {limit} bytes"))
    return found


def check_action(action: dict[str, Any], path: str) -> list[Violation]:
    """Label ≤ 20 characters, postback data and displayText ≤ 300 characters.

    Postback, message and URI actions must carry their payload: LINE rejects them
    without it, though neither the spec nor the SDK models mark it required.
    """
    found: list[Violation] = []
    payload = _ACTION_PAYLOAD.get(action.get("type", ""))
    if payload and payload not in action:
        found.append(Violation(f"{path}.{payload}", "Must be specified"))
    for key, limit_name in (
        ("label", "action_label_chars"),
        ("data", "postback_data_chars"),
        ("displayText", "display_text_chars"),
    ):
        value = action.get(key)
        if isinstance(value, str) and len(value) > LIMITS[limit_name]:
            found.append(_length(f"{path}.{key}", 0, LIMITS[limit_name]))
    return found


# LINE fetches images only over HTTPS. The embedded run and the tests serve the
# product on this machine without TLS, so the simulator also lets http through for
# loopback hosts — which LINE could never reach anyway (a send from elsewhere over
# plain http is refused: services.broadcast_rules.reachable_images).
LOOPBACK_HTTP = ("http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://[::1]:")


def check_image_urls(node: Any, path: str) -> list[Violation]:
    """Every image URL anywhere under ``node`` is HTTPS (or loopback http) and ≤ 2000 chars."""
    found: list[Violation] = []
    for sub_path, url in _iter_image_urls(node, path):
        if not isinstance(url, str):
            continue
        if len(url) > LIMITS["image_url_chars"]:
            found.append(_length(sub_path, 0, LIMITS["image_url_chars"]))
        elif not url.startswith(("https://", *LOOPBACK_HTTP)):
            found.append(Violation(sub_path, "Must be an HTTPS URL"))
    return found


def check_rich_menu(menu: Any) -> list[Violation]:
    """Rich menu object rules: size bounds and aspect, area count, chatBarText, actions."""
    if not isinstance(menu, dict):
        return []
    found = [Violation(key, "Must be specified") for key in _RICH_MENU_REQUIRED if key not in menu]
    size = menu.get("size") or {}
    width, height = size.get("width"), size.get("height")
    if isinstance(width, int) and isinstance(height, int):
        found += check_rich_menu_size(width, height, "size")
    areas = menu.get("areas")
    if isinstance(areas, list) and len(areas) > LIMITS["rich_menu_areas"]:
        found.append(_size("areas", 0, LIMITS["rich_menu_areas"]))
    bar = menu.get("chatBarText")
    if isinstance(bar, str) and len(bar) > LIMITS["rich_menu_chat_bar_text_chars"]:
        found.append(_length("chatBarText", 0, LIMITS["rich_menu_chat_bar_text_chars"]))
    for sub_path, action in iter_actions(menu, ""):
        found += check_action(action, sub_path.lstrip("."))
    return found


def check_rich_menu_size(width: int, height: int, path: str) -> list[Violation]:
    """Width 800–2500 px, height ≥ 250 px, width/height ≥ 1.45."""
    found: list[Violation] = []
    if not LIMITS["rich_menu_width_min"] <= width <= LIMITS["rich_menu_width_max"]:
        low, high = LIMITS["rich_menu_width_min"], LIMITS["rich_menu_width_max"]
        found.append(Violation(f"{path}.width", f"Must be between {low} and {high}"))
    if height < LIMITS["rich_menu_height_min"]:
        found.append(
            Violation(f"{path}.height", f"Must be at least {LIMITS['rich_menu_height_min']}")
        )
    elif width / height < RICH_MENU_MIN_ASPECT:
        found.append(Violation(path, f"Aspect ratio must be at least {RICH_MENU_MIN_ASPECT}"))
    return found


def iter_actions(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield ``(path, action)`` for every action object under ``node``.

    Actions sit under an ``action`` key (quick reply items, Flex components, rich menu
    areas, bubbles) or in an ``actions`` list (templates).
    """
    if isinstance(node, dict):
        for key, value in node.items():
            child = f"{path}.{key}"
            if key in ("action", "defaultAction") and _is_action(value):
                yield child, value
            elif key == "actions" and isinstance(value, list):
                for index, item in enumerate(value):
                    if _is_action(item):
                        yield f"{child}[{index}]", item
            yield from iter_actions(value, child)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from iter_actions(item, f"{path}[{index}]")


def _is_action(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") in _ACTION_TYPES


def _iter_image_urls(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        is_flex_image = node.get("type") in _FLEX_URL_COMPONENTS
        for key, value in node.items():
            child = f"{path}.{key}"
            if key in _IMAGE_URL_KEYS or (is_flex_image and key == "url"):
                yield child, value
            else:
                yield from _iter_image_urls(value, child)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _iter_image_urls(item, f"{path}[{index}]")
