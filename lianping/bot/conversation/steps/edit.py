"""修改: jump back to one field of the report; after it, the summary again."""

from __future__ import annotations

from lianping.bot import texts
from lianping.bot.conversation import flow, inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State

NAME = "edit"
ACTIONS = frozenset({"jump", "summary"})
MEDIA: frozenset[str] = frozenset()


def prompt(state: State, content: Content) -> list[Message]:
    """The fields this kind of report has, and 返回摘要."""
    fields = [
        replies.button(state, texts.EDIT_LABELS[group], "jump", group)
        for group in flow.EDITABLE[flow.flow_of(state)]
    ]
    back = replies.button(state, texts.LABEL_BACK_TO_SUMMARY, "summary")
    return [replies.ask(state, texts.EDIT_PROMPT, [*fields, back])]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """Go to the field's first step in editing mode, or back to the summary."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "summary":
        return navigation.go(state, "summary", content)
    if chosen and chosen.action == "jump" and chosen.value in flow.EDITABLE[flow.flow_of(state)]:
        first = flow.EDIT_GROUPS[chosen.value][0]
        return navigation.go({**state, "editing": chosen.value}, first, content)
    return navigation.retry(state, content)
