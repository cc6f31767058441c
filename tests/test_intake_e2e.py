"""Intake end to end through webhook, workers and simulator: anonymous, tip, status, 補充."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from lianping.context import Context
from lianping.storage.models import Case, CaseEvent
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import WorkerProcess, wait_until

pytestmark = pytest.mark.e2e


class Resident:
    """A resident driving the bot through the simulator's API, waiting for each answer."""

    def __init__(self, sim: Sim, name: str) -> None:
        self.sim = sim
        self.user = sim.new_resident(name)
        self.seen = 0
        self.send(type="follow")

    def send(self, **event: Any) -> list[dict[str, Any]]:
        assert self.sim.send(self.user, **event)["webhook_status"] == 200
        fresh = wait_until(lambda: self.sim.bot_messages(self.user)[self.seen :])
        wait_until(lambda: len(self.sim.bot_messages(self.user)) == self.seen + len(fresh))
        self.seen += len(fresh)
        return [item["message"] for item in fresh]

    def last_actions(self) -> list[dict[str, Any]]:
        messages = [item["message"] for item in self.sim.bot_messages(self.user)]
        actions = [i["action"] for i in (messages[-1].get("quickReply") or {}).get("items", [])]
        for message in messages[-3:]:
            actions += _flex_actions(message.get("contents"))
        return actions

    def tap(self, label: str) -> list[dict[str, Any]]:
        for action in reversed(self.last_actions()):
            if action.get("label") == label:
                if action["type"] == "postback":
                    return self.send(type="postback", data=action["data"],
                                     displayText=action.get("displayText"))  # fmt: skip
                return self.send(type="text", text=action["text"])
        raise AssertionError(
            f"no button {label!r} in {[a.get('label') for a in self.last_actions()]}"
        )

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.send(type="text", text=text)


def _flex_actions(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node["action"]] if node.get("type") == "button" and "action" in node else []
        for value in node.values():
            found += _flex_actions(value)
        return found
    if isinstance(node, list):
        return [action for item in node for action in _flex_actions(item)]
    return []


def texts_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_anonymous_reform_report_end_to_end(sim: Sim, worker: WorkerProcess, ctx: Context) -> None:
    r = Resident(sim, "匿名者")
    r.tap("我要反映")
    r.tap("已閱讀")
    r.tap("施政興革")
    r.tap("對機關施政作為的意見")
    r.tap("略過")
    r.say("建議市府公開里鄰建設經費的使用明細，讓居民可以查詢每一筆支出。")
    r.tap("完成")
    r.tap("略過")  # location
    r.tap("略過")  # photos
    r.tap("不具名反映")
    r.tap("略過")  # publication
    created = r.tap("送出")
    assert "案件編號" in texts_of(created)
    with ctx.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert (case.nature, case.sub_item, case.anonymous) == ("reform", "reform-1", True)
        assert case.reporter_name is None and case.reporter_phone is None
        assert case.notice_version == 1


def test_tip_is_stored_confidential(sim: Sim, worker: WorkerProcess, ctx: Context) -> None:
    r = Resident(sim, "檢舉人")
    r.tap("檢舉管道")
    r.tap("我要檢舉（保密）")
    explained = r.tap("已閱讀")
    assert "保密" in texts_of(explained)
    r.say("公所某承辦人疑似收受廠商招待，並在驗收時放水，時間約在今年十月。")
    r.tap("完成")
    r.tap("略過")
    r.tap("略過")
    r.tap("不具名檢舉")
    created = r.tap("送出")
    assert "案件編號" in texts_of(created)
    with ctx.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert (case.nature, case.confidential) == ("tip", True)


def test_status_and_supplement(sim: Sim, worker: WorkerProcess, ctx: Context) -> None:
    r = Resident(sim, "查詢者")
    r.tap("我要反映")
    r.tap("已閱讀")
    r.tap("民情需求")
    r.tap("到機關辦事的效率或服務品質")
    r.tap("略過")
    r.say("戶政事務所的叫號系統常常故障，現場等候超過一小時。")
    r.tap("完成")
    r.tap("略過")
    r.tap("略過")
    r.tap("不具名反映")
    r.tap("略過")  # publication
    r.tap("送出")
    with ctx.sessions() as session:
        number = session.scalars(select(Case.number)).one()

    listing = r.tap("查詢案件")
    assert number in str(listing)
    detail = r.tap("查看進度")
    assert "已收到您的反映" in texts_of(detail)
    r.tap("補充說明")
    added = r.say("補充：上週三下午也發生同樣情況。")
    assert number in texts_of(added)
    with ctx.sessions() as session:
        case = session.scalars(select(Case)).one()
        assert case.resident_update_at is not None
        bodies = session.scalars(select(CaseEvent.body).where(CaseEvent.case_id == case.id)).all()
        assert "補充：上週三下午也發生同樣情況。" in bodies
