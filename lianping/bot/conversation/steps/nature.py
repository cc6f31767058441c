"""Step 1 of a report: 民情需求 or 施政興革, each explained in one line."""

from __future__ import annotations

from lianping import codes
from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import draft_of, with_draft

NAME = "nature"
ACTIONS = frozenset({"nature"})
MEDIA: frozenset[str] = frozenset()

_BY_WORDS = {
    **{label: code for code, label in texts.NATURE_LABELS.items()},
    **{codes.NATURES[code]: code for code in texts.NATURE_LABELS},
}


def prompt(state: State, content: Content) -> list[Message]:
    """The two natures as quick replies, each explained."""
    body = texts.NATURE_PROMPT.format(
        need=texts.NATURE_EXPLAINED[codes.NEED], reform=texts.NATURE_EXPLAINED[codes.REFORM]
    )
    items = [
        replies.button(state, label, "nature", code) for code, label in texts.NATURE_LABELS.items()
    ]
    return [replies.ask(state, body, items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A tap (or the nature's words typed) sets it; a new nature needs its own sub-item."""
    chosen = inputs.choice(event)
    nature = chosen.value if chosen and chosen.action == "nature" else None
    nature = nature or _BY_WORDS.get(inputs.typed(event) or "")
    if nature not in texts.NATURE_LABELS:
        return navigation.retry(state, content)
    sub_item = codes.SUB_ITEMS.get(str(draft_of(state).get("sub_item")))
    kept = sub_item.code if sub_item and sub_item.nature == nature else None
    return navigation.advance(with_draft(state, nature=nature, sub_item=kept), content)
