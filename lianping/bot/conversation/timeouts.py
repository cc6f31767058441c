"""Pauses, measured by event timestamps: after 30 minutes a draft waits to be resumed;
after 24 hours it is dropped silently."""

from __future__ import annotations

from lianping.bot.conversation import flow
from lianping.bot.conversation.model import Content, Incoming, Outcome, State
from lianping.bot.conversation.state import IDLE, current, has_draft, idle
from lianping.bot.conversation.steps import resume

PAUSE_MS = 30 * 60 * 1000
KEEP_MS = 24 * 60 * 60 * 1000


def apply(state: State, event: Incoming, content: Content) -> tuple[State, Outcome | None]:
    """The state as this event finds it, and the resume offer when the event ends a pause.

    LINE may deliver events out of order, so an older timestamp never counts as a pause
    and never moves the latest-seen time back.
    """
    last = state.get("at")
    gap = event.timestamp_ms - last if isinstance(last, int) else 0
    seen = max(last, event.timestamp_ms) if isinstance(last, int) else event.timestamp_ms
    state = {**state, "at": seen}
    here = current(state)
    if here == IDLE or gap <= PAUSE_MS:
        return state, None
    if gap > KEEP_MS or not has_draft(state):
        return idle(state, event.timestamp_ms), None
    if here == resume.NAME:
        return state, None
    return state, resume.offer(state, content, restart_as=flow.flow_of(state))
