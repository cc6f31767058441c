"""A new resident files a complete report in the simulator's chat page, as a person would."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lianping.context import Context
from lianping.storage.models import Case, MediaFile
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import WorkerProcess, wait_until

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/lianping-screenshots"))


class Chat:
    """The chat page, counting the resident's taps."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.taps = 0
        self.answers = 0

    def _mark(self) -> None:
        # Answers after this point are the ones the next action causes.
        self.answers = self.page.locator("#log .row.bot").count()

    def wait_for_bot(self, text: str) -> None:
        """Wait for a bot message containing ``text`` that came after the last action."""
        self.page.wait_for_function(
            "([n, text]) => [...document.querySelectorAll('#log .row.bot')]"
            ".slice(n).some(row => row.textContent.includes(text))",
            arg=[self.answers, text],
        )

    def chip(self, label: str) -> None:
        button = self.page.locator("#quick").get_by_role("button", name=label, exact=True)
        try:
            button.wait_for()
        except Exception as exc:
            # Say what the chat held instead: the page's last answers and its buttons.
            shown = self.page.locator("#log .row").all_inner_texts()[-4:]
            chips = self.page.locator("#quick button").all_inner_texts()
            where = f"last rows {shown}; buttons {chips}"
            raise AssertionError(f"no button {label!r}; {where}") from exc
        self._mark()
        button.click()
        self.taps += 1

    def type(self, text: str) -> None:
        self._mark()
        self.page.locator("#text-input").fill(text)
        self.page.locator("#send").click()


def test_complete_need_report_with_photo_location_and_contact(
    page: Any, sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    page.goto(f"{sim.url}/")
    page.locator("#new-name").fill("陳美玲")
    page.get_by_role("button", name="加入好友並開始聊天").click()
    chat = Chat(page)
    chat.wait_for_bot("歡迎加入")

    chat.chip("我要反映")
    # 個資法 §8: the notice comes before the first question that collects anything.
    chat.wait_for_bot("個人資料蒐集告知")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat-notice.png"))
    assert page.locator("#quick").get_by_role("button", name="民情需求").count() == 0
    chat.chip("已閱讀")
    chat.chip("民情需求")
    chat.chip("公共設施不足或管理不當，影響生活權益")
    chat.chip("地方工程")
    chat.type("民生路二段的人行道地磚破裂翹起已經一個月，長輩經過常常絆倒，請儘快修繕。")
    chat.wait_for_bot("")
    with page.expect_file_chooser() as chooser:
        chat.chip("從相簿選擇")
    chooser.value.set_files(
        files=[{"name": "sidewalk.png", "mimeType": "image/png", "buffer": _png()}]
    )
    chat.wait_for_bot("照片")
    chat.chip("傳送位置")
    page.locator("#location-form").get_by_role("button", name="分享").click()
    chat.wait_for_bot("位置")
    chat.chip("完成")
    chat.chip("留下聯絡資料")
    chat.type("陳美玲 0912-345-678")
    chat.wait_for_bot("地址")
    chat.type("臺北市中正區重慶南路一段122號")
    chat.wait_for_bot("職業")
    chat.chip("退休")
    chat.wait_for_bot("去識別化後公開")
    chat.chip("可以公開")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    chat.wait_for_bot("反映內容確認")
    page.screenshot(path=str(SCREENSHOTS / "chat-summary.png"))
    chat.chip("送出")
    try:
        chat.wait_for_bot("案件編號")
    finally:
        page.screenshot(path=str(SCREENSHOTS / "chat-case-created.png"))
    # 10 for the report, 已閱讀 for a first one, and the optional question on publication.
    assert chat.taps <= 12, f"{chat.taps} taps (a first report includes 已閱讀)"
    # Each of the resident's messages and answers is shown once, in order.
    user_id = page.url.rsplit("/", 1)[-1]
    sent = [item for item in sim.timeline(user_id) if item["from"] == "user"]
    shown = page.locator("#log .row.me").count() + page.locator("#log > .system").count()
    assert shown == len(sent)

    with ctx.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert (case.nature, case.sub_item, case.theme) == ("need", "need-2", "works")
        assert case.reporter_name == "陳美玲"
        assert case.reporter_phone == "+886912345678"
        assert case.reporter_address == "臺北市中正區重慶南路一段122號"
        assert case.reporter_occupation == "退休"
        assert "人行道地磚" in case.description
        assert case.location and case.location["latitude"]
        assert case.notice_version == 1
        page.locator("#log").get_by_text(case.number).last.wait_for()
        case_id = case.id
    photo = wait_until(lambda: _stored_photo(ctx, case_id))
    assert (Path(ctx.settings.media_dir) / str(photo.path)).exists()


def _stored_photo(ctx: Context, case_id: int) -> MediaFile | None:
    with ctx.sessions() as session:
        return session.scalar(
            select(MediaFile).where(MediaFile.case_id == case_id, MediaFile.status == "stored")
        )


def _png() -> bytes:
    from lianping_dev.simulator.images import sample_photo

    return sample_photo()
