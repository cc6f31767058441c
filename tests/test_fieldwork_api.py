"""The field-work operations of /api/v1: 平臺地點 and 聯絡人, field activities, and cases taken at
an activity (createCase's ``activity_id``). Contacts are masked for viewers; viewers get 403
on every write; the services' refusals are 422 in words. The last test fails if a
documented field-work operation was never answered with a 2xx here."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import rocdate
from lianping.admin.api.operations import OPERATIONS, WRITE
from lianping.context import Context
from lianping.storage.models import AuditEntry, Case, FieldActivity, Place, PlaceContact
from tests.admin_support import Api, api_token, staff

CALLED: dict[str, set[int]] = defaultdict(set)
TODAY = rocdate.taipei_today()


@pytest.fixture
def team(app: Any, ctx: Context) -> dict[str, Api]:
    made = {
        "officer": staff(ctx, "f-officer", "officer"),
        "viewer": staff(ctx, "f-viewer", "viewer"),
    }
    return {name: Api(app, api_token(ctx, user), CALLED) for name, user in made.items()}


PLACE = {"name": "黎明里辦公處", "kind": "village_office", "district": "中正區",
         "village": "黎明里", "address": "臺北市中正區華山街1號"}  # fmt: skip
CONTACT = {"role": "chief", "name": "林大同", "phone": "0912345678",
           "email": "lin@example.gov.tw"}  # fmt: skip


def activity_body(place: int | None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "forum",
        "held_on": TODAY.isoformat(),
        "topic": "里鄰經費運用座談",
        "place_id": place,
        "participants": 30,
        "materials": [{"name": "反貪宣導摺頁", "quantity": 50}],
        "summary": "說明里鄰經費核銷規定。",
    }
    body.update(overrides)
    return body


def error_of(response: Any) -> dict[str, Any]:
    return dict(response.get_json()["error"])


def make_place(api: Api) -> tuple[int, int]:
    created = api.post("/places", PLACE)
    assert created.status_code == 201, created.get_json()
    place_id = created.get_json()["place"]["id"]
    assert created.headers["Location"].endswith(f"/api/v1/places/{place_id}")
    contact = api.post(f"/places/{place_id}/contacts", CONTACT)
    assert contact.status_code == 201, contact.get_json()
    return place_id, contact.get_json()["contact"]["id"]


def test_places_and_contacts_over_the_api(team: dict[str, Api], ctx: Context) -> None:
    officer, viewer = team["officer"], team["viewer"]
    place_id, contact_id = make_place(officer)
    full = officer.get(f"/places/{place_id}").get_json()
    assert full["place"]["village"] == "黎明里"
    [contact] = full["contacts"]
    assert (contact["name"], contact["phone"], contact["masked"]) == (
        "林大同",
        "0912-345-678",
        False,
    )
    [masked] = viewer.get(f"/places/{place_id}").get_json()["contacts"]
    assert (masked["name"], masked["phone"], masked["email"]) == (
        "林○同",
        "******5678",
        "l＊＊＊@example.gov.tw",
    )
    assert masked["masked"] is True

    updated = officer.put(f"/places/{place_id}", {**PLACE, "address": "華山街2號"})
    assert updated.status_code == 200 and updated.get_json()["place"]["address"] == "華山街2號"
    unchanged = officer.put(f"/places/{place_id}", {**PLACE, "address": "華山街2號"})
    assert unchanged.status_code == 422 and "未變更" in error_of(unchanged)["message"]
    corrected = officer.put(f"/places/{place_id}/contacts/{contact_id}",
                            {**CONTACT, "phone": "02-2960-3456 分機 12"})  # fmt: skip
    assert corrected.get_json()["contact"]["phone"] == "02-2960-3456 分機 12"
    assert officer.get("/places?district=大同區").get_json()["items"] == []
    assert [p["id"] for p in viewer.get("/places").get_json()["items"]] == [place_id]
    ended = officer.post(f"/places/{place_id}/contacts/{contact_id}/end")
    assert ended.status_code == 200 and ended.get_json()["contact"]["active"] is False
    assert ended.get_json()["contact"]["ended_at"] is not None
    again = officer.post(f"/places/{place_id}/contacts/{contact_id}/end", {})
    assert again.status_code == 422
    assert officer.get("/places/999999").status_code == 404
    assert officer.get("/places/abc").status_code == 404
    assert officer.post("/places/999999/contacts", CONTACT).status_code == 404


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({**PLACE, "district": "信義區"}, 422),
        ({**PLACE, "kind": "castle"}, 400),
        ({**PLACE, "extra": 1}, 400),
        ({"name": "只有名稱"}, 400),
    ],
)
def test_bad_places_are_refused_and_nothing_is_stored(
    team: dict[str, Api], ctx: Context, body: dict[str, Any], status: int
) -> None:
    assert team["officer"].post("/places", body).status_code == status
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Place)) == 0


def test_activities_and_the_cases_taken_at_them(team: dict[str, Api], ctx: Context) -> None:
    officer, viewer = team["officer"], team["viewer"]
    place_id, contact_id = make_place(officer)
    created = officer.post("/activities", activity_body(place_id, contact_ids=[contact_id]))
    assert created.status_code == 201, created.get_json()
    activity = created.get_json()["activity"]
    activity_id = activity["id"]
    assert created.headers["Location"].endswith(f"/api/v1/activities/{activity_id}")
    assert activity["promotion"] is True  # materials given, promotion not stated
    assert activity["contact_ids"] == [contact_id]
    assert activity["where"] == "黎明里辦公處（中正區黎明里）"
    assert activity["held_on_roc"] == rocdate.roc_date(TODAY)

    case = officer.post("/cases", {
        "channel": "meeting", "nature": "need", "sub_item": "need-2",
        "description": "河堤步道照明不足，夜間危險。", "recorder": "李紀錄",
        "petition_confirmed": True, "notice_method": "read_out", "activity_id": activity_id,
    })  # fmt: skip
    assert case.status_code == 201, case.get_json()
    number = case.get_json()["case"]["number"]
    assert case.get_json()["case"]["activity_id"] == activity_id
    assert officer.get(f"/cases/{number}").get_json()["case"]["activity_id"] == activity_id
    assert viewer.get(f"/activities/{activity_id}").get_json()["activity"]["cases"] == [number]
    missing = officer.post("/cases", {
        "channel": "meeting", "nature": "need", "description": "路燈故障已兩週。",
        "recorder": "李紀錄", "petition_confirmed": True, "notice_method": "read_out",
        "activity_id": 999999,
    })  # fmt: skip
    assert missing.status_code == 422

    updated = officer.put(f"/activities/{activity_id}",
                          activity_body(place_id, participants=45, promotion=False))  # fmt: skip
    assert updated.status_code == 200
    assert (updated.get_json()["activity"]["participants"],
            updated.get_json()["activity"]["promotion"]) == (45, False)  # fmt: skip
    elsewhere = officer.post("/activities", activity_body(
        None, venue="雙連捷運站", district="大同區", kind="leaflets", materials=[],
        held_on=(TODAY - timedelta(days=3)).isoformat(),
    ))  # fmt: skip
    assert elsewhere.status_code == 201
    listed = viewer.get("/activities").get_json()
    assert [a["id"] for a in listed["items"]] == [
        activity_id,
        elsewhere.get_json()["activity"]["id"],
    ]
    assert listed["total"] == 2
    assert viewer.get("/activities?district=大同區").get_json()["total"] == 1
    assert viewer.get(f"/activities?place_id={place_id}&kind=forum").get_json()["total"] == 1
    assert viewer.get("/activities?kind=visit").get_json()["items"] == []
    assert viewer.get("/activities?from=2026-02-30").status_code in (200, 400)
    assert viewer.get("/activities/424242").status_code == 404


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"held_on": (TODAY + timedelta(days=1)).isoformat()}, 422, "不得晚於今天"),
        ({"place_id": None}, 422, "請選擇平臺地點"),
        ({"place_id": 999999}, 422, "登錄中的平臺地點"),
        ({"materials": [{"name": "摺頁", "quantity": 0}]}, 400, ""),
        ({"participants": -3}, 400, ""),
        ({"held_on": "115-11-21"}, 400, ""),
    ],
)
def test_bad_activities_are_refused_and_nothing_is_stored(
    team: dict[str, Api], ctx: Context, overrides: dict[str, Any], status: int, words: str
) -> None:
    place_id, _ = make_place(team["officer"])
    refused = team["officer"].post("/activities", activity_body(place_id, **overrides))
    assert refused.status_code == status, refused.get_json()
    assert words in error_of(refused)["message"]
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(FieldActivity)) == 0


def test_a_viewer_gets_403_on_every_field_work_write(team: dict[str, Api], ctx: Context) -> None:
    place_id, contact_id = make_place(team["officer"])
    activity_id = (
        team["officer"].post("/activities", activity_body(place_id)).get_json()["activity"]["id"]
    )
    with ctx.sessions() as session:
        audited = session.scalar(select(func.count()).select_from(AuditEntry))
    bodies = {
        "createPlace": PLACE, "updatePlace": PLACE, "createPlaceContact": CONTACT,
        "updatePlaceContact": CONTACT, "endPlaceContact": {},
        "createActivity": activity_body(place_id), "updateActivity": activity_body(place_id),
    }  # fmt: skip
    writes = [op for op in OPERATIONS if op.tag == "fieldwork" and op.method != "GET"]
    assert {op.operation_id for op in writes} == set(bodies)
    for op in writes:
        path = (op.path.replace("{place_id}", str(place_id))
                .replace("{contact_id}", str(contact_id))
                .replace("{activity_id}", str(activity_id)))  # fmt: skip
        response = team["viewer"].call(op.method, path, bodies[op.operation_id])
        assert response.status_code == 403, op.operation_id
        assert op.access == WRITE
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audited
        assert session.get_one(PlaceContact, contact_id).active is True
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def test_every_field_work_operation_was_exercised(request: pytest.FixtureRequest) -> None:
    own = {name for name in dir(request.module) if name.startswith("test_")}
    ran = {
        item.originalname
        for item in request.session.items
        if getattr(item, "module", None) is request.module
    }
    if ran < own:
        pytest.skip("coverage is judged only when the whole module runs")
    documented = {op.operation_id for op in OPERATIONS if op.tag == "fieldwork"}
    untested = {
        name for name in documented if not any(200 <= s < 300 for s in CALLED.get(name, ()))
    }
    assert not untested, f"field-work operations without a successful call here: {untested}"
