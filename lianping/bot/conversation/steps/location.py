"""Where it happened, when no location came with the description: LINE's picker, typed, or 略過."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import draft as drafts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import draft_of, with_draft

NAME = "location"
ACTIONS = frozenset({"skip", "remove"})
MEDIA = frozenset({"location"})


def prompt(state: State, content: Content) -> list[Message]:
    """The location picker, 略過, and 移除位置 when one is set."""
    items = [messages.location_item(), replies.skip(state)]
    if draft_of(state).get("location"):
        items.append(replies.button(state, texts.LABEL_REMOVE_LOCATION, "remove"))
    return [replies.ask(state, texts.LOCATION_PROMPT, items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A location or a typed place (at most 100 characters) moves on; so does 略過."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "skip":
        return navigation.advance(state, content)
    if chosen and chosen.action == "remove":
        return navigation.note(with_draft(state, location=None), content, texts.LOCATION_REMOVED)
    if event.kind == "location":
        draft, acknowledgement = drafts.attach(draft_of(state), event)
        return navigation.advance(
            with_draft(state, **draft), content, [messages.text(acknowledgement)]
        )
    text = inputs.typed(event)
    if text and inputs.word(event) is None:
        # A typed place is the report's location, as the resident wrote it.
        if len(text) > drafts.MAX_PLACE:
            return navigation.note(state, content, texts.LOCATION_TOO_LONG)
        acknowledgement = texts.LOCATION_NOTED.format(place=text)
        return navigation.advance(
            with_draft(state, location=drafts.typed_place(text)),
            content,
            [messages.text(acknowledgement)],
        )
    return navigation.stay(state, content)
