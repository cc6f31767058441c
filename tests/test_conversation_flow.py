"""The report flow, step by step, as a resident drives it by tapping and typing."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from lianping import codes
from lianping.bot import texts
from lianping.bot.conversation import AddToCase, CreateCase, ListCases
from lianping.bot.conversation.draft import MAX_PHOTOS
from lianping.bot.conversation.phone import parse_phone
from tests.test_engine import CONTENT, Chat

NEED_2 = codes.SUB_ITEMS["need-2"].plain
REFORM_1 = codes.SUB_ITEMS["reform-1"].plain
DESCRIPTION = "中山路123號前的路燈壞了一星期，晚上很暗，希望儘快修理。"
CASE = "1151121-0001"


def _tap(label: str) -> Callable[[Chat], object]:
    return lambda chat: chat.tap(label)


def _type(body: str) -> Callable[[Chat], object]:
    return lambda chat: chat.text(body)


def _describe(chat: Chat) -> None:
    chat.text(DESCRIPTION)
    chat.tap(texts.LABEL_DONE)


# How to leave each step of a report with no media given in the description,
# so the location and photos steps are asked too.
LEAVE = {
    "idle": lambda chat: chat.postback("menu=report"),
    "notice": _tap(texts.LABEL_NOTICE_READ),
    "nature": _tap("民情需求"),
    "sub_item": _tap(NEED_2),
    "theme": _tap("地方工程"),
    "description": _describe,
    "location": _tap(texts.LABEL_SKIP),
    "photos": _tap(texts.LABEL_SKIP),
    "contact": _tap(texts.LABEL_WITH_CONTACT),
    "contact_details": _type("王小明 0912-345-678"),
    "address": _type("臺北市中正區重慶南路一段1號"),
    "occupation": _tap("上班族"),
    "publication": _tap(texts.LABEL_PUBLISH_YES),
    "summary": _tap(texts.LABEL_EDIT),
}
REPORT_STEPS = [*list(LEAVE)[1:], "edit"]
# Where 上一步 leads from each step of that walk (None: out to the main menu).
BACK_TO = {
    "notice": None,
    "nature": "notice",
    "sub_item": "nature",
    "theme": "sub_item",
    "description": "theme",
    "location": "description",
    "photos": "location",
    "contact": "photos",
    "contact_details": "contact",
    "address": "contact_details",
    "occupation": "address",
    "publication": "occupation",
    "summary": "publication",
    "edit": "summary",
    "tip": "notice",
}


def reach(step: str) -> Chat:
    """A chat waiting at ``step``."""
    chat = Chat()
    if step == "tip":
        chat.postback("a=tip")
        chat.tap(texts.LABEL_NOTICE_READ)
    elif step == "offer_text":
        chat.text("路燈壞了很久")
    elif step == "supplement":
        chat.postback(f"a=supplement&n={CASE}")
    elif step == "resume":
        reach_into(chat, "description")
        chat.text("我回來了", after_minutes=31)
    else:
        reach_into(chat, step)
    assert chat.step == step
    return chat


def reach_into(chat: Chat, step: str) -> None:
    while chat.step != step:
        LEAVE[chat.step if chat.step in LEAVE else "idle"](chat)


def file_report(chat: Chat) -> None:
    reach_into(chat, "summary")


# -- the whole flow ---------------------------------------------------------------------


def test_a_complete_report_takes_at_most_eleven_taps() -> None:
    # Ten for the report itself, and one for the optional question on publication.
    # A resident who read the current notice before (a first report adds its 已閱讀).
    chat = Chat()
    chat.notice_version, chat.notice_read_ms = CONTENT.privacy_version, 1_700_000_000_000
    chat.postback("menu=report")  # the rich menu's 我要反映 is the first tap
    chat.taps = 1
    chat.tap("民情需求")
    chat.tap(NEED_2)
    chat.tap("地方工程")
    chat.text(DESCRIPTION)
    assert chat.tap(texts.LABEL_CAMERA_ROLL) is None  # LINE opens the album
    chat.media("image", "photo-1")
    assert chat.tap(texts.LABEL_LOCATION) is None  # LINE opens the map
    chat.location()
    chat.tap(texts.LABEL_DONE)
    assert chat.step == "contact", "location and photos were given: no extra steps"
    chat.tap(texts.LABEL_WITH_CONTACT)
    chat.text("王小明 0912-345-678")
    chat.text("臺北市中正區重慶南路一段1號")
    chat.tap("上班族")
    assert chat.step == "publication"
    chat.tap(texts.LABEL_PUBLISH_YES)
    assert chat.step == "summary"
    chat.tap(texts.LABEL_SUBMIT)
    assert chat.taps <= 11
    assert len(chat.created) == 1
    assert chat.created[0].draft == {
        "nature": "need",
        "sub_item": "need-2",
        "theme": "works",
        "description": DESCRIPTION,
        "photos": ["photo-1"],
        "attachments": [],
        "location": {
            "title": "中山路路口",
            "address": "臺北市中山路1號",
            "latitude": 25.0478,
            "longitude": 121.5170,
        },
        "anonymous": False,
        "name": "王小明",
        "phone": "+886912345678",
        "phone_display": "0912-345-678",
        "address": "臺北市中正區重慶南路一段1號",
        "occupation": "上班族",
        "publish_consent": True,
        "notice_version": CONTENT.privacy_version,
        "notice_read_at": 1_700_000_000_000,
    }
    assert chat.created[0].notice_version == CONTENT.privacy_version
    assert chat.step == "idle"
    assert chat.last.messages == [], "the dispatcher answers with the case number"


def test_the_nature_step_explains_both_natures() -> None:
    chat = reach("nature")
    assert chat.labels()[:2] == ["民情需求", "施政興革"]
    body = chat.last.messages[-1]["text"]
    assert texts.NATURE_EXPLAINED["need"] in body and texts.NATURE_EXPLAINED["reform"] in body


@pytest.mark.parametrize("nature", ["need", "reform"])
def test_the_sub_item_step_speaks_plain_words_not_the_plans(nature: str) -> None:
    chat = reach("nature")
    chat.tap(texts.NATURE_LABELS[nature])
    items = codes.sub_items_of(nature)
    assert chat.labels() == [item.plain for item in items] + ["上一步", "取消"]
    shown = chat.last.messages[-1]["text"]
    for item in items:
        assert item.plain in shown
        # Seed 004's wording stays the staff's and the forms' (附件1, exports), not the chat's.
        assert item.wording not in shown and item.plain != item.wording
    chat.tap(items[-1].plain)
    assert chat.draft["sub_item"] == items[-1].code
    reach_into(chat, "summary")
    rows = chat.last.messages[-1]["contents"]["body"]["contents"]
    shown_rows = {row["contents"][0]["text"]: row["contents"][1]["text"] for row in rows}
    assert shown_rows[texts.FIELD_SUB_ITEM] == items[-1].plain


def test_sub_items_can_be_typed_by_number() -> None:
    chat = reach("sub_item")
    chat.text("2")
    assert chat.draft["sub_item"] == "need-2"


def test_theme_is_optional() -> None:
    chat = reach("theme")
    assert chat.labels() == [*codes.THEMES.values(), "略過", "上一步", "取消"]
    chat.tap(texts.LABEL_SKIP)
    assert chat.step == "description"
    assert chat.draft["theme"] is None


def test_description_is_collected_from_several_messages() -> None:
    chat = reach("description")
    chat.text("路燈壞了")
    assert chat.last.messages[0]["text"] == texts.DESCRIPTION_TOO_SHORT
    chat.text("在中山路123號前面")
    assert chat.labels() == ["拍照", "從相簿選擇", "傳送位置", "完成", "清除重寫", "上一步", "取消"]
    kinds = [item["action"]["type"] for item in chat.items()[:3]]
    assert kinds == ["camera", "cameraRoll", "location"]
    chat.tap(texts.LABEL_DONE)
    assert chat.draft["description"] == "路燈壞了\n在中山路123號前面"
    assert chat.step == "location"


@pytest.mark.parametrize("body", ["太短了", "   短   "])
def test_a_short_description_is_asked_again(body: str) -> None:
    chat = reach("description")
    chat.text(body)
    chat.tap(texts.LABEL_DONE)
    assert chat.step == "description"
    assert chat.last.messages[0]["text"] == texts.DESCRIPTION_TOO_SHORT


def test_an_empty_description_is_asked_again() -> None:
    chat = reach("description")
    chat.text("完成")
    assert chat.step == "description"
    assert chat.last.messages[0]["text"] == texts.DESCRIPTION_TOO_SHORT


def test_the_description_can_be_cleared() -> None:
    chat = reach("description")
    chat.text("寫錯的內容寫錯的內容")
    chat.tap(texts.LABEL_CLEAR_DESCRIPTION)
    assert chat.draft["description"] == ""


def test_media_during_the_description_become_photos_attachments_and_location() -> None:
    chat = reach("description")
    chat.media("image", "p1")
    assert "共1張" in chat.last.messages[0]["text"]
    chat.media("video", "v1")
    chat.media("audio", "a1")
    chat.media("file", "f1")
    chat.location("市政府", "臺北市信義區")
    assert chat.draft["photos"] == ["p1"]
    assert chat.draft["attachments"] == [
        {"message_id": "v1", "kind": "video"},
        {"message_id": "a1", "kind": "audio"},
        {"message_id": "f1", "kind": "file"},
    ]
    assert chat.draft["location"]["title"] == "市政府"
    chat.text(DESCRIPTION)
    chat.tap(texts.LABEL_DONE)
    assert chat.step == "contact"


def test_a_sixth_photo_is_refused_politely() -> None:
    chat = reach("description")
    for index in range(MAX_PHOTOS):
        chat.media("image", f"p{index}")
    chat.media("image", "p-extra")
    assert chat.last.messages[0]["text"].startswith(texts.PHOTO_LIMIT)
    assert chat.draft["photos"] == [f"p{index}" for index in range(MAX_PHOTOS)]


def test_the_location_step_offers_the_map_picker() -> None:
    chat = reach("location")
    assert chat.action(texts.LABEL_LOCATION)["type"] == "location"
    chat.location()
    assert chat.step == "photos"
    assert chat.draft["location"]["address"] == "臺北市中山路1號"


def test_a_typed_place_is_the_reports_location() -> None:
    chat = reach("location")
    chat.text("信義里")
    assert chat.step == "photos"
    assert chat.draft["description"] == DESCRIPTION, "the place is not added to the content"
    assert chat.draft["location"] == {
        "title": None,
        "address": "信義里",
        "latitude": None,
        "longitude": None,
    }
    assert chat.last.messages[0]["text"] == texts.LOCATION_NOTED.format(place="信義里")
    reach_into(chat, "summary")
    rows = chat.last.messages[-1]["contents"]["body"]["contents"]
    shown = {row["contents"][0]["text"]: row["contents"][1]["text"] for row in rows}
    assert shown[texts.FIELD_LOCATION] == "信義里"


def test_a_typed_place_replaces_a_map_location_and_too_long_a_place_is_refused() -> None:
    chat = reach("summary")
    chat.tap(texts.LABEL_EDIT)
    chat.tap(texts.EDIT_LABELS["location"])
    chat.location()
    chat.tap(texts.LABEL_EDIT)
    chat.tap(texts.EDIT_LABELS["location"])
    chat.text("路" * 101)
    assert chat.last.messages[0]["text"] == texts.LOCATION_TOO_LONG
    assert chat.step == "location"
    assert chat.draft["location"]["latitude"] == 25.0478, "nothing changed"
    chat.text("中山路與民生路口")
    assert chat.step == "summary"
    assert chat.draft["location"]["address"] == "中山路與民生路口"
    assert chat.draft["location"]["latitude"] is None


def test_the_photos_step_counts_photos_until_done() -> None:
    chat = reach("photos")
    assert chat.action(texts.LABEL_CAMERA)["type"] == "camera"
    chat.media("image", "p1")
    chat.media("image", "p2")
    assert "共2張" in chat.last.messages[0]["text"]
    assert texts.LABEL_DONE in chat.labels()
    chat.text("這是文字")
    assert chat.step == "photos"
    chat.tap(texts.LABEL_DONE)
    assert chat.step == "contact"
    assert chat.draft["photos"] == ["p1", "p2"]


def test_media_at_other_steps_is_attached_not_lost() -> None:
    chat = reach("occupation")
    chat.media("image", "late-photo")
    assert chat.step == "occupation"
    assert chat.draft["photos"] == ["late-photo"]


# -- contact: with details or without a name -------------------------------------------------


def test_the_contact_step_offers_two_ways_and_asks_no_consent() -> None:
    chat = reach("contact")
    assert chat.labels()[:2] == [texts.LABEL_WITH_CONTACT, texts.LABEL_ANONYMOUS]
    said = chat.said()
    assert "第173條第1款" in said and "LINE識別碼" in said
    assert "同意" not in said and CONTENT.privacy_notice not in said, "the notice came first"


def test_choosing_no_name_after_giving_details_drops_them() -> None:
    chat = reach("summary")
    for _ in range(5):
        chat.tap("上一步")
    assert chat.step == "contact"
    chat.tap(texts.LABEL_ANONYMOUS)
    assert chat.step == "publication"
    assert chat.draft["name"] is None and chat.draft["phone"] is None
    assert chat.draft["notice_version"] == CONTENT.privacy_version, "the notice stays read"


def test_the_anonymous_path_skips_personal_details() -> None:
    chat = reach("contact")
    chat.tap(texts.LABEL_ANONYMOUS)
    assert chat.step == "publication"
    chat.tap(texts.LABEL_SKIP)
    assert chat.step == "summary"
    assert "不具名" in chat.said()
    chat.tap(texts.LABEL_SUBMIT)
    (created,) = chat.created
    assert created.draft["anonymous"] is True
    assert created.draft["name"] is None and created.draft["phone"] is None
    assert created.notice_version == CONTENT.privacy_version


@pytest.mark.parametrize(
    ("typed", "phone", "display"),
    [
        ("王小明 0912-345-678", "+886912345678", "0912-345-678"),
        ("王小明 02-2381-1234", "+886223811234", "02-2381-1234"),
        ("王小明 +886912345678", "+886912345678", "0912-345-678"),
        ("姓名：陳大文，電話：(02)2381-1234", "+886223811234", "02-2381-1234"),
        ("林美麗\n0912345678", "+886912345678", "0912-345-678"),
    ],
)
def test_valid_taiwan_numbers_are_stored_in_e164(typed: str, phone: str, display: str) -> None:
    chat = reach("contact_details")
    chat.text(typed)
    assert chat.step == "address"
    assert (chat.draft["phone"], chat.draft["phone_display"]) == (phone, display)


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("王小明 12345", texts.CONTACT_BAD_PHONE),
        ("王小明", texts.CONTACT_NO_PHONE),
        ("姓名：王小明", texts.CONTACT_NO_PHONE),
        ("王小明 0800-286-586", texts.CONTACT_BAD_PHONE),
        ("王小明 +1 212 555 0100", texts.CONTACT_BAD_PHONE),
        ("0912-345-678", texts.CONTACT_BAD_NAME),
        ("這個名字實在是太長了超過二十個字的名字不合理 0912-345-678", texts.CONTACT_BAD_NAME),
    ],
)
def test_a_bad_name_or_phone_is_asked_again(typed: str, answer: str) -> None:
    chat = reach("contact_details")
    chat.text(typed)
    assert chat.step == "contact_details"
    assert chat.last.messages[0]["text"] == answer
    assert chat.draft["phone"] is None


def test_the_contact_errors_say_what_is_wrong_with_an_example_that_is_accepted() -> None:
    chat = reach("contact_details")
    chat.text("王小明 12345")
    wrong = chat.last.messages[0]["text"]
    assert wrong.startswith("電話號碼格式不正確，請重新輸入姓名及電話，例如：")
    chat.text("王小明")
    assert chat.last.messages[0]["text"].startswith("請在姓名後一併輸入聯絡電話")
    # Every example number the step shows is one it accepts, and none is a real
    # reporting line (02-2381-1234 is 法務部廉政署's fax).
    shown = " ".join([wrong, chat.last.messages[0]["text"], texts.CONTACT_DETAILS_PROMPT])
    examples = re.findall(r"0\d{1,3}-\d{3,4}-\d{3,4}", shown)
    assert examples and all(parse_phone(example) for example in examples)
    assert "2381-1234" not in shown


def test_address_and_occupation_are_optional_and_checked() -> None:
    chat = reach("address")
    chat.text("地" * 101)
    assert chat.last.messages[0]["text"] == texts.ADDRESS_TOO_LONG
    chat.tap(texts.LABEL_SKIP)
    assert chat.step == "occupation"
    assert chat.labels() == [*texts.OCCUPATIONS, "略過", "上一步", "取消"]
    chat.text("職" * 21)
    assert chat.last.messages[0]["text"] == texts.OCCUPATION_TOO_LONG
    chat.text("志工")
    assert chat.step == "publication"
    assert (chat.draft["address"], chat.draft["occupation"]) == (None, "志工")


# -- summary, 修改 and 送出 ---------------------------------------------------------------


def test_the_summary_card_shows_the_report_and_the_answer_time() -> None:
    chat = reach("summary")
    card = chat.last.messages[-1]
    assert card["type"] == "flex"
    said = chat.said()
    for shown in ("民情需求事項", NEED_2, "地方工程", "中山路123號", "0張", "王小明"):
        assert shown in said
    assert "預計於 30 日內回覆" in said
    assert chat.labels() == ["送出", "修改", "上一步", "取消"]


@pytest.mark.parametrize(
    ("field", "steps", "change"),
    [
        (
            "類別",
            ["nature", "sub_item"],
            [_tap("施政興革"), _tap(codes.SUB_ITEMS["reform-1"].plain)],
        ),
        ("主題", ["theme"], [_tap("河川疏濬")]),
        (
            "內容",
            ["description"] * 2,
            [_type("另外，旁邊的水溝蓋也鬆動了。"), _tap(texts.LABEL_DONE)],
        ),
        ("位置", ["location"], [lambda chat: chat.location("新地點", "新地址")]),
        ("照片", ["photos"] * 2, [lambda chat: chat.media("image", "new"), _tap(texts.LABEL_DONE)]),
        (
            "聯絡資料",
            ["contact", "contact_details", "address", "occupation"],
            [
                _tap(texts.LABEL_WITH_CONTACT),
                _type("陳大文 02-2381-1234"),
                _tap(texts.LABEL_SKIP),
                _tap(texts.LABEL_SKIP),
            ],
        ),
    ],
)
def test_editing_one_field_returns_to_the_summary(
    field: str, steps: list[str], change: list[Callable[[Chat], object]]
) -> None:
    chat = reach("summary")
    before = dict(chat.draft)
    chat.tap(texts.LABEL_EDIT)
    chat.tap(field)
    for expected, act in zip(steps, change, strict=True):
        assert chat.step == expected
        act(chat)
    assert chat.step == "summary"
    assert chat.draft != before
    chat.tap(texts.LABEL_SUBMIT)
    assert len(chat.created) == 1


def test_changing_the_nature_needs_a_new_sub_item() -> None:
    chat = reach("summary")
    chat.tap(texts.LABEL_EDIT)
    chat.tap("類別")
    chat.tap("施政興革")
    assert chat.draft["sub_item"] is None
    chat.tap("上一步")
    chat.tap("上一步")
    assert chat.step == "edit"
    chat.tap(texts.LABEL_BACK_TO_SUMMARY)
    assert chat.step == "sub_item", "the summary is only shown when the report is complete"
    chat.tap(codes.SUB_ITEMS["reform-3"].plain)
    assert chat.step == "summary"


def test_back_from_the_summary_after_an_edit_walks_the_original_way() -> None:
    chat = reach("summary")
    chat.tap(texts.LABEL_EDIT)
    chat.tap("主題")
    chat.tap("搶災搶險")
    chat.tap("上一步")
    assert chat.step == "publication"


def test_submitting_creates_exactly_one_case_and_a_second_tap_is_expired() -> None:
    chat = reach("summary")
    submit = chat.data_of(texts.LABEL_SUBMIT)
    chat.tap(texts.LABEL_SUBMIT)
    assert len(chat.created) == 1
    assert isinstance(chat.last.effects[0], CreateCase)
    chat.postback(submit)
    assert len(chat.created) == 1
    assert chat.last.messages[0]["text"] == texts.EXPIRED


def test_typing_the_word_submit_does_not_submit() -> None:
    chat = reach("summary")
    chat.text("送出")
    assert chat.created == []
    assert chat.step == "summary"


# -- commands at every step ---------------------------------------------------------------

ALL_STEPS = [*REPORT_STEPS, "tip", "offer_text", "resume", "supplement"]


@pytest.mark.parametrize("how", ["typed", "tapped"])
@pytest.mark.parametrize("step", [*REPORT_STEPS, "tip"])
def test_cancel_ends_the_report_at_every_step(step: str, how: str) -> None:
    chat = reach(step)
    token = chat.state["token"]
    _command(chat, "取消", how)
    assert chat.step == "idle"
    assert chat.last.messages[0]["text"] == texts.CANCELLED
    assert chat.state["token"] != token
    assert "draft" not in chat.state


@pytest.mark.parametrize("how", ["typed", "tapped"])
@pytest.mark.parametrize("step", [*REPORT_STEPS, "tip"])
def test_back_goes_to_the_previous_step(step: str, how: str) -> None:
    chat = reach(step)
    _command(chat, "上一步", how)
    expected = BACK_TO[step]
    if expected is None:
        assert chat.step == "idle"
        assert chat.last.messages[0]["text"] == texts.BACK_AT_START
    else:
        assert chat.step == expected


@pytest.mark.parametrize("step", [*REPORT_STEPS, "tip"])
def test_restart_begins_the_same_kind_of_report_afresh(step: str) -> None:
    chat = reach(step)
    token = chat.state["token"]
    chat.text("重新開始")
    # The notice read once is not shown again in full: the flow's first question follows.
    first = "tip" if step == "tip" else "nature"
    assert chat.step == ("notice" if chat.notice_version is None else first)
    assert chat.draft["description"] == ""
    assert chat.state["token"] != token


@pytest.mark.parametrize("step", ALL_STEPS)
def test_help_explains_the_step_and_asks_again(step: str) -> None:
    chat = reach(step)
    before = chat.state
    chat.text("說明")
    assert chat.last.messages[0]["text"].startswith(texts.STEP_HELP[step])
    assert chat.step == step
    assert (
        chat.state["draft" if "draft" in before else "step"]
        == before["draft" if "draft" in before else "step"]
    )


@pytest.mark.parametrize(
    ("step", "word", "answer", "then"),
    [
        ("offer_text", "取消", texts.TEXT_DECLINED, "idle"),
        ("offer_text", "上一步", texts.TEXT_DECLINED, "idle"),
        ("resume", "取消", texts.DISCARDED, "idle"),
        ("resume", "上一步", None, "description"),
        ("resume", "重新開始", None, "nature"),
        ("supplement", "取消", texts.SUPPLEMENT_CANCELLED, "idle"),
        ("supplement", "上一步", texts.SUPPLEMENT_CANCELLED, "idle"),
        ("supplement", "重新開始", texts.SUPPLEMENT_CANCELLED, "idle"),
    ],
)
def test_commands_outside_a_report(step: str, word: str, answer: str | None, then: str) -> None:
    chat = reach(step)
    chat.text(word)
    assert chat.step == then
    if answer is not None:
        assert chat.last.messages[0]["text"] == answer


def _command(chat: Chat, word: str, how: str) -> None:
    if how == "typed":
        chat.text(word)
    else:
        chat.tap(word)


@pytest.mark.parametrize("step", [*REPORT_STEPS, "tip"])
def test_a_sticker_inside_the_flow_asks_the_step_again(step: str) -> None:
    chat = reach(step)
    before = chat.state
    chat.sticker()
    assert chat.step == step
    assert chat.state["draft"] == before["draft"]


# -- the main menu's words typed inside a flow -------------------------------------------

# Steps where typed text is an answer (and so once became part of the report).
TEXT_STEPS = ["description", "location", "contact_details", "address", "occupation", "tip"]


@pytest.mark.parametrize("word", list(texts.MENU_LABELS.values()))
@pytest.mark.parametrize("step", TEXT_STEPS)
def test_a_menu_word_typed_inside_a_report_does_what_it_says_and_keeps_the_draft(
    step: str, word: str
) -> None:
    chat = reach(step)
    draft = chat.draft
    chat.text(word)
    assert chat.draft == draft, f"「{word}」 must not become part of the report"
    item = next(item for item, label in texts.MENU_LABELS.items() if label == word)
    if item == "status":
        assert chat.last.effects == [ListCases()]
    elif item == "report":
        assert chat.step == "resume", "starting anew asks about the draft first"
        chat.tap(texts.LABEL_CONTINUE)
    elif item == "subscription":
        flow = "檢舉" if step == "tip" else "反映"
        assert chat.last.messages[0]["text"] == texts.SUBSCRIPTION_BUSY.format(flow=flow)
    else:
        shown = {"channels": CONTENT.reporting_channels, "promotion": CONTENT.promotion,
                 "privacy": CONTENT.privacy_notice, "help": CONTENT.help}[item]  # fmt: skip
        assert chat.last.messages[0]["text"] == shown
    assert chat.step == step
    assert chat.draft == draft


def test_a_menu_word_typed_during_a_supplement_is_not_added_to_the_case() -> None:
    chat = reach("supplement")
    chat.text("查詢案件")
    assert chat.last.effects == [ListCases()]


def test_a_menu_word_typed_after_free_text_is_not_kept_with_it() -> None:
    chat = reach("offer_text")
    chat.text("使用說明")
    assert chat.last.messages[0]["text"] == CONTENT.help
    assert chat.state["pending_text"] == "路燈壞了很久"


# Steps answered only by a button: anything else is a wrong input there.
BUTTON_STEPS = ["nature", "sub_item", "theme", "photos", "contact", "summary", "edit", "resume"]


@pytest.mark.parametrize("wrong", ["好", "sticker"])
@pytest.mark.parametrize("step", BUTTON_STEPS)
def test_a_wrong_input_at_a_button_step_says_to_tap_a_button_then_asks_again(
    step: str, wrong: str
) -> None:
    chat = reach(step)
    question = chat.last.messages[-1]
    before = chat.state
    if wrong == "sticker":
        chat.sticker()
    else:
        chat.text(wrong)
    assert chat.last.messages[0]["text"] == texts.CHOOSE_BUTTON
    assert chat.last.messages[-1] == question, "the question follows, with its buttons"
    assert {**chat.state, "at": 0} == {**before, "at": 0}, "nothing changed"


def test_the_privacy_notice_is_not_sent_again_after_a_wrong_input() -> None:
    chat = reach("contact")
    chat.text("好")
    assert chat.last.messages[0]["text"] == texts.CHOOSE_BUTTON
    assert CONTENT.privacy_notice not in chat.said()
    assert texts.LABEL_WITH_CONTACT in chat.labels()


@pytest.mark.parametrize("thanks", ["謝謝", "謝謝您！", "感謝", "thanks"])
def test_thanks_at_the_main_menu_is_answered_briefly(thanks: str) -> None:
    chat = Chat()
    chat.text(thanks)
    assert chat.state.get("step", "idle") == "idle", "it is not offered as the start of a report"
    assert chat.last.messages[0]["text"] == texts.THANKS_REPLY
    assert len(chat.last.messages) == 1


# -- expired buttons -------------------------------------------------------------------


def test_a_button_of_a_cancelled_conversation_is_expired() -> None:
    chat = reach("theme")
    old = chat.data_of("地方工程")
    chat.text("取消")
    chat.postback(old)
    assert chat.last.messages[0]["text"] == texts.EXPIRED
    # It says what was tapped and where to tap instead, in the words of the chat.
    assert "按鈕已失效" in texts.EXPIRED and "最新訊息" in texts.EXPIRED
    assert chat.last.messages[-1]["text"] == texts.MENU_PROMPT
    assert chat.step == "idle"


def test_a_button_of_an_older_conversation_is_expired_in_a_new_one() -> None:
    chat = reach("theme")
    old = chat.data_of("地方工程")
    chat.text("重新開始")
    chat.tap("施政興革")
    chat.postback(old)
    assert chat.last.messages[0]["text"] == texts.EXPIRED
    assert chat.step == "sub_item", "the current step is asked again"
    assert chat.draft["theme"] is None


def test_a_button_of_an_earlier_step_is_expired() -> None:
    chat = reach("nature")
    old = chat.data_of("民情需求")
    chat.tap("民情需求")
    chat.tap(NEED_2)
    chat.postback(old)
    assert chat.last.messages[0]["text"] == texts.EXPIRED
    assert chat.step == "theme"


# -- pauses ----------------------------------------------------------------------------


def test_after_thirty_minutes_the_draft_waits_to_be_resumed() -> None:
    chat = reach("description")
    chat.text("路燈壞了一星期以上了")
    chat.text("還在嗎", after_minutes=31)
    assert chat.step == "resume"
    assert chat.labels() == ["繼續填寫", "重新開始", "捨棄"]
    assert "還在嗎" not in chat.draft["description"]
    chat.tap(texts.LABEL_CONTINUE)
    assert chat.step == "description"
    assert chat.draft["description"] == "路燈壞了一星期以上了"


def test_a_paused_draft_can_be_restarted_or_discarded() -> None:
    chat = reach("occupation")
    chat.sticker()
    chat.text("嗨", after_minutes=45)
    chat.tap(texts.LABEL_RESTART)
    assert chat.step == "nature"
    assert chat.draft["name"] is None
    chat.tap("民情需求")
    chat.text("嗨", after_minutes=60)
    chat.tap(texts.LABEL_DISCARD)
    assert chat.step == "idle"
    assert chat.last.messages[0]["text"] == texts.DISCARDED


def test_under_thirty_minutes_nothing_is_interrupted() -> None:
    chat = reach("description")
    chat.text(DESCRIPTION, after_minutes=29)
    assert chat.step == "description"


def test_after_a_day_the_draft_is_dropped_silently() -> None:
    chat = reach("summary")
    old = chat.data_of(texts.LABEL_SUBMIT)
    chat.text("今天再來反映", after_minutes=24 * 60 + 1)
    assert chat.step == "offer_text", "the text is handled as at the main menu"
    assert "draft" not in chat.state
    chat.postback(old)
    assert chat.created == []
    assert chat.last.messages[0]["text"] == texts.EXPIRED


def test_a_waiting_resume_offer_expires_after_a_day() -> None:
    chat = reach("resume")
    chat.sticker()
    chat.text("繼續", after_minutes=24 * 60 + 1)
    assert chat.step == "offer_text"


def test_events_out_of_order_never_count_as_a_pause() -> None:
    chat = reach("description")
    chat.now -= 3 * 60 * 60 * 1000
    chat.text(DESCRIPTION)
    assert chat.step == "description"
    assert chat.state["at"] > chat.now


# -- free text at the main menu ----------------------------------------------------------


def test_free_text_at_idle_can_start_a_report() -> None:
    chat = Chat()
    chat.text("公園的溜滑梯壞掉了")
    assert chat.last.messages[0]["text"] == texts.TEXT_AT_IDLE
    assert chat.labels() == [texts.LABEL_START_WITH_TEXT, texts.LABEL_NO_THANKS]
    chat.text("小朋友差點受傷")
    chat.tap(texts.LABEL_START_WITH_TEXT)
    assert chat.step == "notice", "the notice comes before the first question"
    chat.tap(texts.LABEL_NOTICE_READ)
    assert chat.step == "nature"
    assert chat.draft["description"] == "公園的溜滑梯壞掉了\n小朋友差點受傷"
    reach_into(chat, "description")
    assert "公園的溜滑梯壞掉了" in chat.last.messages[-1]["text"]
    chat.tap(texts.LABEL_DONE)
    assert chat.step == "location"


def test_free_text_at_idle_can_be_declined() -> None:
    chat = Chat()
    chat.text("你好")
    chat.tap(texts.LABEL_NO_THANKS)
    assert chat.step == "idle"
    assert chat.last.messages[0]["text"] == texts.TEXT_DECLINED


def test_starting_a_report_during_a_draft_offers_to_resume_it() -> None:
    chat = reach("photos")
    chat.postback("menu=report")
    assert chat.step == "resume"
    chat.tap(texts.LABEL_CONTINUE)
    assert chat.step == "photos"


def test_information_inside_the_flow_comes_before_the_current_question() -> None:
    chat = reach("theme")
    chat.postback("menu=promotion")
    assert chat.last.messages[0]["text"] == CONTENT.promotion
    assert chat.step == "theme"
    assert "地方工程" in chat.labels()


# -- the tip flow -----------------------------------------------------------------------


def test_a_tip_from_the_reporting_channels() -> None:
    chat = Chat()
    chat.postback("menu=channels")
    chat.tap(texts.LABEL_TIP)
    assert chat.step == "notice"
    chat.tap(texts.LABEL_NOTICE_READ)
    assert chat.step == "tip"
    assert "保密" in chat.last.messages[0]["text"]
    assert "公益揭弊者保護法" in chat.last.messages[0]["text"]
    chat.tap(texts.LABEL_TIP_START)
    chat.text("某機關承辦人員疑似收受廠商招待，時間是上個月。")
    chat.media("image", "evidence")
    chat.tap(texts.LABEL_DONE)
    assert chat.step == "location"
    chat.tap(texts.LABEL_SKIP)
    assert chat.step == "contact"
    chat.tap(texts.LABEL_ANONYMOUS_TIP)
    assert chat.step == "summary"
    assert "檢舉內容確認" in chat.said()
    chat.tap(texts.LABEL_EDIT)
    assert chat.labels()[:4] == ["內容", "位置", "照片", "聯絡資料"]
    chat.tap(texts.LABEL_BACK_TO_SUMMARY)
    chat.tap(texts.LABEL_SUBMIT)
    (created,) = chat.created
    assert created.draft["nature"] == "tip"
    assert created.draft["sub_item"] is None and created.draft["theme"] is None
    assert created.draft["photos"] == ["evidence"]
    assert created.draft["anonymous"] is True


def test_typing_at_the_tip_step_starts_the_description() -> None:
    chat = reach("tip")
    chat.text("公所工程疑似綁標")
    assert chat.step == "description"
    assert chat.draft["description"] == "公所工程疑似綁標"


def _words_read(chat: Chat) -> list[str]:
    """Every text and button of the last answer, leaving out the main menu's own labels."""
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "altText", "label", "displayText") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(chat.last.messages)
    return [words for words in found if words not in texts.MENU_LABELS.values()]


def test_the_tip_flow_speaks_of_a_tip_at_every_step() -> None:
    chat = Chat()
    chat.postback("menu=channels")
    chat.tap(texts.LABEL_TIP)
    seen: list[str] = []

    def look(*actions: Callable[[Chat], object]) -> None:
        for action in actions:
            action(chat)
            seen.extend(_words_read(chat))

    look(_type("說明"), _type("好"), _tap(texts.LABEL_NOTICE_READ))
    look(_type("說明"), _tap(texts.LABEL_TIP_START), _type("說明"), _type("收錢"))
    look(*(_type(label) for label in texts.MENU_LABELS.values() if label != "我要反映"))
    look(_type("某公所承辦人員疑似收受廠商招待，時間是上個月。"))
    look(lambda chat: chat.media("file"), lambda chat: chat.sticker(), _tap(texts.LABEL_DONE))
    look(_type("說明"), _type("公所"), lambda chat: chat.sticker(), _type("說明"))
    look(_tap(texts.LABEL_SKIP), _type("說明"), _type("好"), _type("說明"))
    assert texts.LABEL_ANONYMOUS_TIP in chat.labels()
    look(_tap(texts.LABEL_WITH_CONTACT), _type("說明"), _type("王小明 0912-345-678"))
    look(_type("說明"), _tap(texts.LABEL_SKIP), _type("說明"), _tap(texts.LABEL_SKIP))
    assert chat.step == "summary"
    look(_type("說明"), _tap(texts.LABEL_EDIT), _type("說明"), _tap(texts.LABEL_BACK_TO_SUMMARY))
    assert seen
    spoken_of_reports = [w for w in seen if any(r in w for r in ("反映", "改善", "修理"))]
    assert spoken_of_reports == [], "\n".join(spoken_of_reports)
    chat.tap(texts.LABEL_SUBMIT)
    assert chat.created[0].draft["nature"] == codes.TIP


# -- 補充說明 ---------------------------------------------------------------------------


def test_supplement_adds_each_message_to_the_case() -> None:
    chat = reach("supplement")
    assert CASE in chat.last.messages[0]["text"]
    chat.text("補充：路燈今天還是沒亮")
    assert chat.last.effects == [AddToCase(CASE, text="補充：路燈今天還是沒亮")]
    assert chat.last.messages == []  # the dispatcher answers: added, or refused
    chat.media("image", "p9")
    assert chat.last.effects == [AddToCase(CASE, media_message_id="p9", media_kind="image")]
    chat.media("file", "f9")
    assert chat.last.effects == [AddToCase(CASE, media_message_id="f9", media_kind="file")]
    chat.text(texts.LABEL_DONE)  # the acknowledgement's 完成 sends the word
    assert chat.step == "idle"
    assert chat.last.messages[0]["text"] == texts.SUPPLEMENT_RECEIVED


@pytest.mark.parametrize("word", [texts.LABEL_DONE, texts.LABEL_CANCEL])
def test_the_supplements_end_says_whether_anything_was_added(word: str) -> None:
    chat = reach("supplement")
    chat.text(word)
    assert chat.last.messages[0]["text"] == texts.SUPPLEMENT_CANCELLED
    chat.postback(f"a=supplement&n={CASE}")
    chat.media("image", "p8")
    chat.text(word)  # what was sent stays with the case, 取消 or not
    assert chat.last.messages[0]["text"] == texts.SUPPLEMENT_RECEIVED


def test_supplement_during_a_draft_returns_to_the_draft() -> None:
    chat = reach("address")
    chat.postback(f"a=supplement&n={CASE}")
    assert chat.step == "supplement"
    chat.text("補充一下")
    chat.text("完成")
    assert chat.step == "resume"
    chat.tap(texts.LABEL_CONTINUE)
    assert chat.step == "address"
    assert chat.draft["name"] == "王小明"
