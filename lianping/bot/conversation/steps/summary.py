"""The summary card: everything the report says, and 送出 / 修改 / 取消."""

from __future__ import annotations

import copy

from lianping.bot import cards, messages, texts
from lianping.bot.conversation import flow, inputs, navigation, replies
from lianping.bot.conversation.model import (
    Content,
    CreateCase,
    Incoming,
    Message,
    Outcome,
    State,
)
from lianping.bot.conversation.state import draft_of, idle

NAME = "summary"
ACTIONS = frozenset({"submit", "edit"})
MEDIA: frozenset[str] = frozenset()


def prompt(state: State, content: Content) -> list[Message]:
    """The Flex card with the expected answer time, and the three choices."""
    items = [
        replies.button(state, texts.LABEL_SUBMIT, "submit"),
        replies.button(state, texts.LABEL_EDIT, "edit"),
    ]
    card = cards.report_summary(draft_of(state), content.due_days)
    return [messages.with_quick_replies(card, [*items, *replies.navigation(state)])]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """送出 files the case (only this tap does: typed words never submit); 修改 picks a field."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "edit":
        return navigation.go(state, "edit", content)
    if chosen and chosen.action == "submit" and event.kind == "postback":
        if flow.missing_step(state) is not None:
            return navigation.go(state, "summary", content)
        draft = copy.deepcopy(draft_of(state))
        # Idle with a new token: a second tap on this 送出 is an expired button.
        return Outcome(
            idle(state, event.timestamp_ms), [], [CreateCase(draft, draft["notice_version"])]
        )
    return navigation.retry(state, content)
