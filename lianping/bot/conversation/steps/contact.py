"""The privacy notice (個資法 §8) and the resident's consent: with contact details, or anonymous."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import flow, inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import TIP, with_draft
from lianping.bot.messages import Item

NAME = "contact"
ACTIONS = frozenset({"consent", "refuse"})
MEDIA: frozenset[str] = frozenset()

# Nothing personal is kept for an anonymous report, nor after consent is withdrawn.
_NO_CONTACT = {
    "name": None,
    "phone": None,
    "phone_display": None,
    "address": None,
    "occupation": None,
}


def _choices(state: State) -> list[Item]:
    tip = state.get("flow") == TIP
    anonymous = texts.LABEL_CONSENT_ANONYMOUS_TIP if tip else texts.LABEL_CONSENT_ANONYMOUS
    return [
        replies.button(state, texts.LABEL_CONSENT_CONTACT, "consent", "contact"),
        replies.button(state, anonymous, "consent", "anonymous"),
        replies.button(state, texts.LABEL_REFUSE, "refuse"),
    ]


def _question(state: State) -> Message:
    body = texts.CONTACT_PROMPT_TIP if state.get("flow") == TIP else texts.CONTACT_PROMPT
    return replies.ask(state, body, _choices(state))


def prompt(state: State, content: Content) -> list[Message]:
    """The notice as the administrator wrote it, then the three choices."""
    return [messages.text(content.privacy_notice), _question(state)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """Either 同意 records the notice version; 不同意 withdraws any consent given before;
    anything else asks for a button."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "consent" and chosen.value in ("contact", "anonymous"):
        anonymous = chosen.value == "anonymous"
        changes: dict[str, object] = {
            "anonymous": anonymous,
            "notice_version": content.privacy_version,
        }
        if anonymous:
            changes.update(_NO_CONTACT)
        return navigation.advance(with_draft(state, **changes), content)
    if chosen and chosen.action == "refuse":
        refused = with_draft(state, notice_version=None, **_NO_CONTACT)
        words = texts.CONTACT_REFUSED.format(flow=texts.FLOW_WORDS[flow.flow_of(state)])
        return Outcome(refused, [replies.ask(refused, words, _choices(refused))])
    # Asked again without the notice, which is just above in the chat.
    return Outcome(state, [messages.text(texts.CHOOSE_BUTTON), _question(state)])
