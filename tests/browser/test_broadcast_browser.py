"""An officer composes a 廉政宣導 card in a real browser and sends it; the whole product runs.

The officer logs in, composes a Flex card with an uploaded poster, checks the LINE
preview, sends it to the staff test audience, then composes one for a 村里 and
watches the progress bar finish; the simulator's chats show exactly who got it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import select

from lianping.context import Context
from lianping.storage.models import Resident, User
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import PASSWORD, staff
from tests.support import WorkerProcess, wait_until

pytestmark = pytest.mark.e2e

# README pictures: SCREENSHOT_DIR=docs/screenshots python3 dev.py test tests/browser
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/lianping-screenshots"))
CARD_TITLE = "廉政檢舉專線 0800-286-586"
CARD_BODY = (
    "發現公務員收受賄賂、圖利廠商或浮報工程款，請撥打法務部廉政署檢舉專線，"
    "檢舉人身分依法保密；查證屬實者，最高可領檢舉獎金新臺幣 1,000 萬元。"
)
BUTTON = "了解檢舉方式"
LINK = "https://www.aac.moj.gov.tw/"


def _poster(path: Path) -> Path:
    """A 1040 × 680 poster, drawn here (no file or font download needed)."""
    image = Image.new("RGB", (1040, 680), (11, 92, 142))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 60, 980, 620), outline=(255, 255, 255), width=12)
    draw.ellipse((380, 180, 660, 460), fill=(240, 165, 0))
    draw.rectangle((470, 250, 570, 390), fill=(11, 92, 142))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())
    return path


def _follower(sim: Sim, ctx: Context, name: str, village: str | None, opted_out: bool) -> str:
    """A resident who follows the account (through the bot) and chose a 村里."""
    user_id = sim.new_resident(name, follow=True)

    def stored() -> Resident | None:
        with ctx.sessions() as session:
            return session.scalar(select(Resident).where(Resident.line_user_id == user_id))

    wait_until(stored)
    with ctx.sessions.begin() as session:
        resident = session.scalars(select(Resident).where(Resident.line_user_id == user_id)).one()
        resident.district = "中正區" if village else None
        resident.village = village
        resident.promotions_opt_out = opted_out
    return user_id


def _cards(sim: Sim, user_id: str) -> list[str]:
    """altTexts of the Flex messages the resident received."""
    return [
        item["message"]["altText"]
        for item in sim.bot_messages(user_id)
        if item["message"]["type"] == "flex"
    ]


def _compose(page: Any, web: str, title: str, poster: Path) -> None:
    page.goto(f"{web}/admin/broadcasts/new")
    page.get_by_label("推播名稱").fill(title)
    page.get_by_label("卡片標題").fill(CARD_TITLE)
    page.get_by_label("卡片內文").fill(CARD_BODY)
    page.get_by_label("卡片圖片（可不放）").set_input_files(str(poster))
    page.get_by_text("已上傳（1040 × 680 像素）").wait_for()
    page.get_by_label("按鈕文字（可不填）").fill(BUTTON)
    page.get_by_label("按鈕連結").fill(LINK)


def _nav(page: Any) -> Any:
    return page.get_by_role("navigation", name="主要功能").get_by_role("link", name="廉政宣導")


def _send_and_finish(page: Any) -> None:
    page.get_by_role("button", name="儲存草稿並前往發送").click()
    page.get_by_text("草稿已儲存").wait_for()
    page.get_by_role("button", name="確認發送").click()
    page.get_by_text("已開始發送").first.wait_for()
    wait_until(lambda: page.locator(".bc-percent").inner_text() == "100%", timeout=30)
    page.locator("#bc-status", has_text="已發送").wait_for()
    # Finished: the page reloads itself once with the final figures and results.
    page.locator("#bc-progress[data-finished='1']").wait_for()
    page.get_by_role("heading", name="宣導成效").wait_for()
    assert page.get_by_role("progressbar").get_attribute("aria-valuenow") == "100"


def test_officer_sends_a_card_to_the_test_audience_then_to_a_village(
    browser: Any, sim: Sim, web: str, worker: WorkerProcess, ctx: Context, tmp_path: Path
) -> None:
    officer = staff(ctx, "lin.officer", "officer")
    tester_id = sim.new_resident("林承辦手機", follow=True)
    tester = staff(ctx, "wang.tester", "officer")
    with ctx.sessions.begin() as session:
        session.get_one(User, officer.id).display_name = "林承辦"
        session.get_one(User, tester.id).line_user_id = tester_id
    reached = [_follower(sim, ctx, name, "建國里", False) for name in ("王大同", "李美華")]
    skipped = [
        _follower(sim, ctx, "陳光復", "光復里", False),  # another village
        _follower(sim, ctx, "張不收", "建國里", True),  # opted out of promotions
    ]
    poster = _poster(tmp_path / "poster.jpg")

    context = browser.new_context(
        viewport={"width": 1280, "height": 1000}, locale="zh-TW", timezone_id="Asia/Taipei"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())
    try:
        page.goto(f"{web}/admin/")
        page.get_by_label("帳號").fill("lin.officer")
        page.get_by_label("密碼").fill(PASSWORD)
        page.get_by_role("button", name="登入").click()
        page.wait_for_url("**/admin/cases**")
        _nav(page).click()
        page.get_by_role("heading", name="廉政宣導").wait_for()
        page.get_by_role("link", name="新增推播").click()

        # Compose; the preview shows the card as LINE will.
        _compose(page, web, "反貪檢舉專線宣導（測試）", poster)
        preview = page.locator("#bc-preview")
        assert preview.locator(".bc-flex-title").inner_text() == CARD_TITLE
        assert CARD_BODY in preview.locator(".bc-flex-text").inner_text()
        assert preview.locator(".bc-flex-button").inner_text() == BUTTON
        hero = preview.locator("img.bc-hero")
        wait_until(lambda: hero.evaluate("img => img.complete && img.naturalWidth") == 1040)
        page.locator("#audience-count", has_text="目前符合條件：1 人").wait_for()

        # First to the staff test audience.
        _send_and_finish(page)
        wait_until(lambda: _cards(sim, tester_id) == [CARD_TITLE])

        # Then the very same card to 中正區建國里: a copy of the tested broadcast.
        page.get_by_role("button", name="複製為新草稿").click()
        page.get_by_text("已複製為新草稿").wait_for()
        assert page.get_by_label("卡片標題").input_value() == CARD_TITLE
        page.get_by_label("推播名稱").fill("反貪檢舉專線宣導（建國里）")
        page.get_by_label("依區／村里").check()
        page.get_by_label("區", exact=True).select_option("中正區")
        page.get_by_label("建國里").check()
        page.locator("#audience-count", has_text="目前符合條件：2 人（中正區：建國里）").wait_for()
        page.locator("#bc-preview img.bc-hero").scroll_into_view_if_needed()
        page.evaluate("window.scrollTo(0, 0)")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "broadcast-compose.png"), full_page=True)
        _send_and_finish(page)
        assert page.locator(".bc-figures dd").first.inner_text() == "2"
        assert BUTTON in page.locator("#bc-progress ~ section").inner_text()  # its link taps
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / "broadcast-progress.png"), full_page=True)

        wait_until(lambda: all(_cards(sim, user_id) == [CARD_TITLE] for user_id in reached))
        for user_id in skipped:
            assert _cards(sim, user_id) == []
        assert _cards(sim, tester_id) == [CARD_TITLE]  # the test send only
        with page.expect_navigation():
            _nav(page).click()
        rows = page.locator("table.bc-list tbody tr")
        assert rows.count() == 2  # counted once the list has loaded, not on the page left
        assert "已發送" in rows.nth(0).inner_text() and "100%" in rows.nth(0).inner_text()
        assert errors == []
    finally:
        context.close()
