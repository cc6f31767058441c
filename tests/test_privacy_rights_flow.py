"""個資說明 in the engine (pure: no HTTP, no database): the §3 rights menu, its typed words,
and the requests it files (查詢 answered by the dispatcher, the rest for staff)."""

from __future__ import annotations

import pytest

from lianping.bot import texts
from lianping.bot.conversation import privacy
from lianping.bot.conversation.model import FileDataRequest, ListCorrectable, ShowMyData
from tests.test_engine import Chat


def opened() -> Chat:
    chat = Chat()
    chat.postback("menu=privacy")
    return chat


def test_the_rich_menu_area_opens_the_rights_menu_with_a_button_for_each_right() -> None:
    chat = opened()
    assert chat.step == privacy.MENU
    assert "個人資料保護法第3條" in chat.said()
    assert chat.labels() == [
        texts.LABEL_PRIVACY_NOTICE,
        texts.LABEL_MY_DATA,
        texts.LABEL_DATA_COPY,
        texts.LABEL_DATA_CORRECT,
        texts.LABEL_DATA_ERASE,
        texts.LABEL_CANCEL,
    ]
    assert chat.last.effects == []


def test_the_notice_is_read_from_the_menu_and_the_menu_stays() -> None:
    chat = opened()
    chat.tap(texts.LABEL_PRIVACY_NOTICE)
    assert chat.content.privacy_notice in chat.said()
    assert chat.step == privacy.MENU


def test_asking_for_my_data_is_answered_by_the_dispatcher_at_once() -> None:
    chat = opened()
    chat.tap(texts.LABEL_MY_DATA)
    assert chat.last.effects == [ShowMyData()]
    assert chat.step == "idle"


@pytest.mark.parametrize(
    ("word", "effect"),
    [("查詢個資", ShowMyData()), ("更正資料", ListCorrectable())],
)
def test_typed_words_go_straight_to_the_choice(word: str, effect: object) -> None:
    chat = Chat()
    chat.text(word)
    assert chat.last.effects == [effect]


@pytest.mark.parametrize("word", ["個資", "個資說明"])
def test_typed_words_open_the_menu(word: str) -> None:
    chat = Chat()
    chat.text(word)
    assert chat.step == privacy.MENU


def test_a_copy_is_asked_for_only_after_confirming_and_says_how_long_deciding_takes() -> None:
    chat = Chat()
    chat.text("複製本")
    assert chat.step == privacy.CONFIRM
    assert "15日內決定" in chat.said() and "限下載一次" in chat.said()
    assert chat.last.effects == []
    chat.tap(texts.LABEL_REQUEST_CONFIRM)
    assert chat.last.effects == [FileDataRequest("copy")]
    assert chat.step == "idle"


@pytest.mark.parametrize(("label", "kind"), [(texts.LABEL_DATA_STOP, "stop"),
                                             (texts.LABEL_DATA_DELETE, "delete")])  # fmt: skip
def test_stop_or_delete_is_chosen_after_reading_what_each_does(label: str, kind: str) -> None:
    chat = opened()
    chat.tap(texts.LABEL_DATA_ERASE)
    said = chat.said()
    assert "30日內決定" in said and "檔案法" in said and "暫時保留您的LINE識別碼" in said
    assert chat.last.effects == []
    chat.tap(label)
    assert chat.last.effects == [FileDataRequest(kind)]


def test_a_second_tap_of_a_confirmed_request_is_an_expired_button() -> None:
    chat = Chat()
    chat.text("複製本")
    data = chat.data_of(texts.LABEL_REQUEST_CONFIRM)
    chat.postback(data)
    chat.postback(data)
    assert chat.last.effects == []
    assert texts.EXPIRED in chat.said()


def test_a_correction_picks_a_case_a_field_and_a_readable_value() -> None:
    chat = Chat()
    chat.postback(privacy.correct_data("1151121-0001"))
    assert chat.step == privacy.CORRECT_FIELD
    assert "1151121-0001" in chat.said()
    chat.tap(texts.LABEL_FIELD_PHONE)
    assert chat.step == privacy.CORRECT_VALUE
    chat.text("電話是幾號")
    assert texts.DATA_CORRECT_BAD_PHONE in chat.said()
    assert chat.last.effects == []
    chat.text("0912-345-678")
    assert chat.last.effects == [
        FileDataRequest("correct", number="1151121-0001", field="phone", value="+886912345678")
    ]
    assert chat.step == "idle"


def test_a_corrected_name_with_digits_is_asked_again_and_back_returns_to_the_fields() -> None:
    chat = Chat()
    chat.postback(privacy.correct_data("1151121-0001"))
    chat.text("姓名")
    chat.text("王小明2")
    assert texts.DATA_CORRECT_BAD_NAME in chat.said()
    chat.text("上一步")
    assert chat.step == privacy.CORRECT_FIELD
    chat.tap(texts.LABEL_FIELD_ADDRESS)
    chat.text("臺北市中正區重慶南路一段2號")
    assert chat.last.effects[0] == FileDataRequest(
        "correct", number="1151121-0001", field="address", value="臺北市中正區重慶南路一段2號"
    )


def test_cancel_leaves_without_asking_for_anything() -> None:
    chat = Chat()
    chat.text("刪除我的資料")
    chat.text("取消")
    assert chat.step == "idle"
    assert texts.PRIVACY_LEFT in chat.said()
    assert chat.last.effects == []


def test_inside_a_report_the_draft_is_kept_and_the_notice_is_shown() -> None:
    chat = Chat()
    chat.postback("menu=report")
    step = chat.step
    chat.postback("menu=privacy")
    assert chat.content.privacy_notice in chat.said()
    assert chat.step == step
    chat.text("複製本")
    assert "請先完成或取消目前的填寫" in chat.said()
    assert chat.step == step and chat.last.effects == []
    chat.postback(privacy.correct_data("1151121-0001"))
    assert chat.step == step and chat.last.effects == []


def test_words_that_are_not_a_choice_ask_for_a_button_and_file_nothing() -> None:
    chat = Chat()
    chat.text("複製本")
    chat.text("完成")
    assert texts.CHOOSE_BUTTON in chat.said()
    assert chat.last.effects == [] and chat.step == privacy.CONFIRM
