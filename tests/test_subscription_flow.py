"""訂閱設定, quiz taps and the 廉政宣導 menu in the engine (pure: no HTTP, no database);
and the ``areas`` setting's parser."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from lianping.bot import texts
from lianping.bot.conversation import (
    AnswerQuiz,
    Incoming,
    Outcome,
    SetArea,
    SetFollowing,
    SetPromotionsOptOut,
    ShowPromotions,
    Subscription,
)
from lianping.storage import areas
from lianping.storage.areas import AreasError
from tests.test_engine import CONTENT, USER, Chat

AREAS = areas.parse(areas.SAMPLE)
WITH_AREAS = replace(CONTENT, areas=AREAS)
MAX_QUICK_REPLIES = 13


class Resident(Chat):
    """A chat whose events carry the resident's stored settings, as the dispatcher adds them;
    the settings change as the dispatcher would carry out the effects."""

    def __init__(self, content: Any = WITH_AREAS, settings: Subscription | None = None) -> None:
        super().__init__(content)
        self.settings = settings or Subscription()
        self.effects: list[Any] = []

    def send(self, event: Incoming) -> Outcome:
        outcome = super().send(replace(event, subscription=self.settings))
        for effect in outcome.effects:
            self.effects.append(effect)
            if isinstance(effect, SetArea):
                self.settings = replace(
                    self.settings, district=effect.district, village=effect.village
                )
            if isinstance(effect, SetPromotionsOptOut):
                self.settings = replace(self.settings, opt_out=effect.opt_out)
        return outcome

    def said(self) -> str:
        return "\n".join(str(m.get("text", m.get("altText"))) for m in self.last.messages)

    def open_settings(self) -> Outcome:
        return self.postback("menu=subscription")


# -- the first page -------------------------------------------------------------------


def test_the_main_menu_offers_subscription_settings_and_they_show_the_current_ones() -> None:
    chat = Resident()
    chat.postback("menu=help")
    assert texts.MENU_LABELS["subscription"] in chat.labels()
    chat.tap(texts.MENU_LABELS["subscription"])
    assert chat.step == "subscription"
    assert "所在區／村里：尚未設定" in chat.said()
    assert "廉政宣導訊息：接收中" in chat.said()
    assert "處理情形都會照常通知您" in chat.said()
    assert chat.labels() == [texts.LABEL_SET_AREA, texts.LABEL_OPT_OUT, texts.LABEL_DONE]


def test_typing_the_words_opens_the_settings_too() -> None:
    chat = Resident(settings=Subscription("中正區", "建國里", opt_out=True))
    chat.text("訂閱設定")
    assert chat.step == "subscription"
    assert "所在區／村里：中正區 建國里" in chat.said()
    assert "廉政宣導訊息：已暫停" in chat.said()
    assert texts.LABEL_OPT_IN in chat.labels() and texts.LABEL_OPT_OUT not in chat.labels()


def test_opting_out_and_back_in_is_confirmed_and_says_cases_still_reach_them() -> None:
    chat = Resident()
    chat.open_settings()
    chat.tap(texts.LABEL_OPT_OUT)
    assert chat.last.effects == [SetPromotionsOptOut(True)]
    assert chat.last.messages[0]["text"] == texts.OPTED_OUT
    assert "仍會照常通知您" in texts.OPTED_OUT
    assert "廉政宣導訊息：已暫停" in chat.said()
    chat.tap(texts.LABEL_OPT_IN)
    assert chat.last.effects == [SetPromotionsOptOut(False)]
    assert chat.last.messages[0]["text"] == texts.OPTED_IN
    assert chat.settings == Subscription(None, None, opt_out=False)
    chat.tap(texts.LABEL_DONE)
    assert chat.step == "idle"
    assert chat.last.messages[0]["text"] == texts.SUBSCRIPTION_DONE
    assert chat.last.effects == []


def test_thanks_in_the_settings_is_answered_briefly_and_other_words_ask_for_a_button() -> None:
    chat = Resident()
    chat.open_settings()
    buttons = chat.labels()
    chat.text("謝謝")
    assert [m["text"] for m in chat.last.messages] == [texts.SUBSCRIPTION_THANKS]
    assert chat.labels() == buttons
    assert chat.step == "subscription"
    chat.text("好")
    assert chat.last.messages[0]["text"] == texts.CHOOSE_BUTTON
    assert "所在區／村里" in chat.last.messages[-1]["text"]
    assert chat.labels() == buttons
    chat.sticker()
    assert chat.last.messages[0]["text"] == texts.CHOOSE_BUTTON
    assert chat.last.effects == []


# -- picking the 區 and 村里 --------------------------------------------------------------


def test_picking_a_village_on_a_later_page_saves_it_and_returns_to_the_first_page() -> None:
    chat = Resident()
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    assert chat.step == "sub_district"
    assert chat.labels() == [*AREAS, texts.LABEL_BACK, texts.LABEL_CANCEL]
    chat.tap("中正區")
    assert chat.step == "sub_village"
    # 中正區 has 20 村里: 不指定村里, nine of them and 更多, then 上一步 and 取消.
    first = chat.labels()
    assert len(first) == MAX_QUICK_REPLIES
    assert first[0] == texts.LABEL_ANY_VILLAGE
    assert first[1:10] == AREAS["中正區"][:9]
    assert first[10:] == [texts.LABEL_MORE, texts.LABEL_BACK, texts.LABEL_CANCEL]
    assert "第 1／3 頁" in chat.said()
    chat.tap(texts.LABEL_MORE)
    assert chat.labels()[1:10] == AREAS["中正區"][9:18]
    chat.tap(texts.LABEL_MORE)
    assert chat.labels()[1:3] == AREAS["中正區"][18:]
    assert texts.LABEL_FIRST_PAGE in chat.labels()
    chat.tap("南門里")
    assert chat.last.effects == [SetArea("中正區", "南門里")]
    assert chat.last.messages[0]["text"] == texts.AREA_SET.format(area="中正區 南門里")
    assert chat.step == "subscription"
    assert "所在區／村里：中正區 南門里" in chat.said()
    assert chat.settings.district == "中正區" and chat.settings.village == "南門里"


def test_the_whole_district_can_be_chosen() -> None:
    chat = Resident(settings=Subscription("中正區", "建國里"))
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    chat.tap("萬華區")
    chat.tap(texts.LABEL_ANY_VILLAGE)
    assert chat.last.effects == [SetArea("萬華區", None)]
    assert "萬華區（不指定村里）" in chat.said()


def test_typed_names_work_like_taps_and_unknown_ones_are_refused() -> None:
    chat = Resident()
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    chat.text("信義區")
    assert chat.step == "sub_district"
    assert chat.last.messages[0]["text"] == texts.AREA_UNKNOWN.format(name="信義區")
    assert chat.last.effects == []
    chat.text("大同")
    assert chat.step == "sub_village"
    chat.text("建國里")  # a 村里 of 中正區, not of 大同區
    assert chat.last.messages[0]["text"] == texts.AREA_UNKNOWN.format(name="建國里")
    chat.text("延平")
    assert chat.last.effects == [SetArea("大同區", "延平里")]


def test_many_districts_are_paged_and_each_is_offered_once() -> None:
    many = {f"第{number}區": [f"第{number}里"] for number in range(1, 26)}
    chat = Resident(replace(CONTENT, areas=many))
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    seen: list[str] = []
    for _ in range(3):
        labels = chat.labels()
        assert len(labels) <= MAX_QUICK_REPLIES
        assert all(len(label) <= 20 for label in labels)
        seen += [label for label in labels if label in many]
        more = texts.LABEL_MORE if len(seen) < len(many) else texts.LABEL_FIRST_PAGE
        chat.tap(more)
    assert seen == list(many)
    assert chat.labels()[0] == "第1區"  # back at the first page
    chat.tap("第1區")
    chat.tap("第1里")
    assert chat.last.effects == [SetArea("第1區", "第1里")]


def test_a_district_without_villages_is_saved_at_once() -> None:
    chat = Resident(replace(CONTENT, areas={"東區": [], "西區": ["西門里"]}))
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    chat.tap("東區")
    assert chat.last.effects == [SetArea("東區", None)]
    assert chat.step == "subscription"


def test_a_district_removed_since_the_buttons_were_shown_is_refused() -> None:
    chat = Resident()
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    data = chat.data_of("大同區")
    chat.content = replace(WITH_AREAS, areas={"中正區": AREAS["中正區"]})
    chat.postback(data)
    assert chat.last.messages[0]["text"] == texts.AREA_UNKNOWN.format(name="大同區")
    assert chat.last.effects == []


def test_without_areas_only_the_promotions_switch_is_offered() -> None:
    chat = Resident(CONTENT)
    chat.open_settings()
    assert texts.SUBSCRIPTION_NO_AREAS in chat.said()
    assert chat.labels() == [texts.LABEL_OPT_OUT, texts.LABEL_DONE]


# -- back, cancel, restart, help, pauses -----------------------------------------------


def test_back_walks_back_to_the_main_menu_and_cancel_leaves_without_saving() -> None:
    chat = Resident()
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    chat.tap("中正區")
    chat.tap(texts.LABEL_BACK)
    assert chat.step == "sub_district"
    chat.tap(texts.LABEL_BACK)
    assert chat.step == "subscription"
    chat.text("上一步")
    assert chat.step == "idle"
    assert chat.last.messages[0]["text"] == texts.BACK_AT_START
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    chat.tap("大同區")
    chat.tap(texts.LABEL_CANCEL)
    assert chat.step == "idle"
    assert chat.last.messages[0]["text"] == texts.SUBSCRIPTION_LEFT
    assert not any(isinstance(effect, SetArea) for effect in chat.effects)


def test_restart_and_help_stay_inside_the_settings() -> None:
    chat = Resident()
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    chat.text("說明")
    assert chat.step == "sub_district"
    assert texts.STEP_HELP["sub_district"] in chat.said()
    chat.text("重新開始")
    assert chat.step == "subscription"
    assert "draft" not in chat.state


def test_old_buttons_expire_after_a_pause_and_after_leaving() -> None:
    chat = Resident()
    chat.open_settings()
    opt_out = chat.data_of(texts.LABEL_OPT_OUT)
    chat.tap(texts.LABEL_DONE)
    chat.postback(opt_out)
    assert chat.last.messages[0]["text"] == texts.EXPIRED
    assert chat.last.effects == []
    chat.open_settings()
    chat.tap(texts.LABEL_SET_AREA)
    stale = chat.data_of("中正區")
    chat.postback(stale, after_minutes=31)
    assert chat.last.messages[0]["text"] == texts.EXPIRED
    assert chat.step == "idle"


def test_a_report_under_way_is_kept() -> None:
    chat = Resident()
    chat.postback("menu=report")
    chat.tap(texts.LABEL_NOTICE_READ)
    chat.tap("民情需求")
    draft = dict(chat.state["draft"])
    chat.postback("menu=subscription")
    assert chat.last.messages[0]["text"] == texts.SUBSCRIPTION_BUSY.format(flow="反映")
    assert chat.step == "sub_item" and chat.state["draft"] == draft


# -- quiz taps and the 廉政宣導 menu ------------------------------------------------------


@pytest.mark.parametrize("step", ["idle", "report"])
def test_a_quiz_answer_goes_to_the_dispatcher_and_leaves_the_conversation_alone(
    step: str,
) -> None:
    chat = Resident()
    if step == "report":
        chat.postback("menu=report")
    before = dict(chat.state)
    chat.postback("quiz:12:3:1", after_minutes=45)
    assert chat.last.effects == [AnswerQuiz(12, 3, 1)]
    assert chat.last.messages == []
    assert chat.state == before


@pytest.mark.parametrize(
    "data",
    ["quiz:", "quiz:1:2", "quiz:1:2:x", "quiz:-1:0:0", "quiz:1:0:0:0", "quiz:9999999999:0:0"],
)
def test_malformed_quiz_data_gets_a_polite_reply_and_no_effect(data: str) -> None:
    chat = Resident()
    chat.postback(data)
    assert chat.last.effects == []
    assert chat.last.messages[0]["text"] == texts.QUIZ_UNAVAILABLE


def test_the_promotion_menu_asks_for_the_latest_promotions_only_at_the_main_menu() -> None:
    chat = Resident()
    chat.postback("menu=promotion")
    assert chat.last.messages[0]["text"] == CONTENT.promotion
    assert chat.last.effects == [ShowPromotions()]
    chat.postback("menu=report")
    chat.postback("menu=promotion")
    assert chat.last.effects == []  # the carousel would hide the question's buttons


def test_unfollow_and_follow_touch_nothing_but_following() -> None:
    chat = Resident(settings=Subscription("中正區", "建國里", opt_out=True))
    chat.send(Incoming(kind="unfollow", chat_id=USER))
    chat.send(Incoming(kind="follow", chat_id=USER, is_unblocked=True))
    assert chat.effects == [SetFollowing(False), SetFollowing(True)]


# -- the areas setting -----------------------------------------------------------------


def test_areas_accept_either_width_of_colons_and_commas_and_blank_lines() -> None:
    text = "\n  中正區：建國里、文北里\r\n\n大同區:延平里,雙連里，保安里 朝陽里\n萬華區：\n"
    assert areas.parse(text) == {
        "中正區": ["建國里", "文北里"],
        "大同區": ["延平里", "雙連里", "保安里", "朝陽里"],
        "萬華區": [],
    }
    assert areas.parse(areas.format_text(areas.parse(text))) == areas.parse(text)
    assert areas.parse("") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("中正區：建國里\n大同區 延平里", "第 2 行格式有誤（缺少冒號）"),
        ("中正區：建國里：文北里", "第 1 行格式有誤（有多個冒號）"),
        ("\n：建國里", "第 2 行缺少區名"),
        ("中正區：建國里\n中正區：文北里", "第 2 行的「中正區」重複"),
        ("中正區：建國里、建國里", "第 1 行的「建國里」重複"),
        ("中正區：" + "長" * 21, "超過 20 字"),
    ],
)
def test_malformed_areas_are_refused_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(AreasError) as raised:
        areas.parse(text)
    assert message in str(raised.value)


def test_a_stored_value_that_cannot_be_read_counts_as_no_areas() -> None:
    assert areas.read("沒有冒號") == {}
    assert areas.read(None) == {}
    assert areas.read(areas.SAMPLE) == AREAS
