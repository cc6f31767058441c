"""An officer works a LINE report in the admin, in a real browser, with the whole product running.

The resident reports through the bot (webhook → worker → case); the officer logs
in on the login page, finds the case in the inbox, classifies it, transfers it to
another agency and answers; the worker delivers both messages to the resident's
chat in the simulator.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lianping import codes, rocdate
from lianping.context import Context
from lianping.services import casework
from lianping.services.access import Actor
from lianping.storage.models import Agency, Case, MediaFile, ReplyTemplate, Unit, User, utcnow
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import PASSWORD, staff
from tests.support import WorkerProcess, wait_until
from tests.test_intake_e2e import Resident

pytestmark = pytest.mark.e2e

# README pictures: SCREENSHOT_DIR=docs/screenshots python3 dev.py test tests/browser
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/lianping-screenshots"))
AGENCY = "臺北市政府工務局新建工程處"
LETTER = "北市政風字第1150001234號"
ANSWER = "經查民生路二段人行道已列入本月修繕工程，預計11月28日前完成，感謝您的反映。"


def _report(sim: Sim) -> Resident:
    """A resident files a need report with a photo and contact details, then adds a note."""
    r = Resident(sim, "陳美玲")
    r.tap("我要反映")
    r.tap("已閱讀")
    r.tap("民情需求")
    r.tap("公共設施不足或管理不當，影響生活權益")
    r.tap("地方工程")
    r.say("民生路二段的人行道地磚破裂翹起已經一個月，長輩經過常常絆倒，請儘快修繕。")
    r.tap("完成")
    r.tap("略過")  # location
    r.send(type="image")
    r.tap("完成")  # photos
    r.tap("留下聯絡資料")
    r.say("陳美玲 0912-345-678")
    r.say("臺北市中正區重慶南路一段122號")
    r.tap("退休")
    r.tap("可以公開")
    r.tap("送出")
    r.tap("查詢案件")
    r.tap("查看進度")
    r.tap("補充說明")
    r.say("補充：昨天晚上又有一位阿嬤在同一處跌倒。")
    return r


def _more_cases(ctx: Context, officer: User) -> None:
    """A few walk-in and phone reports so the inbox looks like a working day."""
    actor = Actor.of(officer)
    reports = [
        ("walk_in", "reform", "reform-1", "neighbourhood-funds", "林志明",
         "建議公所公開里鄰建設經費的核銷明細，並於里辦公處張貼。"),
        ("phone", "need", "need-3", None, "黃淑芬",
         "戶政事務所叫號系統故障，現場等候超過一小時，希望增設線上預約。"),
        ("meeting", "need", "need-2", "dredging", "張文雄",
         "大坑溪上游淤積嚴重，雨季前請安排疏濬，以免下游積水。"),
        ("letter", "reform", "reform-3", "subsidies", None,
         "對於回饋金分配方式有疑義，請說明分配標準及決策過程。"),
    ]  # fmt: skip
    with ctx.sessions.begin() as session:
        for channel, nature, sub_item, theme, name, text in reports:
            report = casework.ManualReport(
                channel=channel, nature=nature, sub_item=sub_item, theme=theme,
                description=text, reporter_name=name,
                reporter_phone="0922-123-456" if name else None,
                reporter_address="臺中市北屯區文心路四段100號" if name else None,
                reporter_occupation="自營商" if name else None,
                recorder=officer.display_name, petition_confirmed=True,
                notice_method="read_out",
            )  # fmt: skip
            case = casework.manual_intake(session, actor, report, 30)
            if channel == "phone":
                case.due_at = utcnow() - timedelta(days=2)  # overdue: shows the badge
            if channel == "walk_in":
                casework.assign(session, actor, case, officer.id, None)
            if channel == "meeting":
                unit = session.scalars(select(Unit).where(Unit.name == "工務科")).one()
                approval = casework.Approval("局長 王○○", rocdate.taipei_today())
                casework.route_internal(session, actor, case, unit.id, "請派員會勘", approval)


def test_officer_classifies_transfers_and_answers_a_line_report(
    browser: Any, sim: Sim, worker: WorkerProcess, ctx: Context, web: str
) -> None:
    officer = staff(ctx, "chen.officer", "officer")
    with ctx.sessions.begin() as session:
        session.add_all([Agency(name=AGENCY), Unit(name="工務科"), Unit(name="民政科")])
        session.add(
            ReplyTemplate(title="已列入修繕", body="本案已列入修繕工程，完工後將再通知您。")
        )
        user = session.get(User, officer.id)
        assert user is not None
        user.display_name = "陳承辦"
        session.flush()
        session.expunge(user)
    _more_cases(ctx, user)
    resident = _report(sim)
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.channel == "line")).one()
        number = case.number
        case_id = case.id
    wait_until(lambda: _photo_stored(ctx, case_id))

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-TW", timezone_id="Asia/Taipei"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        # Log in through the login page; it lands on the inbox.
        page.goto(f"{web}/admin/")
        page.get_by_label("帳號").fill("chen.officer")
        page.get_by_label("密碼").fill(PASSWORD)
        page.get_by_role("button", name="登入").click()
        page.wait_for_url("**/admin/cases**")
        row = page.locator("tr", has=page.get_by_role("link", name=number))
        row.wait_for()
        assert "陳○玲" in row.inner_text()  # masked in the list
        assert "陳美玲" not in page.content()
        assert "民眾補充" in row.inner_text()
        assert page.get_by_role("link", name="案件收件匣").get_attribute("aria-current") == "page"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "inbox.png"))

        # Open it: the photo is there, the resident's addition is flagged.
        page.get_by_role("link", name=number).click()
        page.get_by_role("heading", name=f"案件 {number}").wait_for()
        page.locator(".media-list img").first.wait_for()
        assert page.locator(".media-list img").first.evaluate("img => img.naturalWidth") > 0
        page.get_by_role("button", name="標示為已讀").click()
        page.get_by_text("已將民眾補充標示為已讀").wait_for()

        # Classify.
        page.locator("summary", has_text="分類").click()
        page.get_by_label("性質").select_option("need")
        page.get_by_label("細項").select_option("need-2")
        page.get_by_label("主題").select_option("works")
        page.get_by_role("button", name="儲存分類").click()
        page.get_by_text("已更新分類").wait_for()

        # Route to another agency: the resident is told (§172).
        page.locator("summary", has_text="函轉其他機關").click()
        page.get_by_label("受文機關").select_option(label=AGENCY)
        page.get_by_label("函文文號").fill(LETTER)
        routing = page.locator("#act-route-external")
        routing.get_by_label("首長核可人（職稱及姓名）").fill("局長 王○○")
        page.get_by_role("button", name="登錄函轉並以 LINE 通知").click()
        page.get_by_text("已排入LINE通知反映者").wait_for()

        # Answer: preview exactly what LINE shows, then send.
        page.get_by_label("回覆內容").fill(ANSWER)
        page.get_by_role("button", name="預覽").click()
        bubble = page.locator("#r-preview")
        assert f"【案件 {number} 回覆】" in bubble.inner_text()
        assert ANSWER in bubble.inner_text()
        page.get_by_role("button", name="送出回覆").click()
        page.get_by_text("回覆已排入LINE傳送").wait_for()

        # Both messages reach the resident's chat; the timeline shows them delivered.
        delivered = wait_until(lambda: _bot_texts(sim, resident.user, ANSWER, AGENCY))
        assert LETTER in delivered
        page.reload()
        wait_until(lambda: _reply_delivered(page), timeout=20)
        with ctx.sessions() as session:
            case = session.scalars(select(Case).where(Case.number == number)).one()
            assert case.status == codes.REPLIED
            assert (case.nature, case.sub_item, case.theme) == ("need", "need-2", "works")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / "case.png"))
        page.locator("#timeline").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "case-timeline.png"))
        assert dialogs == []
    finally:
        context.close()


def _photo_stored(ctx: Context, case_id: int) -> bool:
    with ctx.sessions() as session:
        return (
            session.scalar(
                select(MediaFile.id).where(
                    MediaFile.case_id == case_id, MediaFile.status == "stored"
                )
            )
            is not None
        )


def _bot_texts(sim: Sim, user: str, *needles: str) -> str | None:
    texts = "\n".join(m["message"].get("text", "") for m in sim.bot_messages(user))
    return texts if all(needle in texts for needle in needles) else None


def _reply_delivered(page: Any) -> bool:
    state = page.locator(".tl", has_text="回覆民眾").locator(".delivery-state")
    if state.count() and "已送達" in state.first.inner_text():
        return True
    page.reload()
    return False
