"""個資說明, first page: the resident's §3 rights and a button for each."""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import inputs, navigation, privacy, replies
from lianping.bot.conversation.model import Content, Incoming, Message, Outcome, State

NAME = privacy.MENU
ACTIONS = frozenset({"notice", "my_data", "copy", "correct", "erase"})
MEDIA: frozenset[str] = frozenset()
LABELS = {
    "notice": texts.LABEL_PRIVACY_NOTICE,
    "my_data": texts.LABEL_MY_DATA,
    "copy": texts.LABEL_DATA_COPY,
    "correct": texts.LABEL_DATA_CORRECT,
    "erase": texts.LABEL_DATA_ERASE,
}


def command(state: State, name: str, event: Incoming, content: Content) -> Outcome | None:
    """取消 and 上一步 leave 個資說明 (this is its first page); 重新開始 shows it again."""
    if name == "back":
        return privacy.leave(state, event)
    return privacy.command(state, name, event, content)


def prompt(state: State, content: Content) -> list[Message]:
    """What the rights are, and 閱讀告知事項, 查詢, 複製本, 更正, 停止／刪除, 取消."""
    items = [replies.button(state, label, action) for action, label in LABELS.items()]
    cancel = replies.button(state, texts.LABEL_CANCEL, "cancel")
    return [messages.text(texts.PRIVACY_MENU, [*items, cancel])]


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """The notice is shown here; the other choices go on (or to the dispatcher)."""
    chosen = inputs.choice(event)
    action = chosen.action if chosen else None
    if action == "notice":
        return navigation.stay(state, content, messages.long_text(content.privacy_notice))
    if action in ("my_data", "copy", "correct", "erase"):
        return privacy.enter(state, action, event, content)
    return navigation.retry(state, content)
