"""An officer's day on the realistic data, in a real browser, with the whole product running.

On the demo data at working size (the realistic tier's, with photos and long, emoji-laden
reports), 陳怡君 logs in, reads the inbox, and works five open cases through every action:
classify, assign, 簽會, 函轉 (the resident is told), 處理意見, internal notes, a deadline
extension, 不予處理, 併案, a look at the reporter's details, and answers two residents on
LINE, one from a reply template; the worker delivers the answers and they appear in those
residents' chats on the simulator's chat page. She then builds the 工作成果彙報表 of the
period the first case was received in and downloads it as ODS, XLSX, CSV and PDF, each opened
with its reader; and the administrator reads her day in the audit log.
Screenshots are saved at each step (SCREENSHOT_DIR).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from lianping import codes, rocdate
from lianping.config import Settings
from lianping.context import Context
from lianping.services import report_periods
from lianping.storage.models import Agency, Case, Resident, Unit
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.realistic import data, readers
from tests.support import WorkerProcess, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.realistic]

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/lianping-screenshots"))
OFFICER, OFFICER_NAME = "demo-officer1", "陳怡君"
ADMIN = "demo-admin"
UNIT = "工務科"
AGENCY = "新北市政府工務局"
LETTER = "新北府政風字第1150009876號"
NOTE = "已電話聯繫里長，里長表示會協助確認現場。"
APPROVER = "局長 王○○"  # 首長核可 of the 簽會 and the 函轉
OPINION = "簽會工務科派員現勘，確認現場情形屬實，已列入本週維修排程，完工後回復反映人。"
ANSWER = "經洽新北市政府工務局，該局已排定本週派員現勘，處理情形將由該局另行回覆您，謝謝您的反映。"
EXTENSION = "需會同其他單位現勘"
TEMPLATE = "已派員修復"  # one of the demo's reply templates, with ○ blanks for the date


@dataclass(frozen=True)
class Day:
    """The five open cases of the day: two LINE reports to answer and three more."""

    routed: str  # 簽會 the unit, 處理意見, note, answered from a template
    transferred: str  # 函轉 another agency (the resident is told), then answered
    extended: str  # deadline extended with a reason, note
    rejected: str  # 不予處理 (§173)
    merged: str  # 併案 into ``routed``
    routed_user: str  # the LINE users of the two answered
    transferred_user: str


def _seed(ctx: Context, settings: Settings) -> None:
    with ctx.sessions.begin() as session:
        data.seed(session, settings.media_dir)


def _pick(ctx: Context) -> Day:
    """Open cases a non-政風 officer may work; the two to answer on LINE from followers."""
    with ctx.sessions() as session:
        rows = session.execute(
            select(
                Case.number,
                Case.status,
                Case.channel,
                Case.sub_item,
                Resident.line_user_id,
                Resident.following,
            )
            .outerjoin(Resident, Resident.id == Case.resident_id)
            .where(
                Case.confidential.is_(False),
                Case.status.in_([codes.RECEIVED, codes.ASSIGNED, codes.IN_PROGRESS]),
            )
            .order_by(Case.created_at.desc(), Case.id.desc())
        ).all()
    on_line = [r for r in rows if r.channel == "line" and r.following]
    # The unit repairs what the first one reports: a public facility, if one is waiting.
    waiting = [r for r in on_line if r.status in (codes.RECEIVED, codes.ASSIGNED)]
    routed = next((r for r in waiting if r.sub_item == "need-2"), waiting[0])
    transferred = next(r for r in on_line if r.number != routed.number)
    rest = [r.number for r in rows if r.number not in (routed.number, transferred.number)]
    return Day(
        routed.number, transferred.number, rest[0], rest[1], rest[2],
        routed.line_user_id, transferred.line_user_id,
    )  # fmt: skip


class Desk:
    """The officer's browser tab on the staff site."""

    def __init__(self, page: Any, web: str) -> None:
        self.page = page
        self.web = web

    def shot(self, name: str, *, full: bool = False) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"officer-day-{name}.png"), full_page=full)

    def log_in(self, username: str) -> None:
        self.page.goto(f"{self.web}/admin/")
        self.page.get_by_label("帳號").fill(username)
        self.page.get_by_label("密碼").fill(data.PASSWORD)
        self.page.get_by_role("button", name="登入").click()
        self.page.wait_for_url(re.compile(r".*/admin/(cases|login/enrol).*"))
        if "/login/enrol" in self.page.url:
            # An administrator's first sign-in sets up the second factor.
            secret = self.page.locator("#totp-secret").inner_text().strip()
            self.page.get_by_label("驗證器顯示的6位數驗證碼").fill(pyotp.TOTP(secret).now())
            self.page.get_by_role("button", name="確認並啟用").click()
            self.page.get_by_role("link", name="已妥善保存，繼續").click()
        self.page.wait_for_url("**/admin/cases**")

    def open_case(self, number: str) -> None:
        """Find the case by its number in the inbox's search, as staff do, and open it."""
        self.page.get_by_role("link", name="案件收件匣").first.click()
        self.page.get_by_role("searchbox", name="搜尋").fill(number)
        self.page.get_by_role("button", name="搜尋", exact=True).click()
        self.page.get_by_role("link", name=number).click()
        self.page.get_by_role("heading", name=f"案件 {number}").wait_for()

    def act(
        self, section: str, button: str | re.Pattern[str], fields: dict[str, str] | None = None
    ) -> str:
        """Open the action's section, fill its fields (label → value; a list's option by its
        value or its words) and submit it; the confirmation the page shows."""
        self.page.locator("summary", has_text=section).click()
        form = self.page.locator(
            "details[open]", has=self.page.locator("summary", has_text=section)
        )
        for label, value in (fields or {}).items():
            field = form.get_by_label(label, exact=True)
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        form.get_by_role("button", name=button).click()
        self.page.wait_for_load_state()
        errors = self.page.locator(".notice-error")
        assert errors.count() == 0, errors.first.inner_text()
        return str(self.page.locator(".notice-ok").inner_text())

    def classify_and_assign(self, nature: str, sub_item: str, theme: str) -> None:
        done = self.act("分類", "儲存分類", {"性質": nature, "細項": sub_item, "主題": theme})
        assert "已更新分類" in done
        done = self.act("分案", "分案", {"承辦人": OFFICER_NAME, "承辦單位": UNIT})
        assert "已分案" in done


def _classification(ctx: Context, number: str) -> tuple[str, str]:
    """The case's nature, and its sub-item (the nature's first when the resident gave none)."""
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        first = next(code for code, item in codes.SUB_ITEMS.items() if item.nature == case.nature)
        return case.nature, case.sub_item or first


@pytest.fixture
def desk(browser: Any, web: str) -> Iterator[Desk]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-TW", timezone_id="Asia/Taipei",
        accept_downloads=True,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(20_000)
    dialogs: list[str] = []
    # A template replacing typed words asks first; the officer agrees.
    page.on("dialog", lambda d: (dialogs.append(d.message), d.accept()))
    yield Desk(page, web)
    context.close()


@pytest.mark.timeout(600)
def test_an_officers_day_on_the_realistic_data(
    desk: Desk,
    browser: Any,
    sim: Sim,
    worker: WorkerProcess,
    ctx: Context,
    settings: Settings,
) -> None:
    _seed(ctx, settings)
    day = _pick(ctx)
    # The two residents answered today follow the account on the simulator.
    sim.add_followers([day.routed_user, day.transferred_user])
    page = desk.page

    # Morning: the inbox, then the 新收 tab.
    desk.log_in(OFFICER)
    assert page.get_by_role("link", name="案件收件匣").get_attribute("aria-current") == "page"
    desk.shot("01-inbox")
    tabs = page.locator("nav.tabs")
    tabs.get_by_role("link", name=re.compile("^" + codes.STATUSES[codes.RECEIVED])).click()
    desk.shot("02-inbox-received")

    # 1. A LINE report: classify, assign, 簽會, 處理意見, note, answer from a template.
    desk.open_case(day.routed)
    desk.classify_and_assign(*_classification(ctx, day.routed), "works")
    done = desk.act(
        "簽會本機關單位", "簽會",
        {"簽會單位": UNIT, "簽會說明": "請派員現勘", "首長核可人（職稱及姓名）": APPROVER},
    )  # fmt: skip
    assert "已簽會" in done
    done = desk.act("處理意見", "儲存處理意見", {"處理意見（列於工作紀錄表）": OPINION})
    assert "已儲存處理意見" in done
    assert "已新增內部註記" in desk.act("內部註記", "新增註記", {"註記內容（民眾看不到）": NOTE})
    # From the template, with its ○ blanks filled in by hand as the template asks.
    page.get_by_label("回覆範本").select_option(label=TEMPLATE)
    template_text = page.get_by_label("回覆內容").input_value()
    assert "○月○日" in template_text
    today = rocdate.taipei_today()
    template_text = template_text.replace("○月○日", f"{today.month}月{today.day}日")
    page.get_by_label("回覆內容").fill(template_text)
    page.get_by_role("button", name="預覽").click()
    assert f"【案件 {day.routed} 回覆】" in page.locator("#r-preview").inner_text()
    page.get_by_role("button", name="送出回覆").click()
    page.locator(".notice-ok").wait_for()
    assert "回覆已排入LINE傳送" in page.locator(".notice-ok").inner_text()
    desk.shot("03-case-routed-and-answered-timeline")
    page.evaluate("window.scrollTo(0, 0)")
    desk.shot("03-case-routed-and-answered")

    # 2. A LINE report to another agency's business: 函轉 (the resident is told), answer.
    desk.open_case(day.transferred)
    desk.classify_and_assign(*_classification(ctx, day.transferred), "other")
    done = desk.act(
        "函轉其他機關",
        re.compile("^登錄函轉"),
        {"受文機關": AGENCY, "函文文號": LETTER, "首長核可人（職稱及姓名）": APPROVER},
    )
    assert "已登錄函轉" in done and "通知反映者" in done
    page.get_by_label("回覆內容").fill(ANSWER)
    page.get_by_role("button", name="送出回覆").click()
    page.locator(".notice-ok").wait_for()
    desk.shot("04-case-transferred-and-answered")

    # 3. Reveal the reporter's details, extend the deadline with a reason, note.
    desk.open_case(day.extended)
    desk.classify_and_assign(*_classification(ctx, day.extended), "other")
    if page.get_by_role("button", name="標示為已讀").count():
        page.get_by_role("button", name="標示為已讀").click()
        page.get_by_text("已將民眾補充標示為已讀").wait_for()
    if page.get_by_role("button", name="顯示個人資料").count():
        page.get_by_label("檢視原因").fill("電話聯繫反映者，確認路燈位置")
        page.get_by_role("button", name="顯示個人資料").click()
        page.get_by_text("已顯示反映者個人資料").wait_for()
    with ctx.sessions() as session:
        due = session.scalars(select(Case.due_at).where(Case.number == day.extended)).one()
    new_due = max(rocdate.taipei_today(), due.astimezone(rocdate.TAIPEI).date()).toordinal() + 14
    page.locator("summary", has_text="延長處理期限").click()
    page.get_by_label("新期限").fill(date.fromordinal(new_due).isoformat())
    page.get_by_label("延長理由").fill(EXTENSION)
    # An officer proposes; the deadline moves once a supervisor approves (要點: 簽請核准).
    page.get_by_role("button", name="提出延長").click()
    assert "已提出延長處理期限" in page.locator(".notice-ok").inner_text()
    assert "已新增內部註記" in desk.act("內部註記", "新增註記", {"註記內容（民眾看不到）": NOTE})
    desk.shot("05-case-extended")

    # 4. 不予處理 on a §173 ground; 5. 併案 into the first case.
    desk.open_case(day.rejected)
    desk.classify_and_assign(*_classification(ctx, day.rejected), "other")
    done = desk.act(
        "變更狀態", "變更狀態",
        {"新狀態": codes.REJECTED, "不予處理事由（行政程序法第173條）": "no_content"},
    )  # fmt: skip
    assert "已變更為不予處理" in done
    desk.open_case(day.merged)
    desk.classify_and_assign(*_classification(ctx, day.merged), "works")
    done = desk.act(
        "變更狀態", "變更狀態",
        {"新狀態": codes.MERGED, "併入案件編號": day.routed},
    )  # fmt: skip
    assert "已變更案件狀態" in done
    desk.shot("06-case-merged", full=True)

    with ctx.sessions() as session:
        worked = {
            c.number: c
            for c in session.scalars(
                select(Case).where(
                    Case.number.in_(
                        [day.routed, day.transferred, day.extended, day.rejected, day.merged]
                    )
                )
            )
        }
        unit = session.scalars(select(Unit.id).where(Unit.name == UNIT)).one()
        agency = session.scalars(select(Agency.id).where(Agency.name == AGENCY)).one()
    assert worked[day.routed].status == codes.REPLIED and worked[day.routed].unit_id == unit
    assert worked[day.routed].handling_opinion == OPINION
    assert worked[day.transferred].status == codes.REPLIED
    assert worked[day.transferred].agency_id == agency
    assert worked[day.transferred].letter_number == LETTER
    assert worked[day.rejected].status == codes.REJECTED
    assert worked[day.rejected].rejection_reason == "no_content"
    assert worked[day.merged].merged_into_id == worked[day.routed].id

    # The answers reach the two residents' chats on the simulator's chat page.
    wait_until(lambda: _delivered(sim, day.routed_user, template_text.strip()[:20]), timeout=60)
    wait_until(lambda: _delivered(sim, day.transferred_user, ANSWER[:20]), timeout=60)
    chat = browser.new_context(viewport={"width": 420, "height": 860}, locale="zh-TW")
    try:
        phone = chat.new_page()
        phone.set_default_timeout(20_000)
        for user, words, name in (
            (day.routed_user, template_text.strip()[:20], "07-chat-answered"),
            (day.transferred_user, AGENCY, "08-chat-transferred"),
        ):
            phone.goto(f"{sim.url}/chat/{user}")
            phone.locator("#log .row.bot", has_text=words).last.wait_for()
            phone.locator("#log .row.bot", has_text=words).last.scroll_into_view_if_needed()
            phone.screenshot(path=str(SCREENSHOTS / f"officer-day-{name}.png"))
        assert phone.locator("#log .row.bot", has_text=ANSWER[:20]).count() == 1
    finally:
        chat.close()

    # Afternoon: the 工作成果彙報表 of the period the first case came in, in every format.
    with ctx.sessions() as session:
        received = worked[day.routed].created_at
        period = report_periods.period_containing(
            received.astimezone(rocdate.TAIPEI).date(), data.periods(session)[0][0]
        )
    page.get_by_role("link", name="工作報表").click()
    page.get_by_label("統計期間起日").fill(period[0].isoformat())
    page.get_by_label("統計期間迄日").fill(period[1].isoformat())
    page.get_by_role("button", name="產生報表").click()
    page.get_by_role("heading", name="統計期間：", exact=False).wait_for()
    desk.shot("09-report")
    formats = (
        ("ods", readers.ODS), ("xlsx", readers.XLSX), ("csv", readers.CSV), ("pdf", readers.PDF)
    )  # fmt: skip
    for extension, kind in formats:
        opened = _download(page, extension, kind)
        assert "民情需求事項" in opened.text and "施政興革反映" in opened.text, extension

    # Evening: the administrator reads the officer's day in the audit log.
    page.get_by_role("button", name="登出").click()
    desk.log_in(ADMIN)
    page.get_by_role("link", name="稽核紀錄").click()
    page.get_by_label("對象編號").fill(day.routed)
    page.get_by_role("button", name="篩選").click()
    rows = page.locator("table tbody tr")
    rows.first.wait_for()
    assert rows.count() >= 6  # classify, assign, 簽會, 處理意見, note, reply
    assert OFFICER_NAME in rows.first.inner_text()
    desk.shot("10-audit-log", full=True)


def _delivered(sim: Sim, user: str, words: str) -> bool:
    return any(words in str(m) for m in sim.bot_messages(user))


def _download(page: Any, extension: str, kind: str) -> readers.Opened:
    with page.expect_download() as started:
        page.locator(".downloads").get_by_role("link", name=f"下載 {extension.upper()}").click()
    path = started.value.path()
    assert started.value.suggested_filename.endswith(f".{extension}")
    return readers.read(kind, Path(path).read_bytes())
