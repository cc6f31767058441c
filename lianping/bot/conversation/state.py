"""The conversation state (plain JSON) and the few ways a conversation begins or ends.

Keys: ``step``, ``token``, ``seq`` (conversations so far), ``at`` (latest event
time, ms), and in a flow ``flow`` (report | tip), ``draft``, ``history`` (steps
to go back to), ``editing`` (the summary field being changed), plus
step-specific keys (``pending_text``, ``case``, ``added``, ``resume_step``, ``restart_as``).
"""

from __future__ import annotations

from typing import Any

from lianping.bot.conversation import draft as drafts
from lianping.bot.conversation import tokens
from lianping.bot.conversation.model import State

IDLE = "idle"
REPORT, TIP = "report", "tip"
# Every flow begins with the 個資法 §8 notice (steps/notice.py).
FIRST_STEP = {REPORT: "notice", TIP: "notice"}


def current(state: State) -> str:
    """The step the resident is at (idle when the state is new or unknown)."""
    return str(state.get("step") or IDLE)


def has_draft(state: State) -> bool:
    """Whether an unsent report is kept in the state."""
    return isinstance(state.get("draft"), dict) and state.get("flow") in FIRST_STEP


def fresh(state: State, timestamp_ms: int, step: str, **extra: Any) -> State:
    """A new conversation at ``step`` with a new token; nothing of the old one is kept."""
    sequence = int(state.get("seq") or 0) + 1
    new: State = {
        "step": step,
        "token": tokens.make(timestamp_ms, sequence),
        "seq": sequence,
        "at": state.get("at", timestamp_ms),
    }
    new.update(extra)
    return new


def idle(state: State, timestamp_ms: int) -> State:
    """Back at the main menu: any draft is dropped and old buttons expire."""
    return fresh(state, timestamp_ms, IDLE)


def start_flow(state: State, timestamp_ms: int, flow: str, description: str = "") -> State:
    """A new report (or tip) at its first step, with an empty draft."""
    draft = drafts.new(TIP if flow == TIP else None)
    draft["description"] = description
    return fresh(state, timestamp_ms, FIRST_STEP[flow], flow=flow, draft=draft, history=[])


def draft_of(state: State) -> dict[str, Any]:
    """The draft of the current flow (an empty one when there is none)."""
    found = state.get("draft")
    return found if isinstance(found, dict) else drafts.new(None)


def with_draft(state: State, **changes: Any) -> State:
    """``state`` with the draft's fields changed (neither is modified in place)."""
    return {**state, "draft": {**draft_of(state), **changes}}


def move(state: State, step: str, **changes: Any) -> State:
    """``state`` at ``step`` with other top-level keys changed (None removes a key)."""
    new = {**state, "step": step, **changes}
    return {key: value for key, value in new.items() if value is not None}
