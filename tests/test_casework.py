"""Staff services: lifecycle, routing, replies on LINE, reveals, permissions, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lianping import codes, rocdate
from lianping.bot.conversation.phone import ContactError, parse_contact
from lianping.context import Context
from lianping.jobs import delivery
from lianping.services import accounts, casework
from lianping.services.access import Actor, PermissionDenied
from lianping.storage import cases, residents
from lianping.storage.models import Agency, AuditEntry, Case, CaseEvent, Unit, utcnow
from lianping_dev.simulator.client import SimulatorClient as Sim

APPROVAL = casework.Approval("局長 王○○", date(2026, 11, 20))
DRAFT = {"nature": "need", "sub_item": "need-2", "description": "路燈不亮已兩週，夜間行人危險。"}


def actors(ctx: Context) -> dict[str, Actor]:
    with ctx.sessions.begin() as session:
        made = {
            name: accounts.create_user(session, name, "correct horse battery", role, ethics=eth)
            for name, role, eth in [
                ("officer", "officer", False),
                ("ethics", "officer", True),
                ("viewer", "viewer", False),
                ("chief", "supervisor", False),
            ]
        }
        return {name: Actor.of(user) for name, user in made.items()}


def line_case(ctx: Context, user: str, **draft: object) -> str:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, user)
        return cases.create_from_line(session, resident, {**DRAFT, **draft}, 1, utcnow(), 30).number


def test_route_to_another_agency_tells_the_resident(sim: Sim, ctx: Context) -> None:
    who = actors(ctx)
    user = sim.new_resident("移送")
    number = line_case(ctx, user)
    with ctx.sessions.begin() as session:
        agency = Agency(name="臺北市政府工務局")
        session.add(agency)
        session.flush()
        case = casework.get_case(session, who["officer"], number)
        result = casework.route_external(
            session,
            who["officer"],
            case,
            agency.id,
            "北市政風字第1150000123號",
            date(2026, 11, 21),
            APPROVAL,
        )
        assert case.status == codes.TRANSFERRED
    for outbox_id in result.outbox_ids:
        assert delivery.deliver_now(ctx, outbox_id) == "sent"
    [notice] = sim.bot_messages(user)
    assert "臺北市政府工務局" in notice["message"]["text"]
    assert "第172條" in notice["message"]["text"]


def test_lifecycle_reply_close_and_satisfaction(sim: Sim, ctx: Context) -> None:
    who = actors(ctx)
    user = sim.new_resident("回覆")
    number = line_case(ctx, user)
    with ctx.sessions.begin() as session:
        unit = Unit(name="工務科")
        session.add(unit)
        session.flush()
        case = casework.get_case(session, who["officer"], number)
        casework.assign(session, who["officer"], case, who["officer"].user_id, unit.id)
        assert case.status == codes.ASSIGNED
        casework.route_internal(session, who["officer"], case, unit.id, "請派員修復", APPROVAL)
        replied = casework.reply(session, who["officer"], case, "已於11月25日修復完成。")
        with pytest.raises(casework.CaseworkError):
            casework.change_status(session, who["officer"], case, codes.ASSIGNED)
        closed = casework.change_status(session, who["officer"], case, codes.CLOSED)
    for outbox_id in replied.outbox_ids + closed.outbox_ids:
        delivery.deliver_now(ctx, outbox_id)
    delivered = [m["message"] for m in sim.bot_messages(user)]
    assert "已於11月25日修復完成。" in delivered[0]["text"]
    rating = delivered[1]["quickReply"]["items"][4]["action"]
    assert rating["data"] == f"a=rate&n={number}&v=5"

    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        assert casework.record_satisfaction(session, case, 5)
        assert not casework.record_satisfaction(session, case, 1)
        public = [e.kind for e in cases.public_timeline(session, case)]
        assert "note" not in public and "reply" in public


def test_the_closing_question_and_its_buttons_use_the_same_words(sim: Sim, ctx: Context) -> None:
    who = actors(ctx)
    user = sim.new_resident("評分")
    number = line_case(ctx, user)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        casework.reply(session, who["officer"], case, "路燈已於今日修復。")
        closed = casework.change_status(session, who["officer"], case, codes.CLOSED)
    for outbox_id in closed.outbox_ids:
        delivery.deliver_now(ctx, outbox_id)
    # The chat's earlier answer (the reply) goes out first, then the question.
    reply, question = [m["message"] for m in sim.bot_messages(user)]
    assert "路燈已於今日修復。" in reply["text"]
    labels = [item["action"]["label"] for item in question["quickReply"]["items"]]
    assert [label.split(" ")[0] for label in labels] == ["1", "2", "3", "4", "5"]
    for score in (1, 5):
        words = labels[score - 1].split(" ", 1)[1]
        assert f"{score} 分為{words}" in question["text"], (labels, question["text"])


@pytest.mark.parametrize(
    "typed", ["需會同工務局現場會勘", "因需會同工務局現場會勘。", "因為需會同工務局現場會勘"]
)
def test_an_extension_tells_the_resident_why_and_until_when(
    sim: Sim, ctx: Context, typed: str
) -> None:
    who = actors(ctx)
    user = sim.new_resident("延長")
    number = line_case(ctx, user)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["chief"], number)
        new_due = rocdate.taipei_date(case.due_at) + timedelta(days=20)
        result = casework.extend_due(session, who["chief"], case, new_due, typed)
    for outbox_id in result.outbox_ids:
        assert delivery.deliver_now(ctx, outbox_id) == "sent"
    [notice] = [m["message"]["text"] for m in sim.bot_messages(user)]
    assert notice == (
        f"【案件 {number} 延長處理期限通知】\n"
        f"因需會同工務局現場會勘，本案處理期限延至{rocdate.roc_date(new_due)}，造成不便，敬請見諒。"
    )


def test_an_extension_reason_too_long_for_the_notice_is_refused(sim: Sim, ctx: Context) -> None:
    who = actors(ctx)
    number = line_case(ctx, sim.new_resident("延長過長"))
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        due = case.due_at
        reason = "因" + "會勘" * 300
        with pytest.raises(casework.CaseworkError, match="延長理由請在500字以內"):
            casework.extend_due(session, who["chief"], case, date(2099, 1, 4), reason)
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        kinds = session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert case.due_at == due and "extended" not in kinds


def test_rejection_needs_a_173_reason_and_merge_a_target(ctx: Context) -> None:
    who = actors(ctx)
    number = line_case(ctx, "U" + "a1" * 16)
    other = line_case(ctx, "U" + "a2" * 16)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        with pytest.raises(casework.CaseworkError, match="173"):
            casework.change_status(session, who["officer"], case, codes.REJECTED)
        with pytest.raises(casework.CaseworkError):
            casework.change_status(session, who["officer"], case, codes.MERGED, merge_into="nope")
        casework.change_status(session, who["officer"], case, codes.MERGED, merge_into=other)
        assert case.status == codes.MERGED and case.merged_into_id is not None


def test_viewer_cannot_change_and_tips_are_for_ethics_staff(ctx: Context) -> None:
    who = actors(ctx)
    number = line_case(ctx, "U" + "b1" * 16)
    tip = line_case(ctx, "U" + "b2" * 16, nature="tip", sub_item=None)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["viewer"], number)
        with pytest.raises(PermissionDenied):
            casework.add_note(session, who["viewer"], case, "看過了")
        with pytest.raises(PermissionDenied):
            casework.reveal(session, who["viewer"], case, "查證聯絡方式")
        # A tip is need-to-know: answered as if it did not exist, also to ethics staff
        # it is not assigned to (tests/test_need_to_know.py has the whole rule).
        with pytest.raises(LookupError):
            casework.get_case(session, who["officer"], tip)
        with pytest.raises(LookupError):
            casework.get_case(session, who["ethics"], tip)
        session.scalar(select(Case).where(Case.number == tip)).officer_id = who["ethics"].user_id
        assert casework.get_case(session, who["ethics"], tip).confidential


def test_every_reveal_and_change_is_audited(ctx: Context) -> None:
    who = actors(ctx)
    number = line_case(ctx, "U" + "c1" * 16, name="林大華", phone="+886223811234")
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        case.officer_id = who["officer"].user_id  # need-to-know: the assigned officer
        shown = casework.reveal(session, who["officer"], case, "電話聯繫反映者")
        assert shown["name"] == "林大華"
        casework.add_note(session, who["officer"], case, "已電話聯繫")
    with ctx.sessions() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == number).order_by(AuditEntry.id)
        ).all()
        assert actions == ["case.reveal", "case.note"]
        notes = session.scalars(select(CaseEvent).where(CaseEvent.kind == "note")).all()
        assert not notes[0].public


def test_manual_intake_requires_the_169_confirmation(ctx: Context) -> None:
    who = actors(ctx)
    report = casework.ManualReport(
        channel="walk_in", nature="reform", sub_item="reform-2", theme=None,
        description="里民反映垃圾清運時間變更未公告。", reporter_name="張三",
        reporter_phone="0223811234", reporter_address="臺北市中正區", reporter_occupation=None,
        recorder="李承辦", petition_confirmed=False, notice_method="read_out",
    )  # fmt: skip
    with ctx.sessions.begin() as session:
        with pytest.raises(casework.CaseworkError, match="169"):
            casework.manual_intake(session, who["officer"], report, 30)
        confirmed = casework.ManualReport(**{**report.__dict__, "petition_confirmed": True})
        case = casework.manual_intake(session, who["officer"], confirmed, 30)
        assert (case.channel, case.recorder, case.petition_confirmed) == ("walk_in", "李承辦", True)


@pytest.mark.parametrize(
    "typed",
    ["12345", "0912345678", "0912-345-678", "(02)2345-6789", "+886 912 345 678",
     "0800-286-586", "+1 212 555 0100", "09123456789", "02-2345-6789#123", "０９１２３４５６７８"],
)  # fmt: skip
def test_manual_intake_reads_a_phone_as_the_line_flow_does(ctx: Context, typed: str) -> None:
    """One rule for a reporter's phone: what LINE refuses, intake refuses with a reason;
    what LINE accepts is stored as LINE's flow stores it (E.164)."""
    who = actors(ctx)
    report = casework.ManualReport(
        channel="letter", nature="need", sub_item=None, theme=None,
        description="來函建議增設路燈。", reporter_name="張三", reporter_phone=typed,
        reporter_address=None, reporter_occupation=None, recorder="李承辦",
        petition_confirmed=False, notice_method="printed",
    )  # fmt: skip
    try:
        on_line: str | None = parse_contact(f"張三 {typed}").phone
    except ContactError:
        on_line = None
    with ctx.sessions.begin() as session:
        if on_line is None:
            with pytest.raises(casework.CaseworkError, match="聯絡電話格式不正確"):
                casework.manual_intake(session, who["officer"], report, 30)
            assert session.scalar(select(Case.id)) is None
        else:
            case = casework.manual_intake(session, who["officer"], report, 30)
            assert case.reporter_phone == on_line
