"""The draft report: its keys (the dispatcher reads them to create the case) and its media."""

from __future__ import annotations

from typing import Any

from lianping.bot import cards, texts
from lianping.bot.conversation.model import Incoming

MAX_PHOTOS = 5
MAX_ATTACHMENTS = 5
# Keeps the stored state small; longer texts are added later as 補充說明.
MAX_DESCRIPTION = 10000
MIN_DESCRIPTION = 10
MAX_PLACE = 100
ATTACHMENT_KINDS = frozenset({"video", "audio", "file"})

Draft = dict[str, Any]


def new(nature: str | None) -> Draft:
    """An empty draft with every key the dispatcher reads."""
    return {
        "nature": nature,
        "sub_item": None,
        "theme": None,
        "description": "",
        "photos": [],
        "attachments": [],
        "location": None,
        "anonymous": None,  # True or False once the contact step is answered
        "name": None,
        "phone": None,
        "phone_display": None,
        "address": None,
        "occupation": None,
        # 「可以將處理結果去識別化後公開嗎？」: True only when the resident chose 可以公開.
        "publish_consent": False,
        # The 個資法 §8 notice read (「已閱讀」): its version and when (ms).
        "notice_version": None,
        "notice_read_at": None,
    }


def description_long_enough(draft: Draft) -> bool:
    """At least 10 characters of description once spaces are trimmed."""
    return len(str(draft.get("description") or "").strip()) >= MIN_DESCRIPTION


def add_text(draft: Draft, text: str) -> tuple[Draft, str | None]:
    """``draft`` with ``text`` appended to the description; a refusal text when it is full."""
    current = str(draft.get("description") or "")
    joined = f"{current}\n{text}" if current else text
    if len(joined) > MAX_DESCRIPTION:
        return draft, texts.DESCRIPTION_FULL
    return {**draft, "description": joined}, None


def location_dict(event: Incoming) -> dict[str, Any] | None:
    """The draft's form of a location message."""
    if event.location is None:
        return None
    return {
        "title": event.location.title,
        "address": event.location.address,
        "latitude": event.location.latitude,
        "longitude": event.location.longitude,
    }


def typed_place(text: str) -> dict[str, Any]:
    """The draft's form of a place the resident typed: its words, without coordinates."""
    return {"title": None, "address": text, "latitude": None, "longitude": None}


def attach(draft: Draft, event: Incoming) -> tuple[Draft, str]:
    """``draft`` with the media of ``event`` added, and the acknowledgement to send."""
    if event.kind == "location":
        location = location_dict(event)
        if location is None:
            return draft, texts.MEDIA_UNREADABLE
        return {**draft, "location": location}, texts.LOCATION_NOTED.format(
            place=cards.place_words(location)
        )
    if not event.message_id:
        return draft, texts.MEDIA_UNREADABLE
    if event.kind == "image":
        photos = list(draft.get("photos") or [])
        if len(photos) >= MAX_PHOTOS:
            return draft, texts.PHOTO_LIMIT
        photos.append(event.message_id)
        return {**draft, "photos": photos}, texts.PHOTO_NOTED.format(count=len(photos))
    attachments = list(draft.get("attachments") or [])
    if len(attachments) >= MAX_ATTACHMENTS:
        return draft, texts.ATTACHMENT_LIMIT
    attachments.append({"message_id": event.message_id, "kind": event.kind})
    return {**draft, "attachments": attachments}, texts.ATTACHMENT_NOTED
