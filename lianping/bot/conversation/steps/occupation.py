"""職業 (optional): common occupations as quick replies, typed, or 略過."""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import with_draft
from lianping.bot.messages import Item

NAME = "occupation"
ACTIONS = frozenset({"occupation", "skip"})
MEDIA: frozenset[str] = frozenset()
MAX_OCCUPATION = 20


def _items(state: State) -> list[Item]:
    choices = [
        replies.button(state, label, "occupation", str(index))
        for index, label in enumerate(texts.OCCUPATIONS)
    ]
    return [*choices, replies.skip(state)]


def prompt(state: State, content: Content) -> list[Message]:
    """The occupations and 略過."""
    return [replies.ask(state, texts.OCCUPATION_PROMPT, _items(state))]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A tapped or typed occupation (at most 20 characters), or 略過, moves on."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "skip":
        return navigation.advance(with_draft(state, occupation=None), content)
    if chosen and chosen.action == "occupation":
        index = int(chosen.value) if chosen.value.isdigit() else -1
        if 0 <= index < len(texts.OCCUPATIONS):
            return navigation.advance(
                with_draft(state, occupation=texts.OCCUPATIONS[index]), content
            )
        return navigation.stay(state, content)
    text = inputs.typed(event)
    if text is None or inputs.word(event) is not None:
        return navigation.stay(state, content)
    if len(text) > MAX_OCCUPATION:
        return Outcome(state, [replies.ask(state, texts.OCCUPATION_TOO_LONG, _items(state))])
    return navigation.advance(with_draft(state, occupation=text), content)
