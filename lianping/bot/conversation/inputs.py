"""What a resident's event means: postback parameters, tapped choices and typed command words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from lianping.bot import texts
from lianping.bot.conversation.model import Incoming

# Commands that work at every step, typed or tapped.
GLOBAL_COMMANDS = frozenset({"cancel", "back", "restart", "help"})
MEDIA_KINDS = frozenset({"image", "video", "audio", "file", "location"})

# What people add after a thank-you: punctuation, spaces, emoji.
_TRAILING = re.compile(r"[\W_]+$")
_WORDS = {word: command for command, words in texts.COMMAND_WORDS.items() for word in words}


@dataclass(frozen=True)
class Choice:
    """A tapped button (``a`` and ``v`` of its postback data) or a typed command word."""

    action: str
    value: str = ""


def postback_data(action: str, value: str = "", token: str | None = None) -> str:
    """Postback data ``a=<action>&v=<value>&t=<token>`` (empty parts left out)."""
    params = {"a": action}
    if value:
        params["v"] = value
    if token is not None:
        params["t"] = token
    return urlencode(params)


def params(event: Incoming) -> dict[str, str]:
    """The parameters of a postback event's data (empty for other events)."""
    if event.kind != "postback" or not event.data:
        return {}
    return dict(parse_qsl(event.data))


def typed(event: Incoming) -> str | None:
    """The trimmed text of a text message, or None for other events and blank text."""
    if event.kind != "text" or event.text is None:
        return None
    return event.text.strip() or None


def word(event: Incoming) -> str | None:
    """The command a typed text stands for (``取消`` → ``cancel``), if it is one."""
    text = typed(event)
    return _WORDS.get(text) if text else None


def is_thanks(event: Incoming) -> bool:
    """Whether the text is a thank-you (謝謝, 感謝您！, thanks…) and nothing more."""
    text = typed(event)
    return text is not None and _TRAILING.sub("", text).lower() in texts.THANKS_WORDS


def choice(event: Incoming) -> Choice | None:
    """The choice an event makes: a tapped postback action or a typed command word."""
    if event.kind == "postback":
        found = params(event)
        return Choice(found["a"], found.get("v", "")) if "a" in found else None
    command = word(event)
    return Choice(command) if command else None


def command(event: Incoming) -> str | None:
    """A global command (cancel, back, restart, help), typed or tapped."""
    found = choice(event)
    return found.action if found and found.action in GLOBAL_COMMANDS else None
