"""個資說明: opening the resident's §3 rights menu, its typed words, and leaving it.

The steps (``privacy``, ``privacy_confirm``, ``correct_field``, ``correct_value``) ask;
the dispatcher answers 查詢 at once and files the other requests for staff to decide.
"""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import flow, inputs, navigation
from lianping.bot.conversation.model import (
    Content,
    Incoming,
    ListCorrectable,
    Outcome,
    ShowMyData,
    State,
)
from lianping.bot.conversation.state import fresh, has_draft, idle

MENU = "privacy"
CONFIRM = "privacy_confirm"
CORRECT_FIELD = "correct_field"
CORRECT_VALUE = "correct_value"
# How long a copy's one-time download link stays valid (told before the resident asks).
COPY_LINK_DAYS = 7
# The contact details a resident may correct on an open case, and their words.
FIELDS = {
    "name": texts.LABEL_FIELD_NAME,
    "phone": texts.LABEL_FIELD_PHONE,
    "address": texts.LABEL_FIELD_ADDRESS,
}


def typed_choice(event: Incoming) -> str | None:
    """The 個資說明 choice a typed text stands for ("" for the menu itself), if any."""
    text = inputs.typed(event)
    return texts.PRIVACY_WORDS.get(text) if text else None


def busy(state: State, content: Content) -> Outcome:
    """A report under way is kept: finish or cancel it first."""
    words = texts.PRIVACY_BUSY.format(flow=texts.FLOW_WORDS[flow.flow_of(state)])
    return navigation.stay(state, content, [messages.text(words)])


def enter(state: State, choice: str, event: Incoming, content: Content) -> Outcome:
    """Open 個資說明 at its menu or straight at one choice (a typed word such as 複製本)."""
    if has_draft(state):
        return busy(state, content)
    if choice == "my_data":
        return Outcome(idle(state, event.timestamp_ms), [], [ShowMyData()])
    if choice == "correct":
        return Outcome(idle(state, event.timestamp_ms), [], [ListCorrectable()])
    if choice in ("copy", "erase"):
        opened = fresh(state, event.timestamp_ms, CONFIRM, request=choice, history=[MENU])
        return navigation.stay(opened, content)
    return navigation.stay(fresh(state, event.timestamp_ms, MENU, history=[]), content)


def correct(state: State, number: str, event: Incoming, content: Content) -> Outcome:
    """The resident picked one of their open cases to correct its contact details."""
    if has_draft(state):
        return busy(state, content)
    opened = fresh(state, event.timestamp_ms, CORRECT_FIELD, case=number, history=[])
    return navigation.stay(opened, content)


def correct_data(number: str) -> str:
    """Postback data of a case offered for correction: valid in any conversation."""
    return f"a=correct&n={number}"


def back_to_menu(state: State, event: Incoming, content: Content) -> Outcome:
    """Back to the 個資說明 menu (a new token: the old choices expire)."""
    return navigation.stay(fresh(state, event.timestamp_ms, MENU, history=[]), content)


def command(state: State, name: str, event: Incoming, content: Content) -> Outcome | None:
    """取消 leaves 個資說明; 上一步 and 重新開始 go back to its menu; 說明 as usual."""
    if name == "cancel":
        return leave(state, event)
    if name in ("back", "restart"):
        return back_to_menu(state, event, content)
    return None


def leave(state: State, event: Incoming) -> Outcome:
    """Back to the main menu; nothing is asked for."""
    return Outcome(idle(state, event.timestamp_ms), [messages.with_menu(texts.PRIVACY_LEFT)])
