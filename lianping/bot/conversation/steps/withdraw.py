"""撤回: the resident confirms withdrawing one of their cases (its card in 查詢案件 offers it)."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import flow, inputs, navigation, replies
from lianping.bot.conversation.model import (
    Content,
    Incoming,
    Message,
    Outcome,
    State,
    WithdrawCase,
)
from lianping.bot.conversation.state import fresh, has_draft, idle

NAME = "withdraw"
ACTIONS = frozenset({"confirm", "keep"})
MEDIA: frozenset[str] = frozenset()


def enter(state: State, number: str, timestamp_ms: int, content: Content) -> Outcome:
    """Ask before withdrawing case ``number``; a report under way is kept and asked again."""
    if has_draft(state):
        busy = texts.WITHDRAW_BUSY.format(flow=texts.FLOW_WORDS[flow.flow_of(state)])
        return navigation.stay(state, content, [messages.text(busy)])
    return navigation.stay(fresh(state, timestamp_ms, NAME, case=number), content)


def prompt(state: State, content: Content) -> list[Message]:
    """Which case, what withdrawing means, and 確定撤回 / 不撤回."""
    items = [
        replies.button(state, texts.LABEL_WITHDRAW_CONFIRM, "confirm"),
        replies.button(state, texts.LABEL_WITHDRAW_KEEP, "keep"),
    ]
    return [messages.text(texts.WITHDRAW_CONFIRM.format(number=state.get("case", "")), items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """確定撤回 asks the dispatcher to withdraw the case; 不撤回 keeps it."""
    chosen = inputs.choice(event)
    if chosen and chosen.action == "confirm":
        # Idle with a new token: a second tap on 確定撤回 is an expired button. Only the
        # dispatcher knows whether the case may still be withdrawn: it says what happened.
        number = str(state.get("case", ""))
        return Outcome(idle(state, event.timestamp_ms), [], [WithdrawCase(number)])
    if chosen and chosen.action == "keep":
        return _keep(state, event)
    return navigation.retry(state, content)


def command(state: State, name: str, event: Incoming, content: Content) -> Outcome | None:
    """取消, 上一步 and 重新開始 all mean 不撤回; 說明 is answered as at any step."""
    return None if name == "help" else _keep(state, event)


def _keep(state: State, event: Incoming) -> Outcome:
    kept = texts.WITHDRAW_KEPT.format(number=state.get("case", ""))
    return navigation.to_menu(state, event.timestamp_ms, kept)
