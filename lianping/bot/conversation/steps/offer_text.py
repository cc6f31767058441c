"""Free text typed at the main menu: offer to start a report with it as the description."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import draft as drafts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import REPORT, start_flow
from lianping.bot.conversation.steps import notice

NAME = "offer_text"
ACTIONS = frozenset({"start_text", "decline"})
MEDIA = inputs.MEDIA_KINDS


def prompt(state: State, content: Content) -> list[Message]:
    """Start a report with this text, or not."""
    items = [
        replies.button(state, texts.LABEL_START_WITH_TEXT, "start_text"),
        replies.button(state, texts.LABEL_NO_THANKS, "decline"),
    ]
    return [messages.text(texts.TEXT_AT_IDLE, items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """More text is kept with the first; a tap starts the report or returns to the menu."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "start_text":
        pending = str(state.get("pending_text") or "")
        started = start_flow(state, event.timestamp_ms, REPORT, pending)
        return notice.begin(started, event, content)
    if chosen and chosen.action == "decline":
        return navigation.to_menu(state, event.timestamp_ms, texts.TEXT_DECLINED)
    text = inputs.typed(event)
    if text and inputs.word(event) is None:
        joined, refused = drafts.add_text({"description": state.get("pending_text") or ""}, text)
        if refused is None:
            state = {**state, "pending_text": joined["description"]}
    return navigation.stay(state, content)


def command(state: State, name: str, event: Incoming, content: Content) -> Outcome | None:
    """Cancel, back and restart all mean "not now"; 說明 is handled generally."""
    if name == "help":
        return None
    return navigation.to_menu(state, event.timestamp_ms, texts.TEXT_DECLINED)
