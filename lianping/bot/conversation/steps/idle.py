"""At the main menu: free text is offered as the start of a report; the rest gets the menu."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import inputs, navigation
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import fresh

NAME = "idle"
ACTIONS: frozenset[str] = frozenset()
MEDIA = inputs.MEDIA_KINDS


def prompt(state: State, content: Content) -> list[Message]:
    """The main menu."""
    return [messages.with_menu(texts.MENU_PROMPT)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """Text starts the offer to report it (a thank-you is just answered); stickers and media
    get a friendly pointer to the menu."""
    text = inputs.typed(event)
    if inputs.is_thanks(event):
        return Outcome(state, [messages.with_menu(texts.THANKS_REPLY)])
    if text and inputs.word(event) is None:
        offered = fresh(state, event.timestamp_ms, "offer_text", pending_text=text)
        return navigation.stay(offered, content)
    if event.kind == "sticker":
        return Outcome(state, [messages.with_menu(texts.STICKER_REPLY)])
    if event.kind in inputs.MEDIA_KINDS:
        return Outcome(state, [messages.with_menu(texts.MEDIA_AT_IDLE)])
    return Outcome(state, prompt(state, content))


def command(state: State, name: str, event: Incoming, content: Content) -> Outcome:
    """Nothing to cancel or go back to; 說明 is the general help."""
    if name == "help":
        return Outcome(state, [messages.with_menu(content.help)])
    return Outcome(state, [messages.with_menu(texts.NOTHING_TO_CANCEL)])
