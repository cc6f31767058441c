"""Moving between steps: forward, back, to the summary, and out to the main menu."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import flow, registry
from lianping.bot.conversation.model import Content, Message, Outcome, State
from lianping.bot.conversation.state import current, idle, move


def prompt(state: State, content: Content) -> list[Message]:
    """The current step's question."""
    return registry.get(current(state)).prompt(state, content)


def stay(state: State, content: Content, before: list[Message] | None = None) -> Outcome:
    """Remain at the current step: ``before`` (acknowledgements, hints), then its question."""
    return Outcome(state, [*(before or []), *prompt(state, content)])


def note(state: State, content: Content, body: str) -> Outcome:
    """Remain at the current step after a short text."""
    return stay(state, content, [messages.text(body)])


def retry(state: State, content: Content) -> Outcome:
    """A step answered only by its buttons got something else: say so, then ask again."""
    return note(state, content, texts.CHOOSE_BUTTON)


def go(state: State, target: str, content: Content, before: list[Message] | None = None) -> Outcome:
    """Move forward to ``target`` and ask its question.

    The summary is only reached with every required answer given; otherwise the
    first missing step is asked, as an edit of its field so it returns to the summary.
    """
    here = current(state)
    history = list(state.get("history") or [])
    editing = state.get("editing")
    if target == "summary":
        missing = flow.missing_step(state)
        if missing is not None:
            target, editing = missing, flow.group_of(missing)
            before = [*(before or []), messages.text(texts.SUMMARY_INCOMPLETE)]
    if target == "summary":
        # Returning from an edit: the way back is the one the summary was first reached by.
        if "summary" in history:
            history = history[: history.index("summary")]
        elif here != "summary":
            history.append(here)
        editing = None
    elif here != target:
        history.append(here)
    moved = move(state, target, history=history, editing=editing)
    return stay(moved, content, before)


def advance(state: State, content: Content, before: list[Message] | None = None) -> Outcome:
    """Go to the step after the current one."""
    return go(state, flow.next_step(state, current(state)), content, before)


def back(state: State, content: Content, timestamp_ms: int) -> Outcome:
    """Go back one step; from the first step, back to the main menu."""
    history = list(state.get("history") or [])
    if not history:
        return to_menu(state, timestamp_ms, texts.BACK_AT_START)
    target = history.pop()
    editing = None if target in ("summary", "edit") else state.get("editing")
    return stay(move(state, target, history=history, editing=editing), content)


def to_menu(state: State, timestamp_ms: int, body: str) -> Outcome:
    """End the conversation (old buttons expire) and offer the main menu."""
    return Outcome(idle(state, timestamp_ms), [messages.with_menu(body)])
