"""撤回: a resident withdraws one of their own cases from 查詢案件, after confirming it.

The engine's part is pure (no database); the rest goes through the dispatcher, the
database and the LINE simulator, and is read back as staff read it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import select

from lianping import codes
from lianping.bot import cards, texts
from lianping.bot.conversation import ListCases, WithdrawCase
from lianping.context import Context
from lianping.services import timeline
from lianping.services.access import Actor
from lianping.storage import cases, residents
from lianping.storage.models import AuditEntry, Case, utcnow
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import logged_in, staff
from tests.support import handled_as_worker
from tests.test_engine import Chat

NUMBER = "1151121-0001"
DESCRIPTION = "中山路123號前的路燈壞了一星期，晚上很暗，希望儘快修理。"
# The statuses in which a case still waits for its answer: only then may it be withdrawn.
WITHDRAWABLE = {codes.RECEIVED, codes.ASSIGNED, codes.IN_PROGRESS, codes.TRANSFERRED}


# -- the conversation (pure) ---------------------------------------------------------------


def _asked(chat: Chat) -> None:
    assert chat.step == "withdraw"
    assert NUMBER in chat.last.messages[-1]["text"]
    assert chat.labels() == [texts.LABEL_WITHDRAW_CONFIRM, texts.LABEL_WITHDRAW_KEEP]


def test_withdrawing_asks_first_and_only_the_confirmation_withdraws() -> None:
    chat = Chat()
    chat.postback(f"a=withdraw&n={NUMBER}")
    _asked(chat)
    assert chat.last.effects == []
    chat.tap(texts.LABEL_WITHDRAW_CONFIRM)
    assert chat.last.effects == [WithdrawCase(NUMBER)]
    assert chat.last.messages == [], "the dispatcher says what actually happened"
    assert chat.step == "idle"


@pytest.mark.parametrize("how", ["不撤回", "取消", "上一步", "重新開始"])
def test_declining_keeps_the_case_and_says_so(how: str) -> None:
    chat = Chat()
    chat.postback(f"a=withdraw&n={NUMBER}")
    confirm = chat.data_of(texts.LABEL_WITHDRAW_CONFIRM)
    if how == texts.LABEL_WITHDRAW_KEEP:
        chat.tap(how)
    else:
        chat.text(how)
    assert chat.last.effects == []
    assert chat.last.messages[0]["text"] == texts.WITHDRAW_KEPT.format(number=NUMBER)
    assert chat.step == "idle"
    chat.postback(confirm)
    assert chat.last.effects == [], "the old confirmation has expired"
    assert chat.last.messages[0]["text"] == texts.EXPIRED


def test_a_wrong_input_asks_for_a_button_and_help_explains() -> None:
    chat = Chat()
    chat.postback(f"a=withdraw&n={NUMBER}")
    chat.text("好")
    assert chat.last.messages[0]["text"] == texts.CHOOSE_BUTTON
    _asked(chat)
    chat.text("說明")
    assert chat.last.messages[0]["text"].startswith(texts.STEP_HELP["withdraw"])
    _asked(chat)
    chat.text("查詢案件")
    assert chat.last.effects == [ListCases()]
    assert chat.step == "withdraw"


def test_a_report_under_way_is_kept_and_nothing_is_withdrawn() -> None:
    chat = Chat()
    chat.postback("menu=report")
    chat.tap(texts.LABEL_NOTICE_READ)
    chat.tap("民情需求")
    draft = chat.draft
    chat.postback(f"a=withdraw&n={NUMBER}")
    assert chat.last.messages[0]["text"] == texts.WITHDRAW_BUSY.format(flow="反映")
    assert chat.step == "sub_item" and chat.draft == draft
    assert chat.last.effects == []


def test_the_case_card_offers_withdrawal_only_when_it_may_be_withdrawn() -> None:
    now = utcnow()
    shown = {
        withdrawable: cards.case_list(
            [
                cards.CaseCard(
                    number=NUMBER,
                    nature=codes.NEED,
                    sub_item=None,
                    status=codes.RECEIVED,
                    updated_at=now,
                    due_at=None,
                    is_open=True,
                    withdrawable=withdrawable,
                )
            ]
        )[0]
        for withdrawable in (True, False)
    }
    buttons = {
        key: [c["action"] for c in card["contents"]["contents"][0]["footer"]["contents"]]
        for key, card in shown.items()
    }
    assert buttons[True][-1]["label"] == texts.LABEL_WITHDRAW
    assert buttons[True][-1]["data"] == f"a=withdraw&n={NUMBER}"
    assert texts.LABEL_WITHDRAW not in [action["label"] for action in buttons[False]]


# -- through the dispatcher, the database and the simulator -----------------------------


def _file_cases(ctx: Context, user: str) -> dict[str, str]:
    """One case of the resident in every status; returns status -> case number."""
    numbers: dict[str, str] = {}
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, user)
        for status in codes.STATUSES:
            draft = {"nature": codes.NEED, "sub_item": "need-2", "description": DESCRIPTION}
            case = cases.create_from_line(session, resident, draft, 1, utcnow(), 30)
            case.status = status
            numbers[status] = case.number
    return numbers


def _tap(ctx: Context, sim: Sim, user: str, data: str) -> list[dict[str, Any]]:
    """The resident taps a postback; the event is handled and answered; returns the answer."""
    event = line_events.postback(user, "x" * 32, data, timestamp=int(time.time() * 1000))
    return handled_as_worker(ctx, sim, user, event)


def _button(message: dict[str, Any], label: str) -> str:
    for item in message["quickReply"]["items"]:
        if item["action"]["label"] == label:
            return str(item["action"]["data"])
    raise AssertionError(f"no {label} in {message}")


def _status(ctx: Context, number: str) -> str:
    with ctx.sessions() as session:
        return str(session.scalar(select(Case.status).where(Case.number == number)))


def test_a_resident_withdraws_a_case_and_staff_see_it(
    sim: Sim, ctx: Context, quiet_app: Any
) -> None:
    user = sim.new_resident("撤回者")
    numbers = _file_cases(ctx, user)

    listed = _tap(ctx, sim, user, "menu=status")
    bubbles = {
        b["header"]["contents"][0]["text"]: json.dumps(b["footer"], ensure_ascii=False)
        for b in listed[0]["contents"]["contents"]
    }
    for status, number in numbers.items():
        offered = f"a=withdraw&n={number}" in bubbles[number]
        assert offered == (status in WITHDRAWABLE), status

    number = numbers[codes.IN_PROGRESS]
    (question,) = _tap(ctx, sim, user, f"a=withdraw&n={number}")
    assert number in question["text"]
    assert _status(ctx, number) == codes.IN_PROGRESS, "asking withdraws nothing"
    (told,) = _tap(ctx, sim, user, _button(question, texts.LABEL_WITHDRAW_CONFIRM))
    assert told["text"] == texts.CASE_WITHDRAWN.format(number=number)
    assert _status(ctx, number) == codes.WITHDRAWN

    # The resident reads it on the case's timeline; staff see who did it.
    detail = _tap(ctx, sim, user, f"a=case&n={number}")[0]["text"]
    assert codes.STATUS_FOR_RESIDENTS[codes.WITHDRAWN] in detail
    officer = staff(ctx, "officer")
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        last = timeline.case_timeline(session, Actor.of(officer), case)[-1]
        audited = session.scalars(select(AuditEntry).where(AuditEntry.target_id == number)).one()
    assert (last.kind, last.actor, last.who, last.side) == (
        "status", cases.RESIDENT, "反映者", "resident",
    )  # fmt: skip
    assert last.public and last.data["status"] == codes.WITHDRAWN
    assert (audited.actor, audited.action, audited.after) == (
        cases.RESIDENT, "case.status", {"status": codes.WITHDRAWN},
    )  # fmt: skip
    client, _ = logged_in(quiet_app, ctx, officer)
    page = client.get(f"/admin/cases/{number}").get_data(as_text=True)
    assert "反映者" in page and texts.WITHDRAWN_ENTRY in page


def test_a_case_answered_meanwhile_is_not_withdrawn_and_the_resident_is_told(
    sim: Sim, ctx: Context
) -> None:
    user = sim.new_resident("慢了一步")
    number = _file_cases(ctx, user)[codes.ASSIGNED]
    (question,) = _tap(ctx, sim, user, f"a=withdraw&n={number}")
    with ctx.sessions.begin() as session:
        session.scalars(select(Case).where(Case.number == number)).one().status = codes.REPLIED
    (told,) = _tap(ctx, sim, user, _button(question, texts.LABEL_WITHDRAW_CONFIRM))
    assert told["text"] == texts.WITHDRAW_REFUSED.format(number=number)
    assert _status(ctx, number) == codes.REPLIED


def test_someone_elses_case_cannot_be_withdrawn(sim: Sim, ctx: Context) -> None:
    owner, other = sim.new_resident("案主"), sim.new_resident("旁人")
    number = _file_cases(ctx, owner)[codes.RECEIVED]
    (question,) = _tap(ctx, sim, other, f"a=withdraw&n={number}")
    (told,) = _tap(ctx, sim, other, _button(question, texts.LABEL_WITHDRAW_CONFIRM))
    assert told["text"] == texts.WITHDRAW_REFUSED.format(number=number)
    assert _status(ctx, number) == codes.RECEIVED
