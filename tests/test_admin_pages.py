"""Staff pages through the Flask test client, on the real database and Redis.

Inbox (tabs, filters, paging, masking, tips), the case page and every action on
it (timeline, outbox, permissions, bad input), reveals in the audit log, manual
intake with 行政程序法 §169, the media route and the printable 附件1.
"""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import codes, queues, rocdate
from lianping.bot import texts
from lianping.context import Context
from lianping.jobs import delivery
from lianping.services import casework, content
from lianping.services.access import Actor
from lianping.storage import cases, residents
from lianping.storage.models import (
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    Agency,
    AuditEntry,
    Case,
    CaseEvent,
    MediaFile,
    OutboxMessage,
    ReplyTemplate,
    Unit,
    User,
    utcnow,
)
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import logged_in, staff
from tests.test_engine import Chat

NAME, PHONE, ADDRESS = "王小明", "+886912345678", "臺北市中正區重慶南路一段122號"
DESCRIPTION = "民生路二段路燈不亮已兩週，夜間行人危險。"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


# -- helpers ---------------------------------------------------------------------------------


class Staff:
    """A logged-in test client for one staff member; ``post`` adds the CSRF token."""

    def __init__(self, app: Any, ctx: Context, user: User) -> None:
        self.user = user
        self.client, self.csrf = logged_in(app, ctx, user)

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})})

    def act(self, number: str, action: str, **data: Any) -> Any:
        return self.post(f"/admin/cases/{number}/{action}", data)


def page_text(response: Any) -> str:
    """The page's visible text, roughly (tags dropped, entities decoded)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def line_case(ctx: Context, line_user: str, **draft: Any) -> str:
    values = {"nature": "need", "sub_item": "need-2", "description": DESCRIPTION, **draft}
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, line_user)
        return cases.create_from_line(session, resident, values, 1, utcnow(), 30).number


def personal_case(ctx: Context, line_user: str, **draft: Any) -> str:
    return line_case(
        ctx, line_user, name=NAME, phone=PHONE, address=ADDRESS, occupation="教師", **draft
    )


def manual_case(ctx: Context, user: User, **fields: Any) -> str:
    values: dict[str, Any] = {
        "channel": "walk_in",
        "nature": "reform",
        "sub_item": "reform-1",
        "theme": None,
        "description": "建議公開里鄰建設經費的使用明細。",
        "reporter_name": "林志明",
        "reporter_phone": "0922123456",
        "reporter_address": "臺中市北屯區文心路四段100號",
        "reporter_occupation": "自營商",
        "recorder": user.display_name,
        "petition_confirmed": True,
        "notice_method": "printed",
        **fields,
    }
    with ctx.sessions.begin() as session:
        return casework.manual_intake(
            session, Actor.of(user), casework.ManualReport(**values), 30
        ).number


def load(ctx: Context, number: str) -> Case:
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        session.expunge(case)
        return case


def events(ctx: Context, number: str) -> list[tuple[str, str | None]]:
    with ctx.sessions() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        return [
            (e.kind, e.body)
            for e in session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        ]


def count(ctx: Context, model: Any) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def reveals(ctx: Context, number: str) -> list[AuditEntry]:
    with ctx.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "case.reveal", AuditEntry.target_id == number
                )
            )
        )


def assign_to(ctx: Context, number: str, user: User) -> None:
    """Give the case to ``user`` directly (need-to-know follows the assignment)."""
    with ctx.sessions.begin() as session:
        session.scalars(select(Case).where(Case.number == number)).one().officer_id = user.id


def add_row(ctx: Context, row: Any) -> int:
    with ctx.sessions.begin() as session:
        session.add(row)
        session.flush()
        return int(row.id)


@pytest.fixture
def officer(quiet_app: Any, ctx: Context, quiet: Context) -> Staff:
    """An officer on the web app whose queued jobs no worker takes (see ``queued``)."""
    return Staff(quiet_app, ctx, staff(ctx, "officer", "officer"))


@pytest.fixture
def chief(quiet_app: Any, ctx: Context, quiet: Context) -> Staff:
    """A supervisor: extends a deadline in one step (an officer's waits for approval)."""
    return Staff(quiet_app, ctx, staff(ctx, "chief", "supervisor"))


class Queued:
    """The outbox ids the pages put on the real delivery queue (after their commit)."""

    def __init__(self, quiet: Context) -> None:
        self.queue = queues.queue(queues.DELIVERY, quiet.redis)

    def ids(self) -> list[int]:
        jobs = self.queue.jobs
        assert all(job.func_name == "lianping.jobs.delivery.deliver" for job in jobs)
        return [int(job.args[0]) for job in jobs]


@pytest.fixture
def queued(quiet: Context) -> Queued:
    return Queued(quiet)


# -- inbox -----------------------------------------------------------------------------------


def test_admin_root_is_the_inbox(officer: Staff) -> None:
    response = officer.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/cases")


def test_inbox_lists_cases_with_personal_data_masked(ctx: Context, officer: Staff) -> None:
    number = personal_case(ctx, "Uinbox1")
    anonymous = line_case(ctx, "Uinbox2", anonymous=True)
    response = officer.get("/admin/cases")
    assert response.status_code == 200
    text = page_text(response)
    assert number in text and anonymous in text
    assert "王○明" in text and "匿名" in text
    for secret in (NAME, PHONE, "0912", "重慶南路"):
        assert secret not in response.get_data(as_text=True)
    assert "民生路二段路燈不亮" in text
    assert re.search(
        r'aria-current="page">全部<span class="count">2', response.get_data(as_text=True)
    )
    assert 'scope="col"' in response.get_data(as_text=True)


def test_inbox_tabs_count_per_status_and_filter(ctx: Context, officer: Staff) -> None:
    first = line_case(ctx, "Utab1")
    second = line_case(ctx, "Utab2")
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == second)).one()
        casework.change_status(session, Actor.of(officer.user), case, codes.WITHDRAWN)
    html = officer.get("/admin/cases").get_data(as_text=True)
    assert re.search(r">新收<span class=\"count\">1<", html)
    assert re.search(r">撤回<span class=\"count\">1<", html)
    assert re.search(r">未結案<span class=\"count\">1<", html)
    withdrawn = officer.get("/admin/cases?status=withdrawn")
    html = withdrawn.get_data(as_text=True)
    assert second in html and first not in html
    assert re.search(r'aria-current="page">撤回', html)


def test_inbox_filters_and_search(ctx: Context, officer: Staff) -> None:
    need = line_case(ctx, "Ufilter1", theme="works")
    reform = manual_case(ctx, officer.user, channel="phone", description="請公開補助款的分配標準。")
    late = line_case(ctx, "Ufilter2", description="橋下堆置廢棄物多日無人清理。")
    updated = line_case(ctx, "Ufilter3", description="公園廁所損壞。")
    with ctx.sessions.begin() as session:
        for case in session.scalars(select(Case)):
            if case.number == late:
                case.due_at = utcnow() - timedelta(days=1)
            if case.number == updated:
                case.resident_update_at = utcnow()

    def listed(query: str) -> set[str]:
        response = officer.get(f"/admin/cases?{query}")
        assert response.status_code == 200, query
        html = response.get_data(as_text=True)
        return {n for n in (need, reform, late, updated) if n in html}

    assert listed("nature=reform") == {reform}
    assert listed("channel=phone") == {reform}
    assert listed("theme=works") == {need}
    assert listed("sub_item=need-2") == {need, late, updated}
    assert listed("q=補助款") == {reform}
    assert listed(f"q={late}") == {late}
    assert listed("overdue=1") == {late}
    assert listed("resident_update=1") == {updated}
    today = rocdate.taipei_today().isoformat()
    assert listed(f"date_from={today}&date_to={today}") == {need, reform, late, updated}
    assert listed("date_to=2020-01-01") == set()
    assert listed(f"officer_id={officer.user.id}") == set()
    # Overdue and resident additions are badges with words, not colour only.
    html = officer.get("/admin/cases").get_data(as_text=True)
    assert html.count(">逾期<") == 1
    assert html.count(">民眾補充<") == 1


def test_inbox_sorts_and_pages_with_a_cursor(ctx: Context, officer: Staff) -> None:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, "Upager")
        start = utcnow() - timedelta(hours=60)
        made = [
            cases.create_from_line(
                session, resident, {"nature": "need", "description": f"第{i}件反映內容"},
                1, start + timedelta(hours=i), 30,
            ).number
            for i in range(55)
        ]  # fmt: skip
    first = officer.get("/admin/cases")
    html = first.get_data(as_text=True)
    numbers = re.findall(r'<a href="/admin/cases/([0-9-]+)">', html)
    assert len(numbers) == 50
    assert numbers[0] == made[-1]  # 最新 first
    following = re.search(r'<a class="btn" rel="next" href="([^"]+)">下一頁</a>', html)
    assert following
    second = officer.get(unescape(following.group(1)))
    rest = re.findall(r'<a href="/admin/cases/([0-9-]+)">', second.get_data(as_text=True))
    assert len(rest) == 5 and not set(rest) & set(numbers)
    assert "回第一頁" in second.get_data(as_text=True)
    assert "下一頁" not in page_text(second)
    oldest = officer.get("/admin/cases?sort=oldest").get_data(as_text=True)
    assert re.findall(r'<a href="/admin/cases/([0-9-]+)">', oldest)[0] == made[0]


def test_bad_filters_give_a_clear_message(ctx: Context, officer: Staff) -> None:
    line_case(ctx, "Ubad")
    for query, word in [
        ("status=bogus", "狀態"),
        ("nature=x", "性質"),
        ("date_from=2025-13-40", "收件日期（起）"),
        ("date_from=9999-12-31", "收件日期（起）"),
        ("officer_id=abc", "承辦人"),
        ("sort=random", "排序"),
    ]:
        response = officer.get(f"/admin/cases?{query}")
        assert response.status_code == 400, query
        text = page_text(response)
        assert "篩選條件有誤" in text and f"「{word}」" in text, query
    backwards = officer.get("/admin/cases?date_from=2025-02-01&date_to=2025-01-01")
    assert backwards.status_code == 400 and "起日晚於迄日" in page_text(backwards)
    cursor = officer.get("/admin/cases?cursor=not-a-cursor")
    assert cursor.status_code == 400 and "頁碼無效" in page_text(cursor)


def test_tips_are_only_listed_for_ethics_staff(app: Any, ctx: Context, officer: Staff) -> None:
    tip = line_case(ctx, "Utip", nature="tip", sub_item=None, description="承辦人疑似收受招待。")
    need = line_case(ctx, "Uneed")
    plain = officer.get("/admin/cases").get_data(as_text=True)
    assert need in plain and tip not in plain and "收受招待" not in plain
    assert officer.get("/admin/cases?nature=tip").status_code == 400
    ethics = Staff(app, ctx, staff(ctx, "ethics", "officer", ethics=True))
    # Need-to-know: ethics staff list the tips assigned to them, not every tip.
    assert tip not in ethics.get("/admin/cases").get_data(as_text=True)
    assign_to(ctx, tip, ethics.user)
    listed = ethics.get("/admin/cases").get_data(as_text=True)
    assert tip in listed and "保密" in listed


def test_a_tip_reclassified_by_ethics_staff_stays_confidential(
    app: Any, ctx: Context, officer: Staff
) -> None:
    tip = line_case(ctx, "Utip2", nature="tip", sub_item=None, description="里長疑似挪用經費。")
    need = line_case(ctx, "Uneed2")
    ethics = Staff(app, ctx, staff(ctx, "ethics2", "officer", ethics=True))
    assign_to(ctx, tip, ethics.user)
    moved = ethics.act(tip, "classify", nature="need", sub_item="need-1")
    assert moved.status_code in (200, 302)
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == tip)).one()
        assert (case.nature, case.confidential) == ("need", True)
    # Whoever reported it stays protected: other staff still neither list nor open it.
    listed = officer.get("/admin/cases?nature=need")
    assert listed.status_code == 200
    html = listed.get_data(as_text=True)
    assert need in html and tip not in html
    assert officer.get(f"/admin/cases/{tip}").status_code == 404
    assert tip in ethics.get("/admin/cases?nature=need").get_data(as_text=True)


# -- case page: permissions ------------------------------------------------------------------

# 首長核可 of a 簽會 or 函轉.
APPROVED = {"approved_by": "局長 王○○", "approved_on": "2026-11-20"}
WRITE_POSTS: list[tuple[str, dict[str, str]]] = [
    ("classify", {"nature": "reform", "sub_item": "reform-1"}),
    ("assign", {"officer_id": "1"}),
    ("route-internal", {"unit_id": "1", "note": "請處理", **APPROVED}),
    (
        "route-external",
        {"agency_id": "1", "letter_number": "字第1號", "letter_date": "2026-01-02", **APPROVED},
    ),
    ("record-reply", {"method": "mail", "body": "已函復", "on": "2026-01-02"}),
    ("request-details", {"what": "請提供路燈編號"}),
    ("record-details", {"answer": "編號 A12", "on": "2026-01-02"}),
    ("decide-extension", {"decision": "approve"}),
    ("refer-tip", {"target": "aac", "letter_number": "字第1號", "letter_date": "2026-01-02"}),
    ("opinion", {"opinion": "已處理"}),
    ("note", {"note": "註記"}),
    ("reply", {"body": "回覆", "step": "send"}),
    ("reply", {"body": "回覆", "step": "preview"}),
    ("status", {"status": "withdrawn"}),
    ("extend", {"new_due": "2099-01-01", "reason": "需會勘"}),
    ("read", {}),
]


def test_viewer_sees_no_actions_and_every_write_is_refused(
    app: Any, ctx: Context, officer: Staff
) -> None:
    number = personal_case(ctx, "Uviewer")
    add_row(ctx, Unit(name="工務科"))
    add_row(ctx, Agency(name="工務局"))
    viewer = Staff(app, ctx, staff(ctx, "viewer", "viewer"))
    page = viewer.get(f"/admin/cases/{number}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "王○明" in html and NAME not in html
    forms = re.findall(r'<form method="post" action="([^"]+)"', html)
    assert forms == ["/admin/logout"]
    for label in ("送出回覆", "變更狀態", "顯示個人資料", "儲存分類", "新增紀錄"):
        assert label not in html
    before = (load(ctx, number).status, len(events(ctx, number)), count(ctx, OutboxMessage))
    for action, data in WRITE_POSTS:
        assert viewer.act(number, action, **data).status_code == 403, action
    assert viewer.act(number, "reveal").status_code == 403
    assert viewer.get("/admin/cases/new").status_code == 403
    assert viewer.post("/admin/cases/new", {"channel": "letter"}).status_code == 403
    after = (load(ctx, number).status, len(events(ctx, number)), count(ctx, OutboxMessage))
    assert after == before
    assert reveals(ctx, number) == []
    # The print view is allowed, masked, and reveals nothing.
    printed = viewer.get(f"/admin/cases/{number}/print")
    assert printed.status_code == 200 and "王○明" in page_text(printed)
    assert NAME not in printed.get_data(as_text=True) and reveals(ctx, number) == []


def test_tip_case_media_and_print_are_refused_without_ethics(
    app: Any, ctx: Context, officer: Staff
) -> None:
    number = line_case(ctx, "Utip2", nature="tip", sub_item=None, description="疑似收賄。")
    media_id = _stored_media(ctx, number, "image/png", PNG, ".png")
    for url in (
        f"/admin/cases/{number}",
        f"/admin/cases/{number}/print",
        f"/admin/media/{media_id}",
    ):
        response = officer.get(url)
        # Answered as a case that does not exist: nobody learns a tip is there.
        assert response.status_code == 404, url
        assert "疑似收賄" not in response.get_data(as_text=True)
    assert officer.act(number, "note", note="看看").status_code == 404
    assert officer.act(number, "reveal", reason="查證").status_code == 404
    ethics = Staff(app, ctx, staff(ctx, "ethics2", "officer", ethics=True))
    assert ethics.get(f"/admin/cases/{number}").status_code == 404
    assign_to(ctx, number, ethics.user)
    assert ethics.get(f"/admin/cases/{number}").status_code == 200
    assert ethics.get(f"/admin/media/{media_id}").status_code == 200
    # Never a 工作紀錄表, even for the officer handling it: refused in words.
    printed = ethics.get(f"/admin/cases/{number}/print")
    assert printed.status_code == 403 and "不製作工作紀錄表" in page_text(printed)


def test_unknown_case_is_404(officer: Staff) -> None:
    missing = officer.get("/admin/cases/1150101-9999")
    assert missing.status_code == 404 and "找不到" in page_text(missing)
    assert officer.act("1150101-9999", "note", note="x").status_code == 404
    assert officer.act("1150101-9999", "launch").status_code == 404


# -- case page: content and reveals ----------------------------------------------------------


def test_case_page_shows_every_form_field_masked(ctx: Context, officer: Staff) -> None:
    number = personal_case(ctx, "Ushow", theme="works")
    response = officer.get(f"/admin/cases/{number}")
    assert response.status_code == 200
    text = page_text(response)
    for label in (
        "反映者姓名", "職業", "聯絡電話", "聯絡地址", "性質", "需求／反映內容概述",
        "處理意見", "紀錄人", "簽辦機關", "日期", "處理期限", "受理管道", "個資告知",
    ):  # fmt: skip
        assert label in text, label
    assert "王○明" in text and "******5678" in text and "臺北市中正區＊＊＊" in text
    assert "教師" in text
    assert NAME not in text and "重慶南路" not in text
    assert "公共設施欠缺或設置管理不當" in text and "地方工程" in text
    assert DESCRIPTION in text
    assert "第 1 版" in text
    case = load(ctx, number)
    assert rocdate.roc_date(case.created_at) in text
    assert rocdate.roc_date(case.due_at) in text


def test_reveal_shows_personal_data_once_and_is_audited(ctx: Context, officer: Staff) -> None:
    number = personal_case(ctx, "Ureveal")
    assign_to(ctx, number, officer.user)
    response = officer.act(number, "reveal", reason="電話聯繫反映者")
    assert response.status_code == 200
    text = page_text(response)
    assert NAME in text and "0912-345-678" in text and ADDRESS in text and "Ureveal" in text
    assert "本次檢視已記錄" in text
    [entry] = reveals(ctx, number)
    assert entry.actor == "officer" and entry.user_id == officer.user.id
    assert entry.after == {"fields": ["name", "phone", "address"], "reason": "電話聯繫反映者"}
    assert ("reveal", "檢視反映者個人資料：電話聯繫反映者") in events(ctx, number)
    again = officer.get(f"/admin/cases/{number}")
    assert again.status_code == 200 and "王○明" in page_text(again)
    assert NAME not in again.get_data(as_text=True)
    # Printing shows the data to a role that may see it, and logs that too.
    printed = officer.get(f"/admin/cases/{number}/print")
    assert NAME in page_text(printed)
    assert len(reveals(ctx, number)) == 2


def test_a_place_typed_on_line_is_the_cases_location(ctx: Context, officer: Staff) -> None:
    chat = Chat()
    chat.postback("menu=report")
    for label in (texts.LABEL_NOTICE_READ, "民情需求", codes.SUB_ITEMS["need-2"].plain, "略過"):
        chat.tap(label)
    chat.text(DESCRIPTION)
    chat.tap(texts.LABEL_DONE)
    chat.text("信義里")
    chat.tap(texts.LABEL_SKIP)
    chat.tap(texts.LABEL_ANONYMOUS)
    chat.tap(texts.LABEL_SKIP)  # publication
    chat.tap(texts.LABEL_SUBMIT)
    (created,) = chat.created
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, "Uplace")
        number = cases.create_from_line(session, resident, created.draft, 1, utcnow(), 30).number
    text = page_text(officer.get(f"/admin/cases/{number}"))
    assert re.search(r"位置\s+信義里", text)
    assert "地點：" not in text
    assert load(ctx, number).description == created.draft["description"]


# -- case page: actions ----------------------------------------------------------------------


def test_every_action_works_and_writes_the_timeline(
    ctx: Context, officer: Staff, queued: Queued
) -> None:
    number = line_case(ctx, "Uactions")
    unit = add_row(ctx, Unit(name="工務科"))
    with ctx.sessions.begin() as session:
        session.scalars(select(Case)).one().resident_update_at = utcnow()

    def ok(action: str, **data: Any) -> None:
        response = officer.act(number, action, **data)
        assert response.status_code == 302, (action, page_text(response)[:400])
        assert f"/admin/cases/{number}?done=" in response.headers["Location"]
        shown = officer.get(response.headers["Location"])
        assert shown.status_code == 200
        assert "notice-ok" in shown.get_data(as_text=True)

    ok("classify", nature="need", sub_item="need-1", theme="works")
    ok("assign", officer_id=officer.user.id, unit_id=unit)
    ok("route-internal", unit_id=unit, note="請派員修復", **APPROVED)
    ok("opinion", opinion="已請工務科於本週修復。")
    ok("note", note="里長來電關心")
    ok("read")
    ok(
        "record-reply",
        method="phone",
        body="已電話告知修復時程。",
        on=rocdate.taipei_today().isoformat(),
    )
    case = load(ctx, number)
    assert (case.nature, case.sub_item, case.theme) == ("need", "need-1", "works")
    assert (case.officer_id, case.unit_id) == (officer.user.id, unit)
    assert case.handling_opinion == "已請工務科於本週修復。"
    assert case.resident_update_at is None
    assert case.status == codes.REPLIED
    kinds = [kind for kind, _ in events(ctx, number)]
    for kind in ("classified", "assigned", "routed", "opinion", "note", "reply_recorded"):
        assert kind in kinds, kind
    html = officer.get(f"/admin/cases/{number}").get_data(as_text=True)
    assert "內部註記" in html and "里長來電關心" in html
    assert "簽會工務科（局長 王○○於115年11月20日核可）：請派員修復" in page_text(
        officer.get(f"/admin/cases/{number}")
    )
    assert queued.ids() == []  # none of these speak to the resident


def test_reply_transfer_extension_and_close_are_queued_and_delivered(
    ctx: Context, officer: Staff, chief: Staff, sim: Sim, queued: Queued
) -> None:
    user = sim.new_resident("通知")
    number = line_case(ctx, user)
    agency = add_row(ctx, Agency(name="臺北市政府工務局"))
    due = load(ctx, number).due_at

    assert officer.act(
        number, "route-external", agency_id=agency, letter_number="北市政字第1150000123號",
        letter_date="2026-11-21", **APPROVED,
    ).status_code == 302  # fmt: skip
    new_due = (due + timedelta(days=10)).date().isoformat()
    assert chief.act(number, "extend", new_due=new_due, reason="需會同現場勘查").status_code == 302
    assert officer.act(number, "reply", body="已修復完成，謝謝您。", step="send").status_code == 302
    assert officer.act(number, "status", status="closed").status_code == 302

    with ctx.sessions() as session:
        rows = list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert [row.id for row in rows] == queued.ids()
    assert all(row.status == OUTBOX_PENDING and row.to == user for row in rows)
    texts = [row.messages[0]["text"] for row in rows]
    assert "臺北市政府工務局" in texts[0] and "第172條" in texts[0]
    assert "需會同現場勘查" in texts[1]
    assert "已修復完成，謝謝您。" in texts[2]
    assert "結案" in texts[3] and rows[3].messages[0]["quickReply"]["items"]
    # The timeline shows the reply as waiting, then delivered.
    assert "LINE 傳送：待送" in page_text(officer.get(f"/admin/cases/{number}"))
    for outbox_id in queued.ids():
        assert delivery.deliver_now(ctx, outbox_id) == "sent"
    delivered = [m["message"].get("text", "") for m in sim.bot_messages(user)]
    assert len(delivered) == 4 and "已修復完成，謝謝您。" in delivered[2]
    text = page_text(officer.get(f"/admin/cases/{number}"))
    assert "LINE 傳送：已送達" in text
    kinds = [kind for kind, _ in events(ctx, number)]
    assert {"transferred", "extended", "reply", "status"} <= set(kinds)
    case = load(ctx, number)
    assert case.status == codes.CLOSED and case.letter_number == "北市政字第1150000123號"
    assert "已詢問，尚未回覆" in text
    with ctx.sessions.begin() as session:
        casework.record_satisfaction(session, session.merge(case), 4)
    rated = page_text(officer.get(f"/admin/cases/{number}"))
    assert "4 分" in rated and "（4 滿意）" in rated


def _confirmation(officer: Staff, response: Any) -> str:
    """The notice the page shows after an action (Post/Redirect/Get)."""
    assert response.status_code == 302, page_text(response)[:400]
    html = officer.get(response.headers["Location"]).get_data(as_text=True)
    found = re.search(r'class="notice notice-ok"[^>]*><p>(.*?)</p>', html, re.S)
    assert found is not None
    return unescape(found.group(1))


@pytest.mark.parametrize("reach", ["line", "blocked", "walk_in"])
def test_confirmations_say_what_was_sent_and_nothing_more(
    ctx: Context, officer: Staff, chief: Staff, queued: Queued, reach: str
) -> None:
    """A LINE case whose resident follows is told of a transfer, an extension and the close;
    a 簽會 tells nobody; a walk-in case or a resident who blocked the account gets nothing."""
    if reach == "walk_in":
        number = manual_case(ctx, officer.user)
    else:
        number = line_case(ctx, f"Ureach{reach}")
        if reach == "blocked":
            with ctx.sessions.begin() as session:
                residents.set_following(residents.get_or_create(session, f"Ureach{reach}"), False)
    unit = add_row(ctx, Unit(name="工務科"))
    agency = add_row(ctx, Agency(name="臺北市政府工務局"))
    due = load(ctx, number).due_at
    told = reach == "line"

    page = page_text(officer.get(f"/admin/cases/{number}"))
    assert ("系統自動以 LINE 通知反映者已移送" in page) is told
    assert ("登錄函轉並以 LINE 通知" in page) is told
    assert ("系統以 LINE 通知反映者延長理由" in page) is told
    assert ("會以 LINE 詢問反映者滿意度" in page) is told
    assert ("系統建立書面移送通知" in page) is not told

    steps: list[tuple[str, dict[str, Any]]] = [
        ("route-internal", {"unit_id": unit, "note": "請派員修復", **APPROVED}),
        ("route-external", {"agency_id": agency, "letter_number": "字第1號",
                            "letter_date": "2026-11-21", **APPROVED}),
        ("extend", {"new_due": (due + timedelta(days=10)).date().isoformat(),
                    "reason": "需會同現場勘查"}),
        ("record-reply", {"method": "mail", "body": "已函復處理情形。",
                          "on": rocdate.taipei_today().isoformat()}),
        ("status", {"status": "closed"}),
    ]  # fmt: skip
    for action, data in steps:
        before = len(queued.ids())
        who = chief if action == "extend" else officer
        message = _confirmation(who, who.act(number, action, **data))
        sent = len(queued.ids()) > before
        # Only a message that was queued is claimed; a missing one is said to be missing.
        assert ("已排入LINE" in message) is sent, (action, message)
        assert "已通知" not in message and "並已通知" not in message, (action, message)
        if action == "route-internal":
            assert not sent and "系統未通知反映者" in message
        elif action in ("route-external", "extend"):
            assert sent is told, (action, message)
            if reach == "walk_in":
                assert "此案件非經由LINE反映，已建立書面" in message
            if reach == "blocked":
                assert "反映者已封鎖本帳號，無法以LINE通知" in message
        elif data.get("status") == "closed":
            assert sent is told and ("滿意度" in message) is told
    assert len(queued.ids()) == (3 if told else 0)


def test_failed_delivery_shows_lines_error(ctx: Context, officer: Staff, queued: Queued) -> None:
    number = line_case(ctx, "Ufailed")
    officer.act(number, "reply", body="回覆內容", step="send")
    with ctx.sessions.begin() as session:
        row = session.get(OutboxMessage, queued.ids()[0])
        assert row is not None
        row.status, row.last_error = OUTBOX_FAILED, "LINE 400: The user hasn't added the bot"
    text = page_text(officer.get(f"/admin/cases/{number}"))
    assert "LINE 傳送：失敗" in text and "The user hasn't added the bot" in text


def test_reply_preview_shows_exactly_what_line_will_show(ctx: Context, officer: Staff) -> None:
    number = line_case(ctx, "Upreview")
    template = add_row(ctx, ReplyTemplate(title="修繕", body="本案已列入修繕工程。"))
    preview = officer.act(number, "reply", body="路燈已修復。\r\n謝謝。", step="preview")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    bubble = re.search(r'id="r-preview"[^>]*>(.*?)</div>', html, re.S)
    expected = texts.STAFF_REPLY.format(number=number, body="路燈已修復。\n謝謝。")
    assert bubble and unescape(bubble.group(1)) == expected
    assert count(ctx, OutboxMessage) == 0 and load(ctx, number).status == codes.RECEIVED
    filled = officer.act(number, "reply", template_id=template, step="template")
    assert filled.status_code == 200
    assert "本案已列入修繕工程。</textarea>" in filled.get_data(as_text=True)
    empty = officer.act(number, "reply", body="  ", step="preview")
    assert empty.status_code == 400 and "回覆內容不可空白" in page_text(empty)


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("status", {"status": "rejected"}, "第173條"),
        ("status", {"status": "rejected", "reason": "bogus"}, "第173條"),
        ("status", {"status": "merged"}, "請輸入要併入的案件編號"),
        ("status", {"status": "merged", "merge_into": "1150101-9999"}, "請輸入要併入的案件編號"),
        ("status", {"status": "closed"}, "無法改為「結案」"),
        ("status", {}, "請選擇新狀態"),
        ("status", {"status": "nonsense"}, "狀態不正確"),
        ("classify", {"nature": "need", "sub_item": "reform-1"}, "細項與性質不符"),
        ("classify", {"nature": "space"}, "性質不正確"),
        ("assign", {}, "請選擇承辦人或承辦單位"),
        ("assign", {"officer_id": "abc"}, "「承辦人」的值不正確"),
        ("assign", {"officer_id": "99999"}, "承辦人不存在"),
        ("route-internal", {}, "請選擇簽會單位"),
        (
            "route-external",
            {"agency_id": "AGENCY", "letter_date": "2026-11-21", **APPROVED},
            "請填寫函文文號",
        ),
        (
            "route-external",
            {"agency_id": "AGENCY", "letter_number": "字1", **APPROVED},
            "請填寫發文日期",
        ),
        (
            "route-external",
            {"letter_number": "字1", "letter_date": "2026-11-21", **APPROVED},
            "受文機關",
        ),
        ("note", {"note": "   "}, "內部註記不可空白"),
        ("reply", {"body": "", "step": "send"}, "回覆內容不可空白"),
        ("reply", {"body": "長" * 5000, "step": "send"}, "回覆內容過長"),
        ("extend", {"new_due": "2020-01-01", "reason": "會勘"}, "新期限須晚於原期限"),
        ("extend", {"new_due": "2099-01-01", "reason": ""}, "延長期限須說明理由"),
        ("extend", {"new_due": "明年", "reason": "會勘"}, "請選擇新的處理期限"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(
    ctx: Context, officer: Staff, queued: Queued, action: str, data: dict[str, str], message: str
) -> None:
    number = line_case(ctx, "Ubadinput")
    agency = add_row(ctx, Agency(name="工務局"))
    # The agency's id is known only once it exists.
    data = {key: str(agency) if value == "AGENCY" else value for key, value in data.items()}
    before = (load(ctx, number), events(ctx, number), count(ctx, AuditEntry))
    response = officer.act(number, action, **data)
    assert response.status_code == 400
    text = page_text(response)
    assert message in text and "案件資料未變更" in text
    after = (load(ctx, number), events(ctx, number), count(ctx, AuditEntry))
    assert after[0].status == before[0].status and after[0].nature == before[0].nature
    assert after[0].due_at == before[0].due_at and after[0].officer_id == before[0].officer_id
    assert after[1:] == before[1:]
    assert count(ctx, OutboxMessage) == 0 and queued.ids() == []
    # The form keeps what was typed.
    for value in data.values():
        if value.strip() and len(value) < 100 and action not in ("status", "classify", "assign"):
            assert value in response.get_data(as_text=True)


def test_walk_in_case_cannot_be_answered_on_line(ctx: Context, officer: Staff) -> None:
    number = manual_case(ctx, officer.user)
    html = officer.get(f"/admin/cases/{number}").get_data(as_text=True)
    assert "此案件非經由 LINE 反映" in html and "送出回覆" not in html
    response = officer.act(number, "reply", body="您好", step="send")
    assert response.status_code == 400 and "非經由LINE反映" in page_text(response)


def test_merge_points_to_the_target(ctx: Context, officer: Staff) -> None:
    target = line_case(ctx, "Umerge1")
    number = line_case(ctx, "Umerge2")
    assert officer.act(number, "status", status="merged", merge_into=target).status_code == 302
    html = officer.get(f"/admin/cases/{number}").get_data(as_text=True)
    assert f'href="/admin/cases/{target}"' in html
    rejected = line_case(ctx, "Umerge3")
    assert (
        officer.act(rejected, "status", status="rejected", reason="no_content").status_code == 302
    )
    assert "無具體之內容" in page_text(officer.get(f"/admin/cases/{rejected}"))


# -- manual intake ---------------------------------------------------------------------------


def test_manual_intake_form_and_section_169(ctx: Context, officer: Staff) -> None:
    form = officer.get("/admin/cases/new")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert 'value="officer 測試"' in html  # 紀錄人 defaults to the user's name
    assert "已向陳情人朗讀或使其閱覽，並經其簽名或蓋章確認" in html
    for channel in ("walk_in", "meeting", "phone", "letter"):
        assert f'value="{channel}"' in html
    assert 'value="line"' not in html and 'value="tip"' not in html
    data = {
        "channel": "walk_in",
        "recorder": "officer 測試",
        "reporter_name": "黃淑芬",
        "reporter_phone": "0933-222-111",
        "reporter_address": "新北市板橋區中山路一段161號",
        "reporter_occupation": "家管",
        "nature": "need",
        "sub_item": "need-3",
        "theme": "other",
        "description": "戶政事務所叫號系統常常故障，現場等候超過一小時。",
    }
    refused = officer.post("/admin/cases/new", data)
    assert refused.status_code == 400
    assert "第169條" in page_text(refused)
    assert "黃淑芬" in refused.get_data(as_text=True)  # the form keeps what was typed
    assert count(ctx, Case) == 0
    created = officer.post(
        "/admin/cases/new", {**data, "petition_confirmed": "1", "notice_method": "read_out"}
    )
    assert created.status_code == 302
    with ctx.sessions() as session:
        case = session.scalars(select(Case)).one()
        due_days = int(content.get(session, "due_days"))
    # The acceptance notice is a letter still to send: the confirmation says so.
    assert created.headers["Location"].endswith(
        f"/admin/cases/{case.number}?done=created&letters=1"
    )
    assert (case.channel, case.nature, case.sub_item, case.theme) == (
        "walk_in", "need", "need-3", "other",
    )  # fmt: skip
    assert (case.reporter_name, case.reporter_occupation, case.recorder) == (
        "黃淑芬", "家管", "officer 測試",
    )  # fmt: skip
    assert case.petition_confirmed and case.resident_id is None
    assert (case.due_at - case.created_at).days in (due_days - 1, due_days)
    assert "已新增紀錄" in page_text(officer.get(created.headers["Location"]))
    # A letter needs no read-back; an anonymous one has no name.
    letter = {
        **data, "channel": "letter", "reporter_name": "", "description": "來函建議增設路燈。",
        "notice_method": "printed",
    }  # fmt: skip
    assert officer.post("/admin/cases/new", letter).status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"channel": ""}, "受理管道"),
        ({"channel": "line"}, "受理管道"),
        ({"nature": ""}, "請選擇性質"),
        ({"nature": "tip"}, "僅政風人員"),
        ({"nature": "reform", "sub_item": "need-1"}, "細項與性質不符"),
        ({"description": "短"}, "需求／反映內容概述"),
        ({"recorder": " "}, "請填寫紀錄人"),
        ({"theme": "space"}, "主題不正確"),
        ({"reporter_phone": "12345"}, "聯絡電話格式不正確"),
    ],
)
def test_manual_intake_bad_input(
    ctx: Context, officer: Staff, changes: dict[str, str], message: str
) -> None:
    data = {
        "channel": "letter",
        "recorder": "officer 測試",
        "nature": "need",
        "description": "來函建議增設路燈。",
        **changes,
    }
    response = officer.post("/admin/cases/new", data)
    assert response.status_code == 400
    assert message in page_text(response)
    assert count(ctx, Case) == 0


# -- media -----------------------------------------------------------------------------------


def _stored_media(
    ctx: Context, number: str, content_type: str, body: bytes, suffix: str, **fields: Any
) -> int:
    relative = f"tests/{number}-{len(body)}{suffix}"
    path = ctx.settings.media_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    with ctx.sessions.begin() as session:
        case_id = session.scalar(select(Case.id).where(Case.number == number))
        values: dict[str, Any] = {
            "line_message_id": f"m-{number}-{suffix}-{content_type}",
            "case_id": case_id,
            "kind": "image" if content_type.startswith("image/") else "file",
            "status": "stored",
            "content_type": content_type,
            "size": len(body),
            "path": relative,
            **fields,
        }
        media = MediaFile(**values)
        session.add(media)
        session.flush()
        return int(media.id)


def test_media_route_serves_stored_files_safely(ctx: Context, officer: Staff) -> None:
    number = line_case(ctx, "Umedia")
    image = _stored_media(ctx, number, "image/png", PNG, ".png")
    svg = _stored_media(ctx, number, "image/svg+xml", b"<svg onload='alert(1)'/>", ".svg")
    pdf = _stored_media(ctx, number, "application/pdf", b"%PDF-1.4 test", ".pdf")
    unsent = _stored_media(ctx, number, "image/png", PNG, ".x.png", status="unsent")
    loose = _stored_media(ctx, number, "image/png", PNG, ".y.png", case_id=None)

    shown = officer.get(f"/admin/media/{image}")
    assert shown.status_code == 200 and shown.data == PNG
    assert shown.headers["Content-Type"] == "image/png"
    assert shown.headers["Content-Disposition"] == "inline"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    for attached in (svg, pdf):
        response = officer.get(f"/admin/media/{attached}")
        assert response.status_code == 200
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert officer.get(f"/admin/media/{pdf}").headers["Content-Type"] == "application/pdf"
    for missing in (unsent, loose, 999999):
        assert officer.get(f"/admin/media/{missing}").status_code == 404
    # The case page shows the photo as a thumbnail from this route.
    with ctx.sessions.begin() as session:
        row = session.get(MediaFile, image)
        assert row is not None
        row.line_message_id = "photo-1"
        case = session.scalars(select(Case).where(Case.number == number)).one()
        data = {"media_message_id": "photo-1", "kind": "image"}
        cases.add_event(session, case, "resident_media", "resident", public=True, data=data)
    html = officer.get(f"/admin/cases/{number}").get_data(as_text=True)
    assert f'<img src="/admin/media/{image}"' in html
    assert "民眾已收回" in html


def test_media_route_needs_a_login(client: Any, ctx: Context) -> None:
    number = line_case(ctx, "Umedia2")
    image = _stored_media(ctx, number, "image/png", PNG, ".png")
    response = client.get(f"/admin/media/{image}")
    assert response.status_code in (302, 401)
    assert response.data != PNG


# -- print view ------------------------------------------------------------------------------


def test_print_view_is_laid_out_like_form_1(ctx: Context, officer: Staff) -> None:
    with ctx.sessions.begin() as session:
        content.put(session, "agency_name", "臺北市政府政風處", by="test")
    number = personal_case(ctx, "Uprint")
    assign_to(ctx, number, officer.user)  # the assigned officer may see it in full
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case)).one()
        case.handling_opinion = "已函請工務局修復。"
        case.recorder = "陳承辦"
        case.signing_agency = "臺北市政府工務局"
        created = case.created_at
    response = officer.get(f"/admin/cases/{number}/print")
    assert response.status_code == 200
    text = page_text(response)
    title = f"臺北市政府政風處村里廉政平臺工作紀錄表{rocdate.roc_date(created)}"
    assert title in re.sub(r"\s+", "", text)  # the form's title line: the name, then the date
    for label in (
        "反映者姓名",
        "職業",
        "聯絡電話",
        "聯絡地址",
        "處　理　意　見",
        "紀　錄　人（簽名）",
    ):
        assert label in text, label
    assert "■民情需求事項" in text and "□施政興革反映" in text
    assert "需求／反映等" in text and "內容概述" in text
    assert DESCRIPTION in text and "已函請工務局修復。" in text
    assert "陳承辦" in text and "臺北市政府工務局" in text
    assert "【註】「宣揚反貪倡廉資訊」免記載於本紀錄表。" in text
    assert NAME in text and "0912-345-678" in text and ADDRESS in text  # may reveal
    assert len(reveals(ctx, number)) == 1
    assert "print.css" in response.get_data(as_text=True)


def test_anonymous_print_logs_no_reveal(ctx: Context, officer: Staff) -> None:
    number = line_case(ctx, "Uprint2", anonymous=True, nature="reform", sub_item="reform-2")
    text = page_text(officer.get(f"/admin/cases/{number}/print"))
    assert "□民情需求事項" in text and "■施政興革反映" in text and "匿名" in text
    assert reveals(ctx, number) == []


# -- escaping --------------------------------------------------------------------------------

XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


def test_citizen_text_is_escaped_everywhere(ctx: Context, officer: Staff) -> None:
    number = line_case(
        ctx, "Uxss", description="路燈" + XSS[0] + XSS[1], name=XSS[1] + "王", occupation=XSS[0]
    )
    assign_to(ctx, number, officer.user)
    for url in ("/admin/cases", f"/admin/cases/{number}", f"/admin/cases/{number}/print"):
        html = officer.get(url).get_data(as_text=True)
        for payload in XSS:
            assert payload not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    revealed = officer.act(number, "reveal", reason="查證").get_data(as_text=True)
    assert XSS[1] not in revealed and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;王" in revealed
