"""Webhook body checks and event parsing.

The raw event dicts are what the inbox stores; line-bot-sdk's models decide
whether a known event type is well formed (its own parser quietly turns
malformed events into ``UnknownEvent``, so we dispatch ourselves).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

from linebot.v3.webhooks.models import Event
from pydantic import ValidationError

# The discriminator map of the SDK's Event: the event types LINE documents.
KNOWN_EVENT_TYPES = frozenset(Event._Event__discriminator_value_class_map)  # type: ignore[attr-defined]


class WebhookBodyError(ValueError):
    """The body is not a LINE webhook body; the webhook answers 400."""


def signature_is_valid(channel_secret: str, body: bytes, signature: str) -> bool:
    """Check ``X-Line-Signature`` against the HMAC-SHA256 of the raw body bytes."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode("ascii")
    return hmac.compare_digest(expected, signature.strip())


@dataclass(frozen=True)
class WebhookBody:
    destination: str
    events: list[dict[str, Any]]


def parse_body(body: bytes) -> WebhookBody:
    """Decode and validate a webhook body; raise ``WebhookBodyError`` on anything malformed."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WebhookBodyError(f"body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise WebhookBodyError("body must be a JSON object")
    destination, events = data.get("destination"), data.get("events")
    if not isinstance(destination, str) or not isinstance(events, list):
        raise WebhookBodyError("body needs 'destination' (string) and 'events' (array)")
    for index, event in enumerate(events):
        _check_event(index, event)
    return WebhookBody(destination, events)


def _check_event(index: int, event: Any) -> None:
    if not isinstance(event, dict):
        raise WebhookBodyError(f"events[{index}] is not an object")
    # Every event, known or not, needs what the inbox keys and orders on.
    for key, kind in (("type", str), ("webhookEventId", str), ("timestamp", int), ("mode", str)):
        if not isinstance(event.get(key), kind) or isinstance(event.get(key), bool):
            raise WebhookBodyError(f"events[{index}].{key} is missing or not a {kind.__name__}")
    if not isinstance(event.get("deliveryContext"), dict):
        raise WebhookBodyError(f"events[{index}].deliveryContext is missing")
    if event["type"] in KNOWN_EVENT_TYPES:
        try:
            Event.from_dict(event)
        except (ValidationError, ValueError, TypeError) as exc:
            raise WebhookBodyError(
                f"events[{index}] ({event['type']}) is malformed: {exc}"
            ) from exc


_SOURCE_ID_KEY = {"user": "userId", "group": "groupId", "room": "roomId"}
NO_SOURCE = "-"


def source_key(event: dict[str, Any]) -> str:
    """The chat an event belongs to: the user, group or room id (events are serialised per key).

    Account-level events without a source (module, activation) share one key.
    """
    source = event.get("source") or {}
    id_key = _SOURCE_ID_KEY.get(source.get("type", ""))
    return str(source.get(id_key) or NO_SOURCE) if id_key else NO_SOURCE
