"""Carry out a 有獎徵答 answer: check it against the broadcast, keep the first, and reply."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from lianping.bot import messages, texts
from lianping.bot.conversation.model import AnswerQuiz
from lianping.bot.messages import Message
from lianping.storage import quiz_answers
from lianping.storage.models import Resident


def answer(session: Session, resident: Resident, tapped: AnswerQuiz, at: datetime) -> Message:
    """答對了／答錯了 with the explanation for a first answer; 您已作答過本題 after that.

    A tap that matches no answerable quiz (unknown broadcast, one not sent, not a quiz,
    a choice out of range) stores nothing and gets a polite reply.
    """
    quiz = quiz_answers.find(session, tapped.broadcast_id, tapped.message_index)
    if quiz is None or not 0 <= tapped.choice < len(quiz.choices):
        return messages.with_menu(texts.QUIZ_UNAVAILABLE)
    correct = tapped.choice == quiz.answer
    new = quiz_answers.record(
        session, tapped.broadcast_id, tapped.message_index, resident.id,
        tapped.choice, correct, at,
    )  # fmt: skip
    if not new:
        first = quiz_answers.first_choice(
            session, tapped.broadcast_id, tapped.message_index, resident.id
        )
        chosen = quiz.choices[first] if first is not None and first < len(quiz.choices) else ""
        return messages.with_menu(texts.QUIZ_ALREADY.format(choice=chosen))
    verdict = texts.QUIZ_CORRECT if correct else texts.QUIZ_WRONG
    lines = [verdict.format(answer=quiz.choices[quiz.answer])]
    if quiz.explanation.strip():
        lines.append(quiz.explanation.strip())
    lines.append(texts.QUIZ_THANKS)
    return messages.with_menu("\n".join(lines))
