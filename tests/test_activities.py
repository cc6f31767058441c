"""Field activities through the staff pages and the services, on the real database: the
activity's rules (date, place or venue, contacts of the place, materials and the
promotion flag), the list's filters, photos checked by their bytes and served only to
staff, and reports taken at an activity becoming cases linked to it in a few clicks."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from lianping import rocdate
from lianping.admin.settings.audit_words import Names, describe
from lianping.context import Context
from lianping.services import activities, places
from lianping.services.access import Actor
from lianping.services.activities import ActivityError, ActivityForm, Material
from lianping.services.places import ContactForm, PlaceForm
from lianping.storage.models import ActivityPhoto, AuditEntry, Case, FieldActivity, Place
from tests.admin_support import logged_in, staff

OFFICER = Actor(None, "officer", "承辦人", "officer")
TODAY = rocdate.taipei_today()


class Staff:
    """A logged-in client; ``post`` adds the CSRF token."""

    def __init__(self, app: Any, ctx: Context, username: str, role: str = "officer") -> None:
        self.user = staff(ctx, username, role)
        self.client, self.csrf = logged_in(app, ctx, self.user)

    def get(self, url: str) -> Any:
        return self.client.get(url)

    def post(self, url: str, data: Any = None, **kwargs: Any) -> Any:
        if isinstance(data, list):
            return self.client.post(url, data=MultiDict([("csrf_token", self.csrf), *data]))
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})}, **kwargs)


def page(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def seed_places(ctx: Context) -> dict[str, int]:
    """Two 平臺地點, each with two 聯絡人."""
    ids: dict[str, int] = {}
    with ctx.sessions.begin() as session:
        for key, name, district in (("liming", "黎明里辦公處", "中正區"),
                                    ("datong", "大同社區發展協會", "大同區")):  # fmt: skip
            kind = "village_office" if key == "liming" else "community"
            place = places.create_place(session, OFFICER, PlaceForm(name, kind, district))
            ids[key] = place.id
            for n, role in enumerate(("chief", "volunteer")):
                form = ContactForm(role=role, name=f"{name[:2]}聯絡人{n}", phone="0912-345-678")
                ids[f"{key}_{role}"] = places.add_contact(session, OFFICER, place, form).id
    return ids


def form(**values: Any) -> ActivityForm:
    base: dict[str, Any] = {"kind": "forum", "held_on": TODAY, "topic": "里鄰經費運用座談"}
    return ActivityForm(**{**base, **values})


def test_an_activity_records_materials_contacts_and_promotion(ctx: Context) -> None:
    ids = seed_places(ctx)
    with ctx.sessions.begin() as session:
        with_leaflets = activities.create_activity(
            session, OFFICER,
            form(place_id=ids["liming"], participants=30, theme="neighbourhood-funds",
                 materials=[Material(" 反貪宣導摺頁 ", 50), Material("廉政宣導品", 30)],
                 contact_ids=[ids["liming_chief"]]),
        )  # fmt: skip
        plain = activities.create_activity(session, OFFICER, form(place_id=ids["datong"]))
        unticked = activities.create_activity(
            session, OFFICER,
            form(place_id=ids["datong"], materials=[Material("摺頁", 5)], promotion=False),
        )  # fmt: skip
        # Materials handed out are promotion unless the officer says otherwise.
        assert (with_leaflets.promotion, plain.promotion, unticked.promotion) == (
            True,
            False,
            False,
        )
        assert with_leaflets.materials == [
            {"name": "反貪宣導摺頁", "quantity": 50},
            {"name": "廉政宣導品", "quantity": 30},
        ]
        assert activities.materials_words(with_leaflets.materials) == (
            "反貪宣導摺頁 50 份、廉政宣導品 30 份"
        )
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "activity.create")
        ).first()
        assert entry is not None
        assert describe(entry, Names()).sentence == (
            f"登錄平臺活動 {with_leaflets.id}「里鄰經費運用座談」。"
        )


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"held_on": TODAY + timedelta(days=1)}, "不得晚於今天"),
        ({"held_on": TODAY - timedelta(days=366)}, "不得早於一年前"),
        ({"held_on": None}, "請填寫活動日期"),
        ({"kind": "party"}, "請選擇活動類別"),
        ({"topic": "  "}, "請填寫活動主題"),
        ({"place_id": None, "venue": "里民活動中心"}, "請填寫活動地點所在的區"),
        ({"place_id": None, "venue": "", "district": "中正區"}, "請選擇平臺地點"),
        ({"place_id": None, "venue": "活動中心", "district": "信義區"}, "不在設定的區域中"),
        ({"place_id": 999_999}, "請選擇登錄中的平臺地點"),
        ({"participants": -1}, "參加人數"),
        ({"theme": "sports"}, "主題分類不正確"),
        ({"materials": [Material("摺頁", 0)]}, "數量請填 1"),
        ({"materials": [Material(" ", 3)]}, "請填寫名稱"),
        ({"contact_ids": ["datong_chief"]}, "須為所選平臺地點目前的聯絡人"),
    ],
)
def test_bad_activities_are_refused_in_words(
    ctx: Context, values: dict[str, Any], words: str
) -> None:
    ids = seed_places(ctx)
    values = {"place_id": ids["liming"], **values}
    if "contact_ids" in values:
        values["contact_ids"] = [ids[key] for key in values["contact_ids"]]
    with ctx.sessions() as session, pytest.raises(ActivityError, match=words):
        activities.create_activity(session, OFFICER, form(**values))
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(FieldActivity)) == 0


def test_an_ended_contact_cannot_be_named_for_a_new_activity(ctx: Context) -> None:
    ids = seed_places(ctx)
    with ctx.sessions.begin() as session:
        contact = session.get_one(places.PlaceContact, ids["liming_chief"])
        places.end_contact(session, OFFICER, contact)
    with ctx.sessions() as session, pytest.raises(ActivityError, match="目前的聯絡人"):
        activities.create_activity(
            session, OFFICER, form(place_id=ids["liming"], contact_ids=[ids["liming_chief"]])
        )


def test_the_list_is_newest_first_and_filters_by_period_kind_district_and_place(
    app: Any, ctx: Context
) -> None:
    ids = seed_places(ctx)
    with ctx.sessions.begin() as session:
        for days, kind, place, topic in (
            (20, "visit", "liming", "拜會黎明里長"),
            (10, "forum", "datong", "大同座談"),
            (3, "leaflets", None, "捷運站文宣"),
        ):
            at = (
                {"place_id": ids[place]} if place else {"venue": "雙連捷運站", "district": "大同區"}
            )
            activities.create_activity(
                session, OFFICER,
                form(kind=kind, held_on=TODAY - timedelta(days=days), topic=topic, **at),
            )  # fmt: skip
    officer = Staff(app, ctx, "a-officer")

    def topics(query: str) -> list[str]:
        html = page(officer.get(f"/admin/activities/?{query}"))
        return re.findall(r'<a href="/admin/activities/\d+">([^<]+)</a>', html)

    assert topics("") == ["捷運站文宣", "大同座談", "拜會黎明里長"]
    assert topics("kind=forum") == ["大同座談"]
    assert topics("district=大同區") == ["捷運站文宣", "大同座談"]
    assert topics(f"place_id={ids['liming']}") == ["拜會黎明里長"]
    since = (TODAY - timedelta(days=15)).isoformat()
    until = (TODAY - timedelta(days=5)).isoformat()
    assert topics(f"from={since}&to={until}") == ["大同座談"]
    refused = officer.get(f"/admin/activities/?from={until}&to={since}")
    assert refused.status_code == 200 and "起日不得晚於迄日" in page(refused)
    assert officer.get("/admin/activities/?from=2026-13-45&page=x").status_code == 200


def _activity_form(place_id: int, contact_id: int) -> list[tuple[str, str]]:
    return [
        ("kind", "forum"), ("held_on", TODAY.isoformat()), ("topic", "河川疏濬說明座談"),
        ("theme", "dredging"), ("place_id", str(place_id)), ("participants", "30"),
        ("material_name", "反貪宣導摺頁"), ("material_quantity", "50"),
        ("material_name", ""), ("material_quantity", ""),
        ("promotion", "1"), ("summary", "說明疏濬工程進度，居民提問兩則。"),
        ("contact_id", str(contact_id)),
    ]  # fmt: skip


def test_reports_taken_at_an_activity_become_cases_linked_to_it(app: Any, ctx: Context) -> None:
    ids = seed_places(ctx)
    officer = Staff(app, ctx, "a-officer")
    created = officer.post(
        "/admin/activities/new", _activity_form(ids["liming"], ids["liming_chief"])
    )
    assert created.status_code == 302
    with ctx.sessions() as session:
        activity = session.scalars(select(FieldActivity)).one()
        assert (activity.participants, activity.promotion, activity.theme) == (30, True, "dredging")
        activity_id = activity.id
    shown = page(officer.get(f"/admin/activities/{activity_id}"))
    assert "反貪宣導摺頁 50 份" in shown and "30 人" in shown and "黎明聯絡人0" in shown
    assert f'href="/admin/cases/new?activity_id={activity_id}"' in shown

    intake = page(officer.get(f"/admin/cases/new?activity_id={activity_id}"))
    assert f'name="activity_id" value="{activity_id}"' in intake
    assert re.search(r'<option value="meeting" selected>', intake)
    assert f'value="{TODAY.isoformat()}"' in intake and "河川疏濬說明座談" in intake

    numbers = []
    for description in ("河堤步道照明不足，夜間危險。", "疏濬土方堆置路旁，影響通行。"):
        saved = officer.post("/admin/cases/new", {
            "activity_id": str(activity_id), "channel": "meeting", "nature": "need",
            "sub_item": "need-2", "description": description, "recorder": "a-officer 測試",
            "petition_confirmed": "1", "notice_method": "read_out",
            "received_on": TODAY.isoformat(),
        })  # fmt: skip
        assert saved.status_code == 302
        assert saved.headers["Location"].endswith(
            f"/admin/activities/{activity_id}?done=case_added#cases"
        )
        with ctx.sessions() as session:
            numbers.append(session.scalars(select(Case.number).order_by(Case.id.desc())).first())
    with ctx.sessions() as session:
        linked = session.scalars(select(Case).where(Case.activity_id == activity_id)).all()
        assert sorted(c.number for c in linked) == sorted(numbers)
        assert {c.channel for c in linked} == {"meeting"}
    listed = page(officer.get(f"/admin/activities/{activity_id}"))
    assert "本場受理的反映：2 件" in listed
    for number in numbers:
        assert number in listed
    case_page = page(officer.get(f"/admin/cases/{numbers[0]}"))
    assert f'於 <a href="/admin/activities/{activity_id}">' in case_page
    assert "小型座談：河川疏濬說明座談" in case_page
    # An activity with cases stays: its cases refer to it.
    refused = officer.post(f"/admin/activities/{activity_id}/delete")
    assert refused.status_code == 400 and "無法刪除" in page(refused)


def test_intake_refuses_an_activity_that_does_not_exist(app: Any, ctx: Context) -> None:
    officer = Staff(app, ctx, "a-officer")
    refused = officer.post("/admin/cases/new", {
        "activity_id": "424242", "channel": "meeting", "nature": "need",
        "description": "路燈故障已兩週。", "recorder": "承辦人", "petition_confirmed": "1",
        "notice_method": "read_out",
    })  # fmt: skip
    assert refused.status_code == 400 and "找不到受理反映的活動" in page(refused)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


def _image(kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, kind)
    return out.getvalue()


def test_photos_are_checked_by_their_bytes_and_served_only_to_staff(app: Any, ctx: Context) -> None:
    ids = seed_places(ctx)
    with ctx.sessions.begin() as session:
        activity_id = activities.create_activity(session, OFFICER, form(place_id=ids["liming"])).id
    officer = Staff(app, ctx, "a-officer")
    url = f"/admin/activities/{activity_id}/photos"

    def upload(data: bytes, name: str = "photo.png") -> Any:
        return officer.post(url, {"photo": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")  # fmt: skip

    for data, name, words in (
        (b"GIF89a" + b"\x00" * 50, "photo.png", "僅接受 JPEG 或 PNG"),
        (_image()[:40], "cut.png", "損毀或不完整"),
        (b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), "big.jpg", "超過上限 10 MB"),
    ):
        refused = upload(data, name)
        assert refused.status_code == 400 and words in page(refused), name
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ActivityPhoto)) == 0
    assert upload(_image("JPEG"), "photo.jpg").status_code == 302
    with ctx.sessions() as session:
        photo = session.scalars(select(ActivityPhoto)).one()
        assert photo.content_type == "image/jpeg"
        stored = ctx.settings.media_dir / photo.path
        assert stored.is_file()
    served = officer.get(f"{url}/{photo.id}")
    assert served.status_code == 200 and served.data == stored.read_bytes()
    assert served.headers["Cache-Control"] == "private, no-cache"
    stranger = app.test_client().get(f"{url}/{photo.id}")
    assert stranger.status_code in (302, 401) and stranger.data != stored.read_bytes()
    assert officer.get(f"/admin/activities/{activity_id + 1}/photos/{photo.id}").status_code == 404
    assert officer.post(f"{url}/{photo.id}/delete").status_code == 302
    assert not stored.exists()


def test_an_activity_is_corrected_and_one_recorded_by_mistake_deleted(
    app: Any, ctx: Context
) -> None:
    ids = seed_places(ctx)
    officer = Staff(app, ctx, "a-officer")
    officer.post("/admin/activities/new", _activity_form(ids["liming"], ids["liming_chief"]))
    with ctx.sessions() as session:
        activity_id = session.scalars(select(FieldActivity.id)).one()
    filled = page(officer.get(f"/admin/activities/{activity_id}/edit"))
    assert 'value="反貪宣導摺頁"' in filled and 'value="50"' in filled
    changed = [(k, "45" if k == "participants" else v)
               for k, v in _activity_form(ids["liming"], ids["liming_chief"])]  # fmt: skip
    assert officer.post(f"/admin/activities/{activity_id}/edit", changed).status_code == 302
    same = officer.post(f"/admin/activities/{activity_id}/edit", changed)
    assert same.status_code == 400 and "未變更" in page(same)
    wrong = [(k, "abc" if k == "material_quantity" else v) for k, v in changed]
    refused = officer.post(f"/admin/activities/{activity_id}/edit", wrong)
    assert refused.status_code == 400 and "數量請填非負整數" in page(refused)
    with ctx.sessions() as session:
        assert session.get_one(FieldActivity, activity_id).participants == 45
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "activity.update"))
        assert entry.before["participants"] == 30 and entry.after["participants"] == 45
    assert officer.post(f"/admin/activities/{activity_id}/delete").status_code == 302
    with ctx.sessions() as session:
        assert session.get(FieldActivity, activity_id) is None
        assert session.get(Place, ids["liming"]) is not None


def test_a_viewer_reads_activities_but_cannot_record_them(app: Any, ctx: Context) -> None:
    ids = seed_places(ctx)
    with ctx.sessions.begin() as session:
        activity_id = activities.create_activity(session, OFFICER, form(place_id=ids["liming"])).id
    viewer = Staff(app, ctx, "a-viewer", "viewer")
    assert viewer.get(f"/admin/activities/{activity_id}").status_code == 200
    assert "登錄本場反映" not in page(viewer.get(f"/admin/activities/{activity_id}"))
    for url in ("/admin/activities/new", f"/admin/activities/{activity_id}/delete",
                f"/admin/activities/{activity_id}/edit"):  # fmt: skip
        assert (
            viewer.post(url, _activity_form(ids["liming"], ids["liming_chief"])).status_code == 403
        )
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(FieldActivity)) == 1
