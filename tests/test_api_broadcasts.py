"""The broadcast operations of /api/v1: create, send or schedule, cancel, read state and figures.

A real worker delivers what the API starts; the simulator counts what each LINE
user received. The last test fails if a documented broadcast operation was never
answered with a 2xx here.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from lianping.admin.api.operations import OPERATIONS, WRITE
from lianping.context import Context
from lianping.storage.models import AuditEntry, Broadcast, Resident, utcnow
from lianping_dev.simulator.app import RunningSimulator
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import API_BASE as BASE
from tests.admin_support import Api, api_token, staff
from tests.support import WorkerProcess, wait_until

CALLED: dict[str, set[int]] = defaultdict(set)
TEXT = [{"type": "text", "text": "反貪倡廉，從你我做起。"}]


@pytest.fixture
def team(app: Any, ctx: Context) -> dict[str, Api]:
    made = {
        "admin": staff(ctx, "b-admin", "admin"),
        "officer": staff(ctx, "b-officer", "officer"),
        "viewer": staff(ctx, "b-viewer", "viewer"),
    }
    return {name: Api(app, api_token(ctx, user), CALLED) for name, user in made.items()}


def followers(sim: Sim, ctx: Context, count: int, **fields: Any) -> list[str]:
    ids = ["U" + secrets.token_hex(16) for _ in range(count)]
    requests.post(
        f"{sim.url}/_sim/residents/bulk", json={"user_ids": ids, "follow": True}, timeout=30
    ).raise_for_status()
    with ctx.sessions.begin() as session:
        session.add_all(Resident(line_user_id=uid, **fields) for uid in ids)
    return ids


def receipts(sim: Sim) -> dict[str, int]:
    response = requests.get(f"{sim.url}/_sim/receipts", params={"via": "multicast"}, timeout=30)
    return dict(response.json()["receipts"])


def error_of(response: Any) -> dict[str, Any]:
    return dict(response.get_json()["error"])


def create(api: Api, audience: dict[str, Any], messages: list[Any] | None = None) -> int:
    response = api.post(
        "/broadcasts", {"title": "宣導", "messages": messages or TEXT, "audience": audience}
    )
    assert response.status_code == 201, response.get_json()
    return int(response.get_json()["broadcast"]["id"])


@pytest.mark.e2e
def test_create_send_and_watch_a_broadcast_to_a_village_finish(
    team: dict[str, Api], sim: Sim, ctx: Context, worker: WorkerProcess
) -> None:
    api = team["officer"]
    matching = followers(sim, ctx, 3, district="中正區", village="文北里")
    others = followers(sim, ctx, 2, district="中正區", village="幸市里")
    audience = {"kind": "area", "district": "中正區", "villages": ["文北里"]}
    card = {
        "type": "card", "title": "廉政檢舉管道", "body": "檢舉專線 0800-286-586",
        "link_label": "了解更多", "link_url": "https://www.aac.moj.gov.tw/",
    }  # fmt: skip
    response = api.post(
        "/broadcasts", {"title": "十一月宣導", "messages": [card], "audience": audience}
    )
    assert response.status_code == 201
    created = response.get_json()["broadcast"]
    broadcast_id = created["id"]
    assert response.headers["Location"].endswith(f"{BASE}/broadcasts/{broadcast_id}")
    assert created["status"] == "draft" and created["status_label"] == "草稿"
    assert created["audience_label"] == "依區／村里：中正區（文北里）"
    assert created["messages"][0]["image_id"] is None
    assert created["progress"]["percent"] == 0

    sent = api.post(f"/broadcasts/{broadcast_id}/send", {})
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["broadcast"]["status"] == "sending"
    assert sent.get_json()["broadcast"]["progress"]["estimated_recipients"] == 3

    def finished() -> dict[str, Any] | None:
        state = api.get(f"/broadcasts/{broadcast_id}").get_json()["broadcast"]
        return state if state["progress"]["finished"] else None

    state = wait_until(finished, timeout=30)
    progress = state["progress"]
    assert (progress["status"], progress["percent"], progress["recipients"]) == ("sent", 100, 3)
    assert (progress["chunks_total"], progress["chunks_sent"], progress["chunks_failed"]) == (
        1, 1, 0,
    )  # fmt: skip
    assert progress["finished_at_roc"] and progress["last_error"] is None
    [link] = state["results"]["links"]
    assert (link["url"], link["clicks"]) == ("https://www.aac.moj.gov.tw/", 0)
    got = receipts(sim)
    assert [got.get(uid, 0) for uid in matching + others] == [1, 1, 1, 0, 0]

    listing = team["viewer"].get("/broadcasts?status=sent").get_json()["items"]
    assert [item["id"] for item in listing] == [broadcast_id]
    assert team["viewer"].get("/broadcasts?status=draft").get_json()["items"] == []
    with ctx.sessions() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.target_type == "broadcast")
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["broadcast.create", "broadcast.send"]


def test_drafts_breaking_lines_rules_are_refused_with_every_problem(
    team: dict[str, Api], ctx: Context
) -> None:
    api = team["officer"]
    too_long = {"type": "text", "text": "😀" * 2501}  # 5,002 UTF-16 units
    quiz = {"type": "quiz", "question": "問", "choices": ["甲", "甲"], "answer": 1}
    response = api.post(
        "/broadcasts",
        {"title": "宣導", "messages": [TEXT[0], too_long, quiz], "audience": {"kind": "all"}},
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "unprocessable"
    assert error["details"] == ["第 2 則：文字超過 5,000 字", "第 3 則：選項不可重複"]
    assert error["message"] == "第 2 則：文字超過 5,000 字（另有 1 項）"
    # Shapes the schema already refuses are 400, field by field.
    bad = api.post(
        "/broadcasts",
        {"title": "宣導", "messages": [{"type": "video"}], "audience": {"kind": "all"}},
    )
    assert bad.status_code == 400 and error_of(bad)["code"] == "validation_error"
    empty = api.post("/broadcasts", {"title": "宣導", "messages": [], "audience": {"kind": "all"}})
    assert empty.status_code == 400
    with ctx.sessions() as session:
        assert session.scalars(select(Broadcast)).all() == []


def test_over_quota_needs_an_admins_confirmation(
    team: dict[str, Api], sim: Sim, ctx: Context, simulator: RunningSimulator
) -> None:
    followers(sim, ctx, 2, district="萬華區")
    audience = {"kind": "area", "district": "萬華區", "villages": []}
    broadcast_id = create(team["officer"], audience)
    limit, used = simulator.store.quota()
    simulator.store.set_quota(used + 1)
    try:
        refused = team["officer"].post(f"/broadcasts/{broadcast_id}/send", {})
        assert refused.status_code == 422
        estimate = error_of(refused)["details"]["estimate"]
        assert (estimate["recipients"], estimate["remaining"], estimate["exceeds"]) == (2, 1, True)
        assert "confirm_over_quota" in error_of(refused)["message"]
        officer = team["officer"].post(
            f"/broadcasts/{broadcast_id}/send", {"confirm_over_quota": True}
        )
        assert officer.status_code == 403
        at = (utcnow() + timedelta(days=1)).isoformat()
        admin = team["admin"].post(
            f"/broadcasts/{broadcast_id}/send", {"confirm_over_quota": True, "at": at}
        )
        assert admin.status_code == 200
        assert admin.get_json()["broadcast"]["status"] == "scheduled"
    finally:
        simulator.store.set_quota(max(limit, used + 1_000_000))


def test_schedule_then_cancel_and_the_status_rules(team: dict[str, Api], ctx: Context) -> None:
    api = team["officer"]
    with ctx.sessions.begin() as session:
        session.add(Resident(line_user_id="U" + secrets.token_hex(16), district="北投區"))
    broadcast_id = create(api, {"kind": "area", "district": "北投區", "villages": []})
    at = (utcnow() + timedelta(hours=3)).isoformat().replace("+00:00", "Z")
    scheduled = api.post(f"/broadcasts/{broadcast_id}/send", {"at": at})
    assert scheduled.status_code == 200
    progress = scheduled.get_json()["broadcast"]["progress"]
    assert progress["status"] == "scheduled" and "年" in progress["scheduled_at_roc"]

    cancelled = api.post(f"/broadcasts/{broadcast_id}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.get_json()["broadcast"]["status_label"] == "已取消"
    again = api.post(f"/broadcasts/{broadcast_id}/cancel", {})
    assert again.status_code == 409 and error_of(again)["code"] == "lifecycle_conflict"
    assert "已取消" in error_of(again)["message"]
    assert api.post(f"/broadcasts/{broadcast_id}/send").status_code == 409

    other = create(api, {"kind": "area", "district": "北投區", "villages": []})
    past = api.post(f"/broadcasts/{other}/send", {"at": "2020-01-01T00:00:00+08:00"})
    assert past.status_code == 422 and error_of(past)["message"] == "排程時間須為未來的時間"
    naive = api.post(f"/broadcasts/{other}/send", {"at": "2030-01-01T00:00:00"})
    assert naive.status_code == 400


def test_the_list_is_newest_first_by_send_time(team: dict[str, Api], ctx: Context) -> None:
    now = utcnow()
    with ctx.sessions.begin() as session:
        for title, status, days in (
            ("上月發送", "sent", -30),
            ("昨日發送", "sent", -1),
            ("上週發送", "sent", -7),
            ("下週排程", "scheduled", 7),
        ):
            moment = now + timedelta(days=days)
            session.add(Broadcast(
                title=title, status=status, audience={"kind": "all"}, updated_at=now,
                started_at=moment if status == "sent" else None,
                scheduled_at=moment if status == "scheduled" else None,
            ))  # fmt: skip
    listed = team["viewer"].get("/broadcasts").get_json()["items"]
    assert [item["title"] for item in listed] == ["下週排程", "昨日發送", "上週發送", "上月發送"]
    sent = team["viewer"].get("/broadcasts?status=sent&limit=2").get_json()["items"]
    assert [item["title"] for item in sent] == ["昨日發送", "上週發送"]


def test_nobody_to_send_to_is_refused(team: dict[str, Api]) -> None:
    broadcast_id = create(team["officer"], {"kind": "tag", "tags": ["不存在的標籤"]})
    refused = team["officer"].post(f"/broadcasts/{broadcast_id}/send", {})
    assert refused.status_code == 422
    assert error_of(refused)["message"] == "目前沒有符合條件的收訊對象"


def test_viewers_read_and_unknown_ids_are_404(team: dict[str, Api]) -> None:
    broadcast_id = create(team["officer"], {"kind": "test"})
    viewer = team["viewer"]
    bodies: dict[str, Any] = {
        "createBroadcast": {"title": "x", "messages": TEXT, "audience": {"kind": "all"}},
        "sendBroadcast": {},
        "cancelBroadcast": {},
    }
    writes = [op for op in OPERATIONS if op.tag == "broadcasts" and op.method != "GET"]
    assert {op.operation_id for op in writes} == set(bodies)
    for op in writes:
        path = op.path.replace("{broadcast_id}", str(broadcast_id))
        response = viewer.post(path, bodies[op.operation_id])
        assert response.status_code == 403, op.operation_id
        assert op.access == WRITE
    state = viewer.get(f"/broadcasts/{broadcast_id}")
    assert state.status_code == 200 and state.get_json()["broadcast"]["status"] == "draft"
    for missing in ("999999", "abc", str(2**64)):
        answer = viewer.get(f"/broadcasts/{missing}")
        assert answer.status_code == 404 and error_of(answer)["code"] == "not_found"
    assert team["officer"].post("/broadcasts/999999/cancel").status_code == 404


def test_the_document_describes_the_broadcast_operations(team: dict[str, Api]) -> None:
    doc = team["viewer"].get("/openapi.json").get_json()
    assert doc["paths"]["/api/v1/broadcasts/{broadcast_id}/send"]["post"]["operationId"] == (
        "sendBroadcast"
    )
    schemas = doc["components"]["schemas"]
    assert {"PromotionCard", "PromotionQuiz", "Audience", "BroadcastDetail"} <= set(schemas)
    assert "broadcasts" in {tag["name"] for tag in doc["tags"]}


# ---------------------------------------------------------------- coverage (keep last)


def test_every_broadcast_operation_was_exercised(request: pytest.FixtureRequest) -> None:
    own = {name for name in dir(request.module) if name.startswith("test_")}
    ran = {
        item.name
        for item in request.session.items
        if getattr(item, "module", None) is request.module
    }
    if ran < own:
        pytest.skip("coverage is judged only when the whole module runs")
    documented = {op.operation_id for op in OPERATIONS if op.tag == "broadcasts"}
    untested = {
        name for name in documented if not any(200 <= s < 300 for s in CALLED.get(name, ()))
    }
    assert not untested, f"broadcast operations without a successful call here: {untested}"


def test_line_unreachable_for_the_quota_is_a_503_and_nothing_is_sent(
    team: dict[str, Api], sim: Sim, ctx: Context
) -> None:
    followers(sim, ctx, 1, district="大安區")
    broadcast_id = create(team["officer"], {"kind": "area", "district": "大安區", "villages": []})
    sim.faults(status=500, count=1, path_prefix="/v2/bot/message/quota")
    refused = team["officer"].post(f"/broadcasts/{broadcast_id}/send", {})
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "30"
    assert error_of(refused)["code"] == "line_unavailable"
    with ctx.sessions() as session:
        assert session.get_one(Broadcast, broadcast_id).status == "draft"


def test_tags_are_matched_as_followers_are_tagged(team: dict[str, Api], ctx: Context) -> None:
    created = team["officer"].post(
        "/broadcasts",
        {
            "title": "志工",
            "messages": TEXT,
            "audience": {"kind": "tag", "tags": ["  廉政   志工 "]},
        },
    )
    assert created.status_code == 201
    assert created.get_json()["broadcast"]["audience"] == {"kind": "tag", "tags": ["廉政 志工"]}
