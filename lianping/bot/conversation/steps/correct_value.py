"""更正聯絡資料: the corrected name, phone or address, checked as the report's contact step
checks it, then filed as a request for staff to decide."""

from __future__ import annotations

import re

from lianping.bot import messages, texts
from lianping.bot.conversation import inputs, navigation, phone, privacy, replies
from lianping.bot.conversation.model import (
    Content,
    FileDataRequest,
    Incoming,
    Message,
    Outcome,
    State,
)
from lianping.bot.conversation.state import idle
from lianping.bot.conversation.steps.address import MAX_ADDRESS

NAME = privacy.CORRECT_VALUE
ACTIONS: frozenset[str] = frozenset()
MEDIA: frozenset[str] = frozenset()
_DIGIT = re.compile(r"\d")


def command(state: State, name: str, event: Incoming, content: Content) -> Outcome | None:
    """上一步 goes back to the choice of field; 取消 and 重新開始 as elsewhere in 個資說明."""
    if name == "back":
        return navigation.stay({**state, "step": privacy.CORRECT_FIELD}, content)
    return privacy.command(state, name, event, content)


def _field(state: State) -> str:
    found = str(state.get("field") or "")
    return found if found in privacy.FIELDS else "name"


def prompt(state: State, content: Content) -> list[Message]:
    """Ask for the corrected value of the chosen field."""
    body = texts.DATA_CORRECT_VALUE.format(
        number=state.get("case", ""), field=privacy.FIELDS[_field(state)]
    )
    return [replies.ask(state, body, [])]


def read(field: str, text: str) -> str | None:
    """The value to store for ``field`` (a phone in E.164), or None when it cannot be one."""
    if field == "phone":
        parsed = phone.parse_phone(text)
        return parsed[0] if parsed else None
    if field == "name":
        return text if len(text) <= phone.MAX_NAME and not _DIGIT.search(text) else None
    return text if len(text) <= MAX_ADDRESS else None


_PROBLEMS = {
    "name": texts.DATA_CORRECT_BAD_NAME,
    "phone": texts.DATA_CORRECT_BAD_PHONE,
    "address": texts.DATA_CORRECT_BAD_ADDRESS,
}


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """A readable value is filed as a correction request; anything else is asked again."""
    text = inputs.typed(event)
    field = _field(state)
    value = read(field, text) if text else None
    if value is None:
        # Only typed words can be a name, phone or address: anything else is asked again.
        problems = [messages.text(_PROBLEMS[field])] if text else []
        return navigation.stay(state, content, problems)
    number = str(state.get("case", ""))
    request = FileDataRequest("correct", number=number, field=field, value=value)
    return Outcome(idle(state, event.timestamp_ms), [], [request])
