"""Need-to-know: tips open only to their ethics officer and the head of ethics, every view
of one logged; a tip's reporter kept apart; any case's personal data revealed only to its
officer, that officer's unit supervisor and administrators, with a reason; tip notices."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from lianping import rocdate
from lianping.context import Context
from lianping.services import casework, tips
from lianping.services.access import Actor
from lianping.storage.models import (
    AuditEntry,
    Case,
    CaseEvent,
    OutboxMessage,
    TipReporter,
    Unit,
    User,
    utcnow,
)
from tests.admin_support import Api, api_token, staff
from tests.test_admin_pages import (
    NAME,
    PNG,
    Staff,
    _stored_media,
    line_case,
    page_text,
    personal_case,
)
from tests.test_exports import read_csv

TIP = "承辦人疑似收受廠商招待。"


def make(ctx: Context, username: str, role: str = "officer", **flags: Any) -> User:
    """A staff account with ``ethics``, ``head_of_ethics`` or ``unit_id`` as given."""
    user = staff(ctx, username, role, ethics=bool(flags.get("ethics")))
    with ctx.sessions.begin() as session:
        stored = session.get_one(User, user.id)
        for name, value in flags.items():
            setattr(stored, name, value)
            setattr(user, name, value)  # logging in stores the account as the test holds it
    return user


def tip_case(ctx: Context, line_user: str, officer: User | None = None, **draft: Any) -> str:
    number = line_case(
        ctx, line_user, nature="tip", sub_item=None, description=TIP, name=NAME, **draft
    )
    if officer is not None:
        assign(ctx, number, officer)
    return number


def assign(ctx: Context, number: str, officer: User) -> None:
    with ctx.sessions.begin() as session:
        session.scalars(select(Case).where(Case.number == number)).one().officer_id = officer.id


def case_row(ctx: Context, number: str) -> Case:
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        session.expunge(case)
        return case


def audits(ctx: Context, action: str, number: str | None = None) -> list[AuditEntry]:
    with ctx.sessions() as session:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        if number is not None:
            query = query.where(AuditEntry.target_id == number)
        return list(session.scalars(query))


def export_numbers(client: Staff) -> list[str]:
    response = client.get("/admin/exports/cases.csv")
    assert response.status_code == 200
    return [row["案件編號"] for row in read_csv(response.get_data())]


# -- who opens a tip -------------------------------------------------------------------------


def test_only_the_assigned_ethics_officer_and_the_head_open_a_tip(
    quiet_app: Any, ctx: Context
) -> None:
    assigned = make(ctx, "ethics-a", ethics=True)
    other = make(ctx, "ethics-b", ethics=True)
    head = make(ctx, "ethics-head", "supervisor", ethics=True, head_of_ethics=True)
    admin = make(ctx, "chief", "admin")
    tip = tip_case(ctx, "Utipa", assigned)
    plain = line_case(ctx, "Uplain")
    media_id = _stored_media(ctx, tip, "image/png", PNG, ".png")
    pages = [f"/admin/cases/{tip}", f"/admin/media/{media_id}", f"/admin/cases/{tip}/print"]

    for user in (other, admin):
        client = Staff(quiet_app, ctx, user)
        listed = client.get("/admin/cases").get_data(as_text=True)
        assert plain in listed and tip not in listed, user.username
        assert export_numbers(client) == [plain], user.username
        for url in pages:
            response = client.get(url)
            # Exactly like a case that does not exist: nobody learns the tip is there.
            assert response.status_code == 404, (user.username, url)
            assert TIP not in response.get_data(as_text=True)
        api = Api(quiet_app, api_token(ctx, user))
        assert [c["number"] for c in api.get("/cases").get_json()["items"]] == [plain]
        assert api.get(f"/cases/{tip}").status_code == 404
        assert client.act(tip, "note", note="看看").status_code == 404
    assert audits(ctx, "tip.view") == []  # nothing was seen, nothing to log

    for user in (assigned, head):
        client = Staff(quiet_app, ctx, user)
        assert tip in client.get("/admin/cases").get_data(as_text=True)
        assert sorted(export_numbers(client)) == sorted([plain, tip])
        page = client.get(f"/admin/cases/{tip}")
        assert page.status_code == 200 and TIP in page_text(page)
        assert client.get(f"/admin/media/{media_id}").status_code == 200
        api = Api(quiet_app, api_token(ctx, user))
        detail = api.get(f"/cases/{tip}")
        assert detail.status_code == 200
        case = detail.get_json()["case"]
        assert case["confidential"] and case["reporter"]["name"] is None  # sealed here too
        assert "acceptance_due_at" in case and case["insider"] is False
        views = [(e.actor, e.after["via"]) for e in audits(ctx, "tip.view", tip)]
        name = user.username
        assert views[-4:] == [
            (name, "export.csv"),
            (name, "page"),
            (name, f"media.{media_id}"),
            (name, "api"),
        ]
    # The audit log reads each view in words.
    admin_client = Staff(quiet_app, ctx, admin)
    log = page_text(admin_client.get("/admin/audit"))
    assert f"檢視檢舉案件 {tip}（案件頁面）" in log and f"開啟檢舉案件 {tip} 的附件" in log


def test_only_the_head_of_ethics_assigns_a_tip_and_only_to_ethics_staff(ctx: Context) -> None:
    officer = make(ctx, "ethics-o", ethics=True)
    colleague = make(ctx, "ethics-c", ethics=True)
    plain = make(ctx, "plain")
    head = make(ctx, "ethics-h", "supervisor", ethics=True, head_of_ethics=True)
    tip = tip_case(ctx, "Utipassign", officer)
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == tip)).one()
        refused = None
        try:
            casework.assign(session, Actor.of(officer), case, colleague.id, None)
        except casework.CaseworkError as exc:
            refused = str(exc)
        assert refused == "檢舉案件由政風單位主管分案"
        try:
            casework.assign(session, Actor.of(head), case, plain.id, None)
        except casework.CaseworkError as exc:
            refused = str(exc)
        assert refused == "檢舉案件只能分給政風人員"
        casework.assign(session, Actor.of(head), case, colleague.id, None)
    assert case_row(ctx, tip).officer_id == colleague.id


# -- the reporter's identity apart -----------------------------------------------------------


def test_a_tips_reporter_is_kept_apart_and_revealed_only_with_a_reason(
    quiet_app: Any, ctx: Context
) -> None:
    officer = make(ctx, "ethics-r", ethics=True)
    tip = tip_case(ctx, "Utipsealed", officer, phone="+886912345678", occupation="教師")
    case = case_row(ctx, tip)
    assert (case.reporter_name, case.reporter_phone, case.reporter_occupation) == (None,) * 3
    with ctx.sessions() as session:
        row = session.get_one(TipReporter, case.id)
        assert (row.name, row.phone, row.occupation) == (NAME, "+886912345678", "教師")
    client = Staff(quiet_app, ctx, officer)
    page = page_text(client.get(f"/admin/cases/{tip}"))
    assert "已密封" in page and NAME not in page and "王○明" not in page
    refused = client.act(tip, "reveal", reason="  ")
    assert refused.status_code == 400 and "請說明檢視個人資料的原因" in page_text(refused)
    assert NAME not in page_text(refused) and audits(ctx, "case.reveal") == []
    shown = client.act(tip, "reveal", reason="約談檢舉人")
    assert shown.status_code == 200 and NAME in page_text(shown)
    [entry] = audits(ctx, "case.reveal", tip)
    assert entry.after["reason"] == "約談檢舉人"


def test_walk_in_and_reclassified_tips_keep_the_reporter_apart(ctx: Context) -> None:
    ethics = make(ctx, "ethics-w", ethics=True)
    report = casework.ManualReport(
        channel="walk_in", nature="tip", sub_item=None, theme=None,
        description="里長疑似挪用社區經費。", reporter_name="陳檢舉", reporter_phone="0912345678",
        reporter_address="臺北市中正區", reporter_occupation=None, recorder="李政風",
        petition_confirmed=True, notice_method="read_out",
    )  # fmt: skip
    with ctx.sessions.begin() as session:
        case = casework.manual_intake(session, Actor.of(ethics), report, 30, 20)
        walk_in = case.number
        # The officer who took it down holds it; the acceptance notice is due in 20 days.
        assert case.officer_id == ethics.id and case.reporter_name is None
        assert case.acceptance_due_at == rocdate.end_of_taipei_day(case.created_at, 20)
        assert session.get_one(TipReporter, case.id).name == "陳檢舉"
    need = personal_case(ctx, "Ureclass")
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == need)).one()
        casework.classify(session, Actor.of(ethics), case, "tip", None, None)
        assert case.confidential and case.reporter_name is None and case.reporter_phone is None
        assert case.officer_id == ethics.id  # the ethics user who made it a tip holds it
        assert session.get_one(TipReporter, case.id).name == NAME
    # The identity moved without passing through the audit log.
    assert all(NAME not in str(e.before) + str(e.after) for e in audits(ctx, "case.classify"))
    assert walk_in != need


# -- need-to-know for ordinary cases ---------------------------------------------------------


def test_only_the_officer_their_supervisor_and_administrators_reveal(
    quiet_app: Any, ctx: Context
) -> None:
    with ctx.sessions.begin() as session:
        works, water = Unit(name="工務科"), Unit(name="水利科")
        session.add_all([works, water])
        session.flush()
        works_id, water_id = works.id, water.id
    officer = make(ctx, "officer-a", unit_id=works_id)
    colleague = make(ctx, "officer-b", unit_id=works_id)
    supervisor = make(ctx, "chief-works", "supervisor", unit_id=works_id)
    other_supervisor = make(ctx, "chief-water", "supervisor", unit_id=water_id)
    admin = make(ctx, "admin-x", "admin")
    number = personal_case(ctx, "Uneed2know")
    assign(ctx, number, officer)

    for user in (colleague, other_supervisor):
        client = Staff(quiet_app, ctx, user)
        page = client.get(f"/admin/cases/{number}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "王○明" in page_text(page) and NAME not in html
        assert "顯示個人資料" not in html  # no reveal control
        assert client.act(number, "reveal", reason="好奇").status_code == 403
        api = Api(quiet_app, api_token(ctx, user))
        assert api.post(f"/cases/{number}/reveal", {"reason": "好奇"}).status_code == 403
        [row] = read_csv(client.get("/admin/exports/cases.csv").get_data())
        assert row["反映者姓名"] == "王○明"  # masked in exports too
    assert audits(ctx, "case.reveal") == []

    for user in (officer, supervisor, admin):
        client = Staff(quiet_app, ctx, user)
        assert "顯示個人資料" in client.get(f"/admin/cases/{number}").get_data(as_text=True)
        before = len(audits(ctx, "case.reveal"))
        # Without a reason nothing is shown and nothing is recorded.
        refused = client.act(number, "reveal", reason="")
        assert refused.status_code == 400 and NAME not in page_text(refused)
        too_long = client.act(number, "reveal", reason="因" * 201)
        assert too_long.status_code == 400 and "200字以內" in page_text(too_long)
        assert len(audits(ctx, "case.reveal")) == before
        shown = client.act(number, "reveal", reason="電話聯繫反映者")
        assert shown.status_code == 200 and NAME in page_text(shown), user.username
        [row] = read_csv(client.get("/admin/exports/cases.csv").get_data())
        assert row["反映者姓名"] == NAME
    reveals = audits(ctx, "case.reveal", number)
    assert [(e.actor, e.after["reason"]) for e in reveals] == [
        ("officer-a", "電話聯繫反映者"),
        ("chief-works", "電話聯繫反映者"),
        ("admin-x", "電話聯繫反映者"),
    ]
    with ctx.sessions() as session:
        events = session.scalar(
            select(func.count()).where(CaseEvent.kind == "reveal", CaseEvent.public.is_(False))
        )
        assert events == 3


# -- tip notices and the insider flag --------------------------------------------------------


def test_acceptance_and_result_notices_of_a_line_tip(quiet_app: Any, ctx: Context) -> None:
    officer = make(ctx, "ethics-n", ethics=True)
    number = line_case(ctx, "Utipnotice", nature="tip", sub_item=None, description=TIP)
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.officer_id = officer.id
        # Received 21 days ago, acceptance due after 20: overdue in the inbox.
        case.created_at = utcnow() - timedelta(days=21)
        case.acceptance_due_at = rocdate.end_of_taipei_day(case.created_at, 20)
    client = Staff(quiet_app, ctx, officer)
    inbox = page_text(client.get("/admin/cases"))
    assert "受理通知逾期" in inbox
    page = page_text(client.get(f"/admin/cases/{number}"))
    assert "寄送受理通知" in page and "寄送結果通知" not in page  # not concluded yet
    # Never the ordinary reply: no composer, and a reply posted anyway is refused in words.
    assert "送出回覆" not in page
    refused = client.act(number, "reply", body="已收到。", step="send")
    assert refused.status_code == 400 and "受理通知及處理結果通知" in page_text(refused)
    sent = client.act(number, "tip-acceptance", method="line")
    assert sent.status_code == 302
    case = case_row(ctx, number)
    assert case.accepted_at is not None
    with ctx.sessions() as session:
        [message] = session.scalars(select(OutboxMessage)).all()
        text = message.messages[0]["text"]
    assert f"【檢舉案件 {number} 受理通知】" in text and "貪污治罪條例第18條" in text
    assert "獎勵保護檢舉貪污瀆職辦法" in text and "30" not in text
    shown = page_text(client.get(f"/admin/cases/{number}"))
    assert "受理通知逾期" not in page_text(client.get("/admin/cases"))
    assert "LINE：" in shown  # whether it actually went out, from the outbox row
    assert "檢舉受理通知" in shown  # on the timeline, in words
    early = client.act(number, "tip-result", method="mail", body="經查無具體事證。")
    assert early.status_code == 400 and "處理完畢" in page_text(early)
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        casework.change_status(session, Actor.of(officer), case, "in_progress")
        # Concluded by its 移送 to 法務部廉政署 (a tip is never 已回覆 without a reply).
        casework.refer_tip(
            session, Actor.of(officer), case, "aac", None, "政字第1號", date(2026, 11, 20)
        )
    empty = client.act(number, "tip-result", method="mail", body=" ")
    assert empty.status_code == 400 and "請填寫處理結果" in page_text(empty)
    mailed = client.act(number, "tip-result", method="mail", body="經查無具體事證。")
    assert mailed.status_code == 302
    assert case_row(ctx, number).result_notified_at is not None
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 1  # mailed
    notices = [(e.after["kind"], e.after["method"]) for e in audits(ctx, "tip.notice", number)]
    assert notices == [("acceptance", "line"), ("result", "mail")]


def test_a_walk_in_tip_cannot_be_notified_on_line(quiet_app: Any, ctx: Context) -> None:
    ethics = make(ctx, "ethics-m", ethics=True)
    report = casework.ManualReport(
        channel="letter", nature="tip", sub_item=None, theme=None,
        description="來函檢舉採購疑義。", reporter_name=None, reporter_phone=None,
        reporter_address=None, reporter_occupation=None, recorder="收文",
        petition_confirmed=False, notice_method="printed",
    )  # fmt: skip
    with ctx.sessions.begin() as session:
        number = casework.manual_intake(session, Actor.of(ethics), report, 30, 20).number
    client = Staff(quiet_app, ctx, ethics)
    refused = client.act(number, "tip-acceptance", method="line")
    assert refused.status_code == 400 and "無法以LINE通知" in page_text(refused)
    assert case_row(ctx, number).accepted_at is None
    handed = client.act(number, "tip-acceptance", method="in_person")
    assert handed.status_code == 302 and case_row(ctx, number).accepted_at is not None


def test_the_insider_flag_is_audited_and_shown(quiet_app: Any, ctx: Context) -> None:
    officer = make(ctx, "ethics-i", ethics=True)
    number = tip_case(ctx, "Utipinsider", officer)
    client = Staff(quiet_app, ctx, officer)
    with ctx.sessions.begin() as session:  # a unit that allows itself more than the law
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.acceptance_due_at = rocdate.end_of_taipei_day(case.created_at, 30)
    assert client.act(number, "tip-insider", insider="1").status_code == 302
    flagged = case_row(ctx, number)
    assert flagged.insider
    # 公益揭弊者保護法: the acceptance notice within 20 days, whatever the setting.
    assert flagged.acceptance_due_at == rocdate.end_of_taipei_day(flagged.created_at, 20)
    page = page_text(client.get(f"/admin/cases/{number}"))
    assert "適用公益揭弊者保護法" in page
    # 公益揭弊者保護法: the result notice within 6 months of receipt.
    received = rocdate.taipei_date(case_row(ctx, number).created_at)
    due = tips.insider_result_due(case_row(ctx, number))
    assert due is not None and 181 <= (due - received).days <= 184
    assert f"應於 {rocdate.roc_date(due)} 前通知" in page
    assert client.act(number, "tip-insider").status_code == 302  # the box left unticked
    assert not case_row(ctx, number).insider
    flags = [e.after["insider"] for e in audits(ctx, "case.insider", number)]
    assert flags == [True, False]


def test_the_head_of_ethics_flag_is_for_ethics_users_only(quiet_app: Any, ctx: Context) -> None:
    admin = make(ctx, "chief-admin", "admin", ethics=True)
    plain = make(ctx, "plain-officer")
    ethics = make(ctx, "ethics-x", ethics=True)
    client = Staff(quiet_app, ctx, admin)
    refused = client.post(
        "/admin/settings/users", {"action": "head_of_ethics", "id": plain.id, "head_of_ethics": "1"}
    )
    assert refused.status_code == 400 and "只有啟用中的政風人員" in page_text(refused)
    made = client.post(
        "/admin/settings/users",
        {"action": "head_of_ethics", "id": ethics.id, "head_of_ethics": "1"},
    )
    assert made.status_code == 302
    with ctx.sessions() as session:
        assert session.get_one(User, ethics.id).head_of_ethics
        assert not session.get_one(User, plain.id).head_of_ethics
    [entry] = audits(ctx, "user.head_of_ethics")
    assert (entry.target_id, entry.after) == (str(ethics.id), {"head_of_ethics": True})
    assert "政風單位主管" in page_text(client.get("/admin/settings/users"))


def test_an_administrator_sets_a_users_unit_for_the_supervisors_need_to_know(
    quiet_app: Any, ctx: Context
) -> None:
    with ctx.sessions.begin() as session:
        works = Unit(name="工務科")
        session.add(works)
        session.flush()
        works_id = works.id
    admin = make(ctx, "unit-admin", "admin")
    officer = make(ctx, "unit-officer", unit_id=works_id)
    supervisor = make(ctx, "unit-chief", "supervisor")
    number = personal_case(ctx, "Uunit")
    assign(ctx, number, officer)
    chief = Staff(quiet_app, ctx, supervisor)
    assert chief.act(number, "reveal", reason="督導案件").status_code == 403  # no unit yet
    client = Staff(quiet_app, ctx, admin)
    bad = client.post(
        "/admin/settings/users", {"action": "unit", "id": supervisor.id, "unit_id": "x"}
    )
    assert bad.status_code == 400 and "請選擇單位" in page_text(bad)
    done = client.post(
        "/admin/settings/users", {"action": "unit", "id": supervisor.id, "unit_id": works_id}
    )
    assert done.status_code == 302
    assert "工務科" in page_text(client.get("/admin/settings/users"))
    shown = chief.act(number, "reveal", reason="督導案件")
    assert shown.status_code == 200 and NAME in page_text(shown)
    [entry] = audits(ctx, "user.unit")
    assert (entry.before, entry.after) == ({"unit_id": None}, {"unit_id": works_id})
    log = page_text(client.get("/admin/audit"))
    assert "的所屬單位設為「工務科」" in log
