"""聯絡地址 (optional): typed, or 略過."""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import with_draft

NAME = "address"
ACTIONS = frozenset({"skip"})
MEDIA: frozenset[str] = frozenset()
MAX_ADDRESS = 100


def prompt(state: State, content: Content) -> list[Message]:
    """Ask for the address, with 略過."""
    return [replies.ask(state, texts.ADDRESS_PROMPT, [replies.skip(state)])]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """An address of at most 100 characters, or 略過, moves on."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "skip":
        return navigation.advance(with_draft(state, address=None), content)
    text = inputs.typed(event)
    if text is None or inputs.word(event) is not None:
        return navigation.stay(state, content)
    if len(text) > MAX_ADDRESS:
        return Outcome(state, [replies.ask(state, texts.ADDRESS_TOO_LONG, [replies.skip(state)])])
    return navigation.advance(with_draft(state, address=text), content)
