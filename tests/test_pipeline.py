"""End to end: simulator → webhook → inbox → worker → outbox → simulator."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lianping.bot import texts
from lianping.context import Context
from lianping.storage.models import InboxEvent, OutboxMessage, Resident
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.support import WorkerProcess, wait_until

pytestmark = pytest.mark.e2e


def test_follow_gets_welcome_with_menu_and_text_gets_answer(
    sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    user = sim.new_resident("王小明")
    assert sim.send(user, type="follow")["webhook_status"] == 200

    first = wait_until(lambda: sim.bot_messages(user))
    welcome = first[0]["message"]
    assert welcome["text"] == texts.WELCOME
    labels = [item["action"]["label"] for item in welcome["quickReply"]["items"]]
    assert labels == list(texts.MENU_LABELS.values())
    assert first[0]["via"] == "reply"

    assert sim.send(user, type="text", text="路燈壞了")["webhook_status"] == 200
    answers = wait_until(lambda: sim.bot_messages(user)[1:])
    assert answers[0]["message"]["text"] == texts.TEXT_AT_IDLE

    with ctx.sessions() as session:
        resident = session.scalars(select(Resident).where(Resident.line_user_id == user)).one()
        assert resident.following
        assert resident.followed_at is not None
        assert session.scalar(select(func.count()).select_from(InboxEvent)) == 2
        sent = session.scalars(select(OutboxMessage.status)).all()
        assert sent == ["sent", "sent"]
    # 個資法 §8: no profile is fetched before the resident reads the notice (test_notice.py
    # follows it to the fetch after 已閱讀).
    assert _display_name(ctx, user) is None


def _display_name(ctx: Context, user: str) -> str | None:
    with ctx.sessions() as session:
        return session.scalar(select(Resident.display_name).where(Resident.line_user_id == user))
