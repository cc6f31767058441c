"""LINE's request rules as the fake Messaging API enforces them: one table, by property path.

The table holds the limits LINE documents, those its OpenAPI spec (and line-bot-sdk's
models, generated from it) state as well as those they leave out: text length in UTF-16
units, Flex sizes in bytes, action labels, HTTPS image URLs, rich menu sizes. The
simulator keeps its own reading of them here, apart from the product's
``lianping.line.limits``: were both to share one table, a misread limit would be
wrong on both sides and nothing would notice. The tests hold both tables against LINE's
spec and against each other.

A :class:`Rule` names the JSON objects it governs by a path pattern in LINE's notation
(``messages[].quickReply``: ``[]`` is any index, ``**`` any run of properties, ``""`` the
body itself), optionally the ``type`` those objects must have, the properties it measures
(none: the object itself), how it measures them and the bounds LINE allows. A breach
comes back as an item of LINE's error ``details``: the property path (with real indexes,
``messages[0].quickReply.items``) and LINE's wording.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from linebot.v3.messaging.models import Message
from pydantic.v1 import ValidationError

Measure = Callable[[Any], float | None]

# What ``dict.get`` returns for an absent property, so "required" can be a measure too.
_ABSENT = object()


class Detail(NamedTuple):
    """One item of LINE's 400 ``details``: which property, and what is wrong with it."""

    property: str
    message: str


def items(value: Any) -> int | None:
    """Number of entries of an array."""
    return len(value) if isinstance(value, list) else None


def characters(value: Any) -> int | None:
    """Length of a string in characters (code points)."""
    return len(value) if isinstance(value, str) else None


def utf16_units(value: Any) -> int | None:
    """Length of a string as LINE counts message text: UTF-16 code units (an emoji is 2)."""
    return len(value.encode("utf-16-le")) // 2 if isinstance(value, str) else None


def json_size(value: Any) -> int | None:
    """Bytes of an object written as compact UTF-8 JSON, as LINE weighs a Flex container."""
    if not isinstance(value, dict):
        return None
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def integer(value: Any) -> int | None:
    """An integer property's value (``true`` is no integer here)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def aspect(value: Any) -> float | None:
    """Width over height of an object with both as positive integers."""
    if not isinstance(value, dict):
        return None
    width, height = integer(value.get("width")), integer(value.get("height"))
    return width / height if width and height and height > 0 else None


def presence(value: Any) -> int:
    """1 when the property is there, 0 when it is absent (so ``low=1`` means required)."""
    return 0 if value is _ABSENT else 1


# LINE fetches images over HTTPS only. The tests and the embedded run serve the product on
# this machine without TLS, so plain http is let through for loopback hosts, which LINE
# itself could never reach (the product refuses those when it sends from elsewhere).
_SECURE_PREFIXES = (
    "https://",
    "http://127.0.0.1:",
    "http://127.0.0.1/",
    "http://localhost:",
    "http://[::1]:",
)


def secure_url(value: Any) -> int | None:
    """1 for a URL LINE can fetch securely, 0 for any other string."""
    return int(value.startswith(_SECURE_PREFIXES)) if isinstance(value, str) else None


@dataclass(frozen=True)
class Rule:
    """One documented rule: where it applies, what it measures and the bounds LINE allows.

    ``at`` are patterns of the objects governed, ``props`` the properties measured (none:
    the object itself), ``types`` the ``type`` values the objects must have to be governed
    (None: any), ``step`` a divisor every measured amount must be a multiple of.
    """

    name: str
    at: tuple[str, ...]
    props: tuple[str, ...]
    measure: Measure
    low: float | None
    high: float | None
    message: str
    types: tuple[str, ...] | None = None
    step: int | None = None

    def covers(self, shape: tuple[str, ...], node: dict[str, Any]) -> bool:
        """Whether an object at ``shape`` (a path with indexes as ``[]``) falls under the rule."""
        if self.types is not None and node.get("type") not in self.types:
            return False
        return any(_fits(_segments(pattern), shape) for pattern in self.at)

    def judge(self, where: str, node: dict[str, Any]) -> Iterator[Detail]:
        """The breaches of this rule by ``node``, the object found at ``where``."""
        targets = [(where, node)] if not self.props else []
        for prop in self.props:
            targets.append((f"{where}.{prop}" if where else prop, node.get(prop, _ABSENT)))
        wording = self.message.format(low=self.low, high=self.high, step=self.step)
        for path, value in targets:
            amount = self.measure(value)
            if amount is not None and self.breached_by(amount):
                yield Detail(path, wording)

    def breached_by(self, amount: float) -> bool:
        """Whether a measured ``amount`` lies outside the bounds (or off the step)."""
        if self.low is not None and amount < self.low:
            return True
        if self.high is not None and amount > self.high:
            return True
        return self.step is not None and amount % self.step != 0


SIZE = "Size must be between {low} and {high}"
LENGTH = "Length must be between {low} and {high}"
SPECIFIED = "Must be specified"
HTTPS = "Must be an HTTPS URL"
BETWEEN = "Must be between {low} and {high}"

BODY = ("",)
MESSAGE = ("messages[]",)
IN_MESSAGE = ("messages[].**",)
SENDER = ("messages[].sender",)
# Actions sit under ``action`` (quick reply items, Flex components, rich menu areas),
# ``defaultAction`` (templates) or in an ``actions`` array (templates, imagemaps).
ACTION_AT = ("**.action", "**.defaultAction", "**.actions[]")
# The ``type`` values of LINE's action objects (the tests hold them against the spec).
ACTION_TYPES = ("camera", "cameraRoll", "clipboard", "datetimepicker", "location", "message",
                "postback", "richmenuswitch", "uri")  # fmt: skip
IMAGE_URLS = ("originalContentUrl", "previewImageUrl", "thumbnailImageUrl", "imageUrl", "baseUrl")
FLEX_IMAGES = ("image", "icon")
BUBBLE_AT = ("messages[].contents", "messages[].contents.contents[]")

# Rows: name, objects governed, properties measured, measure, low, high, LINE's wording,
# object types. Within one property only the first breach is reported, so the order
# matters: a payload is missing before it is too long, a URL too long before insecure.
ACTIONS: tuple[Rule, ...] = (
    # LINE refuses these actions without their payload, though the spec requires none.
    Rule("postback_payload", ACTION_AT, ("data",), presence, 1, None, SPECIFIED, ("postback",)),
    Rule("message_payload", ACTION_AT, ("text",), presence, 1, None, SPECIFIED, ("message",)),
    Rule("uri_payload", ACTION_AT, ("uri",), presence, 1, None, SPECIFIED, ("uri",)),
    Rule("action_label", ACTION_AT, ("label",), characters, 0, 20, LENGTH, ACTION_TYPES),
    Rule("action_data", ACTION_AT, ("data",), characters, 0, 300, LENGTH, ACTION_TYPES),
    Rule("display_text", ACTION_AT, ("displayText",), characters, 0, 300, LENGTH, ACTION_TYPES),
    # The spec's figure; line-bot-sdk's model (3.27) lets 10000 through.
    Rule("alt_uri_desktop", ("**.altUri",), ("desktop",), characters, 0, 1000, LENGTH),
)  # fmt: skip

SEND: tuple[Rule, ...] = (
    Rule("messages", BODY, ("messages",), items, 1, 5, SIZE),
    Rule("multicast_to", BODY, ("to",), items, 1, 500, SIZE),
    Rule("text", MESSAGE, ("text",), utf16_units, 0, 5000, LENGTH, ("text", "textV2")),
    Rule("template_alt_text", MESSAGE, ("altText",), characters, 0, 400, LENGTH, ("template",)),
    Rule("flex_alt_text", MESSAGE, ("altText",), characters, 0, 1500, LENGTH, ("flex", "imagemap")),
    Rule("sender_name", SENDER, ("name",), characters, 0, 20, LENGTH),
    Rule("quick_reply_items", ("messages[].quickReply",), ("items",), items, 0, 13, SIZE),
    Rule("bubble_bytes", BUBBLE_AT, (), json_size, None, 30 * 1024,
         "Bubble must not exceed {high} bytes", ("bubble",)),
    Rule("carousel_bubbles", ("messages[].contents",), ("contents",), items, 1, 12, SIZE,
         ("carousel",)),
    Rule("carousel_bytes", ("messages[].contents",), (), json_size, None, 50 * 1024,
         "Carousel must not exceed {high} bytes", ("carousel",)),
    Rule("image_url_length", IN_MESSAGE, IMAGE_URLS, characters, 0, 2000, LENGTH),
    Rule("flex_image_url_length", IN_MESSAGE, ("url",), characters, 0, 2000, LENGTH, FLEX_IMAGES),
    Rule("sender_icon_url_length", SENDER, ("iconUrl",), characters, 0, 2000, LENGTH),
    Rule("image_url_https", IN_MESSAGE, IMAGE_URLS, secure_url, 1, None, HTTPS),
    Rule("flex_image_url_https", IN_MESSAGE, ("url",), secure_url, 1, None, HTTPS, FLEX_IMAGES),
    *ACTIONS,
)  # fmt: skip

RICH_MENU: tuple[Rule, ...] = (
    # LINE refuses a rich menu without these, though the spec marks none of them required.
    Rule("rich_menu_required", BODY, ("size", "selected", "name", "chatBarText", "areas"),
         presence, 1, None, SPECIFIED),
    Rule("rich_menu_name", BODY, ("name",), characters, 0, 300, LENGTH),
    Rule("chat_bar_text", BODY, ("chatBarText",), characters, 0, 14, LENGTH),
    Rule("rich_menu_areas", BODY, ("areas",), items, 0, 20, SIZE),
    *ACTIONS,
)  # fmt: skip

# Rooted at a size: the menu's ``size`` object, or the measured size of its image.
RICH_MENU_SIZE: tuple[Rule, ...] = (
    Rule("rich_menu_width", BODY, ("width",), integer, 800, 2500, BETWEEN),
    Rule("rich_menu_height", BODY, ("height",), integer, 250, None, "Must be at least {low}"),
    Rule("rich_menu_aspect", BODY, (), aspect, 1.45, None, "Aspect ratio must be at least {low}"),
)  # fmt: skip

LOADING: tuple[Rule, ...] = (
    Rule("loading_seconds", BODY, ("loadingSeconds",), integer, 5, 60,
         "Must be a multiple of {step} between {low} and {high}", step=5),
)  # fmt: skip

# The rich menu image is uploaded as bytes, not JSON: LINE answers 413 above this.
RICH_MENU_IMAGE_BYTES = 1024 * 1024

RULES: dict[str, Rule] = {
    rule.name: rule for table in (SEND, RICH_MENU, RICH_MENU_SIZE, LOADING) for rule in table
}


def check(rules: tuple[Rule, ...], body: Any, prefix: str = "") -> list[Detail]:
    """Every breach of ``rules`` in ``body``, each property reported once.

    Paths are matched from ``body``'s root; ``prefix`` is put in front of the reported
    property paths when ``body`` is a part of a larger request.
    """
    if not isinstance(body, dict):
        return []
    first: dict[str, Detail] = {}
    for where, shape, node in _objects(body, prefix, ()):
        for rule in rules:
            if rule.covers(shape, node):
                for detail in rule.judge(where, node):
                    first.setdefault(detail.property, detail)
    return list(first.values())


def check_send_request(model: Any, body: Any) -> list[Detail]:
    """A reply/push/multicast/broadcast/narrowcast body, by the SDK's ``model`` and the table.

    The SDK sees the messages one at a time first, so each mistake names its
    ``messages[i]``, and the request as a whole only once they all pass, lest one mistake
    come back twice. The table's findings follow, less properties the SDK already named.
    """
    if not isinstance(body, dict):
        return [Detail("", "The request body must be a JSON object")]
    messages = body.get("messages")
    found: list[Detail] = []
    for index, message in enumerate(messages if isinstance(messages, list) else []):
        found.extend(sdk_problems(Message, message, f"messages[{index}]"))
    found = found or sdk_problems(model, body)
    named = {detail.property for detail in found}
    return found + [d for d in check(SEND, body) if d.property not in named]


def check_rich_menu(menu: Any) -> list[Detail]:
    """A rich menu object by the table, its ``size`` included (the SDK model is not asked)."""
    size = menu.get("size") if isinstance(menu, dict) else None
    return check(RICH_MENU, menu) + check(RICH_MENU_SIZE, size, "size")


def check_rich_menu_image(width: int, height: int) -> list[Detail]:
    """The measured size of an uploaded rich menu image, reported under ``image``."""
    return check(RICH_MENU_SIZE, {"width": width, "height": height}, "image")


# pydantic's codes for an absent or null required field, worded as LINE words them.
_ABSENT_CODES = frozenset({"value_error.missing", "type_error.none.not_allowed"})


def sdk_problems(model: Any, value: Any, where: str = "") -> list[Detail]:
    """What line-bot-sdk's ``model`` (a request or object class) finds wrong with ``value``."""
    if not isinstance(value, dict):
        return [Detail(where, "Must be an object")]
    failure = _parse_failure(model, value)
    if failure is None:
        return []
    if isinstance(failure, ValidationError):
        return [Detail(_located(where, item["loc"]), _worded(item)) for item in failure.errors()]
    if isinstance(failure, KeyError):
        # The SDK indexes the discriminator, so a missing ``type`` surfaces as a KeyError.
        return [Detail(_located(where, failure.args[:1]), SPECIFIED)]
    # An unknown discriminator value or a wrongly shaped nested value; the SDK appends
    # its whole mapping after ". Discriminator", which LINE's answer would not show.
    return [Detail(where, str(failure).partition(". Discriminator")[0])]


def _parse_failure(model: Any, value: dict[str, Any]) -> Exception | None:
    # pydantic's ValidationError is a ValueError: it is caught here with the others.
    try:
        model.from_dict(value)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        return error
    return None


def _worded(item: Mapping[str, Any]) -> str:
    return SPECIFIED if item["type"] in _ABSENT_CODES else str(item["msg"])


def _located(where: str, loc: tuple[Any, ...]) -> str:
    for part in loc:
        if isinstance(part, int):
            where = f"{where}[{part}]"
        else:
            where = f"{where}.{part}" if where else str(part)
    return where


def _objects(
    node: Any, where: str, shape: tuple[str, ...]
) -> Iterator[tuple[str, tuple[str, ...], dict[str, Any]]]:
    """Every object under ``node`` (itself first), with its path and its shape.

    The shape is the path with every index written ``[]``, which is what patterns match.
    """
    if isinstance(node, dict):
        yield where, shape, node
        for key, value in node.items():
            name = str(key)
            yield from _objects(value, f"{where}.{name}" if where else name, (*shape, name))
    elif isinstance(node, list):
        listed = (*shape[:-1], (shape[-1] if shape else "") + "[]")
        for index, value in enumerate(node):
            yield from _objects(value, f"{where}[{index}]", listed)


@functools.cache
def _segments(pattern: str) -> tuple[str, ...]:
    return tuple(pattern.split(".")) if pattern else ()


# Bounded: shapes come from request bodies, and the simulator runs for a long time.
@functools.lru_cache(maxsize=8192)
def _fits(pattern: tuple[str, ...], shape: tuple[str, ...]) -> bool:
    if not pattern:
        return not shape
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_fits(rest, shape[skip:]) for skip in range(len(shape) + 1))
    return bool(shape) and shape[0] == head and _fits(rest, shape[1:])
