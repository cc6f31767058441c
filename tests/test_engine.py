"""The conversation engine as a pure function: no HTTP, no database.

Also home of ``Chat``, the driver the flow and property tests share: it feeds the
engine LINE-shaped events, keeps the state between them, counts taps, and checks
every answer against LINE's limits (and LINE's own spec when ``../shared`` is there).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from lianping.bot import cards, conversation, messages, texts
from lianping.bot.conversation import (
    Content,
    Incoming,
    LeaveChat,
    ListCases,
    Location,
    Outcome,
    ReadNotice,
    SetFollowing,
    ShowCase,
)
from lianping.bot.conversation.defaults import DEFAULT_CONTENT
from lianping.bot.messages import MENU_ITEMS, menu_postback_data
from lianping.line import limits
from lianping_dev.simulator import events as line_events
from tests import line_spec

USER = "U" + "2" * 32
T0 = 1_763_700_000_000  # 2025-11-21, in ms
CONTENT = Content(
    privacy_notice="個資告知（測試版）：蒐集機關、目的、類別、利用方式、權利及不提供的影響。",
    privacy_version=3,
    reporting_channels="檢舉管道（測試）",
    promotion="廉政宣導（測試）",
    help="使用說明（測試）",
    due_days=30,
)


def limit_problems(outcome: Outcome, *, spec: bool = False) -> list[str]:
    """Everything in ``outcome``'s answer that LINE would refuse."""
    if not outcome.messages:
        return []
    found = [f"{v.property}: {v.message}" for v in limits.check_messages(outcome.messages)]
    if spec and line_spec.spec_available():
        body = {"replyToken": "t" * 32, "messages": outcome.messages}
        found += line_spec.validate("post", "/v2/bot/message/reply", body)
    return found


def labels(message: dict[str, Any]) -> list[str]:
    """The labels of a message's quick replies."""
    return [item["action"]["label"] for item in (message.get("quickReply") or {}).get("items", [])]


class Chat:
    """One resident's chat with the engine, one event at a time."""

    def __init__(self, content: Content = CONTENT, *, spec: bool = True) -> None:
        self.content = content
        self.spec = spec
        self.state: dict[str, Any] = {}
        self.now = T0
        self.taps = 0
        self.last = Outcome({})
        self.created: list[conversation.CreateCase] = []
        self._ids = 0
        # The 個資法 §8 notice this resident read, as the dispatcher adds it to each event.
        self.notice_version: int | None = None
        self.notice_read_ms: int | None = None

    # -- sending ------------------------------------------------------------------

    def send(self, event: Incoming) -> Outcome:
        event = replace(
            event, notice_version=self.notice_version, notice_read_ms=self.notice_read_ms
        )
        outcome = conversation.step(self.state, event, self.content)
        problems = limit_problems(outcome, spec=self.spec)
        assert not problems, problems
        assert json.loads(json.dumps(outcome.state)) == outcome.state
        self.state = outcome.state
        self.last = outcome
        self.created += [e for e in outcome.effects if isinstance(e, conversation.CreateCase)]
        for effect in outcome.effects:
            if isinstance(effect, ReadNotice):
                self.notice_version, self.notice_read_ms = effect.version, event.timestamp_ms
        return outcome

    def _next(self, minutes: float = 0) -> int:
        self.now += int(minutes * 60_000) or 1_000
        return self.now

    def message_id(self) -> str:
        self._ids += 1
        return f"{self._ids:018d}"

    def text(self, body: str, *, after_minutes: float = 0) -> Outcome:
        return self.send(
            Incoming(
                kind="text",
                chat_id=USER,
                text=body,
                timestamp_ms=self._next(after_minutes),
                message_id=self.message_id(),
            )
        )

    def postback(self, data: str, *, after_minutes: float = 0) -> Outcome:
        return self.send(
            Incoming(
                kind="postback", chat_id=USER, data=data, timestamp_ms=self._next(after_minutes)
            )
        )

    def media(self, kind: str = "image", message_id: str | None = None) -> Outcome:
        return self.send(
            Incoming(
                kind=kind,
                chat_id=USER,
                timestamp_ms=self._next(),
                message_id=message_id or self.message_id(),
            )
        )

    def location(self, title: str = "中山路路口", address: str = "臺北市中山路1號") -> Outcome:
        place = Location(title, address, 25.0478, 121.5170)
        return self.send(
            Incoming(
                kind="location",
                chat_id=USER,
                timestamp_ms=self._next(),
                message_id=self.message_id(),
                location=place,
            )
        )

    def sticker(self) -> Outcome:
        return self.send(Incoming(kind="sticker", chat_id=USER, timestamp_ms=self._next()))

    # -- tapping ------------------------------------------------------------------

    def items(self) -> list[dict[str, Any]]:
        """The quick replies on offer (on the last message, where LINE shows them)."""
        if not self.last.messages:
            return []
        return (self.last.messages[-1].get("quickReply") or {}).get("items", [])

    def labels(self) -> list[str]:
        return [item["action"]["label"] for item in self.items()]

    def action(self, label: str) -> dict[str, Any]:
        for item in self.items():
            if item["action"]["label"] == label:
                return item["action"]
        raise AssertionError(f"no quick reply {label!r} in {self.labels()}")

    def tap(self, label: str, *, after_minutes: float = 0) -> Outcome | None:
        """Tap a quick reply; camera, album and location taps open LINE's pickers."""
        action = self.action(label)
        self.taps += 1
        if action["type"] == "postback":
            return self.postback(action["data"], after_minutes=after_minutes)
        if action["type"] == "message":
            return self.text(action["text"], after_minutes=after_minutes)
        return None

    def data_of(self, label: str) -> str:
        return self.action(label)["data"]

    @property
    def step(self) -> str:
        return str(self.state.get("step"))

    @property
    def draft(self) -> dict[str, Any]:
        return self.state["draft"]

    def said(self) -> str:
        """All text of the last answer, for assertions on wording."""
        return "\n".join(json.dumps(m, ensure_ascii=False) for m in self.last.messages)


# -- events outside the conversation ------------------------------------------------


def test_follow_welcomes_with_the_main_menu_and_records_following() -> None:
    outcome = conversation.step({}, Incoming(kind="follow", chat_id=USER))
    assert outcome.messages[0]["text"] == texts.WELCOME
    assert labels(outcome.messages[0]) == list(texts.MENU_LABELS.values())
    assert outcome.effects == [SetFollowing(True)]


def test_unblocking_is_welcomed_back() -> None:
    outcome = conversation.step({}, Incoming(kind="follow", chat_id=USER, is_unblocked=True))
    assert outcome.messages[0]["text"] == texts.WELCOME_BACK


def test_unfollow_sends_nothing_and_records_the_block() -> None:
    outcome = conversation.step({"step": "idle"}, Incoming(kind="unfollow", chat_id=USER))
    assert outcome.messages == []
    assert outcome.effects == [SetFollowing(False)]
    assert outcome.state == {"step": "idle"}


def test_join_says_why_and_leaves() -> None:
    event = conversation.from_event(line_events.join("C" + "b" * 32, "t" * 32))
    outcome = conversation.step({}, event)
    assert outcome.messages[0]["text"] == texts.GROUP_NOT_SUPPORTED
    assert outcome.effects == [LeaveChat("group", "C" + "b" * 32)]


def test_messages_in_groups_are_not_answered() -> None:
    event = Incoming(kind="text", chat="group", chat_id="C" + "c" * 32, text="hi")
    assert conversation.step({}, event).messages == []


@pytest.mark.parametrize("kind", ["beacon", "accountLink", "videoPlayComplete", "somethingNew"])
def test_other_event_types_change_nothing(kind: str) -> None:
    outcome = conversation.step({"step": "idle"}, Incoming(kind=kind, chat_id=USER))
    assert outcome == Outcome({"step": "idle"})


def test_the_engine_works_without_administrator_content() -> None:
    menu = conversation.step({}, Incoming(kind="postback", chat_id=USER, data="menu=privacy"))
    notice = next(item for item in menu.messages[0]["quickReply"]["items"]
                  if item["action"]["label"] == texts.LABEL_PRIVACY_NOTICE)  # fmt: skip
    tapped = Incoming(kind="postback", chat_id=USER, data=notice["action"]["data"])
    outcome = conversation.step(menu.state, tapped)
    assert outcome.messages[0]["text"] == DEFAULT_CONTENT.privacy_notice
    assert texts.AGENCY_FALLBACK in DEFAULT_CONTENT.privacy_notice


# -- from_event ---------------------------------------------------------------------


def test_from_event_reads_line_events() -> None:
    text = conversation.from_event(line_events.text(USER, "t" * 32, "你好", message_id="42"))
    assert (text.kind, text.chat, text.chat_id, text.text) == ("text", "user", USER, "你好")
    assert text.message_id == "42"
    postback = conversation.from_event(line_events.postback(USER, "t" * 32, "menu=help"))
    assert (postback.kind, postback.data) == ("postback", "menu=help")
    follow = conversation.from_event(line_events.follow(USER, "t" * 32, is_unblocked=True))
    assert follow.is_unblocked


def test_from_event_reads_media_and_locations() -> None:
    image = conversation.from_event(line_events.image(USER, "t" * 32, message_id="7"))
    assert (image.kind, image.message_id) == ("image", "7")
    raw = line_events.location(USER, "t" * 32, 25.03, 121.56, "市政府", "臺北市信義區")
    place = conversation.from_event(raw)
    assert place.kind == "location"
    assert place.location == Location("市政府", "臺北市信義區", 25.03, 121.56)
    bare = conversation.from_event(line_events.location(USER, "t" * 32, 25.0, 121.0))
    assert bare.location == Location(None, None, 25.0, 121.0)


# -- the main menu ---------------------------------------------------------------------


@pytest.mark.parametrize("item", MENU_ITEMS)
def test_every_menu_choice_has_an_answer(item: str) -> None:
    chat = Chat()
    outcome = chat.postback(menu_postback_data(item))
    assert outcome.messages or outcome.effects
    assert not outcome.messages or outcome.messages[0].get("text") != texts.MENU_PROMPT


@pytest.mark.parametrize(
    ("item", "shown"),
    [
        ("promotion", CONTENT.promotion),
        ("help", CONTENT.help),
    ],
)
def test_information_choices_show_the_administrators_texts(item: str, shown: str) -> None:
    chat = Chat()
    outcome = chat.postback(menu_postback_data(item))
    assert outcome.messages[0]["text"] == shown
    assert labels(outcome.messages[0]) == list(texts.MENU_LABELS.values())


def test_reporting_channels_offer_a_confidential_tip() -> None:
    chat = Chat()
    outcome = chat.postback("menu=channels")
    assert outcome.messages[0]["text"].startswith(CONTENT.reporting_channels)
    assert chat.labels()[0] == texts.LABEL_TIP


def test_status_asks_the_dispatcher_for_the_case_list() -> None:
    outcome = Chat().postback("menu=status")
    assert outcome.effects == [ListCases()]
    assert outcome.messages == []


def test_a_case_button_stays_valid_without_a_token() -> None:
    chat = Chat()
    chat.postback("menu=report")
    outcome = chat.postback("a=case&n=1151121-0001")
    assert outcome.effects == [ShowCase("1151121-0001")]
    assert chat.step == "notice", "looking at a case keeps the draft where it was"


def test_menu_words_typed_work_like_taps() -> None:
    chat = Chat()
    chat.text("我要反映")
    assert chat.step == "notice"


def test_unknown_postback_is_an_expired_button() -> None:
    outcome = Chat().postback("old=button&x=1")
    assert outcome.messages[0]["text"] == texts.EXPIRED
    assert outcome.messages[-1]["text"] == texts.MENU_PROMPT


def test_sticker_at_idle_gets_a_friendly_reply() -> None:
    outcome = Chat().sticker()
    assert outcome.messages[0]["text"] == texts.STICKER_REPLY


@pytest.mark.parametrize("kind", ["image", "video", "audio", "file"])
def test_media_at_idle_points_to_the_report_flow(kind: str) -> None:
    outcome = Chat().media(kind)
    assert outcome.messages[0]["text"] == texts.MEDIA_AT_IDLE


@pytest.mark.parametrize("word", ["取消", "上一步", "重新開始"])
def test_commands_at_idle_explain_there_is_nothing_to_do(word: str) -> None:
    outcome = Chat().text(word)
    assert outcome.messages[0]["text"] == texts.NOTHING_TO_CANCEL


def test_help_at_idle_is_the_general_help() -> None:
    outcome = Chat().text("說明")
    assert outcome.messages[0]["text"] == CONTENT.help


# -- cards for the dispatcher ---------------------------------------------------------

NOW = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)


def _card(number: str, updated: datetime, *, is_open: bool = True) -> cards.CaseCard:
    return cards.CaseCard(
        number=number,
        nature="need",
        sub_item="need-2",
        status="in_progress" if is_open else "closed",
        updated_at=updated,
        due_at=updated + timedelta(days=30),
        is_open=is_open,
    )


def _within_limits(found: list[dict[str, Any]]) -> None:
    assert 1 <= len(found) <= 5
    problems = limit_problems(Outcome({}, found), spec=True)
    assert not problems, problems


def test_case_created_gives_number_next_steps_and_roc_due_date() -> None:
    due = NOW + timedelta(days=30)
    found = cards.case_created("1151121-0001", "need", due, anonymous=False, acceptance_days=20)
    _within_limits(found)
    body = found[0]["text"]
    assert "1151121-0001" in body and "完成收件登記" in body
    assert "115年12月21日前回復處理情形" in body and "通知您理由" in body
    assert "查詢案件" in body


def test_case_created_for_a_tip_reassures_about_confidentiality() -> None:
    found = cards.case_created("1151121-0002", "tip", NOW, anonymous=True, acceptance_days=15)
    _within_limits(found)
    assert "保密" in found[0]["text"]
    assert "15日內通知受理情形" in found[0]["text"] and "另行通知" in found[0]["text"]
    assert texts.CASE_CREATED_ANONYMOUS in found[0]["text"]


def test_case_list_is_a_carousel_newest_first_with_buttons() -> None:
    older = _card("1151101-0001", NOW - timedelta(days=20), is_open=False)
    newer = _card("1151120-0003", NOW)
    found = cards.case_list([older, newer])
    _within_limits(found)
    bubbles = found[0]["contents"]["contents"]
    assert [b["header"]["contents"][0]["text"] for b in bubbles] == [newer.number, older.number]
    open_buttons = [c["action"]["label"] for c in bubbles[0]["footer"]["contents"]]
    closed_buttons = [c["action"]["label"] for c in bubbles[1]["footer"]["contents"]]
    assert open_buttons == [texts.LABEL_VIEW_CASE, texts.LABEL_SUPPLEMENT]
    assert closed_buttons == [texts.LABEL_VIEW_CASE]
    assert bubbles[0]["footer"]["contents"][1]["action"]["data"] == "a=supplement&n=1151120-0003"
    as_text = json.dumps(found, ensure_ascii=False)
    assert "處理中" in as_text and "115年11月21日" in as_text


def test_case_list_keeps_at_most_twelve_and_is_friendly_when_empty() -> None:
    many = [_card(f"1151121-{i:04d}", NOW - timedelta(hours=i)) for i in range(20)]
    found = cards.case_list(many)
    _within_limits(found)
    assert len(found[0]["contents"]["contents"]) == 12
    assert cards.case_list([])[0]["text"] == texts.CASES_NONE


def test_case_detail_lists_the_timeline_newest_last_and_trims_the_oldest() -> None:
    card = _card("1151121-0001", NOW)
    timeline = [
        cards.TimelineEntry(NOW - timedelta(days=1), "已分案"),
        cards.TimelineEntry(NOW - timedelta(days=2), "已收件"),
    ]
    body = cards.case_detail(card, timeline)[0]["text"]
    assert body.index("已收件") < body.index("已分案")
    long = [
        cards.TimelineEntry(NOW + timedelta(minutes=i), f"紀錄{i}" + "字" * 900) for i in range(12)
    ]
    found = cards.case_detail(card, long)
    _within_limits(found)
    assert texts.CASE_TIMELINE_TRIMMED in found[0]["text"]
    assert "紀錄11" in found[0]["text"] and "紀錄0字" not in found[0]["text"]


def test_supplement_cards() -> None:
    added = cards.supplement_added("1151121-0001")
    refused = cards.supplement_refused("1151121-0001")
    _within_limits([added, refused])
    assert labels(added) == [texts.LABEL_DONE]
    assert "1151121-0001" in refused["text"]


def test_message_builders_cap_quick_replies_at_thirteen() -> None:
    items = [messages.message_item(str(i)) for i in range(20)]
    assert len(messages.text("x", items)["quickReply"]["items"]) == 13
