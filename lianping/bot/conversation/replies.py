"""Quick replies of the flow: buttons whose postback data carries the conversation token."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import inputs
from lianping.bot.conversation.model import Message, State
from lianping.bot.messages import Item


def button(state: State, label: str, action: str, value: str = "") -> Item:
    """A quick-reply postback of the current conversation; the tap shows as ``label``."""
    return messages.postback_item(
        label, inputs.postback_data(action, value, str(state.get("token", "")))
    )


def navigation(state: State, *, back: bool = True) -> list[Item]:
    """上一步 and 取消, which close every step's quick replies."""
    items = [button(state, texts.LABEL_BACK, "back")] if back else []
    return [*items, button(state, texts.LABEL_CANCEL, "cancel")]


def done(state: State) -> Item:
    """The 完成 button."""
    return button(state, texts.LABEL_DONE, "done")


def skip(state: State) -> Item:
    """The 略過 button."""
    return button(state, texts.LABEL_SKIP, "skip")


def ask(state: State, body: str, items: list[Item]) -> Message:
    """A question with ``items`` and the navigation buttons as quick replies."""
    return messages.text(body, [*items, *navigation(state)])
