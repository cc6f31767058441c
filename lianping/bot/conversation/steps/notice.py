"""First step of a report and a tip: the 個資法 §8 notice, before anything is asked.

The resident taps 「已閱讀」 (an acknowledgement, not consent: an agency collects under §15
for its statutory duty), or 「不經由LINE提供」 for the other ways to report, which ends the
flow keeping nothing. A resident who already read the current version is told so in one
line and goes straight on.
"""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation import flow, inputs, navigation, replies
from lianping.bot.conversation.model import (
    Content,
    Incoming,
    Message,
    Outcome,
    ReadNotice,
    State,
)
from lianping.bot.conversation.state import idle, move, with_draft

NAME = "notice"
ACTIONS = frozenset({"read", "without_line"})
# Media sent before the notice is read joins no draft (the dispatcher still stores the file,
# as for media sent outside a report, until the retention purge): it only gets a reminder.
MEDIA = inputs.MEDIA_KINDS


def _question(state: State, content: Content) -> Message:
    words = texts.NOTICE_PROMPT.format(flow=texts.FLOW_WORDS[flow.flow_of(state)])
    # The button names the version shown, so a tap under an older version is not taken
    # as reading a newer one.
    items = [
        replies.button(state, texts.LABEL_NOTICE_READ, "read", str(content.privacy_version)),
        replies.button(state, texts.LABEL_WITHOUT_LINE, "without_line"),
    ]
    return replies.ask(state, words, items)


def prompt(state: State, content: Content) -> list[Message]:
    """The whole notice as the administrator published it, then 已閱讀 / 不經由LINE提供."""
    return [*messages.long_text(content.privacy_notice), _question(state, content)]


def begin(state: State, event: Incoming, content: Content) -> Outcome:
    """A flow just started at this step: ask it, or, when the resident already read the current
    version, say so in one line and ask the flow's first question."""
    if state.get("step") != NAME or event.notice_version != content.privacy_version:
        return navigation.stay(state, content)
    read = with_draft(
        state,
        notice_version=content.privacy_version,
        notice_read_at=event.notice_read_ms,
    )
    # Nothing to go back to: 上一步 from the first question returns to the menu.
    first = move(read, flow.next_step(read, NAME), history=[])
    line = texts.NOTICE_ALREADY_READ.format(version=content.privacy_version)
    return navigation.stay(first, content, [messages.text(line)])


def handle(state: State, event: Incoming, content: Content) -> Outcome:
    """已閱讀 records the version and time and goes on; 不經由LINE提供 ends the flow with the other
    ways to report; anything else asks for a button (the notice is just above)."""
    chosen = inputs.choice(event)
    action = chosen.action if chosen else None
    if chosen and action == "read" and chosen.value != str(content.privacy_version):
        updated = texts.NOTICE_UPDATED.format(version=content.privacy_version)
        return navigation.note(state, content, updated)
    if action == "read" or inputs.typed(event) in texts.NOTICE_READ_WORDS:
        read = with_draft(
            state, notice_version=content.privacy_version, notice_read_at=event.timestamp_ms
        )
        moved = navigation.advance(read, content)
        return Outcome(moved.state, moved.messages, [ReadNotice(content.privacy_version)])
    if action == "without_line":
        words = texts.WITHOUT_LINE.format(
            flow=texts.FLOW_WORDS[flow.flow_of(state)], ways=content.offline_ways
        )
        return Outcome(idle(state, event.timestamp_ms), [messages.with_menu(words)])
    return Outcome(state, [messages.text(texts.NOTICE_FIRST), _question(state, content)])
