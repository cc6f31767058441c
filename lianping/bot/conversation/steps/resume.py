"""A draft left unsent: continue it, start again, or discard it."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import inputs, navigation, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State
from lianping.bot.conversation.state import (
    FIRST_STEP,
    REPORT,
    TIP,
    current,
    move,
    start_flow,
)
from lianping.bot.conversation.steps import notice

NAME = "resume"
ACTIONS = frozenset({"continue", "restart", "discard"})
MEDIA = inputs.MEDIA_KINDS


def offer(
    state: State, content: Content, restart_as: str, before: list[Message] | None = None
) -> Outcome:
    """Ask about the draft in ``state``; 重新開始 then starts a ``restart_as`` flow."""
    here = current(state)
    paused_at = state.get("resume_step") if here in (NAME, "supplement") else here
    offered = move(
        state,
        NAME,
        resume_step=paused_at,
        restart_as=restart_as,
        case=None,
        pending_text=None,
    )
    return navigation.stay(offered, content, before)


def prompt(state: State, content: Content) -> list[Message]:
    """Which draft is waiting, and the three choices."""
    flow = state.get("flow") if state.get("flow") in (REPORT, TIP) else REPORT
    body = texts.RESUME_PROMPT.format(
        flow=texts.FLOW_WORDS[str(flow)],
        step=texts.STEP_NAMES.get(_paused_at(state), ""),
    )
    items = [
        replies.button(state, texts.LABEL_CONTINUE, "continue"),
        replies.button(state, texts.LABEL_RESTART, "restart"),
        replies.button(state, texts.LABEL_DISCARD, "discard"),
    ]
    return [messages.text(body, items)]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """Carry out the choice; anything else asks again."""
    chosen = inputs.choice(event)
    action = chosen.action if chosen else None
    if action == "continue":
        return _continue(state, content)
    if action == "restart":
        return _restart(state, event, content)
    if action == "discard":
        return navigation.to_menu(state, event.timestamp_ms, texts.DISCARDED)
    return navigation.retry(state, content)


def command(state: State, name: str, event: Incoming, content: Content) -> Outcome | None:
    """取消 discards, 上一步 continues, 重新開始 starts again."""
    if name == "cancel":
        return navigation.to_menu(state, event.timestamp_ms, texts.DISCARDED)
    if name == "back":
        return _continue(state, content)
    if name == "restart":
        return _restart(state, event, content)
    return None


def _paused_at(state: State) -> str:
    step = str(state.get("resume_step") or "")
    return step if step in texts.STEP_NAMES else FIRST_STEP.get(str(state.get("flow")), "nature")


def _continue(state: State, content: Content) -> Outcome:
    resumed = move(state, _paused_at(state), resume_step=None, restart_as=None)
    return navigation.stay(resumed, content)


def _restart(state: State, event: Incoming, content: Content) -> Outcome:
    flow = TIP if state.get("restart_as", state.get("flow")) == TIP else REPORT
    return notice.begin(start_flow(state, event.timestamp_ms, flow), event, content)
