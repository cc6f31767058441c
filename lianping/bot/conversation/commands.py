"""取消, 上一步, 重新開始 and 說明: the commands that work at every step."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import flow, navigation, registry
from lianping.bot.conversation.model import Content, Incoming, Outcome, State
from lianping.bot.conversation.state import TIP, current, start_flow
from lianping.bot.conversation.steps import notice


def run(state: State, name: str, event: Incoming, content: Content) -> Outcome:
    """Carry out a command; a step may answer it its own way (e.g. idle has nothing to cancel)."""
    here = current(state)
    own = getattr(registry.get(here), "command", None)
    if own is not None:
        answer = own(state, name, event, content)
        if answer is not None:
            return answer
    if name == "help":
        tip_help = texts.STEP_HELP_TIP if flow.flow_of(state) == TIP else {}
        step_help = tip_help.get(here) or texts.STEP_HELP.get(here, "")
        explanation = f"{step_help}\n{texts.GENERAL_COMMANDS_HINT}".strip()
        return navigation.stay(state, content, [messages.text(explanation)])
    if name == "back":
        return navigation.back(state, content, event.timestamp_ms)
    if name == "restart":
        restarted = start_flow(state, event.timestamp_ms, flow.flow_of(state))
        return notice.begin(restarted, event, content)
    return navigation.to_menu(state, event.timestamp_ms, texts.CANCELLED)
