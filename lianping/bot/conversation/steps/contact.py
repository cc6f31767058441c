"""How the resident reports: leaving contact details, or without a name (不具名).

The 個資法 §8 notice was read at the start of the flow; nothing here is consent.
"""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import TIP, with_draft
from lianping.bot.messages import Item

NAME = "contact"
ACTIONS = frozenset({"contact"})
MEDIA: frozenset[str] = frozenset()

# Nothing personal is kept for a report without a name.
_NO_CONTACT = {
    "name": None,
    "phone": None,
    "phone_display": None,
    "address": None,
    "occupation": None,
}


def _choices(state: State) -> list[Item]:
    tip = state.get("flow") == TIP
    anonymous = texts.LABEL_ANONYMOUS_TIP if tip else texts.LABEL_ANONYMOUS
    return [
        replies.button(state, texts.LABEL_WITH_CONTACT, "contact", "given"),
        replies.button(state, anonymous, "contact", "anonymous"),
    ]


def _question(state: State) -> Message:
    body = texts.CONTACT_PROMPT_TIP if state.get("flow") == TIP else texts.CONTACT_PROMPT
    return replies.ask(state, body, _choices(state))


def prompt(state: State, content: Content) -> list[Message]:
    """The two ways, each with what it means for the answer."""
    return [_question(state)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """留下聯絡資料 goes on to the name and phone; 不具名 drops any details given before;
    anything else asks for a button."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "contact" and chosen.value in ("given", "anonymous"):
        anonymous = chosen.value == "anonymous"
        changes: dict[str, object] = {"anonymous": anonymous}
        if anonymous:
            changes.update(_NO_CONTACT)
        return navigation.advance(with_draft(state, **changes), content)
    return Outcome(state, [messages.text(texts.CHOOSE_BUTTON), _question(state)])
