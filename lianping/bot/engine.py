"""The conversation engine: a pure function from (state, event) to (state, messages, effects).

No I/O happens here. ``handlers`` load the state, call :func:`step`, store the
new state and messages, and carry out the effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from lianping.bot import messages, texts
from lianping.bot.messages import Message

State = dict[str, Any]


@dataclass(frozen=True)
class Incoming:
    """What the engine needs to know of one webhook event."""

    kind: str  # LINE event type, or the message type for message events
    chat: str = "user"  # user | group | room
    chat_id: str = ""
    text: str | None = None
    data: str | None = None  # postback data
    timestamp_ms: int = 0
    is_unblocked: bool = False


@dataclass(frozen=True)
class SetFollowing:
    """Record that the resident follows (True) or blocked/unfollowed (False) the account."""

    following: bool


@dataclass(frozen=True)
class LeaveChat:
    """Leave a group or room after the goodbye message."""

    chat: str
    chat_id: str


Effect = SetFollowing | LeaveChat


@dataclass(frozen=True)
class Outcome:
    state: State
    messages: list[Message] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)


MEDIA_KINDS = frozenset({"image", "video", "audio", "file", "location"})

_MENU_ANSWERS = {
    "report": texts.REPORT_COMING,
    "status": texts.STATUS_COMING,
    "channels": texts.REPORTING_CHANNELS,
    "promotion": texts.PROMOTION,
    "privacy": texts.PRIVACY_SUMMARY,
    "help": texts.HELP,
}


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
        text=message.get("text"),
        data=(event.get("postback") or {}).get("data"),
        timestamp_ms=int(event.get("timestamp", 0)),
        is_unblocked=bool((event.get("follow") or {}).get("isUnblocked")),
    )


def step(state: State, event: Incoming) -> Outcome:
    """Advance the conversation by one event."""
    if event.kind == "join":
        return Outcome(
            state,
            [messages.text(texts.GROUP_NOT_SUPPORTED)],
            [LeaveChat(event.chat, event.chat_id)],
        )
    if event.chat != "user":
        return Outcome(state)  # the account serves 1:1 chats only
    if event.kind == "follow":
        greeting = texts.WELCOME_BACK if event.is_unblocked else texts.WELCOME
        return Outcome({}, [messages.with_menu(greeting)], [SetFollowing(True)])
    if event.kind == "unfollow":
        return Outcome(state, [], [SetFollowing(False)])
    if event.kind == "postback":
        return _postback(state, event.data or "")
    if event.kind == "text":
        return Outcome(state, [messages.with_menu(texts.TEXT_AT_IDLE)])
    if event.kind == "sticker":
        return Outcome(state, [messages.with_menu(texts.STICKER_REPLY)])
    if event.kind in MEDIA_KINDS:
        return Outcome(state, [messages.with_menu(texts.MEDIA_AT_IDLE)])
    return Outcome(state)


def _postback(state: State, data: str) -> Outcome:
    params = dict(parse_qsl(data))
    answer = _MENU_ANSWERS.get(params.get("menu", ""))
    return Outcome(state, [messages.with_menu(answer or texts.MENU_PROMPT)])
