"""查詢案件 as a resident reads it: cases filed, their status changed by staff, then listed and
opened through the dispatcher, the database and the LINE simulator."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from lianping import codes
from lianping.bot import texts
from lianping.context import Context
from lianping.storage import cases, residents
from lianping.storage.models import Case, utcnow
from lianping_dev.simulator import events as line_events
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import handled_as_worker

DUE_WORDS = texts.CASE_DUE.split("{")[0]
# Each case's own words; the last one is long, on several lines and ends on an emoji.
DESCRIPTIONS = {
    codes.RECEIVED: "中山路123號前的路燈壞了一星期，晚上很暗，希望儘快修理。",
    codes.ASSIGNED: "公園溜滑梯的扶手鬆脫，小朋友玩的時候很危險。",
    codes.IN_PROGRESS: "戶政事務所的叫號系統常常故障，現場等候超過一小時。",
    codes.TRANSFERRED: "河堤步道的水溝蓋破損，已經有人踩空受傷。",
    codes.REPLIED: "垃圾車收運時間改了卻沒有公告，很多住戶不知道。",
    codes.CLOSED: "里民活動中心的冷氣壞了，夏天開會很悶熱。",
    codes.REJECTED: "隔壁鄰居的狗每天晚上一直叫。",
    codes.MERGED: "中山路的路燈還是沒有修好，晚上很暗。",
    codes.WITHDRAWN: (
        "建議市府公開里鄰建設經費的使用明細，\n讓居民可以查詢每一筆支出，"
        + "也希望每季在里辦公處公布一次。" * 5
        + "😊"
    ),
}
# A due date is a promise only while the case still waits for its answer.
WAITING = {codes.RECEIVED, codes.ASSIGNED, codes.IN_PROGRESS, codes.TRANSFERRED}


def _file_cases(ctx: Context, user: str) -> dict[str, str]:
    """One case of the resident in every status; returns status -> case number."""
    numbers: dict[str, str] = {}
    now = utcnow()
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, user)
        for hours, (status, description) in enumerate(DESCRIPTIONS.items()):
            draft = {"nature": codes.NEED, "sub_item": "need-2", "description": description}
            case = cases.create_from_line(
                session, resident, draft, 1, now - timedelta(hours=hours), 30
            )
            case.status = status
            numbers[status] = case.number
    return numbers


def tap(ctx: Context, sim: Sim, user: str, data: str) -> list[dict[str, Any]]:
    """The resident taps a postback; returns the answer."""
    now = int(time.time() * 1000)
    return _send(ctx, sim, user, line_events.postback(user, "x" * 32, data, timestamp=now))


def _say(ctx: Context, sim: Sim, user: str, words: str) -> list[dict[str, Any]]:
    """The resident types ``words``; returns the answer."""
    now = int(time.time() * 1000)
    return _send(ctx, sim, user, line_events.text(user, "x" * 32, words, timestamp=now))


def _send(ctx: Context, sim: Sim, user: str, event: dict[str, Any]) -> list[dict[str, Any]]:
    """The event is stored, handled and answered as the worker would; returns the answer."""
    return handled_as_worker(ctx, sim, user, event)


def _bubbles(answer: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    carousel = answer[0]["contents"]
    assert carousel["type"] == "carousel"
    return {bubble["header"]["contents"][0]["text"]: bubble for bubble in carousel["contents"]}


def _texts(node: Any) -> list[str]:
    """Every text component under ``node``, in order."""
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "text" else []
        return own + [text for value in node.values() for text in _texts(value)]
    if isinstance(node, list):
        return [text for item in node for text in _texts(item)]
    return []


def _words(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


def test_only_cases_still_waiting_for_an_answer_show_a_due_date(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident("查詢者")
    numbers = _file_cases(ctx, user)
    with ctx.sessions.begin() as session:
        tip = {"nature": codes.TIP, "description": "公所某承辦人疑似收受廠商招待，驗收時放水。"}
        resident = residents.get_or_create(session, user)
        tip_number = cases.create_from_line(session, resident, tip, 1, utcnow(), 30).number

    bubbles = _bubbles(tap(ctx, sim, user, "menu=status"))

    assert set(bubbles) == {*numbers.values(), tip_number}
    assert DUE_WORDS not in _words(bubbles[tip_number]), "a tip is promised no answer date"
    for status, number in numbers.items():
        shown = DUE_WORDS in _words(bubbles[number]["body"])
        assert shown == (status in WAITING), f"{status}: due date shown {shown}"
    for status in (codes.IN_PROGRESS, codes.CLOSED, codes.WITHDRAWN):
        detail = tap(ctx, sim, user, f"a=case&n={numbers[status]}")[0]["text"]
        assert (DUE_WORDS in detail) == (status in WAITING), detail


def test_each_case_card_carries_a_short_excerpt_of_its_own_words(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident("有好幾件的人")
    numbers = _file_cases(ctx, user)

    bubbles = _bubbles(tap(ctx, sim, user, "menu=status"))

    for status, number in numbers.items():
        shown = _texts(bubbles[number]["body"])
        excerpts = [text for text in shown if text.startswith(DESCRIPTIONS[status][:10])]
        assert len(excerpts) == 1, f"{status}: {shown}"
    excerpt = next(
        text
        for text in _texts(bubbles[numbers[codes.WITHDRAWN]]["body"])
        if text.startswith("建議市府")
    )
    assert excerpt.endswith("…") and "\n" not in excerpt and len(excerpt) <= 41
    assert "明細，讓居民" in excerpt, "a line break after 「，」 leaves no stray space"


def test_the_supplements_end_says_what_the_case_received(sim: Sim, ctx: Context) -> None:
    user = sim.new_resident("補充者")
    numbers = _file_cases(ctx, user)
    number = numbers[codes.IN_PROGRESS]

    tap(ctx, sim, user, f"a=supplement&n={number}")
    added = _say(ctx, sim, user, "補充：上週三下午也發生同樣情況。")
    assert added[0]["text"] == texts.SUPPLEMENT_ADDED.format(number=number)
    assert _say(ctx, sim, user, texts.LABEL_DONE)[0]["text"] == texts.SUPPLEMENT_RECEIVED

    # The case is closed while the resident is still adding: nothing more is taken,
    # and the end does not claim otherwise.
    tap(ctx, sim, user, f"a=supplement&n={number}")
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.status = codes.CLOSED
    refused = _say(ctx, sim, user, "補充：今天也一樣。")
    assert refused[0]["text"] == texts.SUPPLEMENT_REFUSED.format(number=number)
    assert _say(ctx, sim, user, texts.LABEL_DONE)[0]["text"] == texts.SUPPLEMENT_CANCELLED
