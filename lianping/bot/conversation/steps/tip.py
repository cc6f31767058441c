"""First step of a tip (檢舉): how the reporter's identity is protected, then the description."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import draft as drafts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import draft_of, with_draft

NAME = "tip"
ACTIONS = frozenset({"start"})
MEDIA: frozenset[str] = frozenset()


def prompt(state: State, content: Content) -> list[Message]:
    """The confidentiality explanation and 開始填寫."""
    start = replies.button(state, texts.LABEL_TIP_START, "start")
    return [replies.ask(state, texts.TIP_INTRO, [start])]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """開始填寫 moves on; typing straight away starts the description with that text."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "start":
        return navigation.advance(state, content)
    text = inputs.typed(event)
    if text and inputs.word(event) is None:
        draft, refused = drafts.add_text(draft_of(state), text)
        before = [messages.text(refused)] if refused else None
        return navigation.advance(with_draft(state, **draft), content, before)
    return navigation.stay(state, content)
