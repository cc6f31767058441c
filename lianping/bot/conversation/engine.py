"""``step``: one event in, the new state, the answer and the effects out (no I/O)."""

from __future__ import annotations

from lianping.bot import messages, texts

# Importing the steps package registers every step with the router.
from lianping.bot.conversation import router, steps  # noqa: F401
from lianping.bot.conversation.defaults import DEFAULT_CONTENT
from lianping.bot.conversation.model import (
    Content,
    Incoming,
    LeaveChat,
    Outcome,
    SetFollowing,
    State,
)
from lianping.bot.conversation.state import idle

# Event kinds a resident produces in a one-to-one chat; the rest change nothing.
ANSWERED_KINDS = frozenset(
    {"text", "sticker", "image", "video", "audio", "file", "location", "postback"}
)


def step(state: State, event: Incoming, content: Content | None = None) -> Outcome:
    """Advance the conversation by one event.

    ``content`` holds the administrator's texts and settings; the built-in ones
    are used when it is not given.
    """
    content = content or DEFAULT_CONTENT
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
        welcomed = idle(state, event.timestamp_ms)
        return Outcome(welcomed, [messages.with_menu(greeting)], [SetFollowing(True)])
    if event.kind == "unfollow":
        return Outcome(state, [], [SetFollowing(False)])
    if event.kind not in ANSWERED_KINDS:
        return Outcome(state)
    return router.route(state, event, content)
