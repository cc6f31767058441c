"""個資說明: confirming a request for a copy, or choosing to stop use or to delete."""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, privacy, replies
from lianping.bot.conversation.model import (
    Content,
    FileDataRequest,
    Incoming,
    Message,
    Outcome,
    State,
)
from lianping.bot.conversation.state import idle

NAME = privacy.CONFIRM
ACTIONS = frozenset({"copy", "stop", "delete"})
MEDIA: frozenset[str] = frozenset()

command = privacy.command


def prompt(state: State, content: Content) -> list[Message]:
    """What a copy is and how long deciding may take, or what stopping and deleting do."""
    if state.get("request") == "copy":
        body = texts.DATA_COPY_CONFIRM.format(days=privacy.COPY_LINK_DAYS)
        items = [replies.button(state, texts.LABEL_REQUEST_CONFIRM, "copy")]
    else:
        body = texts.DATA_ERASE_PROMPT
        items = [
            replies.button(state, texts.LABEL_DATA_STOP, "stop"),
            replies.button(state, texts.LABEL_DATA_DELETE, "delete"),
        ]
    return [replies.ask(state, body, items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A confirmed choice becomes a request for staff to decide (the dispatcher says so)."""
    chosen = inputs.choice(event)
    action = chosen.action if chosen else None
    allowed = ("copy",) if state.get("request") == "copy" else ("stop", "delete")
    if action in allowed:
        # Idle with a new token: a second tap is an expired button, not a second request.
        return Outcome(idle(state, event.timestamp_ms), [], [FileDataRequest(str(action))])
    return navigation.retry(state, content)
