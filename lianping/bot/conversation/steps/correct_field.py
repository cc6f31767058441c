"""更正聯絡資料: which contact detail of the chosen case to correct."""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation import inputs, navigation, privacy, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State

NAME = privacy.CORRECT_FIELD
ACTIONS = frozenset(privacy.FIELDS)
MEDIA: frozenset[str] = frozenset()

command = privacy.command


def prompt(state: State, content: Content) -> list[Message]:
    """姓名, 電話 or 地址 of case ``state["case"]``."""
    items = [replies.button(state, label, field) for field, label in privacy.FIELDS.items()]
    body = texts.DATA_CORRECT_FIELD.format(number=state.get("case", ""))
    return [replies.ask(state, body, items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A tapped or typed field (姓名／電話／地址) goes on to ask its new value."""
    chosen = inputs.choice(event)
    typed = inputs.typed(event)
    by_word = {label: field for field, label in privacy.FIELDS.items()}
    field = (
        chosen.action if chosen and chosen.action in privacy.FIELDS else by_word.get(typed or "")
    )
    if field is None:
        return navigation.retry(state, content)
    return navigation.go({**state, "field": field}, privacy.CORRECT_VALUE, content)
