"""Webhook event builders, shaped exactly like the events the LINE platform sends.

Each builder is a pure function returning a plain dict; ids and the timestamp can be
passed in for reproducible tests and are generated otherwise. Events that LINE sends
with a reply token take one as an argument: the simulator issues it so it can honour
it later on ``/v2/bot/message/reply``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from lianping_dev.simulator import ids

_STICKER_RESOURCE_TYPE = "STATIC"


def now_ms() -> int:
    """The current time in milliseconds, LINE's timestamp unit."""
    return int(time.time() * 1000)


def user_source(user_id: str) -> dict[str, Any]:
    """A one-to-one chat source."""
    return {"type": "user", "userId": user_id}


def group_source(group_id: str, user_id: str | None = None) -> dict[str, Any]:
    """A group chat source; ``userId`` is present only for message-like events."""
    source: dict[str, Any] = {"type": "group", "groupId": group_id}
    if user_id:
        source["userId"] = user_id
    return source


def base(
    event_type: str,
    source: dict[str, Any] | None,
    *,
    timestamp: int | None = None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """The properties every webhook event has, in LINE's order."""
    event: dict[str, Any] = {"type": event_type}
    if source is not None:
        event["source"] = source
    event.update(
        {
            "timestamp": timestamp if timestamp is not None else now_ms(),
            "mode": "active",
            "webhookEventId": event_id or ids.webhook_event_id(),
            "deliveryContext": {"isRedelivery": False},
        }
    )
    return event


def _message(user_id: str, reply_token: str, content: dict[str, Any], **kw: Any) -> dict[str, Any]:
    event = base("message", user_source(user_id), **kw)
    event["replyToken"] = reply_token
    event["message"] = content
    return event


def text(
    user_id: str, reply_token: str, body: str, *, message_id: str | None = None, **kw: Any
) -> dict[str, Any]:
    """A text message event."""
    content = {
        "type": "text",
        "id": message_id or ids.message_id(),
        "quoteToken": ids.quote_token(),
        "text": body,
    }
    return _message(user_id, reply_token, content, **kw)


def sticker(
    user_id: str,
    reply_token: str,
    package_id: str = "446",
    sticker_id: str = "1988",
    *,
    message_id: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """A sticker message event (defaults to a sticker from LINE's free package 446)."""
    content = {
        "type": "sticker",
        "id": message_id or ids.message_id(),
        "quoteToken": ids.quote_token(),
        "stickerId": sticker_id,
        "packageId": package_id,
        "stickerResourceType": _STICKER_RESOURCE_TYPE,
    }
    return _message(user_id, reply_token, content, **kw)


def location(
    user_id: str,
    reply_token: str,
    latitude: float,
    longitude: float,
    title: str | None = None,
    address: str | None = None,
    *,
    message_id: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """A location message event; LINE omits ``title``/``address`` when the user gave none."""
    content: dict[str, Any] = {"type": "location", "id": message_id or ids.message_id()}
    if title:
        content["title"] = title
    if address:
        content["address"] = address
    content["latitude"] = latitude
    content["longitude"] = longitude
    return _message(user_id, reply_token, content, **kw)


def image(
    user_id: str,
    reply_token: str,
    *,
    message_id: str | None = None,
    image_set: dict[str, Any] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """An image message event whose bytes are held by LINE (``contentProvider: line``)."""
    content: dict[str, Any] = {
        "type": "image",
        "id": message_id or ids.message_id(),
        "quoteToken": ids.quote_token(),
        "contentProvider": {"type": "line"},
    }
    if image_set:
        content["imageSet"] = image_set
    return _message(user_id, reply_token, content, **kw)


def video(
    user_id: str, reply_token: str, duration_ms: int, *, message_id: str | None = None, **kw: Any
) -> dict[str, Any]:
    """A video message event."""
    content = {
        "type": "video",
        "id": message_id or ids.message_id(),
        "quoteToken": ids.quote_token(),
        "duration": duration_ms,
        "contentProvider": {"type": "line"},
    }
    return _message(user_id, reply_token, content, **kw)


def audio(
    user_id: str, reply_token: str, duration_ms: int, *, message_id: str | None = None, **kw: Any
) -> dict[str, Any]:
    """An audio message event (LINE gives audio no quote token)."""
    content = {
        "type": "audio",
        "id": message_id or ids.message_id(),
        "duration": duration_ms,
        "contentProvider": {"type": "line"},
    }
    return _message(user_id, reply_token, content, **kw)


def file(
    user_id: str,
    reply_token: str,
    file_name: str,
    file_size: int,
    *,
    message_id: str | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """A file message event."""
    content = {
        "type": "file",
        "id": message_id or ids.message_id(),
        "fileName": file_name,
        "fileSize": file_size,
    }
    return _message(user_id, reply_token, content, **kw)


def postback(
    user_id: str,
    reply_token: str,
    data: str,
    params: dict[str, str] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    """A postback event (``params`` carries datetime picker or rich menu switch results)."""
    event = base("postback", user_source(user_id), **kw)
    event["replyToken"] = reply_token
    event["postback"] = {"data": data}
    if params:
        event["postback"]["params"] = params
    return event


def follow(user_id: str, reply_token: str, is_unblocked: bool = False, **kw: Any) -> dict[str, Any]:
    """A follow event: the user added the account as a friend or unblocked it."""
    event = base("follow", user_source(user_id), **kw)
    event["replyToken"] = reply_token
    event["follow"] = {"isUnblocked": is_unblocked}
    return event


def unfollow(user_id: str, **kw: Any) -> dict[str, Any]:
    """An unfollow event: the user blocked the account. No reply token."""
    return base("unfollow", user_source(user_id), **kw)


def unsend(user_id: str, message_id: str, **kw: Any) -> dict[str, Any]:
    """An unsend event: the user took back a message they had sent."""
    event = base("unsend", user_source(user_id), **kw)
    event["unsend"] = {"messageId": message_id}
    return event


def join(group_id: str, reply_token: str, **kw: Any) -> dict[str, Any]:
    """The bot was added to a group chat."""
    event = base("join", group_source(group_id), **kw)
    event["replyToken"] = reply_token
    return event


def leave(group_id: str, **kw: Any) -> dict[str, Any]:
    """The bot was removed from a group chat."""
    return base("leave", group_source(group_id), **kw)


def member_joined(
    group_id: str, reply_token: str, user_ids: list[str], **kw: Any
) -> dict[str, Any]:
    """Users joined a group chat the bot is in."""
    event = base("memberJoined", group_source(group_id), **kw)
    event["replyToken"] = reply_token
    event["joined"] = {"members": [user_source(u) for u in user_ids]}
    return event


def member_left(group_id: str, user_ids: list[str], **kw: Any) -> dict[str, Any]:
    """Users left a group chat the bot is in. No reply token."""
    event = base("memberLeft", group_source(group_id), **kw)
    event["left"] = {"members": [user_source(u) for u in user_ids]}
    return event


def beacon(
    user_id: str, reply_token: str, hwid: str, beacon_type: str = "enter", **kw: Any
) -> dict[str, Any]:
    """The user came within range of a LINE Beacon."""
    event = base("beacon", user_source(user_id), **kw)
    event["replyToken"] = reply_token
    event["beacon"] = {"hwid": hwid, "type": beacon_type}
    return event


def account_link(
    user_id: str, reply_token: str, nonce: str, result: str = "ok", **kw: Any
) -> dict[str, Any]:
    """The user linked their LINE account with the provider's service account."""
    event = base("accountLink", user_source(user_id), **kw)
    event["replyToken"] = reply_token
    event["link"] = {"result": result, "nonce": nonce}
    return event


def video_play_complete(
    user_id: str, reply_token: str, tracking_id: str, **kw: Any
) -> dict[str, Any]:
    """The user watched a video message with ``trackingId`` to the end."""
    event = base("videoPlayComplete", user_source(user_id), **kw)
    event["replyToken"] = reply_token
    event["videoPlayComplete"] = {"trackingId": tracking_id}
    return event


def unknown(event_type: str, user_id: str | None = None, **kw: Any) -> dict[str, Any]:
    """An event of a type the SDK does not know, as a future LINE version may send."""
    return base(event_type, user_source(user_id) if user_id else None, **kw)


def envelope(destination: str, events: list[dict[str, Any]]) -> bytes:
    """The webhook request body: compact UTF-8 JSON, non-ASCII kept as is (like LINE)."""
    body = {"destination": destination, "events": events}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(channel_secret: str, body: bytes) -> str:
    """``X-Line-Signature``: base64 of HMAC-SHA256 over the exact body bytes."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")
