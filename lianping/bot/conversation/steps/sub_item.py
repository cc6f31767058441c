"""Step 2 of a report: the seed's sub-item of the chosen nature."""

from __future__ import annotations

from lianping import codes
from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import draft_of, with_draft

NAME = "sub_item"
ACTIONS = frozenset({"sub_item"})
MEDIA: frozenset[str] = frozenset()

_NUMERALS = "一二三四五六七八九"


def _items(state: State) -> list[codes.SubItem]:
    return codes.sub_items_of(str(draft_of(state).get("nature") or codes.NEED))


def prompt(state: State, content: Content) -> list[Message]:
    """The items in plain words, numbered in the text and as quick replies (seed 004's own
    wording is the staff's and the forms')."""
    items = _items(state)
    nature = codes.NATURES[items[0].nature]
    listing = "\n".join(f"（{_NUMERALS[index]}）{item.plain}" for index, item in enumerate(items))
    body = texts.SUB_ITEM_PROMPT.format(nature=nature, items=listing)
    buttons = [replies.button(state, item.plain, "sub_item", item.code) for item in items]
    return [replies.ask(state, body, buttons)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A tap, the item's words typed or its number (1, 一) sets the sub-item."""
    items = _items(state)
    chosen = inputs.choice(event)
    code = chosen.value if chosen and chosen.action == "sub_item" else None
    typed = inputs.typed(event) or ""
    for index, item in enumerate(items):
        if typed in (item.plain, item.label, item.wording, str(index + 1), _NUMERALS[index]):
            code = item.code
    if code not in {item.code for item in items}:
        return navigation.retry(state, content)
    return navigation.advance(with_draft(state, sub_item=code), content)
