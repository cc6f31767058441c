"""A new officer records the field work in a real browser, with the whole product running.

She registers two 平臺地點 with their 聯絡人, records a 小型座談 at one of them with 30
participants and 50 leaflets handed out (the 「宣揚反貪倡廉資訊」 box ticks itself when a
material is named), takes two reports on the spot from the activity's page (each a case
linked to the activity, back on the activity page after each), and sees both listed
there; a case's page says at which activity it was taken.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lianping.context import Context
from lianping.storage.models import Case, FieldActivity
from tests.admin_support import PASSWORD, staff

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/lianping-screenshots"))
REPORTS = (
    ("林阿姨", "河堤步道路燈不亮已兩週，晚上散步很危險，請儘快修復。"),
    ("黃先生", "疏濬挖出的土方堆在產業道路旁，影響農機通行，請安排清運。"),
)


def _place(page: Any, name: str, kind: str, district: str, village: str,
           contacts: list[tuple[str, str, str]]) -> None:  # fmt: skip
    page.get_by_role("navigation", name="主要功能").get_by_role("link", name="平臺地點").click()
    page.get_by_role("link", name="新增平臺地點").click()
    page.get_by_label("地點名稱").fill(name)
    page.get_by_label("類別").select_option(label=kind)
    page.locator("#p-district").select_option(district)
    page.get_by_label("村里").fill(village)
    page.get_by_role("button", name="儲存").click()
    page.get_by_text("已新增平臺地點。").wait_for()
    for role, person, phone in contacts:
        page.get_by_label("角色").select_option(label=role)
        page.get_by_label("姓名").fill(person)
        page.get_by_label("聯絡電話").fill(phone)
        page.get_by_role("button", name="新增聯絡人").click()
        page.get_by_text("已新增聯絡人。").wait_for()


def test_an_officer_records_a_forum_and_the_reports_taken_there(
    browser: Any, ctx: Context, web: str
) -> None:
    staff(ctx, "new.officer", "officer")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-TW", timezone_id="Asia/Taipei"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{web}/admin/")
        page.get_by_label("帳號").fill("new.officer")
        page.get_by_label("密碼").fill(PASSWORD)
        page.get_by_role("button", name="登入").click()
        page.wait_for_url("**/admin/cases**")

        _place(
            page,
            "黎明里辦公處",
            "村里辦公處",
            "中正區",
            "黎明里",
            [("村里長", "林大同", "0912-345-678"), ("村里幹事", "陳幹事", "02-2396-1234")],
        )
        _place(page, "大同社區發展協會", "社區發展協會", "大同區", "建功里",
               [("社區組織", "王理事長", "0933-222-111")])  # fmt: skip
        page.get_by_role("navigation", name="主要功能").get_by_role("link", name="平臺地點").click()
        assert page.get_by_role("link", name="黎明里辦公處").is_visible()
        assert page.get_by_role("link", name="大同社區發展協會").is_visible()

        # Record the 小型座談 at the first place, from its page.
        page.get_by_role("link", name="黎明里辦公處").click()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "place.png"), full_page=True)
        page.get_by_role("link", name="登錄在此的活動").click()
        page.get_by_label("類別").select_option(label="小型座談")
        page.locator("#a-topic").fill("河川疏濬工程說明座談")
        page.get_by_label("主題分類").select_option(label="河川疏濬")
        page.get_by_label("參加人數").fill("30")
        box = page.get_by_label("宣揚反貪倡廉資訊")
        assert not box.is_checked()
        page.get_by_label("宣導品項第 1 列").fill("反貪宣導摺頁")
        page.get_by_label("第 1 列數量").fill("50")
        assert box.is_checked()  # materials handed out: ticked by default
        page.get_by_label("村里長 林大同").check()
        page.get_by_label("活動摘要").fill("說明大坑溪疏濬工程進度及廉政檢舉管道。")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "activity-form.png"), full_page=True)
        page.get_by_role("button", name="儲存").click()
        page.get_by_text("已登錄活動。").wait_for()
        facts = page.locator("dl.facts").inner_text()
        assert "30 人" in facts and "反貪宣導摺頁 50 份" in facts and "村里長 林大同" in facts
        page.screenshot(path=str(SCREENSHOTS / "activity.png"), full_page=True)

        # Two reports taken on the spot, each a few clicks from the activity's page.
        for name, words in REPORTS:
            page.get_by_role("link", name="登錄本場反映").click()
            assert page.get_by_label("受理管道").input_value() == "meeting"
            assert page.get_by_text("河川疏濬工程說明座談").first.is_visible()
            page.get_by_label("反映者姓名").fill(name)
            page.get_by_label("性質").select_option("need")
            page.get_by_label("細項").select_option("need-2")
            page.get_by_label("需求／反映內容概述").fill(words)
            page.get_by_label("當面朗讀告知事項").check()
            page.get_by_label("已向陳情人朗讀或使其閱覽").check()
            page.get_by_role("button", name="登錄案件").click()
            page.get_by_text("已登錄本場反映").wait_for()
            assert page.get_by_role("heading", name="河川疏濬工程說明座談").is_visible()

        page.get_by_role("heading", name="本場受理的反映：2 件").wait_for()
        with ctx.sessions() as session:
            activity = session.scalars(select(FieldActivity)).one()
            assert (activity.participants, activity.promotion) == (30, True)
            assert activity.materials == [{"name": "反貪宣導摺頁", "quantity": 50}]
            cases = list(session.scalars(select(Case).order_by(Case.id)))
            assert [c.activity_id for c in cases] == [activity.id, activity.id]
            assert [c.channel for c in cases] == ["meeting", "meeting"]
        listed = page.locator("#cases").inner_text()
        for case, (_, words) in zip(cases, REPORTS, strict=True):
            assert case.number in listed and words[:10] in listed
        page.screenshot(path=str(SCREENSHOTS / "activity-cases.png"), full_page=True)

        page.get_by_role("link", name=cases[0].number).click()
        taken = page.locator("#taken-at").inner_text()
        assert re.search(r"於 .+ 小型座談：河川疏濬工程說明座談 受理", taken)
        page.locator("#taken-at a").click()
        page.wait_for_url(f"**/admin/activities/{activity.id}")
    finally:
        context.close()
