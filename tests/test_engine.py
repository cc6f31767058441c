"""The conversation engine as a pure function: no HTTP, no database."""

from __future__ import annotations

import pytest

from lianping.bot import engine, texts
from lianping.bot.engine import Incoming, LeaveChat, SetFollowing
from lianping.bot.messages import MENU_ITEMS, menu_postback_data
from lianping.simulator import events as line_events

USER = "U" + "2" * 32


def quick_reply_labels(message: dict) -> list[str]:
    return [item["action"]["label"] for item in message["quickReply"]["items"]]


def test_follow_welcomes_with_the_main_menu_and_records_following() -> None:
    outcome = engine.step({}, Incoming(kind="follow", chat_id=USER))
    assert outcome.messages[0]["text"] == texts.WELCOME
    assert quick_reply_labels(outcome.messages[0]) == list(texts.MENU_LABELS.values())
    assert outcome.effects == [SetFollowing(True)]


def test_unblocking_is_welcomed_back() -> None:
    outcome = engine.step({}, Incoming(kind="follow", chat_id=USER, is_unblocked=True))
    assert outcome.messages[0]["text"] == texts.WELCOME_BACK


def test_unfollow_sends_nothing_and_records_the_block() -> None:
    outcome = engine.step({"step": "idle"}, Incoming(kind="unfollow", chat_id=USER))
    assert outcome.messages == []
    assert outcome.effects == [SetFollowing(False)]
    assert outcome.state == {"step": "idle"}


def test_text_is_answered_with_the_menu() -> None:
    outcome = engine.step({}, Incoming(kind="text", chat_id=USER, text="路燈不亮"))
    assert outcome.messages[0]["text"] == texts.TEXT_AT_IDLE
    assert "quickReply" in outcome.messages[0]


def test_sticker_gets_a_friendly_reply() -> None:
    outcome = engine.step({}, Incoming(kind="sticker", chat_id=USER))
    assert outcome.messages[0]["text"] == texts.STICKER_REPLY


@pytest.mark.parametrize("item", MENU_ITEMS)
def test_every_menu_choice_has_an_answer(item: str) -> None:
    outcome = engine.step(
        {}, Incoming(kind="postback", chat_id=USER, data=menu_postback_data(item))
    )
    assert outcome.messages[0]["text"] != texts.MENU_PROMPT
    assert len(outcome.messages) <= 5


def test_unknown_postback_offers_the_menu_again() -> None:
    outcome = engine.step({}, Incoming(kind="postback", chat_id=USER, data="old=button&x=1"))
    assert outcome.messages[0]["text"] == texts.MENU_PROMPT


def test_join_says_why_and_leaves() -> None:
    event = engine.from_event(line_events.join("C" + "b" * 32, "t" * 32))
    outcome = engine.step({}, event)
    assert outcome.messages[0]["text"] == texts.GROUP_NOT_SUPPORTED
    assert outcome.effects == [LeaveChat("group", "C" + "b" * 32)]


def test_messages_in_groups_are_not_answered() -> None:
    event = Incoming(kind="text", chat="group", chat_id="C" + "c" * 32, text="hi")
    assert engine.step({}, event).messages == []


@pytest.mark.parametrize("kind", ["beacon", "accountLink", "videoPlayComplete", "somethingNew"])
def test_other_event_types_change_nothing(kind: str) -> None:
    outcome = engine.step({"step": "idle"}, Incoming(kind=kind, chat_id=USER))
    assert outcome == engine.Outcome({"step": "idle"})


def test_from_event_reads_line_events() -> None:
    text = engine.from_event(line_events.text(USER, "t" * 32, "你好"))
    assert (text.kind, text.chat, text.chat_id, text.text) == ("text", "user", USER, "你好")
    postback = engine.from_event(line_events.postback(USER, "t" * 32, "menu=help"))
    assert (postback.kind, postback.data) == ("postback", "menu=help")
    follow = engine.from_event(line_events.follow(USER, "t" * 32, is_unblocked=True))
    assert follow.is_unblocked
