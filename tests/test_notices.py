"""Notices on paper: a report made without LINE gets its notices as letters to print
(ODT, PDF), staff record when each was mailed or handed over, and neither the case page,
the timeline nor the list of letters to mail ever says a notice went out that did not."""

from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import codes, rocdate
from lianping.bot import texts
from lianping.context import Context
from lianping.reports import notice_letter, pdf
from lianping.reports.notice_letter import NoticeLetter
from lianping.reports.notice_letter_files import to_odt, to_pdf
from lianping.services import casework, content, dispatch, notice_delivery, notices, tips
from lianping.services.access import Actor
from lianping.services.timeline import case_timeline
from lianping.storage import inbox, residents
from lianping.storage.models import (
    AuditEntry,
    Case,
    CaseEvent,
    CaseNotice,
    InboxEvent,
    OutboxMessage,
    User,
    utcnow,
)
from lianping_dev import demo
from lianping_dev.simulator import events as line_events
from tests.test_admin_pages import Staff, line_case, manual_case, page_text
from tests.test_conversation_flow import reach_into
from tests.test_engine import Chat
from tests.test_need_to_know import make
from tests.test_report_pdfs import read_pdf

AGENCY, SENDER = "新北市新莊區公所政風室", "新北市新莊區公所"
UNIT_ADDRESS, UNIT_PHONE = "新北市板橋區中山路一段161號", "(02)2960-3456"
UNIT_EMAIL = "ethics@ntpc.gov.tw"
REPORTER, REPORTER_ADDRESS = "林志明", "臺中市北屯區文心路四段100號"


def letterhead(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        for key, value in (
            ("agency_name", AGENCY),
            ("letter_sender", SENDER),
            ("ethics_address", UNIT_ADDRESS),
            ("ethics_phone", UNIT_PHONE),
            ("ethics_email", UNIT_EMAIL),
        ):
            content.put(session, key, value, "tests")


def assign(ctx: Context, number: str, user: User) -> None:
    with ctx.sessions.begin() as session:
        session.scalars(select(Case).where(Case.number == number)).one().officer_id = user.id


def notice_rows(ctx: Context, number: str) -> list[CaseNotice]:
    with ctx.sessions() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        rows = list(
            session.scalars(
                select(CaseNotice).where(CaseNotice.case_id == case_id).order_by(CaseNotice.id)
            )
        )
        session.expunge_all()
        return rows


def audits(ctx: Context, action: str) -> list[AuditEntry]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "".join(page.extract_text() for page in read_pdf(data).pages)


def odt_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as odt:
        assert odt.read("mimetype") == b"application/vnd.oasis.opendocument.text"
        xml = odt.read("content.xml").decode()
    return re.sub(r"<[^>]+>", "", xml)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- the acceptance notice of a report made without LINE -------------------------------------


def test_a_walk_in_report_gets_an_acceptance_letter_to_print(quiet_app: Any, ctx: Context) -> None:
    officer = make(ctx, "n-officer")
    client = Staff(quiet_app, ctx, officer)
    created = client.post(
        "/admin/cases/new",
        {
            "channel": "walk_in",
            "nature": "need",
            "sub_item": "need-2",
            "description": "公園路燈故障已兩週，夜間行人危險。",
            "reporter_name": REPORTER,
            "reporter_address": REPORTER_ADDRESS,
            "recorder": "李紀錄",
            "petition_confirmed": "1",
            "notice_method": "printed",
        },
    )
    assert created.status_code == 302, page_text(created)
    number = created.headers["Location"].split("/admin/cases/")[1].split("?")[0]
    [notice] = notice_rows(ctx, number)
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        due = rocdate.roc_date(case.due_at)
    assert (notice.kind, notice.delivery, notice.outbox_id) == ("acceptance", "pending", None)
    assert f"本機關將於{due}前回復處理情形；如需延長，將通知您理由。" in notice.body
    # The confirmation says the letter is still to go out, and the page never says it went.
    page = page_text(client.get(created.headers["Location"]))
    assert "已新增紀錄" in page and "書面通知尚未寄出" in page
    assert "通知紀錄" in page and "受理通知" in page and "尚未寄送" in page
    assert "已送達" not in page
    assert f"/admin/cases/{number}/notices/{notice.id}.pdf" in client.get(
        f"/admin/cases/{number}"
    ).get_data(as_text=True)


def test_a_tip_made_in_person_gets_no_letter_at_intake(ctx: Context) -> None:
    # A tip's acceptance notice is the ethics officer's to send (services.tips), not a
    # report's 30-day promise.
    ethics = make(ctx, "n-ethics", ethics=True)
    number = manual_case(ctx, ethics, nature="tip", sub_item=None)
    assert notice_rows(ctx, number) == []


def test_a_line_notice_goes_on_line_and_a_blocked_residents_is_a_letter(ctx: Context) -> None:
    number = line_case(ctx, "Unoticeline")
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        sent = notices.issue(session, case, "extension", "延長處理期限。", "tests")
        assert (sent.delivery, sent.outbox_id is not None) == ("line", True)
        residents.get_or_create(session, "Unoticeline").following = False
        session.flush()
        kept = notices.issue(session, case, "refusal", "不予處理。", "tests")
        assert (kept.delivery, kept.outbox_id) == ("pending", None)


# -- the letter -------------------------------------------------------------------------------


def test_the_letter_as_pdf_and_odt_for_the_officer_of_the_case(
    quiet_app: Any, ctx: Context
) -> None:
    letterhead(ctx)
    officer = make(ctx, "n-letter")
    number = manual_case(ctx, officer, reporter_name=REPORTER, reporter_address=REPORTER_ADDRESS)
    assign(ctx, number, officer)
    [notice] = notice_rows(ctx, number)
    client = Staff(quiet_app, ctx, officer)
    got = client.get(f"/admin/cases/{number}/notices/{notice.id}.pdf")
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    assert got.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
    text = squeeze(pdf_text(got.get_data()))
    issued = f"中華民國{rocdate.roc_date(notice.created_at)}"
    subject = f"臺端陳情案（案件編號{number}），本機關已受理，請查照。"
    for expected in (
        f"{SENDER}函", f"承辦單位：{AGENCY}", f"地址：{UNIT_ADDRESS}", f"聯絡電話：{UNIT_PHONE}",
        f"電子信箱：{UNIT_EMAIL}", f"受文者：{REPORTER}", REPORTER_ADDRESS, f"發文日期：{issued}",
        f"案件編號：{number}", f"主旨：{subject}", "說明：", "本機關已完成收件登記並受理",
        "如需延長，將通知臺端理由",
    ):  # fmt: skip
        assert squeeze(expected) in text, expected
    assert "【案件" not in text  # the LINE heading: the letter has its 主旨 instead
    odt = client.get(f"/admin/cases/{number}/notices/{notice.id}.odt")
    assert odt.status_code == 200
    written = squeeze(odt_text(odt.get_data()))
    for expected in (AGENCY, REPORTER, REPORTER_ADDRESS, subject, issued, UNIT_PHONE):
        assert squeeze(expected) in written, expected
    # Each letter with the reporter's name and address is a reveal, logged with its reason.
    reveals = [e.after["reason"] for e in audits(ctx, "case.reveal")]
    assert reveals == [notice_letter.REVEAL_REASON] * 2


def test_staff_who_may_not_reveal_get_the_letter_without_the_address(
    quiet_app: Any, ctx: Context
) -> None:
    letterhead(ctx)
    recorder = make(ctx, "n-recorder")
    other = make(ctx, "n-other")
    number = manual_case(ctx, recorder, reporter_name=REPORTER, reporter_address=REPORTER_ADDRESS)
    [notice] = notice_rows(ctx, number)
    got = Staff(quiet_app, ctx, other).get(f"/admin/cases/{number}/notices/{notice.id}.pdf")
    assert got.status_code == 200
    text = squeeze(pdf_text(got.get_data()))
    assert "受文者：林○明" in text and REPORTER not in text
    assert squeeze(REPORTER_ADDRESS) not in text and "請由承辦人填寫" in text
    assert audits(ctx, "case.reveal") == []


def test_a_letter_is_only_of_its_case_and_a_tips_only_for_its_ethics_staff(
    quiet_app: Any, ctx: Context
) -> None:
    officer = make(ctx, "n-plain")
    ethics = make(ctx, "n-tip-officer", ethics=True)
    stranger = make(ctx, "n-tip-stranger", ethics=True)
    first = manual_case(ctx, officer)
    second = manual_case(ctx, officer)
    [notice] = notice_rows(ctx, first)
    client = Staff(quiet_app, ctx, officer)
    assert client.get(f"/admin/cases/{first}/notices/{notice.id}.pdf").status_code == 200
    assert client.get(f"/admin/cases/{second}/notices/{notice.id}.pdf").status_code == 404
    assert client.get(f"/admin/cases/{first}/notices/{notice.id}.doc").status_code == 404
    assert client.get(f"/admin/cases/{first}/notices/999999.pdf").status_code == 404
    tip = manual_case(ctx, ethics, nature="tip", sub_item=None, channel="letter")
    ethics_client = Staff(quiet_app, ctx, ethics)
    mailed = ethics_client.act(tip, "tip-acceptance", method="mail")
    assert mailed.status_code == 302
    shown = page_text(ethics_client.get(mailed.headers["Location"]))
    assert "書面通知可於「通知紀錄」列印" in shown
    [tip_notice] = notice_rows(ctx, tip)
    url = f"/admin/cases/{tip}/notices/{tip_notice.id}.pdf"
    assert ethics_client.get(url).status_code == 200
    assert client.get(url).status_code == 404
    assert Staff(quiet_app, ctx, stranger).get(url).status_code == 404


def _letter(body: str, recipient: str = REPORTER) -> NoticeLetter:
    return NoticeLetter(
        notice_id=1, kind="result", number="1151202-0001", agency=AGENCY, sender=SENDER,
        address=UNIT_ADDRESS, phone=UNIT_PHONE, email=UNIT_EMAIL, recipient=recipient,
        recipient_address=REPORTER_ADDRESS, revealed=True,
        issued_on=rocdate.taipei_today(),
        subject=notice_letter.SUBJECTS["result"].format(matter="陳情", number="1151202-0001"),
        body=body,
    )  # fmt: skip


def test_the_letter_goes_out_under_the_sender_agency_or_the_ethics_unit_itself() -> None:
    letter = _letter("說明。", recipient=REPORTER)
    # A 政風室 writes in its agency's name: one heading line, the unit named as 承辦單位.
    assert letter.letterhead == [f"{SENDER}　函"]
    assert letter.contact[0] == f"承辦單位：{AGENCY}"
    # A 政風處 that writes in its own name leaves the setting blank.
    own = dataclasses.replace(letter, sender="")
    assert own.letterhead == [f"{AGENCY}　函"]
    assert not any(line.startswith("承辦單位") for line in own.contact)


def test_a_letter_addresses_the_reporter_as_taiduan_but_prints_the_officers_reply_as_written(
) -> None:  # fmt: skip
    body = "【案件 1151202-0001 移請處理通知】\n您反映的事項屬某機關權責，並請其逕復您。"
    transfer = dataclasses.replace(_letter(body), kind="transfer")
    assert transfer.paragraphs == ["臺端反映的事項屬某機關權責，並請其逕復臺端。"]
    reply = _letter("【案件 1151202-0001 回覆】\n謝謝您的反映，路燈已修復。")
    assert reply.kind == "result" and reply.paragraphs == ["謝謝您的反映，路燈已修復。"]


def test_a_letter_of_3000_characters_with_rare_ones_flows_over_pages_and_loses_nothing() -> None:
    rare = "".join(demo.RARE_GIVEN) + "𠮷"
    paragraphs = [f"第{n}段：" + ("經查本案" + rare + "，已於現場會勘並請權責單位改善。") * 9
                  for n in range(1, 11)]  # fmt: skip
    body = "【案件 1151202-0001 處理結果通知】\n" + "\n".join(paragraphs)
    assert len(body) > 3000
    letter = _letter(body, recipient="胡" + demo.RARE_GIVEN[0])
    data = to_pdf(letter)
    assert len(read_pdf(data).pages) >= 3
    text = squeeze(pdf_text(data))
    for number, paragraph in enumerate(paragraphs, start=1):
        assert squeeze(f"{notice_letter.chinese_number(number)}、{paragraph}") in text
    assert "〓" not in text and squeeze("受文者：胡" + demo.RARE_GIVEN[0]) in text
    written = squeeze(odt_text(to_odt(letter)))
    assert all(squeeze(paragraph) in written for paragraph in paragraphs)


def test_every_character_a_letter_prints_is_in_the_shipped_font() -> None:
    from lianping.reports import notice_letter_files

    fixed = "".join(
        [
            *notice_letter.SUBJECTS.values(),
            *codes.NOTICE_KINDS.values(),
            notice_letter_files.MISSING_ADDRESS,
            notice_letter_files.SUBJECT,
            notice_letter_files.DETAILS,
            "受文者：發文日期：案件編號：地址：聯絡電話：電子信箱：中華民國函　陳情檢舉人",
            notice_letter._DIGITS,
            "十",
        ]
    )
    lacking = sorted({ch for ch in fixed if ord(ch) not in pdf.font_codepoints()})
    assert lacking == []


def test_chinese_numbers_for_the_points() -> None:
    found = [notice_letter.chinese_number(n) for n in (1, 9, 10, 11, 20, 21, 99)]
    assert found == ["一", "九", "十", "十一", "二十", "二十一", "九十九"]


def test_a_single_paragraph_is_not_numbered() -> None:
    assert _letter("【案件 1 通知】\n只有一段。").numbered == ["只有一段。"]
    assert _letter("一段。\n\n二段。").numbered == ["一、一段。", "二、二段。"]


# -- recording that a letter went out ---------------------------------------------------------


def test_a_letter_is_recorded_as_mailed_once_on_a_day_that_can_be(ctx: Context) -> None:
    officer = make(ctx, "n-mail")
    actor = Actor.of(officer)
    number = manual_case(ctx, officer)
    [notice] = notice_rows(ctx, number)
    today = rocdate.taipei_today()
    refused = {
        (notice.id, "mail", today + timedelta(days=1)): "不得晚於今天",
        (notice.id, "mail", today - timedelta(days=1)): "不得早於通知製作日",
        (notice.id, "fax", today): "請選擇寄送方式",
        (notice.id, "mail", None): "請填寫寄送或交付日期",
        (notice.id + 1000, "mail", today): "找不到此案件的這份通知",
    }
    for (notice_id, method, day), words in refused.items():
        with ctx.sessions.begin() as session:
            case = casework.get_case(session, actor, number)
            with pytest.raises(casework.CaseworkError, match=words):
                notice_delivery.record_delivery(session, actor, case, notice_id, method, day)
    assert notice_rows(ctx, number)[0].delivery == "pending"
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, actor, number)
        notice_delivery.record_delivery(session, actor, case, notice.id, "mail", today)
    [mailed] = notice_rows(ctx, number)
    assert (mailed.delivery, mailed.delivered_by) == ("mail", officer.username)
    assert mailed.delivered_at is not None and rocdate.taipei_date(mailed.delivered_at) == today
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, actor, number)
        with pytest.raises(casework.CaseworkError, match="已登錄寄送"):
            notice_delivery.record_delivery(session, actor, case, notice.id, "in_person", today)
    [entry] = audits(ctx, "notice.delivery")
    assert entry.after["delivery"] == "mail" and entry.target_id == number
    with ctx.sessions() as session:
        kinds = session.scalars(select(CaseEvent.kind).where(CaseEvent.kind == "notice_delivered"))
        assert list(kinds) == ["notice_delivered"]


def test_a_line_notice_is_not_recorded_as_mailed(ctx: Context) -> None:
    officer = make(ctx, "n-line")
    actor = Actor.of(officer)
    number = line_case(ctx, "Unoticemail")
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, actor, number)
        sent = notices.issue(session, case, "extension", "延長處理期限。", officer.username)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, actor, number)
        with pytest.raises(casework.CaseworkError, match="已以LINE傳送"):
            notice_delivery.record_delivery(
                session, actor, case, sent.id, "mail", rocdate.taipei_today()
            )


def test_the_case_page_records_a_delivery_and_the_timeline_says_how(
    quiet_app: Any, ctx: Context
) -> None:
    officer = make(ctx, "n-page")
    number = manual_case(ctx, officer)
    [notice] = notice_rows(ctx, number)
    client = Staff(quiet_app, ctx, officer)
    before = page_text(client.get(f"/admin/cases/{number}"))
    assert "登錄受理通知的寄送" in before and "已當面交付" in before
    future = (rocdate.taipei_today() + timedelta(days=2)).isoformat()
    refused = client.act(number, "notice-delivery", notice_id=notice.id, method="mail", on=future)
    assert refused.status_code == 400 and "不得晚於今天" in page_text(refused)
    assert notice_rows(ctx, number)[0].delivery == "pending"
    today = rocdate.taipei_today()
    done = client.act(
        number, "notice-delivery", notice_id=notice.id, method="in_person", on=today.isoformat()
    )
    assert done.status_code == 302
    after = page_text(client.get(done.headers["Location"]))
    assert "已登錄書面通知的寄送方式及日期" in after
    assert f"當面交付（{rocdate.roc_date(today)}）" in after
    assert "登錄受理通知的寄送" not in after and "尚未寄送" not in after
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        entries = case_timeline(session, Actor.of(officer), case)
    [shown] = [e for e in entries if e.notice is not None]
    assert shown.notice is not None and shown.notice.words.startswith("當面交付")
    assert any(e.kind == "notice_delivered" for e in entries)


def test_the_timeline_never_says_a_letter_was_delivered(ctx: Context) -> None:
    officer = make(ctx, "n-words")
    number = manual_case(ctx, officer)
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        [entry] = [e for e in case_timeline(session, Actor.of(officer), case) if e.notice]
    assert entry.notice is not None
    assert (entry.notice.words, entry.delivery, entry.label) == ("尚未寄送", None, "受理通知")


# -- 待寄送通知 -------------------------------------------------------------------------------


def test_letters_to_mail_oldest_first_and_tips_only_for_their_ethics_staff(
    quiet_app: Any, ctx: Context
) -> None:
    officer = make(ctx, "n-list")
    ethics = make(ctx, "n-list-ethics", ethics=True)
    older, newer, mailed = (manual_case(ctx, officer) for _ in range(3))
    with ctx.sessions.begin() as session:
        for number, days in ((older, 3), (newer, 1)):
            case = session.scalars(select(Case).where(Case.number == number)).one()
            row = session.scalars(select(CaseNotice).where(CaseNotice.case_id == case.id)).one()
            row.created_at = utcnow() - timedelta(days=days)
        case = casework.get_case(session, Actor.of(officer), mailed)
        [row] = session.scalars(select(CaseNotice).where(CaseNotice.case_id == case.id))
        notice_delivery.record_delivery(
            session, Actor.of(officer), case, row.id, "mail", rocdate.taipei_today()
        )
    tip = line_case(ctx, "Unoticetip", nature="tip", sub_item=None)
    assign(ctx, tip, ethics)
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == tip)).one()
        residents.get_or_create(session, "Unoticetip").following = False
        session.flush()
        notices.issue(session, case, "result", "檢舉處理結果。", ethics.username)
    listed = client_numbers(Staff(quiet_app, ctx, officer))
    assert listed == [older, newer]
    assert client_numbers(Staff(quiet_app, ctx, ethics)) == [older, newer, tip]
    with ctx.sessions() as session:
        rows, total = notice_delivery.pending(session, Actor.of(officer))
    assert total == 2 and [row.case_number for row in rows] == [older, newer]


def test_a_letter_to_a_reporter_without_an_address_says_it_cannot_be_mailed(
    quiet_app: Any, ctx: Context
) -> None:
    officer = make(ctx, "n-noaddr")
    with_address = manual_case(ctx, officer)
    without = manual_case(ctx, officer, reporter_address=None)
    page = page_text(Staff(quiet_app, ctx, officer).get("/admin/notices/"))
    rows = page.split("列印", 1)[1]
    warning = "未留聯絡地址，無法郵寄：請當面交付"
    assert rows.count(warning) == 1
    assert rows.index(without) < rows.index(warning)
    assert with_address in rows and rows.index(with_address) < rows.index(without)


def client_numbers(client: Staff) -> list[str]:
    page = client.get("/admin/notices/")
    assert page.status_code == 200
    text = page_text(page)
    assert "待寄送通知" in text
    return re.findall(r"\d{7}-\d{4}", text.split("列印", 1)[1])


# -- a tip's notices --------------------------------------------------------------------------


def test_a_tips_notices_are_records_with_how_they_went(ctx: Context) -> None:
    ethics = make(ctx, "n-tip", ethics=True)
    number = line_case(ctx, "Unoticetipline", nature="tip", sub_item=None)
    assign(ctx, number, ethics)
    actor = Actor.of(ethics)
    with ctx.sessions.begin() as session:
        case = casework.get_case(session, actor, number)
        tips.send_acceptance(session, actor, case, "line")
        casework.change_status(session, actor, case, "in_progress")
        casework.change_status(session, actor, case, "closed")  # a tip never reaches 已回覆
        tips.send_result(session, actor, case, "mail", "經查無具體事證。")
    accepted, result = notice_rows(ctx, number)
    assert (accepted.kind, accepted.delivery, accepted.delivered_at) == ("acceptance", "line", None)
    assert accepted.outbox_id is not None
    assert (result.kind, result.delivery, result.delivered_by) == ("result", "mail", "n-tip")
    assert result.delivered_at is not None and "經查無具體事證。" in result.body


# -- the demo data ----------------------------------------------------------------------------


def test_the_demo_gives_the_reports_made_without_line_their_letters(ctx: Context) -> None:
    # A fixed moment: which of 400 random cases has reached a refusal by now depends on now.
    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    with ctx.sessions.begin() as session:
        demo.seed(session, 400, password="demo-password-1", now=now)
    with ctx.sessions() as session:
        found = session.execute(
            # The reports made without LINE (LINE cases' notices go on LINE).
            select(CaseNotice, Case.resident_id, Case.confidential)
            .join(Case, Case.id == CaseNotice.case_id)
            .where(Case.resident_id.is_(None))
        ).all()
        manual = session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.resident_id.is_(None), Case.confidential.is_(False))
        )
    assert {kind for notice, _, _ in found for kind in [notice.kind]} >= {
        "acceptance", "transfer", "refusal", "result",
    }  # fmt: skip
    assert sum(notice.kind == "acceptance" for notice, _, _ in found) == manual
    deliveries = {notice.delivery for notice, _, _ in found}
    assert {"pending", "mail", "in_person"} <= deliveries and "line" not in deliveries
    for notice, resident_id, confidential in found:
        assert resident_id is None and not confidential
        if notice.delivery == "pending":
            assert notice.delivered_at is None and notice.delivered_by is None
        else:
            assert notice.delivered_at is not None
            assert notice.created_at <= notice.delivered_at <= now


def test_the_sender_line_is_a_setting(quiet_app: Any, ctx: Context) -> None:
    admin = Staff(quiet_app, ctx, make(ctx, "n-admin", "admin"))
    saved = admin.post("/admin/settings/texts/letter_sender", {"value": " 新北市新莊區公所 "})
    assert saved.status_code == 302
    refused = admin.post("/admin/settings/texts/letter_sender", {"value": "政" * 31})
    assert refused.status_code == 400 and "書面通知發文機關" in page_text(refused)
    with ctx.sessions() as session:
        assert content.get(session, "letter_sender") == "新北市新莊區公所"
    assert admin.post("/admin/settings/texts/letter_sender", {"value": ""}).status_code == 302
    with ctx.sessions() as session:
        assert content.get(session, "letter_sender") == ""


# -- a LINE report's acceptance ---------------------------------------------------------------


def _file_on_line(ctx: Context, user: str, tip: bool = False) -> str:
    """Walk a report (or a tip) to its summary in the engine, then send 送出 through the
    dispatcher, as LINE would deliver the tap."""
    chat = Chat()
    if tip:
        chat.postback("a=tip")
        chat.tap(texts.LABEL_NOTICE_READ)
        chat.tap(texts.LABEL_TIP_START)
        chat.text("某機關承辦人員疑似收受廠商招待，時間是上個月。")
        chat.tap(texts.LABEL_DONE)
        chat.tap(texts.LABEL_SKIP)  # location
        chat.tap(texts.LABEL_SKIP)  # photos
        chat.tap(texts.LABEL_ANONYMOUS_TIP)
    else:
        reach_into(chat, "summary")
    data = chat.action(texts.LABEL_SUBMIT)["data"]
    body = line_events.postback(user, "r" * 32, data)
    body["timestamp"] = chat.now + 1_000  # the tap comes right after the summary was shown
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, user)
        resident.following = True
        resident.conversation = chat.state
        resident.notice_version = chat.notice_version
        inbox.store(session.connection(), [{
            "webhook_event_id": body["webhookEventId"], "source_key": user,
            "event_type": "postback", "event_timestamp": body["timestamp"], "payload": body,
        }])  # fmt: skip
        event = session.scalars(
            select(InboxEvent).where(InboxEvent.webhook_event_id == body["webhookEventId"])
        ).one()
        dispatch.handle(session, event)
        return session.scalars(select(Case.number).where(Case.resident_id == resident.id)).one()


def test_a_line_reports_case_created_message_is_its_acceptance_notice(ctx: Context) -> None:
    number = _file_on_line(ctx, "U" + "a" * 31 + "1")
    [notice] = notice_rows(ctx, number)
    assert (notice.kind, notice.delivery, notice.created_by) == ("acceptance", "line", "system")
    with ctx.sessions() as session:
        row = session.get_one(OutboxMessage, notice.outbox_id)
        assert notice.body in [message.get("text") for message in row.messages]
    assert "完成收件登記" in notice.body and number in notice.body


def test_a_line_tip_has_no_acceptance_notice_until_its_officer_sends_one(ctx: Context) -> None:
    number = _file_on_line(ctx, "U" + "a" * 31 + "2", tip=True)
    assert notice_rows(ctx, number) == []
