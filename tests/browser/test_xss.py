"""Citizen text is text: script and markup sent by a resident never runs in the admin."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lianping.context import Context
from lianping.services import accounts
from lianping.storage import cases, residents
from lianping.storage.models import Case, ReplyTemplate, utcnow
from tests.admin_support import SESSION_COOKIE, staff

pytestmark = pytest.mark.e2e

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
DESCRIPTION = f"路燈不亮{SCRIPT}{IMG}請修理"
NAME = f"{IMG}王小明"
SUPPLEMENT = f"補充{SCRIPT}說明{IMG}"


def _hostile_case(ctx: Context) -> str:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, "Uxss0000000000000000000000000001")
        resident.display_name = IMG
        draft = {
            "nature": "need",
            "sub_item": "need-2",
            "description": DESCRIPTION,
            "name": NAME,
            "phone": "0912345678",
            "address": f"臺北市中正區{SCRIPT}",
            "occupation": IMG,
        }
        case = cases.create_from_line(session, resident, draft, 1, utcnow(), 30)
        cases.add_resident_supplement(session, case, resident, utcnow(), text=SUPPLEMENT)
        case.handling_opinion = f"意見{IMG}"
        session.add(ReplyTemplate(title=f"範本{SCRIPT}", body=f"範本內容{IMG}"))
        return case.number


def _assert_inert(page: Any, dialogs: list[str], *visible: str) -> None:
    page.wait_for_load_state("load")
    assert dialogs == []
    assert page.locator("img[onerror]").count() == 0
    assert page.locator("main script, .sheet script").count() == 0
    body = page.locator("body").inner_text()
    for text in visible:
        assert text in body, text


def test_hostile_text_renders_as_text(browser: Any, ctx: Context, web: str) -> None:
    number = _hostile_case(ctx)
    officer = staff(ctx, "xss.officer", "officer")
    with ctx.sessions.begin() as session:
        # Need-to-know: the officer the case is assigned to may reveal its personal data.
        session.scalars(select(Case).where(Case.number == number)).one().officer_id = officer.id
        opened = accounts.open_session(session, session.merge(officer))
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-TW", timezone_id="Asia/Taipei"
    )
    context.add_cookies([{"name": SESSION_COOKIE, "value": opened.cookie_value, "url": web}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page.goto(f"{web}/admin/cases")
        _assert_inert(page, dialogs, DESCRIPTION)

        page.goto(f"{web}/admin/cases/{number}")
        _assert_inert(page, dialogs, DESCRIPTION, SUPPLEMENT, f"意見{IMG}", IMG)
        page.get_by_label("檢視原因").fill(f"查證{SCRIPT}")
        page.get_by_role("button", name="顯示個人資料").click()
        page.get_by_text("本次檢視已記錄").wait_for()
        _assert_inert(page, dialogs, NAME, f"臺北市中正區{SCRIPT}", DESCRIPTION, SUPPLEMENT)

        # The live preview and the template fill use text, never markup.
        page.get_by_label("回覆範本").select_option(label=f"範本{SCRIPT}")
        page.get_by_label("回覆內容").fill(f"回覆{IMG}{SCRIPT}")
        assert f"回覆{IMG}{SCRIPT}" in page.locator("#r-preview").inner_text()
        page.get_by_role("button", name="預覽").click()
        _assert_inert(page, dialogs, f"回覆{IMG}{SCRIPT}")

        page.goto(f"{web}/admin/cases/{number}/print")
        _assert_inert(page, dialogs, NAME, DESCRIPTION, IMG)
    finally:
        context.close()
