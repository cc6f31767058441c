"""What a resident does in the chat, turned into webhook events sent to the bot."""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from typing import Any

from lianping_dev.simulator import events, ids, images
from lianping_dev.simulator.store import Store
from lianping_dev.simulator.webhook import Delivery, WebhookSender

DEFAULT_LOCATION = {
    "title": "法務部廉政署",
    "address": "臺北市中正區重慶南路一段122號",
    "latitude": 25.0404,
    "longitude": 121.5118,
}
_MEDIA_TYPES = {"image": "image/png", "video": "video/mp4", "audio": "audio/m4a", "file": None}


class CommandError(ValueError):
    """A ``/_sim`` send command that cannot be carried out; the message says why."""


@functools.cache
def _sample_photo() -> bytes:
    return images.sample_photo()


class ResidentActions:
    """Carries out send commands for residents: build the event, keep media, deliver it."""

    def __init__(self, store: Store, sender: WebhookSender) -> None:
        self.store = store
        self.sender = sender
        self._builders: dict[str, Callable[[str, dict[str, Any], dict[str, Any]], dict]] = {
            "text": self._text,
            "sticker": self._sticker,
            "location": self._location,
            "image": self._media,
            "video": self._media,
            "audio": self._media,
            "file": self._media,
            "postback": self._postback,
            "follow": self._follow,
            "unfollow": self._unfollow,
            "unsend": self._unsend,
        }

    def act(self, user_id: str, command: dict[str, Any]) -> dict[str, Any]:
        """Perform ``command`` as resident ``user_id``; the event and the webhook outcome."""
        resident = self.store.resident(user_id)
        if resident is None:
            raise CommandError("unknown resident")
        builder = self._builders.get(command.get("type", ""))
        if builder is None:
            raise CommandError(f"unknown command type: {command.get('type')!r}")
        extra: dict[str, Any] = {}
        event = builder(user_id, command, extra)
        entry = self.store.open_user_event(user_id, event, extra)
        # Status 0 (nothing answered) stays if sending itself raised: the chat goes on.
        delivery = Delivery(0, "not sent")
        try:
            delivery = self.sender.send([event])
        finally:
            self.store.close_user_event(entry, delivery.status)
        result: dict[str, Any] = {"event": event, "webhook_status": delivery.status}
        if delivery.error:
            result["webhook_error"] = delivery.error
        return result

    def _common(self) -> dict[str, Any]:
        # Timestamps follow the store's clock so tests that move time see consistent events.
        return {"timestamp": int(self.store.clock() * 1000)}

    def _token(self, user_id: str) -> str:
        return self.store.issue_reply_token(user_id)

    def _text(self, user_id: str, command: dict[str, Any], extra: dict[str, Any]) -> dict:
        body = command.get("text")
        if not isinstance(body, str) or not body:
            raise CommandError("text is required")
        return events.text(user_id, self._token(user_id), body, **self._common())

    def _sticker(self, user_id: str, command: dict[str, Any], extra: dict[str, Any]) -> dict:
        return events.sticker(
            user_id,
            self._token(user_id),
            str(command.get("packageId", "446")),
            str(command.get("stickerId", "1988")),
            **self._common(),
        )

    def _location(self, user_id: str, command: dict[str, Any], extra: dict[str, Any]) -> dict:
        merged = {**DEFAULT_LOCATION, **{k: v for k, v in command.items() if v not in (None, "")}}
        try:
            latitude, longitude = float(merged["latitude"]), float(merged["longitude"])
        except (TypeError, ValueError) as error:
            raise CommandError("latitude and longitude must be numbers") from error
        return events.location(
            user_id,
            self._token(user_id),
            latitude,
            longitude,
            merged.get("title"),
            merged.get("address"),
            **self._common(),
        )

    def _media(self, user_id: str, command: dict[str, Any], extra: dict[str, Any]) -> dict:
        kind = command["type"]
        data = self._decode(command.get("content_base64"))
        if data is None:
            if kind != "image":
                raise CommandError(f"content_base64 is required for {kind}")
            data = _sample_photo()
        content_type = command.get("content_type") or _MEDIA_TYPES[kind]
        if content_type is None:
            content_type = "application/octet-stream"
        message_id = ids.message_id()
        self.store.put_content(message_id, data, content_type)
        extra["content_url"] = f"/_sim/content/{message_id}"
        token, common = self._token(user_id), self._common()
        if kind == "image":
            return events.image(user_id, token, message_id=message_id, **common)
        if kind == "file":
            name = str(command.get("file_name") or "附件.bin")
            return events.file(user_id, token, name, len(data), message_id=message_id, **common)
        duration = int(command.get("duration_ms", 3000))
        builder = events.video if kind == "video" else events.audio
        return builder(user_id, token, duration, message_id=message_id, **common)

    @staticmethod
    def _decode(encoded: Any) -> bytes | None:
        if not encoded:
            return None
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, TypeError) as error:
            raise CommandError("content_base64 is not valid base64") from error

    def _postback(self, user_id: str, command: dict[str, Any], extra: dict[str, Any]) -> dict:
        data = command.get("data")
        if not isinstance(data, str):
            raise CommandError("data is required")
        # LINE shows displayText in the chat as if the user had typed it, but sends no text event.
        if command.get("displayText"):
            extra["displayText"] = command["displayText"]
        params = command.get("params")
        return events.postback(user_id, self._token(user_id), data, params, **self._common())

    def _follow(self, user_id: str, command: dict[str, Any], extra: dict[str, Any]) -> dict:
        resident = self.store.resident(user_id)
        was_blocked = bool(resident and resident.blocked)
        self.store.set_following(user_id, True)
        return events.follow(user_id, self._token(user_id), was_blocked, **self._common())

    def _unfollow(self, user_id: str, command: dict[str, Any], extra: dict[str, Any]) -> dict:
        self.store.set_following(user_id, False)
        return events.unfollow(user_id, **self._common())

    def _unsend(self, user_id: str, command: dict[str, Any], extra: dict[str, Any]) -> dict:
        message_id = command.get("message_id")
        if not isinstance(message_id, str) or not message_id:
            raise CommandError("message_id is required")
        self.store.unsend(message_id)
        return events.unsend(user_id, message_id, **self._common())
