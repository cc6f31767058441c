"""有獎徵答 end to end: simulator → webhook → worker → database and the answer on LINE.

The broadcast rows are written directly (sending them is the broadcast engine's
part); the resident taps answer buttons as LINE would send them.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import rocdate
from lianping.bot import texts
from lianping.context import Context
from lianping.storage import quiz_answers
from lianping.storage.models import Broadcast, QuizAnswer, Resident, utcnow
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import WorkerProcess, wait_until

QUIZ = {
    "type": "quiz",
    "question": "發現公務員收受回扣，可以撥打哪一支檢舉專線？",
    "choices": ["0800-286-586", "110", "1999"],
    "answer": 0,
    "explanation": "法務部廉政署檢舉專線 0800-286-586，檢舉人身分依法保密。",
}


def broadcast(
    ctx: Context, status: str = "sent", messages: list[dict[str, Any]] | None = None
) -> int:
    """A broadcast with a text and a quiz (message 1), as the engine leaves it."""
    with ctx.sessions.begin() as session:
        row = Broadcast(
            title="廉政有獎徵答",
            messages=messages or [{"type": "text", "text": "清廉從你我做起"}, QUIZ],
            audience={"kind": "all"},
            status=status,
            started_at=utcnow() if status in ("sending", "sent", "stopped") else None,
            finished_at=utcnow() if status == "sent" else None,
        )
        session.add(row)
        session.flush()
        return row.id


def followed(sim: Sim, name: str) -> str:
    user = sim.new_resident(name)
    sim.send(user, type="follow")
    wait_until(lambda: sim.bot_messages(user))
    return user


def tap(sim: Sim, user: str, data: str, shown: str = "答案") -> str:
    """Tap an answer and return the bot's answer to it."""
    before = len(sim.bot_messages(user))
    sim.send(user, type="postback", data=data, displayText=shown)
    answer = wait_until(lambda: sim.bot_messages(user)[before:])
    assert len(answer) == 1
    return str(answer[0]["message"]["text"])


def answers(ctx: Context) -> list[QuizAnswer]:
    with ctx.sessions() as session:
        return list(session.scalars(select(QuizAnswer).order_by(QuizAnswer.resident_id)))


def resident_id(ctx: Context, user: str) -> int:
    with ctx.sessions() as session:
        return session.scalars(select(Resident.id).where(Resident.line_user_id == user)).one()


@pytest.mark.e2e
def test_first_answer_is_kept_and_judged_and_later_taps_are_told_so(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    quiz_id = broadcast(ctx)
    user = followed(sim, "作答者")

    wrong = tap(sim, user, f"quiz:{quiz_id}:1:2", "1999")
    assert wrong.startswith(texts.QUIZ_WRONG.format(answer="0800-286-586"))
    assert QUIZ["explanation"] in wrong
    (stored,) = answers(ctx)
    assert (stored.broadcast_id, stored.message_index, stored.choice, stored.correct) == (
        quiz_id, 1, 2, False,
    )  # fmt: skip
    assert stored.resident_id == resident_id(ctx, user)

    # The right answer now, and the same choice again: the first answer stands.
    for data in (f"quiz:{quiz_id}:1:0", f"quiz:{quiz_id}:1:2"):
        again = tap(sim, user, data)
        assert again == texts.QUIZ_ALREADY.format(choice="1999")
        assert "您已作答" in again
    assert [(a.choice, a.correct) for a in answers(ctx)] == [(2, False)]

    # Another resident answers for themselves, and is right.
    other = followed(sim, "第二位")
    right = tap(sim, other, f"quiz:{quiz_id}:1:0", "0800-286-586")
    assert right.startswith("答對了！")
    assert QUIZ["explanation"] in right
    assert sorted(a.correct for a in answers(ctx)) == [False, True]


@pytest.mark.e2e
def test_a_redelivered_tap_is_answered_and_stored_once(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    quiz_id = broadcast(ctx, status="sending")  # answers open as soon as it goes out
    user = followed(sim, "重送作答")
    event = line_events.postback(user, sim.reply_token(user), f"quiz:{quiz_id}:1:0")
    before = len(sim.bot_messages(user))
    for _ in range(3):
        redelivered = {**event, "deliveryContext": {"isRedelivery": True}}
        assert sim.raw([redelivered])["webhook_status"] == 200
    first = wait_until(lambda: sim.bot_messages(user)[before:])
    time.sleep(1.0)  # give a wrongly repeated answer the time to show up
    assert len(sim.bot_messages(user)) == before + 1
    assert first[0]["message"]["text"].startswith("答對了！")
    assert [(a.choice, a.correct) for a in answers(ctx)] == [(0, True)]


@pytest.mark.parametrize(
    "case", ["unknown broadcast", "choice out of range", "not a quiz", "not sent", "cancelled"]
)
@pytest.mark.e2e
def test_tampered_or_stale_taps_get_a_polite_reply_and_store_nothing(
    sim: Sim, worker: WorkerProcess, ctx: Context, case: str
) -> None:
    status = {"not sent": "draft", "cancelled": "cancelled"}.get(case, "sent")
    quiz_id = broadcast(ctx, status=status)
    data = {
        "unknown broadcast": f"quiz:{quiz_id + 1000}:1:0",
        "choice out of range": f"quiz:{quiz_id}:1:3",
        "not a quiz": f"quiz:{quiz_id}:0:0",
    }.get(case, f"quiz:{quiz_id}:1:0")
    user = followed(sim, "竄改者")
    assert tap(sim, user, data) == texts.QUIZ_UNAVAILABLE
    assert answers(ctx) == []
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(QuizAnswer)) == 0


@pytest.mark.e2e
def test_a_quiz_answer_during_a_report_leaves_the_report_as_it_was(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    quiz_id = broadcast(ctx)
    user = followed(sim, "填寫中")
    sim.send(user, type="postback", data="menu=report")
    wait_until(lambda: len(sim.bot_messages(user)) >= 2)
    with ctx.sessions() as session:
        before = session.scalars(select(Resident.conversation).where(Resident.line_user_id == user))
        state = dict(before.one())
    assert tap(sim, user, f"quiz:{quiz_id}:1:0").startswith("答對了！")
    with ctx.sessions() as session:
        after = session.scalars(select(Resident.conversation).where(Resident.line_user_id == user))
        assert after.one() == state


@pytest.mark.e2e
def test_the_promotion_menu_lists_the_latest_published_broadcasts(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    card = {"type": "card", "title": "清廉村里", "body": "工程採購請大家共同監督。",
            "image_id": None, "link_label": None, "link_url": None}  # fmt: skip
    published = [broadcast(ctx, messages=[card]) for _ in range(6)]
    broadcast(ctx, status="draft")
    with ctx.sessions.begin() as session:
        rehearsal = session.get(Broadcast, broadcast(ctx))
        assert rehearsal is not None
        rehearsal.audience = {"kind": "test"}
        sent_on = session.get(Broadcast, published[-1])
        assert sent_on is not None and sent_on.started_at is not None
        date = rocdate.roc_date(sent_on.started_at)
    user = followed(sim, "看宣導")
    before = len(sim.bot_messages(user))
    sim.send(user, type="postback", data="menu=promotion", displayText="廉政宣導")
    shown = wait_until(lambda: sim.bot_messages(user)[before:][1:])
    text, carousel = (item["message"] for item in sim.bot_messages(user)[before:])
    assert text["text"] == texts.PROMOTION
    assert carousel["altText"] == texts.PROMOTIONS_ALT.format(count=5)
    bubbles = carousel["contents"]["contents"]
    assert len(bubbles) == 5 and len(shown) == 1
    words = [[part["text"] for part in bubble["body"]["contents"]] for bubble in bubbles]
    assert words[0] == [
        texts.PROMOTIONS_HEADER,
        "廉政有獎徵答",
        texts.PROMOTION_SENT_ON.format(date=date),
        "清廉村里\n工程採購請大家共同監督。",
    ]
    assert carousel["quickReply"]["items"][0]["action"]["label"] == texts.MENU_LABELS["report"]


def test_a_quiz_of_a_broadcast_stopped_part_way_can_be_answered(ctx: Context) -> None:
    reached, unsent = broadcast(ctx, status="stopped"), broadcast(ctx, status="stopped")
    with ctx.sessions.begin() as session:
        session.get_one(Broadcast, reached).chunks_sent = 1
    with ctx.sessions() as session:
        assert quiz_answers.find(session, reached, 1) is not None
        assert quiz_answers.find(session, unsent, 1) is None  # it reached nobody
