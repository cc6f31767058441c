"""The 陳情 procedure (行政程序法 §168–173, 處理人民陳情案件要點, seed 004 玖), issue 13:
§173's three grounds told to the resident, 補陳 pausing the clock, remedies, extensions a
supervisor approves, 首長核可, a tip's 移送, 已回覆 only after a reply went out, 紀錄人."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lianping import codes, rocdate
from lianping.bot import texts
from lianping.context import Context
from lianping.jobs import delivery
from lianping.services import accounts, casework
from lianping.services.access import Actor, PermissionDenied
from lianping.storage import case_search, cases, residents
from lianping.storage.case_search import CaseFilter, TipScope
from lianping.storage.models import (
    Agency,
    AuditEntry,
    Case,
    CaseEvent,
    CaseNotice,
    OutboxMessage,
    Unit,
    User,
    utcnow,
)
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import handled_as_worker
from tests.test_admin_pages import Staff, page_text

DRAFT = {"nature": "need", "sub_item": "need-2", "description": "路燈不亮已兩週，夜間行人危險。"}
APPROVAL = casework.Approval("局長 王○○", date(2026, 11, 20))


def team(ctx: Context) -> dict[str, Actor]:
    with ctx.sessions.begin() as session:
        made = {
            name: accounts.create_user(
                session, name, "correct horse battery", role, display_name=f"{name} 測試",
                ethics=eth,
            )
            for name, role, eth in [
                ("officer", "officer", False),
                ("chief", "supervisor", False),
                ("head", "officer", True),
                ("ethics", "officer", True),
            ]
        }  # fmt: skip
        made["head"].head_of_ethics = True
        return {name: Actor.of(user) for name, user in made.items()}


def line_case(ctx: Context, user: str, **draft: Any) -> str:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, user)
        return cases.create_from_line(session, resident, {**DRAFT, **draft}, 1, utcnow(), 30).number


def walk_in(ctx: Context, actor: Actor, **fields: Any) -> str:
    report = casework.ManualReport(
        **{
            "channel": "walk_in",
            "nature": "need",
            "sub_item": "need-2",
            "theme": None,
            "description": "社區公園的溜滑梯損壞，孩童容易受傷。",
            "reporter_name": "王小明",
            "reporter_phone": "0912-345-678",
            "reporter_address": "臺北市中正區重慶南路一段1號",
            "reporter_occupation": "教師",
            "recorder": "李紀錄",
            "petition_confirmed": True,
            "notice_method": "printed",
            **fields,
        }
    )
    with ctx.sessions.begin() as session:
        return casework.manual_intake(session, actor, report, 30).number


def load(ctx: Context, number: str) -> Case:
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        session.expunge(case)
        return case


def notices_of(ctx: Context, number: str) -> list[CaseNotice]:
    """The case's notices after its acceptance notice (which every report gets at intake)."""
    with ctx.sessions() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        found = list(
            session.scalars(
                select(CaseNotice)
                .where(CaseNotice.case_id == case_id, CaseNotice.kind != "acceptance")
                .order_by(CaseNotice.id)
            )
        )
        session.expunge_all()
        return found


def kinds(ctx: Context, number: str) -> list[str]:
    with ctx.sessions() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        return list(
            session.scalars(
                select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        )


def deliver(ctx: Context, outbox_ids: list[int]) -> list[str]:
    return [delivery.deliver_now(ctx, outbox_id) for outbox_id in outbox_ids]


def add(ctx: Context, row: Unit | Agency) -> int:
    with ctx.sessions.begin() as session:
        session.add(row)
        session.flush()
        return int(row.id)


# -- §173 ------------------------------------------------------------------------------------


def test_a_refusal_under_173_3_reaches_the_resident_on_line_with_its_ground(
    sim: Sim, ctx: Context
) -> None:
    who = team(ctx)
    user = sim.new_resident("不予處理")
    number = line_case(ctx, user)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        result = casework.change_status(
            session, who["officer"], case, codes.REJECTED, reason="several_agencies"
        )
    assert deliver(ctx, result.outbox_ids) == ["sent"]
    [told] = [m["message"]["text"] for m in sim.bot_messages(user)]
    assert told == (
        f"【案件 {number} 處理通知】\n依行政程序法第173條第3款（非主管陳情內容之機關，"
        "接獲陳情人以同一事由分向各機關陳情），本案不予處理，已登記備查。"
    )
    [notice] = notices_of(ctx, number)
    assert (notice.kind, notice.delivery, notice.body) == ("refusal", "line", told)
    assert load(ctx, number).rejection_reason == "several_agencies"


GROUNDS = [("no_content", 1), ("no_identity", 1), ("repeated", 2), ("several_agencies", 3)]


@pytest.mark.parametrize(("reason", "clause"), GROUNDS)
def test_a_walk_in_refusal_is_a_letter_to_print_with_its_clause(
    ctx: Context, reason: str, clause: int
) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["officer"])
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        result = casework.change_status(
            session, who["officer"], case, codes.REJECTED, reason=reason
        )
    assert result.outbox_ids == []
    [notice] = notices_of(ctx, number)
    assert (notice.kind, notice.delivery, notice.outbox_id) == ("refusal", "pending", None)
    assert f"第173條第{clause}款（{casework.REJECTION_REASONS[reason]}）" in notice.body


# -- 補陳 ------------------------------------------------------------------------------------


def _resident_adds(ctx: Context, sim: Sim, user: str, number: str, words: str) -> None:
    """The resident taps 補充說明 on the case and types ``words`` (through the dispatcher)."""
    at = int(time.time() * 1000)
    handled_as_worker(
        ctx,
        sim,
        user,
        line_events.postback(user, "x" * 32, f"a=supplement&n={number}", timestamp=at),
        line_events.text(user, "y" * 32, words, timestamp=at + 1),
    )


def test_details_pause_the_clock_and_the_residents_answer_on_line_resumes_it(
    sim: Sim, ctx: Context
) -> None:
    who = team(ctx)
    user = sim.new_resident("補陳")
    number = line_case(ctx, user)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        casework.assign(session, who["officer"], case, who["officer"].user_id, None)
        result = casework.request_details(session, who["officer"], case, "請提供路燈桿上的編號。")
        assert case.status == codes.ASSIGNED  # not a reply
    assert deliver(ctx, result.outbox_ids) == ["sent"]
    [asked] = [m["message"]["text"] for m in sim.bot_messages(user)]
    assert "請提供路燈桿上的編號。" in asked and "「查詢案件」" in asked and "「補充說明」" in asked
    [notice] = notices_of(ctx, number)
    assert (notice.kind, notice.delivery) == ("details", "line")
    # 查詢案件 says the case waits for them, and promises no answer date meanwhile.
    answer = handled_as_worker(ctx, sim, user, line_events.text(user, "z" * 32, "查詢案件"))
    [listed] = [json.dumps(message, ensure_ascii=False) for message in answer]
    assert texts.CASE_AWAITING_DETAILS in listed and "預計回覆" not in listed

    # Asked four days ago, and the answer was due yesterday: paused, so not overdue.
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.details_requested_at = utcnow() - timedelta(days=4)
        case.due_at = rocdate.end_of_taipei_day(utcnow(), -1)
        due = case.due_at
    now = utcnow()
    with ctx.sessions() as session:
        overdue = case_search.search(
            session, CaseFilter(overdue=True), tips=TipScope(every=True)
        ).cases
        assert number not in [c.number for c in overdue]
    assert not case_search.is_overdue(codes.ASSIGNED, due, now, now - timedelta(days=4))

    _resident_adds(ctx, sim, user, number, "編號是 A-1234。")
    case = load(ctx, number)
    assert case.details_requested_at is None and case.status == codes.ASSIGNED
    assert case.due_at == rocdate.end_of_taipei_day(due, 4)
    assert case.resident_update_at is not None
    assert kinds(ctx, number)[-2:] == ["resident_message", "details_received"]
    with ctx.sessions() as session:
        entry = session.scalars(select(CaseEvent).where(CaseEvent.kind == "details_received")).one()
    assert entry.body == (
        f"收到補充資料，恢復計算處理期限；暫停4日，處理期限順延至{rocdate.roc_date(case.due_at)}"
    )


def test_details_on_paper_are_recorded_by_the_officer(ctx: Context) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["officer"])
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        casework.request_details(session, who["officer"], case, "請提供損壞設施的位置照片。")
        with pytest.raises(casework.CaseworkError, match="尚未收到"):
            casework.request_details(session, who["officer"], case, "再補")
        case.details_requested_at = utcnow() - timedelta(days=2)
        due = case.due_at
    [notice] = notices_of(ctx, number)
    assert notice.delivery == "pending" and "書面、電話或親至本機關" in notice.body
    assert "查詢案件" not in notice.body  # no LINE to answer on
    today = rocdate.taipei_today()
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        with pytest.raises(casework.CaseworkError, match="不得晚於今天"):
            casework.record_details(session, who["officer"], case, "照片已送", today + timedelta(1))
        casework.record_details(session, who["officer"], case, "里長送來照片三張。", today)
    case = load(ctx, number)
    assert case.details_requested_at is None and case.status == codes.RECEIVED
    assert case.due_at == rocdate.end_of_taipei_day(due, 2)
    assert kinds(ctx, number)[-2:] == ["details_answer", "details_received"]


def test_details_answered_the_same_day_keep_the_deadline(ctx: Context) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["officer"])
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        casework.request_details(session, who["officer"], case, "請提供現場照片。")
        due = case.due_at
        casework.record_details(
            session, who["officer"], case, "照片已送達。", rocdate.taipei_today()
        )
    assert load(ctx, number).due_at == due
    with ctx.sessions() as session:
        entry = session.scalars(select(CaseEvent).where(CaseEvent.kind == "details_received")).one()
    assert entry.body == (
        f"收到補充資料，恢復計算處理期限；暫停未滿1日，處理期限仍為{rocdate.roc_date(due)}"
    )


# -- remedies, 已回覆 ----------------------------------------------------------------------------


def test_a_reply_may_end_with_the_remedies_the_officer_chose(sim: Sim, ctx: Context) -> None:
    who = team(ctx)
    user = sim.new_resident("救濟")
    number = line_case(ctx, user)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        with pytest.raises(casework.CaseworkError, match="救濟"):
            casework.reply(session, who["officer"], case, "經查…", "appeal-ish")
        result = casework.reply(session, who["officer"], case, "經查核定不予補助。", "appeal")
    deliver(ctx, result.outbox_ids)
    [text] = [m["message"]["text"] for m in sim.bot_messages(user)]
    assert text == texts.STAFF_REPLY.format(
        number=number, body="經查核定不予補助。\n\n" + texts.REMEDIES["appeal"]
    )
    assert "訴願法第14條" in text and "30日內" in text


def test_replied_is_never_chosen_by_hand(ctx: Context) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["officer"])
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        with pytest.raises(casework.CaseworkError, match="已回覆"):
            casework.change_status(session, who["officer"], case, codes.REPLIED)
        assert codes.REPLIED not in casework.next_statuses(case)
    assert load(ctx, number).status == codes.RECEIVED


def test_a_written_or_phone_reply_is_recorded_as_the_result_notice(ctx: Context) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["officer"])
    today = rocdate.taipei_today()
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        with pytest.raises(casework.CaseworkError, match="回覆方式"):
            casework.record_reply(session, who["officer"], case, "已修復", "fax", today)
        with pytest.raises(casework.CaseworkError, match="不得晚於今天"):
            casework.record_reply(
                session, who["officer"], case, "已修復", "mail", today + timedelta(days=1)
            )
        casework.record_reply(session, who["officer"], case, "溜滑梯已於本週修復。", "mail", today)
    case = load(ctx, number)
    assert case.status == codes.REPLIED
    [notice] = notices_of(ctx, number)
    assert (notice.kind, notice.delivery, notice.body) == ("result", "mail", "溜滑梯已於本週修復。")
    assert notice.delivered_at is not None and notice.outbox_id is None
    with ctx.sessions() as session:
        entry = session.scalars(select(CaseEvent).where(CaseEvent.kind == "reply_recorded")).one()
    assert entry.body == f"已於{rocdate.roc_date(today)}以郵寄回覆：溜滑梯已於本週修復。"


def test_a_line_reply_that_finally_fails_puts_the_case_back_in_progress(
    sim: Sim, ctx: Context
) -> None:
    who = team(ctx)
    user = sim.new_resident("未送達")
    number = line_case(ctx, user)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        result = casework.reply(session, who["officer"], case, "路燈已修復。")
    assert load(ctx, number).status == codes.REPLIED
    sim.faults(status=400, count=1, path_prefix="/v2/bot/message/push")
    assert deliver(ctx, result.outbox_ids) == ["failed"]
    case = load(ctx, number)
    assert case.status == codes.IN_PROGRESS
    with ctx.sessions() as session:
        last = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())
        ).first()
        audited = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "case.reply_failed")
        ).all()
    assert last is not None and last.body == "LINE回覆未送達，請改以其他方式回覆"
    assert last.public is False and audited == ["case.reply_failed"]


# -- extensions --------------------------------------------------------------------------------


def test_an_officers_extension_waits_for_a_supervisor(sim: Sim, ctx: Context) -> None:
    who = team(ctx)
    user = sim.new_resident("延長")
    number = line_case(ctx, user)
    due = load(ctx, number).due_at
    new_due = rocdate.taipei_date(due) + timedelta(days=14)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        proposed = casework.extend_due(session, who["officer"], case, new_due, "需會同工務局會勘")
    assert proposed.outbox_ids == [] and notices_of(ctx, number) == []
    case = load(ctx, number)
    assert case.due_at == due and case.extension_due_on == new_due
    assert case.extension_by == who["officer"].user_id
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        with pytest.raises(PermissionDenied):
            casework.decide_extension(session, who["officer"], case, True)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["chief"], number)
        approved = casework.decide_extension(session, who["chief"], case, True)
    assert deliver(ctx, approved.outbox_ids) == ["sent"]
    case = load(ctx, number)
    assert rocdate.taipei_date(case.due_at) == new_due and case.extension_due_on is None
    [told] = [m["message"]["text"] for m in sim.bot_messages(user)]
    assert "因需會同工務局會勘" in told and rocdate.roc_date(new_due) in told
    [notice] = notices_of(ctx, number)
    assert (notice.kind, notice.delivery) == ("extension", "line")


def test_a_declined_extension_changes_nothing_and_nobody_approves_their_own(
    ctx: Context,
) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["officer"])
    due = load(ctx, number).due_at
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        casework.extend_due(
            session, who["officer"], case, rocdate.taipei_date(due) + timedelta(7), "會勘"
        )
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["chief"], number)
        casework.decide_extension(session, who["chief"], case, False, "請先電話說明")
        with pytest.raises(casework.CaseworkError, match="沒有待核定"):
            casework.decide_extension(session, who["chief"], case, True)
    case = load(ctx, number)
    assert case.due_at == due and case.extension_due_on is None and notices_of(ctx, number) == []
    assert kinds(ctx, number)[-2:] == ["extension_proposed", "extension_declined"]
    # An officer promoted meanwhile still may not approve their own proposal.
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        casework.extend_due(
            session, who["officer"], case, rocdate.taipei_date(due) + timedelta(7), "會勘"
        )
    promoted = Actor(**{**who["officer"].__dict__, "role": "supervisor"})
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, promoted, number)
        with pytest.raises(casework.CaseworkError, match="自己提出"):
            casework.decide_extension(session, promoted, case, True)


def test_an_extension_is_capped_by_the_agency_maximum(ctx: Context) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["officer"])
    due = rocdate.taipei_date(load(ctx, number).due_at)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["chief"], number)
        with pytest.raises(casework.CaseworkError, match="不得超過30日"):
            casework.extend_due(session, who["chief"], case, due + timedelta(days=31), "會勘")
        casework.extend_due(session, who["chief"], case, due + timedelta(days=30), "會勘")
    case = load(ctx, number)
    assert rocdate.taipei_date(case.due_at) == due + timedelta(days=30)
    [notice] = notices_of(ctx, number)
    assert (notice.kind, notice.delivery) == ("extension", "pending")  # a letter to mail


# -- 首長核可, 函轉 texts -----------------------------------------------------------------------


def test_routes_record_the_heads_approval_and_refuse_bad_ones(ctx: Context) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["officer"])
    unit = add(ctx, Unit(name="工務科"))
    agency = add(ctx, Agency(name="臺北市政府工務局"))
    tomorrow = rocdate.taipei_today() + timedelta(days=1)
    bad = [
        (casework.Approval("  ", date(2026, 11, 20)), "請填寫核可人"),
        (casework.Approval("局" * 101, date(2026, 11, 20)), "100字以內"),
        (casework.Approval("局長 王○○", tomorrow), "核可日期不得晚於今天"),
    ]
    for approval, message in bad:
        with ctx.sessions.begin() as session:
            case = casework.get_case(session, who["officer"], number)
            with pytest.raises(casework.CaseworkError, match=message):
                casework.route_internal(session, who["officer"], case, unit, "", approval)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        with pytest.raises(casework.CaseworkError, match="64字以內"):
            casework.route_external(
                session, who["officer"], case, agency, "字" * 65, date(2026, 11, 21), APPROVAL
            )
    assert load(ctx, number).status == codes.RECEIVED
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        casework.route_external(
            session, who["officer"], case, agency, "北市政字第1150000123號", date(2026, 11, 21),
            APPROVAL,
        )  # fmt: skip
    case = load(ctx, number)
    assert (case.approved_by, case.approved_on) == ("局長 王○○", date(2026, 11, 20))
    [notice] = notices_of(ctx, number)
    assert (notice.kind, notice.delivery) == ("transfer", "pending")
    assert notice.body == (
        f"【案件 {number} 移請處理通知】\n您反映的事項屬臺北市政府工務局權責，本機關已於"
        "115年11月21日以北市政字第1150000123號函請參處，並請其逕復您、副知本機關"
        "（行政程序法第172條第1項）。"
    )


def test_an_anonymous_reporter_is_told_we_answer_them(sim: Sim, ctx: Context) -> None:
    who = team(ctx)
    user = sim.new_resident("不具名")
    number = line_case(ctx, user, anonymous=True)
    agency = add(ctx, Agency(name="臺北市政府環境保護局"))
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], number)
        result = casework.route_external(
            session, who["officer"], case, agency, "字第1號", date(2026, 11, 21), APPROVAL
        )
    deliver(ctx, result.outbox_ids)
    [told] = [m["message"]["text"] for m in sim.bot_messages(user)]
    assert "處理情形由本機關於此通知" in told and "逕復" not in told and "回覆您" not in told


# -- tips ----------------------------------------------------------------------------------


def test_a_tip_never_goes_to_an_ordinary_unit_and_is_referred_instead(ctx: Context) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["ethics"], nature="tip", sub_item=None)
    unit = add(ctx, Unit(name="工務科"))
    agency = add(ctx, Agency(name="臺北市政府工務局"))
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["ethics"], number)
        with pytest.raises(casework.CaseworkError, match="不得簽會一般單位"):
            casework.route_internal(session, who["ethics"], case, unit, "", APPROVAL)
        with pytest.raises(casework.CaseworkError, match="不得簽會一般單位"):
            casework.route_external(
                session, who["ethics"], case, agency, "字1", date(2026, 11, 21), APPROVAL
            )
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["head"], number)
        with pytest.raises(casework.CaseworkError, match="不得分由一般單位"):
            casework.assign(session, who["head"], case, who["ethics"].user_id, unit)
        with pytest.raises(casework.CaseworkError, match="地方檢察署的全名"):
            casework.refer_tip(
                session, who["head"], case, "prosecutor", "臺北", "字1", date(2026, 11, 21)
            )
        casework.refer_tip(
            session, who["head"], case, "prosecutor", "臺灣臺北地方檢察署", "政字第7號",
            date(2026, 11, 21),
        )  # fmt: skip
        assert casework.status_label(case) == "已移送"
    case = load(ctx, number)
    assert (case.status, case.referred_to, case.letter_number, case.unit_id) == (
        codes.TRANSFERRED, "臺灣臺北地方檢察署", "政字第7號", None,
    )  # fmt: skip
    with ctx.sessions() as session:
        entries = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert all(not e.public for e in entries if e.kind != "created")
    assert not any("權責單位處理中" in (e.body or "") for e in entries)
    assert notices_of(ctx, number) == []
    ordinary = walk_in(ctx, who["officer"])
    with ctx.sessions.begin() as session:
        plain = casework.get_case(session, who["officer"], ordinary)
        with pytest.raises(casework.CaseworkError, match="移送限檢舉案件"):
            casework.refer_tip(
                session, who["ethics"], plain, "aac", None, "字1", date(2026, 11, 21)
            )


def test_the_tip_page_shows_no_thirty_day_limit_and_offers_the_referral(
    quiet_app: Any, ctx: Context
) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["ethics"], nature="tip", sub_item=None)
    with ctx.sessions() as session:
        ethics = session.get_one(User, who["ethics"].user_id)
        session.expunge(ethics)
    page = Staff(quiet_app, ctx, ethics)
    shown = page_text(page.get(f"/admin/cases/{number}"))
    assert "處理期限" not in shown and "簽會本機關單位" not in shown and "函轉其他機關" not in shown
    referred = page.act(
        number, "refer-tip", target="aac", letter_number="廉字第3號",
        letter_date=rocdate.taipei_today().isoformat(),
    )  # fmt: skip
    assert referred.status_code == 302
    shown = page_text(page.get(referred.headers["Location"]))
    assert "已移送" in shown and "法務部廉政署" in shown and "廉字第3號" in shown


# -- 紀錄人 ----------------------------------------------------------------------------------


def test_a_line_case_gets_its_recorder_from_the_first_officer(ctx: Context) -> None:
    who = team(ctx)
    assigned, acted = line_case(ctx, "Urecorder1"), line_case(ctx, "Urecorder2")
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["chief"], assigned)
        casework.assign(session, who["chief"], case, who["officer"].user_id, None)
        other = casework.get_case(session, who["chief"], acted)
        casework.add_note(session, who["chief"], other, "先了解")  # a note is no handling
        casework.classify(session, who["chief"], other, "need", "need-1", None)
    assert load(ctx, assigned).recorder == "officer 測試"
    assert load(ctx, acted).recorder == "chief 測試"
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, who["officer"], assigned)
        casework.assign(session, who["officer"], case, who["chief"].user_id, None)
    assert load(ctx, assigned).recorder == "officer 測試"  # the first one stays
    manual = walk_in(ctx, who["officer"], recorder="陳紀錄")
    with ctx.sessions.begin() as session:
        casework.assign(
            session, who["chief"], casework.get_case(session, who["chief"], manual),
            who["officer"].user_id, None,
        )  # fmt: skip
    assert load(ctx, manual).recorder == "陳紀錄"


# -- the case page -----------------------------------------------------------------------------


def test_the_case_page_runs_the_procedure(quiet_app: Any, ctx: Context) -> None:
    who = team(ctx)
    number = walk_in(ctx, who["officer"])
    with ctx.sessions() as session:
        officer = session.get_one(User, who["officer"].user_id)
        chief = session.get_one(User, who["chief"].user_id)
        session.expunge_all()
    clerk, boss = Staff(quiet_app, ctx, officer), Staff(quiet_app, ctx, chief)
    shown = page_text(clerk.get(f"/admin/cases/{number}"))
    assert "第3款：非主管陳情內容之機關" in shown and "請民眾補陳" in shown
    assert "記錄書面／電話回覆" in shown and "首長核可人" in shown

    asked = clerk.act(number, "request-details", what="請提供設施位置照片")
    assert asked.status_code == 302
    shown = page_text(clerk.get(asked.headers["Location"]))
    assert "已建立書面補陳通知" in shown and "待民眾補陳・期限暫停計算" in shown
    today = rocdate.taipei_today().isoformat()
    assert clerk.act(number, "record-details", answer="已補照片", on=today).status_code == 302

    due = rocdate.taipei_date(load(ctx, number).due_at)
    new_due = (due + timedelta(days=10)).isoformat()
    proposed = clerk.act(number, "extend", new_due=new_due, reason="需會勘")
    assert "待主管核定" in page_text(clerk.get(proposed.headers["Location"]))
    assert "核定延長" not in page_text(clerk.get(f"/admin/cases/{number}"))
    assert number in page_text(boss.get("/admin/cases?extension_pending=1"))  # 待核延期
    approved = boss.act(number, "decide-extension", decision="approve")
    assert approved.status_code == 302
    assert "已延長處理期限" in page_text(boss.get(approved.headers["Location"]))
    assert rocdate.taipei_date(load(ctx, number).due_at).isoformat() == new_due
    assert number not in page_text(boss.get("/admin/cases?extension_pending=1"))

    bad = clerk.act(number, "record-reply", method="mail", body="已函復", on="2999-01-01")
    assert bad.status_code == 400 and "不得晚於今天" in page_text(bad)
    assert load(ctx, number).status == codes.RECEIVED
    written = clerk.act(
        number,
        "record-reply",
        method="in_person",
        body="已當面說明",
        on=today,
        remedy="compensation",
    )
    assert written.status_code == 302
    assert load(ctx, number).status == codes.REPLIED
    [*_, result] = notices_of(ctx, number)
    assert result.body.endswith(texts.REMEDIES["compensation"])
    assert count_outbox(ctx) == 0  # nothing went on LINE for a walk-in case


def test_a_notice_sent_on_line_shows_its_delivery_once_on_the_case_page(
    sim: Sim, quiet_app: Any, ctx: Context
) -> None:
    who = team(ctx)
    user = sim.new_resident("補陳頁面")
    number = line_case(ctx, user)
    with ctx.sessions() as session:
        officer = session.get_one(User, who["officer"].user_id)
        session.expunge_all()
    clerk = Staff(quiet_app, ctx, officer)
    assert clerk.act(number, "request-details", what="請提供路燈編號").status_code == 302
    [notice] = notices_of(ctx, number)
    assert notice.outbox_id is not None
    deliver(ctx, [notice.outbox_id])
    shown = page_text(clerk.get(f"/admin/cases/{number}"))
    # The 補陳 action and its notice are one LINE message: its delivery shows once, on the
    # action, and the notice points there.
    assert shown.count("LINE 傳送：已送達") == 1
    assert "送達方式：LINE：已送達" not in shown
    assert "送達方式：LINE（同一則訊息，送達情形見「請民眾補陳」）" in shown


def count_outbox(ctx: Context) -> int:
    with ctx.sessions() as session:
        return len(session.scalars(select(OutboxMessage.id)).all())
