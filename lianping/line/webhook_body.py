"""Webhook body checks and event parsing.

The raw event dicts are what the inbox stores; line-bot-sdk's models decide
whether a known event type is well formed (its own parser quietly turns
malformed events into ``UnknownEvent``, so we dispatch ourselves).

The body as a whole is refused (400) only when it is not a webhook body at all.
Events are checked one by one: a bad event is set aside as rejected and the good
ones beside it are kept, so that LINE is never asked to redeliver a body forever.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from linebot.v3.webhooks.models import Event
from pydantic import ValidationError

# The discriminator map of the SDK's Event: the event types LINE documents.
KNOWN_EVENT_TYPES = frozenset(Event._Event__discriminator_value_class_map)  # type: ignore[attr-defined]

# LINE's bodies nest about five levels; anything far deeper is refused before a
# recursive step (the SDK's models, the JSON column) could exhaust the stack.
MAX_DEPTH = 64
# Milliseconds since 1970 below year 2286: fits the inbox's BIGINT and Python's datetime.
MAX_TIMESTAMP = 10**13
MAX_EVENT_ID = 64  # inbox_events.webhook_event_id
MAX_TYPE = 40  # inbox_events.event_type
EVENT_TYPE_SHAPE = re.compile(rf"[A-Za-z]{{1,{MAX_TYPE}}}")
EVENT_ID_SHAPE = re.compile(rf"[^\x00-\x1f\x7f]{{1,{MAX_EVENT_ID}}}")  # LINE's are ULIDs
# LINE's user, group and room ids: U, C or R and 32 lowercase hex digits.
SOURCE_ID_SHAPE = re.compile(r"[UCR][0-9a-f]{32}")


class WebhookBodyError(ValueError):
    """The body is not a LINE webhook body; the webhook answers 400."""


def signature_is_valid(channel_secret: str, body: bytes, signature: str) -> bool:
    """Check ``X-Line-Signature`` against the HMAC-SHA256 of the raw body bytes."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode("ascii")
    return hmac.compare_digest(expected, signature.strip())


@dataclass(frozen=True)
class RejectedEvent:
    """An event of the body that cannot be stored: why (for staff), and the event itself."""

    reason: str
    event: Any


@dataclass(frozen=True)
class WebhookBody:
    destination: str
    events: list[dict[str, Any]]
    rejected: list[RejectedEvent] = field(default_factory=list)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise WebhookBodyError("body holds a number out of range")
    return value


def _no_constant(name: str) -> Any:
    raise WebhookBodyError(f"body holds {name}, which JSON does not allow")


def _too_deep(data: Any, limit: int) -> bool:
    """Whether ``data`` nests deeper than ``limit``; iterative, so any depth is safe."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return False


def parse_body(body: bytes) -> WebhookBody:
    """Decode a webhook body and check each event; raise ``WebhookBodyError`` when the body
    itself is malformed (not JSON, nested too deeply, no ``destination`` or ``events``)."""
    try:
        data = json.loads(body.decode("utf-8"), parse_float=_finite, parse_constant=_no_constant)
    except RecursionError as exc:
        raise WebhookBodyError("body is nested too deeply") from exc
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, int digits limit
        raise WebhookBodyError(f"body is not JSON: {exc}") from exc
    if _too_deep(data, MAX_DEPTH):
        raise WebhookBodyError(f"body is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(data, dict):
        raise WebhookBodyError("body must be a JSON object")
    destination, events = data.get("destination"), data.get("events")
    if not isinstance(destination, str) or not isinstance(events, list):
        raise WebhookBodyError("body needs 'destination' (string) and 'events' (array)")
    good: list[dict[str, Any]] = []
    rejected: list[RejectedEvent] = []
    for event in events:
        problem = event_problem(event)
        if problem is None:
            good.append(event)
        else:
            rejected.append(RejectedEvent(problem, event))
    return WebhookBody(destination, good, rejected)


# PostgreSQL keeps neither NUL nor a lone surrogate in text, though JSON can carry both.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _unstorable_text(event: dict[str, Any]) -> str | None:
    """Whether a key or string of ``event`` holds what the database cannot store."""
    stack: list[Any] = [event]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            if "\x00" in value:
                return "含有 NUL 字元"
            if LONE_SURROGATE.search(value):
                return "含有無效的 Unicode 字元"
    return None


def event_problem(event: Any) -> str | None:
    """Why ``event`` cannot be stored, in words for staff (no content of it); None if it can."""
    if not isinstance(event, dict):
        return "事件不是 JSON 物件"
    # Every event, known or not, needs what the inbox keys and orders on.
    kind, event_id, timestamp = (event.get(key) for key in ("type", "webhookEventId", "timestamp"))
    if not isinstance(kind, str) or not EVENT_TYPE_SHAPE.fullmatch(kind):
        return "type 缺漏或格式不符"
    if not isinstance(event_id, str) or not EVENT_ID_SHAPE.fullmatch(event_id):
        return f"webhookEventId 缺漏、超過 {MAX_EVENT_ID} 字元或格式不符"
    # A bool is an int to Python, never a timestamp.
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        return "timestamp 缺漏或不是整數"
    if not 0 <= timestamp < MAX_TIMESTAMP:
        return "timestamp 超出範圍"
    if not isinstance(event.get("mode"), str):
        return "mode 缺漏"
    if not isinstance(event.get("deliveryContext"), dict):
        return "deliveryContext 缺漏"
    source = event.get("source")
    if source is not None:
        if not isinstance(source, dict):
            return "source 不是 JSON 物件"
        if not isinstance(source.get("type", ""), str):
            return "source.type 格式不符"
        for key in ("userId", "groupId", "roomId"):
            value = source.get(key)
            if value is not None and not (
                isinstance(value, str) and SOURCE_ID_SHAPE.fullmatch(value)
            ):
                return f"source.{key} 不是 LINE 的 ID 格式"
    unstorable = _unstorable_text(event)
    if unstorable:
        return unstorable
    if kind in KNOWN_EVENT_TYPES:
        try:
            Event.from_dict(event)
        except (ValidationError, ValueError, TypeError, AttributeError, KeyError) as exc:
            return f"{kind} 事件不符 LINE 規格：{_fields_of(exc)}"
    return None


def _fields_of(exc: Exception) -> str:
    """The fields a validation error names and what is wrong with each, never the values."""
    if isinstance(exc, ValidationError):
        return "；".join(
            f"{'.'.join(str(part) for part in error['loc']) or '-'}（{error['type']}）"
            for error in exc.errors()[:5]
        )
    return type(exc).__name__


_SOURCE_ID_KEY = {"user": "userId", "group": "groupId", "room": "roomId"}
NO_SOURCE = "-"


def source_key(event: dict[str, Any]) -> str:
    """The chat an event belongs to: the user, group or room id (events are serialised per key).

    Account-level events without a source (module, activation) share one key.
    """
    source = event.get("source") or {}
    id_key = _SOURCE_ID_KEY.get(source.get("type", ""))
    return str(source.get(id_key) or NO_SOURCE) if id_key else NO_SOURCE
