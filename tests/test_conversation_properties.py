"""Properties of the engine under random use: taps on any button ever shown (stale ones too),
typed commands, media, stickers, follows, duplicates and out-of-order timestamps."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from lianping.bot import conversation, texts
from lianping.bot.conversation import CreateCase, Incoming, Location, Outcome
from lianping.bot.conversation.draft import new as new_draft
from tests.test_engine import CONTENT, T0, USER, limit_problems

TEXTS = [
    *[word for words in texts.COMMAND_WORDS.values() for word in words],
    *texts.MENU_LABELS.values(),
    "送出",
    "民情需求",
    "2",
    "路燈壞了",
    "中山路123號前的路燈壞了一星期，晚上很暗，希望儘快修理。",
    "王小明 0912-345-678",
    "陳大文 02-2381-1234",
    "王小明 12345",
    "0912345678",
    "臺北市中正區重慶南路一段1號",
    "上班族",
    "   ",
    "😀" * 3000,
    "字" * 4999,
]
MENU_DATA = [f"menu={item}" for item in texts.MENU_LABELS] + [
    "a=case&n=1151121-0001",
    "a=supplement&n=1151121-0001",
    "a=tip",
    "a=submit&t=forged",
    "garbage",
]
# Clock moves: a second, a pause, a day, and back in time (LINE may deliver out of order).
CLOCK = [1_000, 1_000, 1_000, 31 * 60_000, 25 * 3_600_000, -5 * 60_000, 0]

# Buttons that do not lead towards sending; "forward" moves avoid them.
DETOURS = frozenset(
    {
        "取消",
        "上一步",
        "捨棄",
        "重新開始",
        "不經由LINE提供",
        "修改",
        "不用了",
        "清除重寫",
        "清除照片",
        "移除位置",
    }
)

# Three moves in four go forward, so reports reach the summary and get sent amid the noise.
FORWARD_SHARE = 75
NOISE = (
    "tap_current",
    "tap_any",
    "text",
    "postback",
    "media",
    "location",
    "follow",
    "replay",
    "clock",
)
MEDIA = ("image", "video", "audio", "file", "sticker")
moves = st.tuples(st.integers(0, 99), st.integers(0, 10_000))


@dataclass
class Run:
    state: dict[str, Any] = field(default_factory=dict)
    now: int = T0
    ids: int = 0
    offered: list[str] = field(default_factory=list)  # every postback data ever shown
    current: list[dict[str, Any]] = field(default_factory=list)  # the quick replies on offer
    sent: list[Incoming] = field(default_factory=list)
    submitted: set[str] = field(default_factory=set)  # 送出 data that created a case

    def event(self, kind: str, **values: Any) -> Incoming:
        self.ids += 1
        return Incoming(
            kind=kind, chat_id=USER, timestamp_ms=self.now, message_id=str(self.ids), **values
        )

    def step(self, event: Incoming) -> Outcome:
        before = self.state
        outcome = conversation.step(before, event, CONTENT)
        self.check(before, event, outcome)
        self.state = outcome.state
        self.sent.append(event)
        if outcome.messages:
            self.current = (outcome.messages[-1].get("quickReply") or {}).get("items", [])
        for message in outcome.messages:
            self.offered += list(_postback_data(message))
        return outcome

    def check(self, before: dict[str, Any], event: Incoming, outcome: Outcome) -> None:
        assert len(outcome.messages) <= 5
        problems = limit_problems(outcome)
        assert not problems, problems
        assert json.loads(json.dumps(outcome.state)) == outcome.state
        created = [effect for effect in outcome.effects if isinstance(effect, CreateCase)]
        assert len(created) <= 1
        if not created:
            return
        (case,) = created
        # Only a 送出 tap of the conversation at its summary files a case, once.
        assert event.kind == "postback" and event.data is not None
        params = dict(parse_qsl(event.data))
        assert params.get("a") == "submit"
        assert params.get("t") == before.get("token")
        assert before.get("step") == "summary"
        assert event.data not in self.submitted
        self.submitted.add(event.data)
        # Consent is recorded, and the draft carries every key the dispatcher reads.
        assert isinstance(case.notice_version, int)
        assert case.draft["notice_version"] == case.notice_version == CONTENT.privacy_version
        assert set(case.draft) == set(new_draft(None))
        assert len(case.draft["description"].strip()) >= 10
        assert len(case.draft["photos"]) <= 5
        assert outcome.state.get("token") != before.get("token")

    def play(self, move: tuple[int, int]) -> None:
        roll, value = move
        self.now += 1_000
        if roll < FORWARD_SHARE:
            self.forward(value)
            return
        kind = NOISE[roll % len(NOISE)]
        if kind == "tap_current" and self.current:
            self.tap(self.current[value % len(self.current)]["action"])
        elif kind == "tap_any" and self.offered:
            self.step(self.event("postback", data=self.offered[value % len(self.offered)]))
        elif kind == "text":
            self.step(self.event("text", text=TEXTS[value % len(TEXTS)]))
        elif kind == "postback":
            self.step(self.event("postback", data=MENU_DATA[value % len(MENU_DATA)]))
        elif kind == "media":
            self.step(self.event(MEDIA[value % len(MEDIA)]))
        elif kind == "location":
            place = Location("路口" if value % 2 else None, None, 25.04, 121.51)
            self.step(self.event("location", location=place))
        elif kind == "follow":
            self.step(self.event("follow" if value % 2 else "unfollow"))
        elif kind == "replay" and self.sent:
            self.step(self.sent[value % len(self.sent)])
        elif kind == "clock":
            self.now += CLOCK[value % len(CLOCK)]

    def forward(self, choice: int) -> None:
        """A move a resident filing a report would make at the current step."""
        step = self.state.get("step")
        if step in (None, "idle"):
            self.step(self.event("postback", data="menu=report"))
        elif step == "description" and len(self.state["draft"]["description"]) < 10:
            self.step(self.event("text", text="中山路123號前的路燈壞了一星期，晚上很暗。"))
        elif step == "contact_details":
            self.step(self.event("text", text="王小明 0912-345-678"))
        else:
            onward = [item for item in self.current if item["action"]["label"] not in DETOURS]
            if onward:
                self.tap(onward[choice % len(onward)]["action"])
            else:
                self.step(self.event("text", text="說明"))

    def tap(self, action: dict[str, Any]) -> None:
        if action["type"] == "postback":
            self.step(self.event("postback", data=action["data"]))
        elif action["type"] == "message":
            self.step(self.event("text", text=action["text"]))
        elif action["type"] == "location":
            self.step(self.event("location", location=Location("地點", "地址", 25.0, 121.5)))
        else:  # camera or album: the resident sends a photo
            self.step(self.event("image"))


def _postback_data(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["data"]] if node.get("type") == "postback" and "data" in node else []
        return found + [data for value in node.values() for data in _postback_data(value)]
    if isinstance(node, list):
        return [data for value in node for data in _postback_data(value)]
    return []


def test_random_use_keeps_every_promise() -> None:
    """Every answer is within LINE's limits, and only a 送出 at the summary files a case, once.

    The promises about filing are checked as cases get filed, so most walks must file some.
    """
    filed: list[int] = []

    @settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(moves, min_size=20, max_size=150))
    def use(script: list[tuple[int, int]]) -> None:
        run = Run()
        for move in script:
            run.play(move)
        target(float(len(run.submitted)), label="cases filed")
        filed.append(len(run.submitted))

    use()
    filing = sum(1 for count in filed if count)
    assert filing >= len(filed) // 2, f"only {filing} of {len(filed)} walks filed a case"


def test_walking_forward_files_cases_once_each_and_stale_submits_are_refused() -> None:
    """Reports are filed along the way; replaying events and 送出 taps never files again."""
    filed: list[int] = []

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.integers(0, 12), min_size=30, max_size=150), st.integers(0, 5))
    def walk(choices: list[int], replays: int) -> None:
        run = Run()
        for choice in choices:
            run.now += 1_000
            run.forward(choice)
        target(float(len(run.submitted)), label="cases filed")
        filed.append(len(run.submitted))
        for index in range(replays):
            run.now += 1_000
            run.step(run.sent[(index * 7) % len(run.sent)])
        for data in list(run.submitted):
            run.now += 1_000
            outcome = run.step(run.event("postback", data=data))
            assert not any(isinstance(effect, CreateCase) for effect in outcome.effects)

    walk()
    # Most walks reach 送出, so the refusals above were tried on real submissions.
    filing = sum(1 for count in filed if count)
    assert filing >= len(filed) // 2, f"only {filing} of {len(filed)} walks filed a case"
