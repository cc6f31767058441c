"""有獎徵答 answers: the quiz a postback points at, and one answer per resident.

Queries take a session and never commit. The database refuses a second answer
(the primary key is broadcast, message, resident), so a repeated tap, a
redelivered event or two workers at once still leave the first answer alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping.storage.db import dialect_insert
from lianping.storage.models import Broadcast, QuizAnswer

# A quiz can be answered once its broadcast has started to go out (a broadcast stopped
# part way reached some residents: their answers count too).
ANSWERABLE = frozenset({"sending", "sent", "stopped"})


@dataclass(frozen=True)
class Quiz:
    """One 有獎徵答 question of a broadcast, as composed."""

    question: str
    choices: list[str]
    answer: int
    explanation: str


def find(session: Session, broadcast_id: int, message_index: int) -> Quiz | None:
    """The quiz at ``message_index`` of a broadcast that went out, or None."""
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.status not in ANSWERABLE:
        return None
    if broadcast.status == "stopped" and not broadcast.chunks_sent:
        return None  # stopped before anyone received it
    composed: list[Any] = list(broadcast.messages or [])
    if not 0 <= message_index < len(composed):
        return None
    message = composed[message_index]
    if not isinstance(message, dict) or message.get("type") != "quiz":
        return None
    choices = [str(choice) for choice in message.get("choices") or []]
    answer = message.get("answer")
    if not isinstance(answer, int) or not 0 <= answer < len(choices):
        return None
    return Quiz(
        str(message.get("question") or ""), choices, answer, str(message.get("explanation") or "")
    )


def record(
    session: Session,
    broadcast_id: int,
    message_index: int,
    resident_id: int,
    choice: int,
    correct: bool,
    at: datetime,
) -> bool:
    """Store the resident's answer unless they answered already; True when it is new."""
    statement = (
        dialect_insert(session)(QuizAnswer)
        .values(
            broadcast_id=broadcast_id,
            message_index=message_index,
            resident_id=resident_id,
            choice=choice,
            correct=correct,
            answered_at=at,
        )
        .on_conflict_do_nothing(index_elements=["broadcast_id", "message_index", "resident_id"])
        # The row back only when inserted: rowcount is not reliable on every driver.
        .returning(QuizAnswer.resident_id)
    )
    return session.execute(statement).first() is not None


def first_choice(
    session: Session, broadcast_id: int, message_index: int, resident_id: int
) -> int | None:
    """The choice the resident answered the quiz with, if they did."""
    return session.scalar(
        select(QuizAnswer.choice).where(
            QuizAnswer.broadcast_id == broadcast_id,
            QuizAnswer.message_index == message_index,
            QuizAnswer.resident_id == resident_id,
        )
    )
