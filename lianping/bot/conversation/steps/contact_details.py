"""Name and phone in one message, e.g. "王小明 0912-345-678"; the phone must be a Taiwan number."""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.phone import ContactError, parse_contact
from lianping.bot.conversation.state import with_draft

NAME = "contact_details"
ACTIONS: frozenset[str] = frozenset()
MEDIA: frozenset[str] = frozenset()

_PROBLEMS = {
    "name": texts.CONTACT_BAD_NAME,
    "phone": texts.CONTACT_BAD_PHONE,
    "no_phone": texts.CONTACT_NO_PHONE,
}


def prompt(state: State, content: Content) -> list[Message]:
    """Ask for both, with an example."""
    return [replies.ask(state, texts.CONTACT_DETAILS_PROMPT, [])]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A readable name and a valid number move on; otherwise ask again, saying what was wrong."""
    text = inputs.typed(event)
    if text is None or inputs.word(event) is not None:
        return navigation.stay(state, content)
    try:
        contact = parse_contact(text)
    except ContactError as error:
        return Outcome(state, [replies.ask(state, _PROBLEMS[error.problem], [])])
    updated = with_draft(
        state, name=contact.name, phone=contact.phone, phone_display=contact.phone_display
    )
    return navigation.advance(updated, content)
