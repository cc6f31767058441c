"""有獎徵答 answers: postback data ``quiz:{broadcast_id}:{message_index}:{choice_index}``.

A quiz belongs to a broadcast, not to a conversation: its buttons carry no token
and stay valid whatever the resident is doing. The engine only reads the data;
the dispatcher checks it against the broadcast and records the one answer.
"""

from __future__ import annotations

from lianping.bot import messages, texts
from lianping.bot.conversation.model import AnswerQuiz, Incoming, Outcome, State

PREFIX = "quiz:"


def data(broadcast_id: int, message_index: int, choice: int) -> str:
    """The postback data of one answer button."""
    return f"{PREFIX}{broadcast_id}:{message_index}:{choice}"


def is_answer(event: Incoming) -> bool:
    """Whether ``event`` is the tap of a quiz answer (well-formed or not)."""
    return event.kind == "postback" and (event.data or "").startswith(PREFIX)


def answer(state: State, event: Incoming) -> Outcome:
    """Ask the dispatcher to record the answer; malformed data gets a polite reply.

    The conversation is left as it was, so a report under way goes on after it.
    """
    parts = (event.data or "").removeprefix(PREFIX).split(":")
    if len(parts) != 3 or not all(part.isdigit() and len(part) <= 9 for part in parts):
        return Outcome(state, [messages.with_menu(texts.QUIZ_UNAVAILABLE)])
    broadcast_id, message_index, choice = (int(part) for part in parts)
    return Outcome(state, [], [AnswerQuiz(broadcast_id, message_index, choice)])
