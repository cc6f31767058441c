"""The JSON API /api/v1: every operation, access rules, masking, validation, paging, delivery.

Every call goes through ``Api``, which records which operation answered what;
the last test reads the OpenAPI document and fails if an operation in it was
never called successfully here, so a new operation cannot ship without a test.

Tips (檢舉) are need-to-know: staff without ``ethics`` get 404 for them, exactly
as for a number that does not exist (a 403 would confirm the tip exists).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import fields
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import codes, rocdate
from lianping.admin.api.operations import OPERATIONS, WRITE
from lianping.context import Context
from lianping.reports.biweekly_model import BiweeklyReport
from lianping.rocdate import taipei_today
from lianping.services.casework import REJECTION_REASONS
from lianping.storage import cases, residents
from lianping.storage.case_search import CaseFilter
from lianping.storage.models import (
    Agency,
    AuditEntry,
    Case,
    ReplyTemplate,
    ReportSubmission,
    Unit,
    User,
    utcnow,
)
from lianping_dev.simulator.client import SimulatorClient as Sim
from tests.admin_support import API_BASE as BASE
from tests.admin_support import Api, api_token, staff
from tests.support import WorkerProcess, wait_until

# operation id → HTTP statuses it answered during this module's tests.
CALLED: dict[str, set[int]] = defaultdict(set)

NAME, PHONE, ADDRESS = "王小明", "0912345678", "臺北市中正區重慶南路一段122號"


@pytest.fixture
def team(app: Any, ctx: Context) -> dict[str, Api]:
    """Staff with tokens: an ethics admin, an officer, an ethics officer, a viewer, a supervisor."""
    made = {
        "admin": staff(ctx, "api-admin", "admin", ethics=True),
        "officer": staff(ctx, "api-officer", "officer"),
        "ethics": staff(ctx, "api-ethics", "officer", ethics=True),
        "viewer": staff(ctx, "api-viewer", "viewer"),
        "chief": staff(ctx, "api-chief", "supervisor"),
    }
    return {name: Api(app, api_token(ctx, user), CALLED) for name, user in made.items()}


@pytest.fixture
def places(ctx: Context) -> dict[str, int]:
    with ctx.sessions.begin() as session:
        unit, agency = Unit(name="工務科"), Agency(name="臺北市政府工務局")
        template = ReplyTemplate(title="已修復", body="您反映的事項已處理完成。")
        session.add_all([unit, agency, template])
        session.flush()
        return {"unit": unit.id, "agency": agency.id, "template": template.id}


# 首長核可 of a 簽會 or 函轉 (seed 004 玖.一、二).
APPROVED = {"approved_by": "局長 王○○", "approved_on": "2026-11-20"}


def manual(**overrides: Any) -> dict[str, Any]:
    body = {
        "channel": "walk_in",
        "nature": "need",
        "sub_item": "need-2",
        "theme": "works",
        "description": "公園路燈故障已兩週，夜間行人危險。",
        "reporter_name": NAME,
        "reporter_phone": PHONE,
        "reporter_address": ADDRESS,
        "reporter_occupation": "教師",
        "recorder": "李紀錄",
        "petition_confirmed": True,
        "notice_method": "printed",
    }
    body.update(overrides)
    return body


def assign(ctx: Context, number: str, username: str) -> None:
    """Give the case to a staff member directly: need-to-know follows the assignment."""
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        case.officer_id = session.scalar(select(User.id).where(User.username == username))


def create(api: Api, **overrides: Any) -> str:
    response = api.post("/cases", manual(**overrides))
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["case"]["number"])


def line_case(ctx: Context, user: str, **draft: Any) -> str:
    """A case a LINE resident reported (as the bot files it)."""
    report = {
        "nature": "need",
        "sub_item": "need-2",
        "description": "路燈不亮已兩週，夜間危險。",
        "name": NAME,
        "phone": PHONE,
        "address": ADDRESS,
        **draft,
    }
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, user)
        return cases.create_from_line(session, resident, report, 1, utcnow(), 30).number


def error_of(response: Any) -> dict[str, Any]:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    assert body["error"]["message"], body
    return dict(body["error"])


# ---------------------------------------------------------------- the document


def test_openapi_document_matches_the_routes_and_the_codes(app: Any, team: dict[str, Api]) -> None:
    response = team["viewer"].get("/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "管理者發給的 API 權杖（lp_…）",
    }
    assert doc["security"] == [{"bearerAuth": []}]
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    routed = {
        (rule.rule.replace("<", "{").replace(">", "}"), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.not_found"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed
    schemas = doc["components"]["schemas"]
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            assert "401" in op["responses"], (method, path)
            for status, answer in op["responses"].items():
                target = answer["content"]["application/json"]["schema"]["$ref"]
                assert (target == "#/components/schemas/Error") == (int(status) >= 400)
            if "{number}" in path:
                assert "404" in op["responses"]
            if method == "post":
                assert "403" in op["responses"]
                assert "requestBody" in op, path
    # Every request body is closed: unknown fields are refused.
    for name, schema in schemas.items():
        if name.endswith("Request") and "oneOf" not in schema:
            assert schema["additionalProperties"] is False, name
    for branch in ("RouteToUnit", "RouteToAgency"):
        assert schemas[branch]["additionalProperties"] is False
    # Enums come from lianping.codes.
    classify = schemas["ClassifyRequest"]["properties"]
    assert classify["nature"]["enum"] == list(codes.NATURES)
    assert classify["sub_item"]["enum"] == [*codes.SUB_ITEMS, None]
    assert classify["theme"]["enum"] == [*codes.THEMES, None]
    assert schemas["StatusRequest"]["properties"]["status"]["enum"] == list(codes.STATUSES)
    assert schemas["StatusRequest"]["properties"]["reason"]["enum"] == [*REJECTION_REASONS, None]
    assert schemas["ManualIntakeRequest"]["properties"]["channel"]["enum"] == [
        "walk_in",
        "meeting",
        "phone",
        "letter",
    ]
    # The list takes exactly CaseFilter's fields, plus cursor and limit.
    params = {p["name"] for p in doc["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert params == {f.name for f in fields(CaseFilter)} | {"cursor", "limit"}


def test_every_path_requires_a_bearer_token(client: Any, team: dict[str, Api]) -> None:
    for method, path in [
        ("GET", "/cases"),
        ("GET", "/openapi.json"),
        ("POST", "/cases"),
        ("GET", "/no-such-thing"),
        ("POST", "/cases/1151121-0001/reveal"),
    ]:
        response = client.open(BASE + path, method=method, json={})
        assert response.status_code == 401, path
        assert error_of(response)["code"] == "unauthorized"
    bad = client.get(BASE + "/cases", headers={"Authorization": "Bearer lp_not-a-token"})
    assert bad.status_code == 401


# ---------------------------------------------------------------- cases


def test_manual_intake_masks_personal_data_in_list_and_detail(team: dict[str, Api]) -> None:
    api = team["officer"]
    response = api.post("/cases", manual())
    assert response.status_code == 201
    case = response.get_json()["case"]
    number = case["number"]
    assert response.headers["Location"].endswith(f"{BASE}/cases/{number}")
    assert case["status"] == "received" and case["channel"] == "walk_in"
    assert case["status_label"] == "新收" and case["nature_label"] == "民情需求事項"
    assert case["reporter"] == {
        "name": "王○明",
        "phone": "******5678",
        "address": "臺北市中正區＊＊＊",
        "occupation": "教師",
    }
    assert case["due_at"].endswith("Z") and "年" in case["due_at_roc"]
    assert case["timeline"][0]["kind"] == "created"

    detail = api.get(f"/cases/{number}")
    listing = api.get("/cases")
    for answer in (response, detail, listing):
        text = answer.get_data(as_text=True)
        assert NAME not in json.loads(text).__repr__()
        for secret in (NAME, PHONE, "重慶南路"):
            assert secret not in json.dumps(answer.get_json(), ensure_ascii=False)
    assert detail.status_code == 200
    assert detail.get_json()["case"]["reporter"]["name"] == "王○明"
    [item] = listing.get_json()["items"]
    assert item["number"] == number and item["reporter"]["phone"] == "******5678"
    assert "timeline" not in item
    assert listing.get_json()["counts"]["received"] == 1
    assert listing.headers["Cache-Control"] == "no-store"


def test_reveal_returns_personal_data_and_is_logged(ctx: Context, team: dict[str, Api]) -> None:
    number = create(team["officer"])
    assign(ctx, number, "api-officer")
    refused = team["officer"].post(f"/cases/{number}/reveal", {})
    assert refused.status_code == 400  # a reveal needs its reason
    response = team["officer"].post(f"/cases/{number}/reveal", {"reason": "電話聯繫反映者"})
    assert response.status_code == 200
    assert response.get_json() == {
        "number": number,
        "personal_data": {
            "name": NAME,
            "phone": "+886912345678",  # typed as 0912345678, kept as the LINE flow keeps it
            "address": ADDRESS,
            "occupation": "教師",
            "line_user_id": None,
        },
    }
    with ctx.sessions() as session:
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.reveal"))
        assert (entry.actor, entry.target_id) == ("api-officer", number)
        assert entry.after["reason"] == "電話聯繫反映者"
    timeline = team["officer"].get(f"/cases/{number}").get_json()["case"]["timeline"]
    assert [e for e in timeline if e["kind"] == "reveal" and e["actor"] == "api-officer"]
    assert team["viewer"].post(f"/cases/{number}/reveal", {"reason": "查證"}).status_code == 403
    # Need-to-know: ethics staff to whom the case is not assigned cannot reveal it either.
    assert team["ethics"].post(f"/cases/{number}/reveal", {"reason": "查證"}).status_code == 403


def test_viewer_gets_403_on_every_write(
    ctx: Context, team: dict[str, Api], places: dict[str, int]
) -> None:
    number = create(team["officer"])
    bodies: dict[str, Any] = {
        "createCase": manual(),
        "classifyCase": {"nature": "reform", "sub_item": None, "theme": None},
        "assignCase": {"officer_id": None, "unit_id": places["unit"]},
        "routeCase": {"to": "unit", "unit_id": places["unit"], "note": "", **APPROVED},
        "replyCase": {"text": "已處理。"},
        "recordReply": {"text": "已函復。", "method": "mail", "date": "2026-11-20"},
        "requestDetails": {"text": "請提供路燈編號"},
        "recordDetails": {"text": "A12", "date": "2026-11-20"},
        "decideExtension": {"approve": True},
        "referTip": {"target": "aac", "letter_number": "字第1號", "letter_date": "2026-11-20"},
        "changeCaseStatus": {"status": "withdrawn"},
        "addCaseNote": {"text": "內部"},
        "setCaseOpinion": {"text": "意見"},
        "proposeExtension": {
            "due_date": (taipei_today() + timedelta(days=90)).isoformat(),
            "reason": "需會勘",
        },
        "revealCase": {"reason": "查證"},
        "markCaseRead": None,
        "recordNoticeDelivery": {"method": "mail", "on": taipei_today().isoformat()},
        "saveBiweeklyDraft": {"from": "2026-10-26", "to": "2026-11-08", "row": "need",
                              "summary": "改寫。"},
        "revertBiweeklyDraft": {"from": "2026-10-26", "to": "2026-11-08", "row": "need"},
        "submitBiweeklyReport": {"from": "2026-10-26", "to": "2026-11-08",
                                 "approved_by": "處長", "approved_on": "2026-11-10"},
    }  # fmt: skip
    # Broadcast and field-work writes have their own checks (tests/test_api_broadcasts.py,
    # tests/test_fieldwork_api.py).
    writes = [
        op for op in OPERATIONS if op.method != "GET" and op.tag not in ("broadcasts", "fieldwork")
    ]
    assert {op.operation_id for op in writes} == set(bodies)
    for op in writes:
        path = op.path.replace("{number}", number).replace("{notice_id}", "1")
        response = team["viewer"].call(op.method, path, bodies[op.operation_id])
        assert response.status_code == 403, op.operation_id
        assert error_of(response)["code"] == "forbidden"
        assert op.access in (WRITE, "reveal")
    with ctx.sessions() as session:
        assert session.scalars(select(Case).where(Case.number == number)).one().status == "received"
        assert session.query(Case).count() == 1
    # The viewer still reads.
    assert team["viewer"].get(f"/cases/{number}").status_code == 200


def test_tips_are_404_for_staff_without_ethics(team: dict[str, Api]) -> None:
    refused = team["officer"].post("/cases", manual(nature="tip", sub_item=None))
    assert refused.status_code == 422
    assert "政風人員" in error_of(refused)["message"]
    tip = create(team["ethics"], nature="tip", sub_item=None, theme=None)
    plain = create(team["ethics"])
    assert team["ethics"].get(f"/cases/{tip}").get_json()["case"]["confidential"] is True
    for who in ("officer", "viewer"):
        api = team[who]
        assert [c["number"] for c in api.get("/cases").get_json()["items"]] == [plain]
        assert api.get("/cases?nature=tip").get_json()["items"] == []
        assert api.get("/cases").get_json()["counts"]["received"] == 1
        missing = api.get(f"/cases/{tip}")
        assert missing.status_code == 404
        # Exactly what a number that does not exist gets.
        assert error_of(missing)["code"] == error_of(api.get("/cases/1000101-9999"))["code"]
    for op in OPERATIONS:
        if "{number}" in op.path and op.method == "POST":
            answer = team["officer"].post(op.path.replace("{number}", tip), {})
            # The body is checked first (400) or the tip is not found (404): never 200 or 403.
            assert answer.status_code in (400, 404), op.operation_id
    assert team["officer"].post(f"/cases/{tip}/reveal", {"reason": "x"}).status_code == 404
    assert team["officer"].post(f"/cases/{tip}/notes", {"text": "x"}).status_code == 404
    # Need-to-know: an administrator with ethics, not assigned the tip nor its head, does
    # not list it either (tests/test_need_to_know.py has the whole rule).
    assert [c["number"] for c in team["admin"].get("/cases").get_json()["items"]] == [plain]


# ---------------------------------------------------------------- casework


def test_casework_flow_over_the_api(team: dict[str, Api], places: dict[str, int]) -> None:
    api = team["officer"]
    number = create(api, channel="letter", petition_confirmed=False)

    classified = api.post(
        f"/cases/{number}/classify",
        {"nature": "reform", "sub_item": "reform-2", "theme": "subsidies"},
    )
    assert classified.status_code == 200
    case = classified.get_json()["case"]
    assert (case["nature"], case["sub_item"], case["theme"]) == ("reform", "reform-2", "subsidies")
    mismatch = api.post(
        f"/cases/{number}/classify", {"nature": "need", "sub_item": "reform-1", "theme": None}
    )
    assert mismatch.status_code == 422 and error_of(mismatch)["code"] == "unprocessable"

    assigned = api.post(f"/cases/{number}/assign", {"officer_id": None, "unit_id": places["unit"]})
    assert assigned.get_json()["case"]["status"] == "assigned"
    assert assigned.get_json()["case"]["unit"] == {"id": places["unit"], "name": "工務科"}
    nobody = api.post(f"/cases/{number}/assign", {"officer_id": 987654, "unit_id": None})
    assert nobody.status_code == 422

    note = api.post(f"/cases/{number}/notes", {"text": "先電話聯繫反映者"})
    assert note.status_code == 200
    [entry] = [e for e in note.get_json()["case"]["timeline"] if e["kind"] == "note"]
    assert entry["public"] is False and entry["body"] == "先電話聯繫反映者"
    assert entry["actor"] == "api-officer"
    assert entry["at"].endswith("Z") and entry["at_roc"].count("年") == 1
    assert api.post(f"/cases/{number}/notes", {"text": "   "}).status_code == 422

    opinion = api.post(
        f"/cases/{number}/opinion", {"text": "簽會工務科辦理。", "signing_agency": "本府工務科"}
    )
    assert opinion.get_json()["case"]["handling_opinion"] == "簽會工務科辦理。"
    assert opinion.get_json()["case"]["signing_agency"] == "本府工務科"
    kept = api.post(f"/cases/{number}/opinion", {"text": "簽會工務科辦理，並副知民政科。"})
    assert kept.get_json()["case"]["signing_agency"] == "本府工務科"

    routed = api.post(
        f"/cases/{number}/route",
        {"to": "unit", "unit_id": places["unit"], "note": "請派員會勘", **APPROVED},
    )
    assert routed.get_json()["case"]["status"] == "in_progress"

    due = taipei_today() + timedelta(days=60)
    chief = team["chief"]
    extended = chief.post(
        f"/cases/{number}/extend", {"due_date": due.isoformat(), "reason": "會勘"}
    )
    assert extended.status_code == 200
    assert extended.get_json()["case"]["due_at_roc"].startswith(f"{due.year - 1911}年")
    earlier = api.post(
        f"/cases/{number}/extend", {"due_date": taipei_today().isoformat(), "reason": "x"}
    )
    assert earlier.status_code == 422

    assert api.post(f"/cases/{number}/read").status_code == 200
    assert api.post(f"/cases/{number}/read", {}).status_code == 200

    # Walk-in cases have no LINE to answer on: a rule (422), not a lifecycle conflict.
    no_line = api.post(f"/cases/{number}/reply", {"text": "已處理"})
    assert no_line.status_code == 422

    closed = api.post(
        f"/cases/{number}/reply-record",
        {"text": "已電話說明。", "method": "phone", "date": taipei_today().isoformat()},
    )
    assert closed.status_code == 200 and closed.get_json()["case"]["status"] == "replied"
    done = api.post(f"/cases/{number}/status", {"status": "closed"})
    assert done.get_json()["case"]["status"] == "closed"
    assert done.get_json()["case"]["closed_at_roc"]


def test_intake_refuses_a_phone_the_line_flow_refuses(team: dict[str, Api]) -> None:
    api = team["officer"]
    refused = api.post("/cases", manual(reporter_phone="12345"))
    assert refused.status_code == 422 and "聯絡電話格式不正確" in error_of(refused)["message"]
    assert api.get("/cases").get_json()["items"] == []
    number = create(api, reporter_phone="02-2345-6789")
    revealed = team["admin"].post(f"/cases/{number}/reveal", {"reason": "核對電話"})
    revealed = revealed.get_json()["personal_data"]
    assert revealed["phone"] == "+886223456789"  # stored as the LINE flow stores it


def test_status_moves_follow_the_lifecycle(team: dict[str, Api]) -> None:
    api = team["officer"]
    number = create(api)
    conflict = api.post(f"/cases/{number}/status", {"status": "closed"})
    assert conflict.status_code == 409
    error = error_of(conflict)
    assert error["code"] == "lifecycle_conflict"
    assert "新收" in error["message"] and "結案" in error["message"]
    assert "closed" not in error["details"]["allowed"]

    no_reason = api.post(f"/cases/{number}/status", {"status": "rejected"})
    assert no_reason.status_code == 422 and "173" in error_of(no_reason)["message"]
    rejected = api.post(f"/cases/{number}/status", {"status": "rejected", "reason": "no_content"})
    case = rejected.get_json()["case"]
    assert (case["status"], case["rejection_reason"]) == ("rejected", "no_content")
    assert case["rejection_reason_label"] == "無具體之內容" and case["rejection_clause"] == 1
    # Reopened, then merged into another case.
    assert api.post(f"/cases/{number}/status", {"status": "in_progress"}).status_code == 200
    other = create(api)
    unknown = api.post(f"/cases/{number}/status", {"status": "merged", "merge_into": "0000000-0"})
    assert unknown.status_code == 422
    merged = api.post(f"/cases/{number}/status", {"status": "merged", "merge_into": other})
    assert merged.get_json()["case"]["merged_into"] == other
    # Routing is a status move too: a merged case cannot be transferred.
    route = api.post(
        f"/cases/{number}/route",
        {
            "to": "agency",
            "agency_id": 1,
            "letter_number": "字第1號",
            "letter_date": "2026-01-02",
            **APPROVED,
        },
    )
    assert route.status_code == 409


def test_answers_list_the_line_notices_an_action_queued(
    ctx: Context, team: dict[str, Api], places: dict[str, int]
) -> None:
    """Routing, extending and closing answer with the LINE messages they queued: one for a
    resident who follows, none for a walk-in case or a resident who blocked the account."""
    api = team["officer"]
    following, blocked = line_case(ctx, "Unotices1"), line_case(ctx, "Unotices2")
    with ctx.sessions.begin() as session:
        residents.set_following(residents.get_or_create(session, "Unotices2"), False)
    due = (taipei_today() + timedelta(days=60)).isoformat()
    for number, told in ((following, True), (blocked, False), (create(api), False)):
        internal = api.post(
            f"/cases/{number}/route", {"to": "unit", "unit_id": places["unit"], **APPROVED}
        )
        assert internal.status_code == 200 and internal.get_json()["notices"] == []
        for path, body in (
            ("route", {"to": "agency", "agency_id": places["agency"],
                       "letter_number": "字第1號", "letter_date": "2026-11-21", **APPROVED}),
            ("extend", {"due_date": due, "reason": "會勘"}),
        ):  # fmt: skip
            who = team["chief"] if path == "extend" else api
            answer = who.post(f"/cases/{number}/{path}", body)
            assert answer.status_code == 200, answer.get_json()
            notices = answer.get_json()["notices"]
            assert len(notices) == (1 if told else 0), (number, path, notices)
            assert all(n["state"] == "pending" for n in notices)
        written = {"text": "已函復。", "method": "mail", "date": taipei_today().isoformat()}
        assert api.post(f"/cases/{number}/reply-record", written).status_code == 200
        closed = api.post(f"/cases/{number}/status", {"status": "closed"}).get_json()
        assert len(closed["notices"]) == (1 if told else 0)
        [event] = [e for e in closed["case"]["timeline"] if e["data"].get("status") == "closed"]
        assert [n["outbox_id"] for n in closed["notices"]] == (
            [event["delivery"]["outbox_id"]] if told else []
        )


def test_procedure_actions_over_the_api(
    ctx: Context, team: dict[str, Api], places: dict[str, int]
) -> None:
    """補陳 pauses and resumes the clock, an officer's extension waits for a supervisor, a
    tip is 移送'd and never routed, a walk-in's refusal is a letter to mail."""
    api, chief, today = team["officer"], team["chief"], taipei_today()
    number = create(api)
    due = api.get(f"/cases/{number}").get_json()["case"]["due_at"]
    asked = api.post(f"/cases/{number}/details-request", {"text": "請提供路燈編號"})
    assert asked.status_code == 200 and asked.get_json()["notices"] == []  # a letter, no LINE
    case = asked.get_json()["case"]
    assert case["details_requested_at"] and case["status"] == "received"
    again = api.post(f"/cases/{number}/details-request", {"text": "再補"})
    assert again.status_code == 422 and "尚未收到" in error_of(again)["message"]
    answered = api.post(
        f"/cases/{number}/details-answer", {"text": "編號 A12", "date": today.isoformat()}
    )
    case = answered.get_json()["case"]
    assert case["details_requested_at"] is None and case["due_at"] == due  # paused 0 days
    assert case["timeline"][-1]["kind"] == "details_received"

    new_due = (rocdate.taipei_date(datetime.fromisoformat(due)) + timedelta(days=20)).isoformat()
    proposed = api.post(f"/cases/{number}/extend", {"due_date": new_due, "reason": "會勘"})
    case = proposed.get_json()["case"]
    assert case["due_at"] == due and proposed.get_json()["notices"] == []
    assert case["extension_proposal"]["due_date"] == new_due
    assert case["extension_proposal"]["reason"] == "會勘"
    own = api.post(f"/cases/{number}/extend/decision", {"approve": True})
    assert own.status_code == 403
    approved = chief.post(f"/cases/{number}/extend/decision", {"approve": True})
    case = approved.get_json()["case"]
    assert case["extension_proposal"] is None and case["due_at"].startswith(new_due[:4])
    assert rocdate.taipei_date(datetime.fromisoformat(case["due_at"])).isoformat() == new_due
    too_far = chief.post(
        f"/cases/{number}/extend",
        {"due_date": (date.fromisoformat(new_due) + timedelta(days=31)).isoformat(),
         "reason": "會勘"},
    )  # fmt: skip
    assert too_far.status_code == 422 and "不得超過30日" in error_of(too_far)["message"]

    tip = create(team["ethics"], nature="tip", sub_item=None, theme=None)
    routed = team["ethics"].post(
        f"/cases/{tip}/route", {"to": "unit", "unit_id": places["unit"], **APPROVED}
    )
    assert routed.status_code == 422 and "移送" in error_of(routed)["message"]
    referred = team["ethics"].post(
        f"/cases/{tip}/refer",
        {"target": "prosecutor", "name": "臺灣新北地方檢察署", "letter_number": "政字第9號",
         "letter_date": today.isoformat()},
    )  # fmt: skip
    case = referred.get_json()["case"]
    assert (case["status"], case["status_label"]) == ("transferred", "已移送")
    assert case["referred_to"] == "臺灣新北地方檢察署" and case["letter_number"] == "政字第9號"
    assert all(e["public"] is False for e in case["timeline"] if e["kind"] == "referred")


@pytest.mark.e2e
def test_route_to_agency_tells_the_line_resident(
    ctx: Context, sim: Sim, worker: WorkerProcess, team: dict[str, Api], places: dict[str, int]
) -> None:
    user = sim.new_resident("函轉")
    number = line_case(ctx, user)
    response = team["officer"].post(
        f"/cases/{number}/route",
        {
            "to": "agency",
            "agency_id": places["agency"],
            "letter_number": "北市政風字第1150000123號",
            "letter_date": "2026-11-21",
            **APPROVED,
        },
    )
    assert response.status_code == 200, response.get_json()
    case = response.get_json()["case"]
    assert case["status"] == "transferred" and case["channel"] == "line"
    assert case["agency"] == {"id": places["agency"], "name": "臺北市政府工務局"}
    assert (case["letter_date"], case["letter_date_roc"]) == ("2026-11-21", "115年11月21日")
    assert case["letter_number"] == "北市政風字第1150000123號"
    notices = wait_until(lambda: sim.bot_messages(user))
    text = notices[0]["message"]["text"]
    assert "臺北市政府工務局" in text and "北市政風字第1150000123號" in text

    def notice_state() -> str | None:
        timeline = team["officer"].get(f"/cases/{number}").get_json()["case"]["timeline"]
        [event] = [e for e in timeline if e["kind"] == "transferred"]
        assert event["public"] is True
        return event["delivery"]["state"] if event["delivery"]["state"] == "sent" else None

    assert wait_until(notice_state) == "sent"
    assign(ctx, number, "api-officer")
    revealed = team["officer"].post(f"/cases/{number}/reveal", {"reason": "核對 LINE 帳號"})
    revealed = revealed.get_json()["personal_data"]
    assert revealed["line_user_id"] == user


@pytest.mark.e2e
def test_reply_is_delivered_and_its_state_shown(
    ctx: Context, sim: Sim, worker: WorkerProcess, team: dict[str, Api]
) -> None:
    user = sim.new_resident("回覆")
    number = line_case(ctx, user)
    api = team["officer"]
    response = api.post(f"/cases/{number}/reply", {"text": "路燈已於今日修復，謝謝您。"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["case"]["status"] == "replied"
    outbox_id = body["delivery"]["outbox_id"]
    assert body["delivery"]["state"] == "pending"
    wait_until(
        lambda: any(
            "路燈已於今日修復" in m["message"].get("text", "") for m in sim.bot_messages(user)
        )
    )

    def reply_state() -> str | None:
        timeline = api.get(f"/cases/{number}").get_json()["case"]["timeline"]
        [event] = [e for e in timeline if e["kind"] == "reply"]
        assert event["public"] is True and event["delivery"]["outbox_id"] == outbox_id
        return event["delivery"]["state"] if event["delivery"]["state"] == "sent" else None

    assert wait_until(reply_state) == "sent"
    blank = api.post(f"/cases/{number}/reply", {"text": "  "})
    assert blank.status_code == 422


# ---------------------------------------------------------------- validation


def test_bad_input_is_400_with_a_stable_code(team: dict[str, Api], places: dict[str, int]) -> None:
    api = team["officer"]
    number = create(api)
    path = f"/cases/{number}/classify"

    def refused(response: Any, code: str, status: int = 400) -> dict[str, Any]:
        assert response.status_code == status, response.get_json()
        error = error_of(response)
        assert error["code"] == code, error
        return error

    unknown = refused(
        api.post(path, {"nature": "need", "sub_item": None, "theme": None, "colour": "red"}),
        "validation_error",
    )
    assert unknown["details"] == [
        {"field": "colour", "rule": "additionalProperties", "message": "不接受的欄位"}
    ]
    wrong_type = refused(
        api.post(f"/cases/{number}/assign", {"officer_id": "1", "unit_id": None}),
        "validation_error",
    )
    assert wrong_type["details"][0]["field"] == "officer_id"
    assert refused(
        api.post(f"/cases/{number}/assign", {"officer_id": True, "unit_id": None}),
        "validation_error",
    )
    missing = refused(api.post(path, {"nature": "need"}), "validation_error")
    assert {d["field"] for d in missing["details"]} == {"sub_item", "theme"}
    bad_enum = refused(
        api.post(path, {"nature": "gossip", "sub_item": None, "theme": None}), "validation_error"
    )
    assert "need" in bad_enum["details"][0]["message"]
    refused(api.post(path, [1, 2]), "validation_error")
    refused(api.post(path), "validation_error")
    refused(api.post(path, data="{nature:", content_type="application/json"), "invalid_json")
    refused(api.post(path, data='{"nature": NaN}', content_type="application/json"), "invalid_json")
    refused(
        api.post(path, data='{"nature": "\\ud800"}', content_type="application/json"),
        "invalid_json",
    )
    refused(api.post(path, data=b"\xff\xfe", content_type="application/json"), "invalid_json")
    deep = '{"nature": ' + "[" * 5000 + "]" * 5000 + "}"
    refused(api.post(path, data=deep, content_type="application/json"), "invalid_json")
    nested = '{"nature": ' + "[" * 100 + "]" * 100 + "}"
    refused(api.post(path, data=nested, content_type="application/json"), "invalid_json")
    refused(
        api.post(path, data="nature=need", content_type="application/x-www-form-urlencoded"),
        "unsupported_media_type",
        415,
    )
    refused(
        api.post(path, data="x" * 300_000, content_type="application/json"),
        "payload_too_large",
        413,
    )
    refused(api.post(f"/cases/{number}/notes", {"text": "a\u0000b"}), "validation_error")
    refused(api.post(f"/cases/{number}/notes", {"text": "x" * 5001}), "validation_error")
    refused(api.post(f"/cases/{number}/reveal", {"why": "curious"}), "validation_error")
    route = refused(api.post(f"/cases/{number}/route", {"to": "moon"}), "validation_error")
    assert route["details"][0]["field"] == "to"
    agency = refused(
        api.post(
            f"/cases/{number}/route",
            {
                "to": "agency",
                "agency_id": 1,
                "letter_number": "1",
                "letter_date": "2026-02-30",
                **APPROVED,
            },
        ),
        "validation_error",
    )
    assert agency["details"][0]["field"] == "letter_date"
    refused(
        api.post(f"/cases/{number}/extend", {"due_date": "0001-01-01", "reason": "x"}),
        "validation_error",
    )
    refused(
        api.post(f"/cases/{number}/route", {"to": "unit", "unit_id": 2**70}), "validation_error"
    )
    refused(api.post("/cases", manual(channel="line")), "validation_error")
    refused(api.post("/cases", manual(recorder="x" * 101)), "validation_error")
    # Semantic rules of casework: 422.
    refused(api.post("/cases", manual(petition_confirmed=False)), "unprocessable", 422)
    refused(
        api.post(f"/cases/{number}/route", {"to": "unit", "unit_id": 999, **APPROVED}),
        "unprocessable",
        422,
    )
    # Query strings.
    for query in (
        "colour=red",
        "limit=0",
        "limit=101",
        "limit=ten",
        "status=lost",
        "unit_id=1.5",
        "unit_id=99999999999999999999999",
        "overdue=maybe",
        "date_from=2026-13-01",
        "date_from=2026-05-01&date_to=2026-04-01",
        "cursor=!!",
        "cursor=bm90LWpzb24",
        "q=a%00b",
    ):
        refused(api.get(f"/cases?{query}"), "invalid_query")
    # Unknown paths and methods answer JSON too.
    refused(api.get("/nowhere"), "not_found", 404)
    refused(api.get("/cases/1000101-9999"), "not_found", 404)
    wrong = refused(api.call("DELETE", f"/cases/{number}"), "method_not_allowed", 405)
    assert wrong["message"]


def test_list_filters_and_pages_walk_every_case(team: dict[str, Api]) -> None:
    api = team["officer"]
    made = [create(api, description=f"第{i}件反映：人行道破損需修補。") for i in range(7)]
    made.append(create(api, nature="reform", sub_item="reform-1", description="建議公開補助款用途"))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        query = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = api.get(f"/cases{query}").get_json()
        assert len(body["items"]) <= 3
        seen += [item["number"] for item in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(made, reverse=True)
    oldest = api.get("/cases?sort=oldest&limit=100").get_json()["items"]
    assert [item["number"] for item in oldest] == sorted(made)
    reform = api.get("/cases?nature=reform").get_json()
    assert [item["number"] for item in reform["items"]] == [made[-1]]
    assert api.get("/cases?q=補助款").get_json()["items"][0]["number"] == made[-1]
    today = taipei_today().isoformat()
    assert len(api.get(f"/cases?date_from={today}&limit=100").get_json()["items"]) == 8
    api.post(f"/cases/{made[0]}/status", {"status": "withdrawn"})
    counts = api.get("/cases?status=open").get_json()
    assert counts["counts"]["withdrawn"] == 1 and counts["counts"]["received"] == 7
    assert len(counts["items"]) == 7
    assert api.get("/cases?overdue=true").get_json()["items"] == []


def test_reference_lists_fill_the_forms(team: dict[str, Api], places: dict[str, int]) -> None:
    api = team["viewer"]
    assert api.get("/units").get_json() == {
        "items": [{"id": places["unit"], "name": "工務科", "active": True}]
    }
    assert api.get("/agencies").get_json()["items"][0]["name"] == "臺北市政府工務局"
    [template] = api.get("/reply-templates").get_json()["items"]
    assert template == {
        "id": places["template"],
        "title": "已修復",
        "body": "您反映的事項已處理完成。",
        "active": True,
    }


# ---------------------------------------------------------------- reports


def test_biweekly_report_as_json_and_as_a_file(team: dict[str, Api]) -> None:
    create(team["officer"])
    create(team["ethics"], nature="tip", description="某課長收受回扣。", sub_item=None)
    today = taipei_today().isoformat()  # cases are counted by their Taipei date
    query = f"/reports/biweekly?from={today}&to={today}"
    body = team["viewer"].get(query).get_json()
    assert body["rows"]["need"]["count"] == 1  # tips are on neither form
    assert not any("檢舉" in line for line in body["rows"]["need"]["summaries"])
    assert "回扣" not in json.dumps(body, ensure_ascii=False)
    assert set(body["rows"]) == {"need", "reform", "promotion"}
    ods = team["viewer"].get(query + "&format=ods")
    assert ods.status_code == 200
    assert ods.headers["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert "filename*=UTF-8''" in ods.headers["Content-Disposition"]


# ---------------------------------------------------------------- notices


def test_notices_with_their_delivery_letters_and_the_list_to_mail(
    ctx: Context, team: dict[str, Api]
) -> None:
    number = create(team["officer"])
    assign(ctx, number, "api-officer")
    detail = team["officer"].get(f"/cases/{number}").get_json()["case"]
    [notice] = detail["notices"]
    assert (notice["kind"], notice["delivery"], notice["delivery_label"]) == (
        "acceptance", "pending", "尚未寄送",
    )  # fmt: skip
    assert notice["outbox"] is None and notice["delivered_at"] is None
    assert "如需延長，將通知您理由" in notice["body"]
    assert all(event["kind"] != "notice" for event in detail["timeline"])
    path = f"/cases/{number}/notices/{notice['id']}"
    assert notice["letters"]["pdf"] == f"{BASE}{path}?format=pdf"
    shown = team["viewer"].get(path).get_json()["notice"]
    assert shown == notice
    # The letter: in full for the case's officer (a logged reveal), masked for the viewer.
    letter = team["officer"].get(path + "?format=pdf")
    assert letter.status_code == 200 and letter.headers["Content-Type"] == "application/pdf"
    odt = team["viewer"].get(path + "?format=odt")
    assert odt.headers["Content-Type"] == "application/vnd.oasis.opendocument.text"
    with ctx.sessions() as session:
        reveals = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.reveal"))
        assert [entry.actor for entry in reveals] == ["api-officer"]
    assert team["viewer"].get(path + "?format=doc").status_code == 400
    other = create(team["officer"])
    assert team["viewer"].get(f"/cases/{other}/notices/{notice['id']}").status_code == 404
    assert team["viewer"].get(f"/cases/{number}/notices/abc").status_code == 404
    # 待寄送通知, oldest first; a tip's letter only for those who may open the tip.
    pending = team["viewer"].get("/notices/pending").get_json()
    assert [item["case_number"] for item in pending["items"]] == [number, other]
    assert pending["total"] == 2
    # Recording the delivery: not in the future, once.
    tomorrow = (taipei_today() + timedelta(days=1)).isoformat()
    late = team["officer"].post(path + "/delivery", {"method": "mail", "on": tomorrow})
    assert late.status_code == 422 and "不得晚於今天" in error_of(late)["message"]
    bad = team["officer"].post(path + "/delivery", {"method": "fax", "on": tomorrow})
    assert bad.status_code == 400
    today = taipei_today().isoformat()
    done = team["officer"].post(path + "/delivery", {"method": "mail", "on": today})
    assert done.status_code == 200, done.get_json()
    [mailed] = done.get_json()["case"]["notices"]
    assert mailed["delivery"] == "mail" and mailed["delivered_at"] is not None
    assert mailed["delivery_label"].startswith("郵寄（")
    again = team["officer"].post(path + "/delivery", {"method": "in_person", "on": today})
    assert again.status_code == 422 and "已登錄寄送" in error_of(again)["message"]
    pending = team["viewer"].get("/notices/pending").get_json()
    assert [item["case_number"] for item in pending["items"]] == [other]


def test_a_line_notice_has_its_outbox_state_and_no_letter(
    ctx: Context, team: dict[str, Api], places: dict[str, int]
) -> None:
    from lianping.services import notices as notice_service

    number = line_case(ctx, "Uapinotice")
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        made = notice_service.issue(session, case, "extension", "延長處理期限。", "tests")
        notice_id = made.id
    [notice] = team["viewer"].get(f"/cases/{number}").get_json()["case"]["notices"]
    assert notice["id"] == notice_id and notice["delivery"] == "line"
    assert notice["outbox"]["state"] == "pending" and notice["letters"] is None
    assert notice["delivery_label"] == "LINE：待送"
    refused = team["officer"].post(
        f"/cases/{number}/notices/{notice_id}/delivery",
        {"method": "mail", "on": taipei_today().isoformat()},
    )
    assert refused.status_code == 422 and "LINE" in error_of(refused)["message"]


def test_biweekly_drafts_and_submission_over_the_api(ctx: Context, team: dict[str, Api]) -> None:
    create(team["officer"])
    today = taipei_today().isoformat()
    period = {"from": today, "to": today}
    query = f"/reports/biweekly?from={today}&to={today}"
    drafted = team["viewer"].get(query).get_json()
    assert drafted["edited_rows"] == [] and drafted["rows"]["need"]["edited"] == {
        "summary": False,
        "handling": False,
    }
    edit = {**period, "row": "need", "summary": "（二）路燈故障1案。"}
    refused = team["viewer"].call("PUT", "/reports/biweekly/draft", edit)
    assert refused.status_code == 403 and "檢視者" in error_of(refused)["message"]
    blank = team["officer"].call("PUT", "/reports/biweekly/draft", {**edit, "summary": " \n "})
    assert blank.status_code == 422 and "不得空白" in error_of(blank)["message"]
    unknown = team["officer"].call("PUT", "/reports/biweekly/draft", {**edit, "row": "tip"})
    assert unknown.status_code == 400 and error_of(unknown)["code"] == "validation_error"
    saved = team["officer"].call("PUT", "/reports/biweekly/draft", edit)
    assert saved.status_code == 200
    body = saved.get_json()
    assert body["edited_rows"] == ["need"]
    assert body["rows"]["need"]["summaries"] == ["（二）路燈故障1案。"]
    assert body["rows"]["need"]["summary_text"] == "（二）路燈故障1案。\n（計1案）。"
    assert body["rows"]["need"]["handling"] == drafted["rows"]["need"]["handling"]
    assert team["viewer"].get(query).get_json() == body

    submit = {**period, "approved_by": "處長 林大同", "approved_on": today}
    officer = team["officer"].post("/reports/biweekly/submissions", submit)
    assert officer.status_code == 403 and "僅主管或系統管理者" in error_of(officer)["message"]
    early = team["admin"].post("/reports/biweekly/submissions", submit)
    assert early.status_code == 422 and "尚未結束" in error_of(early)["message"]
    stale = team["admin"].post(
        "/reports/biweekly/submissions",
        {**submit, "confirm_unfinished": True, "digest": "0" * 64},
    )
    assert stale.status_code == 409 and error_of(stale)["code"] == "report_changed"
    missing = team["admin"].post("/reports/biweekly/submissions", {**period, "approved_on": today})
    assert missing.status_code == 400
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ReportSubmission)) == 0
    digest = BiweeklyReport.from_json(body).digest()
    sent = team["admin"].post(
        "/reports/biweekly/submissions", {**submit, "confirm_unfinished": True, "digest": digest}
    )
    assert sent.status_code == 201, sent.get_json()
    answer = sent.get_json()
    assert answer["approved_by"] == "處長 林大同" and answer["approved_on"] == today
    assert answer["report"]["rows"]["need"]["summaries"] == ["（二）路燈故障1案。"]
    assert sent.headers["Location"].endswith(f"/admin/reports/submissions/{answer['id']}")

    reverted = team["admin"].post("/reports/biweekly/draft/revert", {**period, "row": "need"})
    assert reverted.status_code == 200 and reverted.get_json() == drafted
    with ctx.sessions() as session:
        stored = session.scalars(select(ReportSubmission)).one()
        assert stored.data["rows"]["need"]["summaries"] == ["（二）路燈故障1案。"]


# ---------------------------------------------------------------- coverage (keep last)


def test_every_documented_operation_was_exercised(
    request: pytest.FixtureRequest, team: dict[str, Api]
) -> None:
    module_tests = {
        item.nodeid
        for item in request.session.items
        if getattr(item, "module", None) is request.module
    }
    own = {name for name in dir(request.module) if name.startswith("test_")}
    if len({nodeid.split("::")[-1] for nodeid in module_tests}) < len(own):
        pytest.skip("coverage is judged only when the whole module runs")
    doc = team["viewer"].get("/openapi.json").get_json()
    documented = {
        op["operationId"]: f"{method.upper()} {path}"
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        # tests/test_api_broadcasts.py and tests/test_fieldwork_api.py judge the broadcast and
        # field-work operations the same way.
        if op["tags"] not in (["broadcasts"], ["fieldwork"])
    }
    untested = {
        operation: where
        for operation, where in documented.items()
        if not any(200 <= status < 300 for status in CALLED.get(operation, ()))
    }
    assert not untested, f"operations without a successful call in tests/test_api.py: {untested}"
