"""個資法 §8: the notice comes before the first question that collects anything, is
acknowledged (「已閱讀」, never 「同意」), and is recorded on the draft, the resident and the case;
the default notice gives every §8 item; manual intake records how the notice was given."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import func, select

from lianping import codes
from lianping.bot import messages, texts
from lianping.bot.conversation import Content, ReadNotice
from lianping.bot.conversation.defaults import DEFAULT_CONTENT
from lianping.context import Context
from lianping.line.limits import LIMITS, utf16_units
from lianping.services import content
from lianping.storage.models import AuditEntry, Case, PrivacyNotice, Resident, User
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import api_token, staff
from tests.support import wait_until
from tests.test_admin_pages import Staff, page_text
from tests.test_conversation_flow import DESCRIPTION, NEED_2
from tests.test_engine import CONTENT, Chat
from tests.test_resident_case_cards import _send

OFFLINE = texts.offline_ways(
    "測試市政府政風處", "02-2345-6789", "ethics@example.gov.tw", "中正路1號"
)
WITH_WAYS = Content(**{**CONTENT.__dict__, "offline_ways": OFFLINE})


# -- the conversation -------------------------------------------------------------------------


def test_a_new_resident_reads_the_notice_before_the_first_question() -> None:
    chat = Chat()
    chat.postback("menu=report")
    assert chat.step == "notice"
    assert chat.last.messages[0]["text"] == CONTENT.privacy_notice
    assert texts.NATURE_PROMPT.split("\n")[0] not in chat.said(), "nothing is asked yet"
    assert chat.labels()[:2] == [texts.LABEL_NOTICE_READ, texts.LABEL_WITHOUT_LINE]
    assert "同意" not in chat.said()
    chat.tap(texts.LABEL_NOTICE_READ)
    assert chat.last.effects == [ReadNotice(CONTENT.privacy_version)]
    assert chat.step == "nature"
    assert chat.draft["notice_version"] == CONTENT.privacy_version
    assert chat.draft["notice_read_at"] == chat.now


def test_a_tip_shows_the_notice_before_its_introduction() -> None:
    chat = Chat()
    chat.postback("a=tip")
    assert chat.step == "notice"
    assert texts.TIP_INTRO not in chat.said()
    assert "檢舉" in chat.last.messages[-1]["text"]
    chat.text("已閱讀")  # typed works like the tap
    assert chat.step == "tip"
    assert chat.last.effects == [ReadNotice(CONTENT.privacy_version)]


def test_text_or_media_before_the_notice_is_read_is_not_collected() -> None:
    chat = Chat()
    chat.postback("menu=report")
    chat.media("image", "too-early")
    chat.text("路燈壞了")
    assert chat.step == "notice"
    assert chat.last.messages[0]["text"] == texts.NOTICE_FIRST
    assert chat.draft["photos"] == [] and chat.draft["description"] == ""


def test_a_resident_who_read_this_version_gets_one_line_and_goes_on() -> None:
    chat = Chat()
    chat.notice_version, chat.notice_read_ms = CONTENT.privacy_version, 1_700_000_000_000
    chat.postback("menu=report")
    assert chat.step == "nature"
    first = chat.last.messages[0]["text"]
    assert first == texts.NOTICE_ALREADY_READ.format(version=CONTENT.privacy_version)
    assert "個資說明" in first and CONTENT.privacy_notice not in chat.said()
    assert chat.draft["notice_version"] == CONTENT.privacy_version
    assert chat.draft["notice_read_at"] == 1_700_000_000_000, "when it was read"
    chat.tap("上一步")
    assert chat.step == "idle", "no notice step to go back to"


def test_a_tap_under_an_older_version_shows_the_new_one_first() -> None:
    chat = Chat()
    chat.postback("menu=report")
    stale = chat.data_of(texts.LABEL_NOTICE_READ)
    newer = Content(**{**CONTENT.__dict__, "privacy_version": CONTENT.privacy_version + 1})
    chat.content = newer
    chat.postback(stale)
    assert chat.step == "notice" and chat.last.effects == []
    assert chat.last.messages[0]["text"] == texts.NOTICE_UPDATED.format(version=4)
    assert chat.last.messages[1]["text"] == CONTENT.privacy_notice
    chat.tap(texts.LABEL_NOTICE_READ)
    assert chat.last.effects == [ReadNotice(4)] and chat.draft["notice_version"] == 4


def test_a_new_version_is_shown_again_in_full() -> None:
    chat = Chat()
    chat.notice_version, chat.notice_read_ms = CONTENT.privacy_version - 1, 1_700_000_000_000
    chat.postback("a=tip")
    assert chat.step == "notice"
    assert chat.last.messages[0]["text"] == CONTENT.privacy_notice


def test_not_using_line_tells_the_other_ways_and_keeps_nothing() -> None:
    chat = Chat(WITH_WAYS)
    chat.text("公園的溜滑梯壞掉了")
    chat.tap(texts.LABEL_START_WITH_TEXT)
    chat.tap(texts.LABEL_WITHOUT_LINE)
    assert chat.step == "idle" and "draft" not in chat.state
    said = chat.last.messages[0]["text"]
    for words in ("02-2345-6789", "ethics@example.gov.tw", "中正路1號", "第15條", "0800-286-586"):
        assert words in said
    assert chat.last.effects == [] and chat.created == []


def test_a_draft_begun_before_the_notice_came_first_gets_it_before_sending() -> None:
    chat = Chat()
    chat.postback("menu=report")
    for label in (texts.LABEL_NOTICE_READ, "民情需求", NEED_2, texts.LABEL_SKIP):
        chat.tap(label)
    chat.text(DESCRIPTION)
    chat.tap(texts.LABEL_DONE)
    chat.tap(texts.LABEL_SKIP)
    chat.tap(texts.LABEL_SKIP)
    chat.tap(texts.LABEL_ANONYMOUS)
    chat.tap(texts.LABEL_SKIP)  # publication
    assert chat.step == "summary"
    # As an older release left it: no notice read on the draft.
    chat.state = {**chat.state, "draft": {**chat.draft, "notice_version": None}}
    chat.tap(texts.LABEL_SUBMIT)
    assert chat.step == "notice" and chat.created == []
    chat.tap(texts.LABEL_NOTICE_READ)
    assert chat.step == "summary"
    chat.tap(texts.LABEL_SUBMIT)
    (created,) = chat.created
    assert created.notice_version == CONTENT.privacy_version


def test_a_long_notice_is_split_at_paragraphs_within_lines_limit() -> None:
    paragraph = "告" * 3000
    long = Content(**{**CONTENT.__dict__, "privacy_notice": f"{paragraph}\n{paragraph}"})
    chat = Chat(long)  # Chat checks every answer against LINE's limits
    chat.postback("menu=report")
    assert [m["text"] for m in chat.last.messages[:2]] == [paragraph, paragraph]


# -- the default notice --------------------------------------------------------------------

# 個資法 §8 I, item by item, as words the default must hold.
SECTION_8_ITEMS = {
    "一 agency": ["蒐集機關：臺北市政府政風處"],
    "二 purpose": ["蒐集目的", "第15條", "執行法定職務必要範圍內", "陳情", "檢舉"],
    "三 categories": [
        "姓名", "聯絡電話", "聯絡地址", "職業", "LINE識別碼", "顯示名稱", "區／村里",
        "文字", "照片", "檔案", "位置", "標籤", "滿意度", "有獎徵答",
    ],
    "四 period, area, recipients, method": [
        "期間", "地區", "對象", "方式", "受轉請處理的權責機關", "法務部廉政署", "不含識別資料",
        "LINE平臺", "保存48小時", "保存60日", "保存45日", "保存14日", "保存120日", "保存10年",
        "檔案保存年限",
    ],
    "五 rights and how": [
        "查詢或請求閱覽", "製給複製本", "補充或更正", "停止蒐集、處理或利用", "請求刪除",
        "個資說明", "電話（02-2345-6789）", "電子郵件（ethics@example.gov.tw）",
        "書面或親至（100 臺北市中正區重慶南路一段122號）", "第13條",
    ],
    "六 not providing": ["不提供", "不具名", "第173條第1款", "電話、書面或親至"],
}  # fmt: skip


def _set(ctx: Context, **values: Any) -> None:
    with ctx.sessions.begin() as session:
        for key, value in values.items():
            content.put(session, key, value, by="test")


def test_the_default_notice_gives_every_section_8_item(ctx: Context) -> None:
    _set(
        ctx,
        agency_name="臺北市政府政風處",
        ethics_phone="02-2345-6789",
        ethics_email="ethics@example.gov.tw",
        ethics_address="100 臺北市中正區重慶南路一段122號",
        retention_draft_hours=48,
        retention_payload_days=60,
        retention_outbox_days=45,
        retention_orphan_media_days=14,
        retention_unfollowed_days=120,
        retention_case_years=10,
    )
    with ctx.sessions.begin() as session:
        body = content.current_privacy_notice(session).body
    missing = {item: [w for w in words if w not in body] for item, words in SECTION_8_ITEMS.items()}
    assert not {item: words for item, words in missing.items() if words}
    assert "同意" not in body and "製給複本" not in body
    assert content.notice_placeholders(body) == []


def test_the_built_in_notice_names_no_agency_and_asks_no_consent() -> None:
    assert "同意" not in DEFAULT_CONTENT.privacy_notice
    assert content.notice_placeholders(DEFAULT_CONTENT.privacy_notice) == [texts.AGENCY_FALLBACK]


# -- LINE end to end: the resident, the profile and the case -------------------------------------


def _tap(ctx: Context, sim: Sim, user: str, data: str) -> list[dict[str, Any]]:
    event = line_events.postback(user, "x" * 32, data, timestamp=int(time.time() * 1000))
    return _send(ctx, sim, user, event)


def _quick(answer: list[dict[str, Any]], label: str) -> str:
    for item in answer[-1]["quickReply"]["items"]:
        if item["action"]["label"] == label:
            return str(item["action"]["data"])
    raise AssertionError(label)


def _resident(ctx: Context, user: str) -> Resident:
    with ctx.sessions() as session:
        found = session.scalars(select(Resident).where(Resident.line_user_id == user)).one()
        session.expunge(found)
        return found


def test_the_profile_is_fetched_only_after_the_notice_is_read(ctx: Context, sim: Sim) -> None:
    user = sim.new_resident("林小美")
    _send(ctx, sim, user, line_events.follow(user, "x" * 32, timestamp=int(time.time() * 1000)))
    before = _resident(ctx, user)
    assert before.display_name is None and before.profile_fetched_at is None
    shown = _tap(ctx, sim, user, "menu=report")
    assert _resident(ctx, user).display_name is None, "the notice is only shown"
    sim.faults(latency_ms=3000, path_prefix="/v2/bot/profile")
    try:
        started = time.monotonic()
        _tap(ctx, sim, user, _quick(shown, texts.LABEL_NOTICE_READ))
        # Fetched on the worker's background thread: the drain never waits for LINE's 3 s.
        assert time.monotonic() - started < 2.5
        after = wait_until(lambda: (found := _resident(ctx, user)).display_name and found)
    finally:
        sim.faults(clear=True)
    assert after.display_name == "林小美"
    with ctx.sessions() as session:
        version = session.scalar(select(func.max(PrivacyNotice.version)))
    assert after.notice_version == version and after.notice_read_at is not None


def test_a_filed_case_records_the_notice_read_on_line(ctx: Context, sim: Sim) -> None:
    user = sim.new_resident("王大同")
    answer = _tap(ctx, sim, user, "a=tip")
    answer = _tap(ctx, sim, user, _quick(answer, texts.LABEL_NOTICE_READ))
    read_at = _resident(ctx, user).notice_read_at
    answer = _tap(ctx, sim, user, _quick(answer, texts.LABEL_TIP_START))
    answer = _send(ctx, sim, user, line_events.text(user, "x" * 32, "某承辦人疑似收受廠商招待。"))
    answer = _tap(ctx, sim, user, _quick(answer, texts.LABEL_DONE))
    answer = _tap(ctx, sim, user, _quick(answer, texts.LABEL_SKIP))
    answer = _tap(ctx, sim, user, _quick(answer, texts.LABEL_SKIP))
    answer = _tap(ctx, sim, user, _quick(answer, texts.LABEL_ANONYMOUS_TIP))
    created = _tap(ctx, sim, user, _quick(answer, texts.LABEL_SUBMIT))
    said = "\n".join(m.get("text", "") for m in created)
    assert "完成收件登記" in said and "20日內通知受理情形" in said and "另行通知" in said
    with ctx.sessions() as session:
        case = session.scalars(select(Case)).one()
        version = session.scalar(select(func.max(PrivacyNotice.version)))
    assert (case.notice_version, case.notice_method) == (version, "line")
    assert case.notice_read_at == read_at


# -- administrator settings and the status page ----------------------------------------------


def test_publishing_a_notice_with_a_placeholder_is_refused(app: Any, ctx: Context) -> None:
    admin = Staff(app, ctx, staff(ctx, "notice-admin", "admin"))
    with ctx.sessions() as session:
        audited = session.scalar(select(func.count()).select_from(AuditEntry))
    for body in (f"{texts.AGENCY_FALLBACK}蒐集您的資料。", "○○市政府政風處", "機關：{agency}"):
        refused = admin.post("/admin/settings/privacy", {"body": body})
        assert refused.status_code == 400
        assert "待填寫" in page_text(refused)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PrivacyNotice)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audited
    published = admin.post("/admin/settings/privacy", {"body": "臺北市政府政風處個資告知。"})
    assert published.status_code in (302, 303)


def test_the_status_page_says_when_no_head_of_ethics_is_set(app: Any, ctx: Context) -> None:
    admin = Staff(app, ctx, staff(ctx, "status-boss", "admin", ethics=True))
    assert "尚未指定政風單位主管" in page_text(admin.get("/admin/status"))
    head = staff(ctx, "status-head", "officer", ethics=True)
    with ctx.sessions.begin() as session:
        session.get_one(User, head.id).head_of_ethics = True
    assert "尚未指定政風單位主管" not in page_text(admin.get("/admin/status"))


def test_the_status_page_says_when_the_notice_names_no_agency(app: Any, ctx: Context) -> None:
    admin = Staff(app, ctx, staff(ctx, "status-admin", "admin"))
    with ctx.sessions.begin() as session:  # version 1, written before the agency was set
        content.current_privacy_notice(session)
    assert "個人資料蒐集告知尚未完成" in page_text(admin.get("/admin/status"))
    _set(ctx, agency_name="臺北市政府政風處")
    with ctx.sessions.begin() as session:
        default = content.default_privacy_notice(content.all_values(session))
    assert admin.post("/admin/settings/privacy", {"body": default}).status_code in (302, 303)
    assert "個人資料蒐集告知尚未完成" not in page_text(admin.get("/admin/status"))


# -- manual intake ---------------------------------------------------------------------------

FORM = {
    "channel": "walk_in",
    "nature": "need",
    "description": "里民反映公園路燈不亮已一週。",
    "reporter_name": "張三",
    "recorder": "李承辦",
    "petition_confirmed": "1",
}


def test_manual_intake_requires_how_the_notice_was_given(app: Any, ctx: Context) -> None:
    officer = Staff(app, ctx, staff(ctx, "intake-officer", "officer"))
    form = page_text(officer.get("/admin/cases/new"))
    assert "交付書面告知事項" in form and "當面朗讀告知事項" in form
    refused = officer.post("/admin/cases/new", FORM)
    assert refused.status_code == 400 and "個人資料蒐集告知的方式" in page_text(refused)
    odd = officer.post("/admin/cases/new", {**FORM, "notice_method": "line"})
    assert odd.status_code == 400
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
    created = officer.post("/admin/cases/new", {**FORM, "notice_method": "read_out"})
    assert created.status_code in (302, 303)
    with ctx.sessions() as session:
        case = session.scalars(select(Case)).one()
        current = session.scalar(select(func.max(PrivacyNotice.version)))
        number = case.number
    assert (case.notice_version, case.notice_method) == (current, "read_out")
    shown = page_text(officer.get(f"/admin/cases/{number}"))
    assert f"第 {current} 版・{codes.NOTICE_METHOD_SHORT['read_out']}" in shown


def test_the_printable_notice_is_the_current_version(app: Any, ctx: Context) -> None:
    officer = Staff(app, ctx, staff(ctx, "print-officer", "officer"))
    with ctx.sessions.begin() as session:
        content.current_privacy_notice(session)
        content.add_privacy_notice(session, "臺北市政府政風處個資告知第二版。\n第二段。", by="t")
    page = officer.get("/admin/cases/new/notice")
    assert page.status_code == 200
    text = page_text(page)
    assert "第2版" in text and "臺北市政府政風處個資告知第二版。" in text and "第二段。" in text
    assert "print.css" in page.get_data(as_text=True)


def test_the_units_address_is_a_setting_the_ways_without_line_name(app: Any, ctx: Context) -> None:
    admin = Staff(app, ctx, staff(ctx, "address-admin", "admin"))
    address = "220242 新北市板橋區中山路一段161號"
    saved = admin.post("/admin/settings/texts/ethics_address", {"value": f" {address} "})
    assert saved.status_code in (302, 303)
    too_long = admin.post("/admin/settings/texts/ethics_address", {"value": "址" * 101})
    assert too_long.status_code == 400 and "不得超過100個字" in page_text(too_long)
    with ctx.sessions() as session:
        assert content.get(session, "ethics_address") == address
        ways = content.for_conversation(session).offline_ways
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.target_id == "ethics_address")
        ).one()
    assert address in ways and entry.after == {"value": address}


def test_the_api_intake_records_the_notice_method_and_requires_it(app: Any, ctx: Context) -> None:
    headers = api_token(ctx, staff(ctx, "api-intake", "officer"))
    body = {**FORM, "petition_confirmed": True}
    client = app.test_client()
    missing = client.post("/api/v1/cases", json=body, headers=headers)
    assert missing.status_code == 400 and "notice_method" in str(missing.get_json())
    created = client.post(
        "/api/v1/cases", json={**body, "notice_method": "printed"}, headers=headers
    )
    assert created.status_code == 201
    assert created.get_json()["case"]["notice_method"] == "printed"
    with ctx.sessions() as session:
        assert session.scalars(select(Case.notice_method)).all() == ["printed"]


def test_a_notice_longer_than_a_message_is_sent_in_whole_paragraphs_within_the_limit() -> None:
    # 4,000 characters of Extension B are 8,000 UTF-16 units: more than one LINE message.
    paragraphs = ["一、" + "個" * 1500, "二、" + "𠮷" * 3000, "三、" + "資" * 200]
    notice = "\n".join(paragraphs)
    sent = [m["text"] for m in messages.long_text(notice)]
    assert all(utf16_units(part) <= LIMITS["text_utf16_units"] for part in sent)
    assert "".join(sent).replace("\n", "") == notice.replace("\n", "")
    assert sent[0] == paragraphs[0]  # a paragraph that fits is never split
    assert len(messages.long_text("一行")) == 1
