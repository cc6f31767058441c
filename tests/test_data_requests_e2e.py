"""個資說明 end to end through the LINE simulator: a resident asks for their data, a copy,
a correction and deletion; each is a request with its due date; a supervisor decides; the
resident gets each outcome on LINE, and the copy's link works once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from lianping import rocdate
from lianping.bot import texts
from lianping.context import Context
from lianping.storage.models import Case, DataRequest, Resident, utcnow
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import logged_in, staff
from tests.support import WorkerProcess, wait_until

PAGE = "/admin/data-requests/"


@pytest.mark.e2e
def test_a_resident_exercises_their_rights_and_gets_each_outcome(
    app: Any, client: Any, sim: Sim, worker: WorkerProcess, ctx: Context
) -> None:
    user = sim.new_resident("王小明")
    sim.send(user, type="follow")
    wait_until(lambda: sim.bot_messages(user))
    with ctx.sessions.begin() as session:
        resident = session.scalars(select(Resident).where(Resident.line_user_id == user)).one()
        session.add(
            Case(
                number="1151202-0001", channel="line", nature="need", status="received",
                description="路燈不亮", resident_id=resident.id, reporter_name="王小明",
                reporter_phone="+886912345678", due_at=utcnow() + timedelta(days=30),
            )
        )  # fmt: skip

    def last() -> dict[str, Any]:
        return sim.bot_messages(user)[-1]["message"]  # type: ignore[no-any-return]

    def act(**event: Any) -> str:
        before = len(sim.bot_messages(user))
        sim.send(user, **event)
        wait_until(lambda: len(sim.bot_messages(user)) > before)
        return "\n".join(str(m["message"].get("text")) for m in sim.bot_messages(user)[before:])

    def tap(label: str) -> str:
        items = last()["quickReply"]["items"]
        (action,) = [i["action"] for i in items if i["action"]["label"] == label]
        return act(type="postback", data=action["data"], displayText=label)

    assert texts.PRIVACY_MENU in act(type="text", text="個資說明")
    held = tap(texts.LABEL_MY_DATA)
    assert "1151202-0001" in held and "0912-345-678" in held
    act(type="text", text="個資說明")
    tap(texts.LABEL_DATA_COPY)
    filed = tap(texts.LABEL_REQUEST_CONFIRM)
    assert "已收到您「請求製給複製本」的申請" in filed
    assert texts.DATA_CORRECT_PICK in act(type="text", text="更正資料")
    tap("1151202-0001")
    tap(texts.LABEL_FIELD_PHONE)
    assert "已收到您「請求補充或更正」的申請" in act(type="text", text="0987-654-321")
    act(type="text", text="刪除我的資料")
    assert "已收到您「請求刪除」的申請" in tap(texts.LABEL_DATA_DELETE)

    with ctx.sessions() as session:
        requests = session.scalars(select(DataRequest).order_by(DataRequest.id)).all()
    assert [(r.kind, r.status) for r in requests] == [
        ("access", "granted"), ("copy", "pending"), ("correct", "pending"), ("delete", "pending"),
    ]  # fmt: skip
    for request in requests[1:]:
        due = rocdate.roc_date(request.due_at)
        assert due in filed or due in "".join(m["message"].get("text", "")
                                              for m in sim.bot_messages(user))  # fmt: skip

    boss = staff(ctx, "boss", "supervisor")
    browser, csrf = logged_in(app, ctx, boss)
    listing = browser.get(PAGE).get_data(as_text=True)
    for request in requests[1:]:
        assert f'id="request-{request.id}"' in listing
    copy_id, correct_id, delete_id = (r.id for r in requests[1:])
    before = len(sim.bot_messages(user))
    for request_id in (copy_id, correct_id, delete_id):
        response = browser.post(
            f"{PAGE}{request_id}/decide",
            data={"csrf_token": csrf, "status": "granted", "reason": "經核對為本人申請"},
        )
        assert response.status_code == 302
    wait_until(lambda: len(sim.bot_messages(user)) >= before + 3)
    outcomes = [m["message"]["text"] for m in sim.bot_messages(user)[before:]]
    assert any("已將案件 1151202-0001 的電話更正" in text for text in outcomes)
    assert any("暫時保留您的LINE識別碼" in text for text in outcomes)
    (copy_text,) = [text for text in outcomes if "/my-data/" in text]
    token = re.search(r"/my-data/(\S+)", copy_text).group(1)  # type: ignore[union-attr]
    wait_until(lambda: "已送達" in browser.get(f"{PAGE}{copy_id}").get_data(as_text=True))

    page = client.get(f"/my-data/{token}")
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert form_token is not None
    download = client.post(f"/my-data/{token}", data={"csrf_token": form_token.group(1)})
    assert download.status_code == 200 and download.data[:2] == b"PK"
    again = client.post(f"/my-data/{token}", data={"csrf_token": form_token.group(1)})
    assert again.status_code == 410
