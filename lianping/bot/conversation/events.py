"""From a raw LINE webhook event to the engine's ``Incoming``."""

from __future__ import annotations

from typing import Any

from lianping.bot.conversation.model import Incoming, Location


def from_event(event: dict[str, Any]) -> Incoming:
    """Reduce a raw LINE event to the engine's input."""
    kind = str(event.get("type", ""))
    message = event.get("message") or {}
    if kind == "message":
        kind = str(message.get("type", "unknown"))
    source = event.get("source") or {}
    chat = str(source.get("type", "user"))
    return Incoming(
        kind=kind,
        chat=chat,
        chat_id=str(source.get(f"{chat}Id", "")),
        text=_without_nul(message.get("text")),
        data=_without_nul((event.get("postback") or {}).get("data")),
        timestamp_ms=int(event.get("timestamp", 0)),
        is_unblocked=bool((event.get("follow") or {}).get("isUnblocked")),
        message_id=message.get("id"),
        location=_location(message) if kind == "location" else None,
    )


def _without_nul(value: Any) -> str | None:
    # PostgreSQL text cannot hold NUL; dropping it keeps the rest of what was sent.
    return value.replace("\x00", "") if isinstance(value, str) else None


def _location(message: dict[str, Any]) -> Location | None:
    try:
        latitude, longitude = float(message["latitude"]), float(message["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    title, address = _without_nul(message.get("title")), _without_nul(message.get("address"))
    return Location(title, address, latitude, longitude)
