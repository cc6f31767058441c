"""清廉共同監督專區: only published, agreed, non-tip cases appear, and nothing identifying.

A world of four cases: one the reporter agreed to publish and staff published; one whose
reporter did not agree (a publication row forced in the database all the same); a tip with
the agreement flag and a published row forced too; and an agreed case never published. Every
public route (each ``site.*`` and ``open311.*`` GET of the URL map, so a new one joins) is
requested in every format, and none may show anything of the last three, nor the published
case's reporter, contact data, LINE id, place or own words.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from lianping import codes
from lianping.context import Context
from lianping.services import casework, public_cache, publication
from lianping.services.access import Actor
from lianping.services.publication import Draft, PublicationError
from lianping.storage import cases, residents
from lianping.storage.models import AuditEntry, Case, CasePublication, utcnow
from tests.admin_support import staff
from tests.test_admin_pages import Staff, page_text

NAME, PHONE, ADDRESS = "林秀英", "+886933222111", "臺北市中正區忠孝西路一段66號"
LINE_ID = "U" + "7" * 32
OWN_WORDS = "忠孝西路人行道地磚破損翹起，昨天我母親在這裡跌倒受傷送醫。"
PLACE = {
    "title": "忠孝西路一段66號前",
    "address": ADDRESS,
    "latitude": 25.046,
    "longitude": 121.517,
}
TITLE = "人行道地磚破損已修復"
SUMMARY = "民眾反映中正區一處人行道地磚破損，行人易絆倒，請求儘速修繕。"
OUTCOME = "經簽會工務單位，已於一週內完成地磚更換，並列入定期巡查。"
HIDDEN_TITLE = "未同意公開的案件標題"
TIP_TITLE = "檢舉案件不應出現的標題"
DRAFT_TITLE = "尚未公開的草稿標題"
CHIEF = Actor(None, "chief", "主管", "supervisor")
OFFICER = Actor(None, "officer", "承辦人", "officer")


def _line_case(session: Any, user: str, nature: str, consent: bool, **more: Any) -> Case:
    resident = residents.get_or_create(session, user)
    draft = {
        "nature": nature,
        "sub_item": "need-2" if nature == codes.NEED else None,
        "theme": "works" if nature == codes.NEED else None,
        "description": more.pop("description", OWN_WORDS),
        "location": PLACE,
        "name": NAME,
        "phone": PHONE,
        "address": ADDRESS,
        "publish_consent": consent,
    }
    case = cases.create_from_line(session, resident, draft, 1, utcnow(), 30)
    case.status = more.pop("status", codes.CLOSED)
    case.closed_at = utcnow() if case.status == codes.CLOSED else None
    session.flush()
    return case


def _forced(session: Any, case: Case, title: str) -> None:
    """A published row written straight to the database, past the service's checks."""
    now = utcnow()
    session.add(
        CasePublication(case_id=case.id, title=title, summary=SUMMARY + title, outcome=OUTCOME,
                        district="中正區", published=True, published_at=now, created_at=now,
                        updated_at=now)
    )  # fmt: skip


@pytest.fixture
def world(ctx: Context) -> dict[str, str]:
    """The four cases; returns their numbers by role."""
    with ctx.sessions.begin() as session:
        shown = _line_case(session, LINE_ID, codes.NEED, True)
        publication.save(session, CHIEF, shown, Draft(TITLE, SUMMARY, OUTCOME, "中正區"))
        publication.publish(session, CHIEF, shown)
        refused = _line_case(session, "U" + "8" * 32, codes.NEED, False)
        _forced(session, refused, HIDDEN_TITLE)
        tip = _line_case(session, "U" + "9" * 32, codes.TIP, True)
        tip.publish_consent = True  # as if something had set it: the rule still holds
        _forced(session, tip, TIP_TITLE)
        draft = _line_case(session, "U" + "6" * 32, codes.NEED, True, status=codes.REPLIED)
        publication.save(session, OFFICER, draft, Draft(DRAFT_TITLE, SUMMARY, OUTCOME, None))
        numbers = {
            "shown": shown.number,
            "refused": refused.number,
            "tip": tip.number,
            "draft": draft.number,
        }
    public_cache.invalidate(ctx.redis)
    return numbers


def _public_urls(app: Any, numbers: dict[str, str]) -> list[str]:
    """Every public GET route, each format, and each case's own page and record."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("site.", "open311.")) or "GET" not in rule.methods:
            continue
        if rule.endpoint == "site.static":
            continue
        options: dict[str, list[str]] = {
            "fmt": ["json", "xml"],
            "number": list(numbers.values()),
            "request_id": list(numbers.values()),
            "code": ["need-2", "reform-1"],
            "name": ["cases", "statistics"],
            "pattern_id": ["1", "999"],
        }
        combos: list[dict[str, str]] = [{}]
        for argument in rule.arguments:
            combos = [{**c, argument: v} for c in combos for v in options[argument]]
        with app.test_request_context():
            from flask import url_for

            urls += [url_for(rule.endpoint, **c) for c in combos]
    return urls


LEAKS = (NAME, PHONE, "0933", ADDRESS, "忠孝西路", LINE_ID, OWN_WORDS[:10], "25.046", "121.517")


def test_nothing_unpublished_or_identifying_appears_on_any_public_route(
    app: Any, ctx: Context, world: dict[str, str]
) -> None:
    client = app.test_client()
    urls = _public_urls(app, world)
    assert len(urls) > 20
    showing = []
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        body = response.get_data(as_text=True)
        for leak in LEAKS:
            assert leak not in body, (url, leak)
        for hidden in ("refused", "tip", "draft"):
            assert world[hidden] not in body, (url, hidden)
        for hidden_title in (HIDDEN_TITLE, TIP_TITLE, DRAFT_TITLE):
            assert hidden_title not in body, (url, hidden_title)
        if TITLE in body:
            showing.append(url)
    shown = world["shown"]
    for expected in (
        "/public/",
        "/public/cases",
        f"/public/cases/{shown}",
        "/public/cases.atom",
        "/public/data/cases.csv",
        "/public/data/cases.json",
        "/open311/v2/requests.json",
        "/open311/v2/requests.xml",
        f"/open311/v2/requests/{shown}.json",
    ):
        assert expected in showing, expected
    for hidden in ("refused", "tip", "draft"):
        assert client.get(f"/public/cases/{world[hidden]}").status_code == 404
        assert client.get(f"/open311/v2/requests/{world[hidden]}.json").status_code == 404


def test_the_published_case_shows_the_staff_words_the_district_and_the_outcome(
    app: Any, ctx: Context, world: dict[str, str]
) -> None:
    text = page_text(app.test_client().get(f"/public/cases/{world['shown']}"))
    for shown in (TITLE, SUMMARY, OUTCOME, "中正區", "民情需求事項", "地方工程", "已結案"):
        assert shown in text


def test_open_data_csv_has_a_bom_and_json_follows_its_schema(
    app: Any, ctx: Context, world: dict[str, str]
) -> None:
    import jsonschema

    client = app.test_client()
    raw = client.get("/public/data/cases.csv").get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "案件編號" and [r[0] for r in rows[1:]] == [world["shown"]]
    body = client.get("/public/data/cases.json")
    schema = client.get("/public/data/schema/cases.json").get_json()
    jsonschema.validate(json.loads(body.get_data()), schema)
    assert body.get_json()["licence"]["url"] == "https://data.gov.tw/license"
    stats = client.get("/public/data/statistics.json")
    jsonschema.validate(
        stats.get_json(), client.get("/public/data/schema/statistics.json").get_json()
    )
    assert client.get("/public/data/statistics.csv").get_data().startswith(b"\xef\xbb\xbf")
    etag = body.headers["ETag"]
    again = client.get("/public/data/cases.json", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_a_change_by_staff_shows_at_once_despite_the_cache(
    app: Any, ctx: Context, world: dict[str, str]
) -> None:
    client = app.test_client()
    assert TITLE in client.get("/public/cases").get_data(as_text=True)
    chief = Staff(app, ctx, staff(ctx, "chief2", "supervisor"))
    assert chief.post(f"/admin/cases/{world['shown']}/public/unpublish").status_code == 302
    assert TITLE not in client.get("/public/cases").get_data(as_text=True)
    assert client.get(f"/public/cases/{world['shown']}").status_code == 404


def test_publishing_needs_the_agreement_and_never_takes_a_tip(
    ctx: Context, world: dict[str, str]
) -> None:
    with ctx.sessions.begin() as session:
        refused = session.scalars(select(Case).where(Case.number == world["refused"])).one()
        with pytest.raises(PublicationError, match="未表示"):
            publication.save(session, CHIEF, refused, Draft(TITLE, SUMMARY, OUTCOME, None))
        with pytest.raises(PublicationError, match="未表示"):
            publication.publish(session, CHIEF, refused)
        tip = session.scalars(select(Case).where(Case.number == world["tip"])).one()
        assert publication.refusal(tip) == "檢舉案件一律不公開。"


def test_the_public_words_may_not_carry_the_reporters_data_or_own_text(
    ctx: Context, world: dict[str, str]
) -> None:
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == world["draft"])).one()
        for summary, problem in (
            (f"反映人{NAME}表示路燈不亮。", "姓名"),
            ("聯絡電話0933-222-111，請回電。", "電話"),
            (f"地點在{ADDRESS}附近。", "地址"),
            (f"民眾說：{OWN_WORDS}", "原文"),
        ):
            with pytest.raises(PublicationError, match=problem):
                publication.save(session, CHIEF, case, Draft(TITLE, summary, OUTCOME, None))


def test_a_case_made_a_tip_loses_its_agreement_and_public_words(
    ctx: Context, world: dict[str, str]
) -> None:
    ethics = Actor(None, "ethics", "政風", "supervisor", ethics=True, head_of_ethics=True)
    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == world["shown"])).one()
        casework.classify(session, ethics, case, codes.TIP, None, None)
        assert case.publish_consent is False
        assert session.get(CasePublication, case.id) is None


def test_staff_write_officers_draft_and_supervisors_publish_each_audited(
    app: Any, ctx: Context, world: dict[str, str]
) -> None:
    number = world["draft"]
    officer = Staff(app, ctx, staff(ctx, "officer2", "officer"))
    panel = page_text(officer.get(f"/admin/cases/{number}/public"))
    assert "可以去識別化後公開" in panel and "預覽" in panel
    assert "由主管或系統管理者核定" in panel
    saved = officer.post(
        f"/admin/cases/{number}/public/save",
        {"title": "路燈已修復", "summary": SUMMARY, "outcome": OUTCOME, "district": "中正區"},
    )
    assert saved.status_code == 302
    assert officer.post(f"/admin/cases/{number}/public/publish").status_code == 403
    chief = Staff(app, ctx, staff(ctx, "chief3", "supervisor"))
    assert chief.post(f"/admin/cases/{number}/public/publish").status_code == 302
    assert "路燈已修復" in app.test_client().get("/public/cases").get_data(as_text=True)
    refused = chief.get(f"/admin/cases/{world['refused']}/public")
    assert "不得公開" in page_text(refused)
    assert chief.get(f"/admin/cases/{world['tip']}/public").status_code == 404
    with ctx.sessions() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == number).order_by(AuditEntry.id)
        ).all()
    assert actions[-2:] == ["publication.save", "publication.publish"]
    case_page = page_text(chief.get(f"/admin/cases/{number}"))
    assert "公開中" in case_page


def test_walk_in_intake_records_the_answer_and_a_tip_never_agrees(app: Any, ctx: Context) -> None:
    ethics = Staff(app, ctx, staff(ctx, "ethics2", "officer", ethics=True))
    base = {
        "channel": "walk_in",
        "sub_item": "",
        "theme": "",
        "description": "建議公開里鄰建設經費的使用明細。",
        "recorder": "測試",
        "petition_confirmed": "1",
        "notice_method": "printed",
        "publish_consent": "1",
    }
    for nature in ("reform", "tip"):
        assert ethics.post("/admin/cases/new", {**base, "nature": nature}).status_code == 302
    with ctx.sessions() as session:
        found = dict(session.execute(select(Case.nature, Case.publish_consent)).all())
    assert found == {"reform": True, "tip": False}


def test_odd_open311_input_is_a_clear_4xx(app: Any, ctx: Context, world: dict[str, str]) -> None:
    client = app.test_client()
    for url in (
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00%2B08:00&end_date=2026-12-01",
        "/open311/v2/requests.json?status=pending",
        "/open311/v2/requests.json?start_date=yesterday",
        "/open311/v2/requests.json?start_date=2026-05-01&end_date=2026-04-01",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.get_json()[0]["code"] == 400
    assert client.get("/open311/v2/services.csv").status_code == 404
    assert client.get("/open311/v2/services/nope.json").status_code == 404
    assert client.get("/public/cases?nature=tip").status_code == 400
    assert client.get("/public/statistics?period=forever").status_code == 400


# GeoReport v2's fields (wiki.open311.org/GeoReport_v2): every one present, nothing else.
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords",
                  "group"}  # fmt: skip
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code",
                  "description", "agency_responsible", "service_notice", "requested_datetime",
                  "updated_datetime", "expected_datetime", "address", "address_id", "zipcode",
                  "lat", "long", "media_url"}  # fmt: skip


def test_open311_follows_the_georeport_v2_field_list(
    app: Any, ctx: Context, world: dict[str, str]
) -> None:
    from datetime import datetime

    client = app.test_client()
    services = client.get("/open311/v2/services.json").get_json()
    assert all(set(s) == SERVICE_FIELDS for s in services)
    assert {s["type"] for s in services} == {"batch"}
    assert "need-2" in {s["service_code"] for s in services}
    definition = client.get("/open311/v2/services/need-2.json").get_json()
    assert definition == {"service_code": "need-2", "attributes": []}
    (request,) = client.get("/open311/v2/requests.json").get_json()
    assert set(request) == REQUEST_FIELDS
    assert request["status"] == "closed" and request["service_code"] == "need-2"
    assert (
        request["address"] == "中正區" and request["lat"] is None and request["media_url"] is None
    )
    assert datetime.fromisoformat(request["requested_datetime"]).utcoffset() is not None
    assert client.get("/open311/v2/requests.json?status=open").get_json() == []
    assert client.get("/open311/v2/requests.json?service_code=reform-1").get_json() == []
    root = ET.fromstring(client.get("/open311/v2/requests.xml").get_data())
    assert root.tag == "service_requests"
    assert {child.tag for child in root.find("request")} == REQUEST_FIELDS  # type: ignore[union-attr]
    services_xml = ET.fromstring(client.get("/open311/v2/services.xml").get_data())
    assert services_xml.tag == "services" and services_xml.find("service") is not None


def test_a_closed_case_outside_90_days_is_not_listed_by_default(
    app: Any, ctx: Context, world: dict[str, str]
) -> None:
    from datetime import timedelta

    with ctx.sessions.begin() as session:
        case = session.scalars(select(Case).where(Case.number == world["shown"])).one()
        case.created_at = utcnow() - timedelta(days=120)
    public_cache.invalidate(ctx.redis)
    client = app.test_client()
    assert client.get("/open311/v2/requests.json").get_json() == []


def test_large_answers_are_sent_gzipped_to_clients_that_accept_it(
    app: Any, ctx: Context, world: dict[str, str]
) -> None:
    import gzip

    client = app.test_client()
    plain = client.get("/public/statistics")
    packed = client.get("/public/statistics", headers={"Accept-Encoding": "gzip, deflate"})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert packed.headers["ETag"] != plain.headers["ETag"]
    again = client.get(
        "/public/statistics",
        headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]},
    )
    assert again.status_code == 304


def test_a_nul_in_a_public_query_is_a_400(app: Any, ctx: Context) -> None:
    client = app.test_client()
    for url in (
        "/public/patterns?area=%00",
        "/public/patterns?q=%00",
        "/public/cases?district=%00",
        "/open311/v2/requests.json?service_request_id=%00",
    ):
        assert client.get(url).status_code == 400, url
