"""平臺地點 and their 聯絡人 through the staff pages, on the real database: the registry by 區,
bad input refused in words with nothing changed, contacts' personal data masked for roles
that may not reveal it and never written into the audit log, and a contact's end."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping.admin.settings.audit_words import ACTIONS, Names, describe
from lianping.context import Context
from lianping.services import places
from lianping.services.access import Actor, PermissionDenied
from lianping.services.places import ContactForm, PlaceError, PlaceForm
from lianping.storage.models import AuditEntry, Place, PlaceContact
from tests.admin_support import logged_in, staff

OFFICER = Actor(None, "officer", "承辦人", "officer")
VIEWER = Actor(None, "viewer", "檢視者", "viewer")


class Staff:
    """A logged-in client; ``post`` adds the CSRF token."""

    def __init__(self, app: Any, ctx: Context, username: str, role: str = "officer") -> None:
        self.client, self.csrf = logged_in(app, ctx, staff(ctx, username, role))

    def get(self, url: str) -> Any:
        return self.client.get(url)

    def post(self, url: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(url, data={"csrf_token": self.csrf, **(data or {})})


def page(response: Any) -> str:
    return unescape(response.get_data(as_text=True))


def _count(ctx: Context, model: Any) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _place(ctx: Context, name: str = "黎明里辦公處", district: str = "中正區") -> int:
    with ctx.sessions.begin() as session:
        form = PlaceForm(name=name, kind="village_office", district=district, village="")
        return places.create_place(session, OFFICER, form).id


PLACE = {"name": "黎明里辦公處", "kind": "village_office", "district": "中正區",
         "village": "黎明里", "address": "臺北市中正區華山街1號", "note": ""}  # fmt: skip


def test_a_place_is_registered_listed_by_district_edited_stopped(app: Any, ctx: Context) -> None:
    officer = Staff(app, ctx, "p-officer")
    created = officer.post("/admin/places/new", PLACE)
    assert created.status_code == 302
    with ctx.sessions() as session:
        place = session.scalars(select(Place)).one()
        assert (place.district, place.village, place.active) == ("中正區", "黎明里", True)
        place_id = place.id
    _place(ctx, "大同國小", "大同區")

    listed = page(officer.get("/admin/places/?district=中正區"))
    assert "黎明里辦公處" in listed and "大同國小" not in listed
    assert "大同國小" in page(officer.get("/admin/places/"))
    assert "新增平臺地點" in page(officer.get("/admin/places/new"))

    filled = page(officer.get(f"/admin/places/{place_id}/edit"))
    assert 'value="臺北市中正區華山街1號"' in filled and "黎明里" in filled
    edited = officer.post(f"/admin/places/{place_id}/edit", {**PLACE, "address": "華山街2號"})
    assert edited.status_code == 302
    stopped = officer.post(f"/admin/places/{place_id}/active", {"active": "0"})
    assert stopped.status_code == 302
    assert "黎明里辦公處" not in page(officer.get("/admin/places/"))
    assert "黎明里辦公處" in page(officer.get("/admin/places/?all=1"))
    with ctx.sessions() as session:
        place = session.get_one(Place, place_id)
        assert (place.address, place.active) == ("華山街2號", False)
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions[-2:] == ["place.update", "place.deactivate"]
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.target_type == "place")))
        sentences = [describe(entry, Names()).sentence for entry in entries]
    assert "修改平臺地點「黎明里辦公處」的地址。" in sentences
    assert "停用平臺地點「黎明里辦公處」。" in sentences


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"name": ""}, "請填寫地點名稱"),
        ({"kind": "castle"}, "請選擇地點類別"),
        ({"district": "信義區"}, "不在設定的區域中"),
        ({"village": "不存在里"}, "不是中正區的村里"),
        ({"name": "名" * 201}, "200 字以內"),
    ],
)
def test_bad_place_input_is_refused_in_words_and_nothing_is_stored(
    app: Any, ctx: Context, change: dict[str, str], words: str
) -> None:
    officer = Staff(app, ctx, "p-officer")
    refused = officer.post("/admin/places/new", {**PLACE, **change})
    assert refused.status_code == 400
    assert words in page(refused)
    assert _count(ctx, Place) == 0
    assert _count(ctx, AuditEntry) == 1  # the login only


def test_a_viewer_sees_contacts_masked_and_cannot_change_them(app: Any, ctx: Context) -> None:
    place_id = _place(ctx)
    officer, viewer = Staff(app, ctx, "p-officer"), Staff(app, ctx, "p-viewer", "viewer")
    contact = {"role": "chief", "name": "林大同", "phone": "0912345678",
               "email": "lin.datong@example.gov.tw", "note": "週三上午在辦公處"}  # fmt: skip
    assert officer.post(f"/admin/places/{place_id}/contacts", contact).status_code == 302

    full = page(officer.get(f"/admin/places/{place_id}"))
    assert "林大同" in full and "0912-345-678" in full and "lin.datong@example.gov.tw" in full
    masked = page(viewer.get(f"/admin/places/{place_id}"))
    assert "林大同" not in masked and "林○同" in masked
    assert "0912" not in masked and "******5678" in masked
    assert "lin.datong" not in masked and "l＊＊＊@example.gov.tw" in masked
    assert "週三上午" not in masked

    with ctx.sessions() as session:
        contact_id = session.scalars(select(PlaceContact.id)).one()
        audited = [str(e.after) for e in session.scalars(select(AuditEntry))]
    assert not any("0912" in text or "林大同" in text or "lin.datong" in text for text in audited)
    for url in (f"/admin/places/{place_id}/contacts/{contact_id}/end",
                f"/admin/places/{place_id}/contacts"):  # fmt: skip
        assert viewer.post(url, contact).status_code == 403
    assert viewer.get(f"/admin/places/{place_id}/contacts/{contact_id}/edit").status_code == 403
    with ctx.sessions() as session:
        assert session.get_one(PlaceContact, contact_id).active is True
        assert session.scalar(select(func.count()).select_from(PlaceContact)) == 1


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"phone": "12345"}, "聯絡電話格式不正確"),
        ({"email": "not-an-address"}, "電子郵件格式不正確"),
        ({"role": "king"}, "請選擇聯絡人的角色"),
        ({"name": " "}, "請填寫聯絡人姓名"),
    ],
)
def test_bad_contact_input_is_refused_and_nothing_is_stored(
    app: Any, ctx: Context, change: dict[str, str], words: str
) -> None:
    place_id = _place(ctx)
    officer = Staff(app, ctx, "p-officer")
    contact = {"role": "clerk", "name": "陳幹事", "phone": "02-2960-3456 分機 12", "email": ""}
    refused = officer.post(f"/admin/places/{place_id}/contacts", {**contact, **change})
    assert refused.status_code == 400
    assert words in page(refused)
    assert _count(ctx, PlaceContact) == 0


def test_a_contact_is_corrected_then_ended_and_stays_on_record(app: Any, ctx: Context) -> None:
    place_id = _place(ctx)
    with ctx.sessions.begin() as session:
        place = session.get_one(Place, place_id)
        form = ContactForm(role="volunteer", name="張志工", phone="0933-111-222")
        contact_id = places.add_contact(session, OFFICER, place, form).id
    officer = Staff(app, ctx, "p-officer")
    url = f"/admin/places/{place_id}/contacts/{contact_id}"
    form_page = page(officer.get(f"{url}/edit"))
    assert "+886933111222" not in form_page and "0933-111-222" in form_page
    corrected = officer.post(f"{url}/edit", {"role": "volunteer", "name": "張志工",
                                             "phone": "0933-111-333"})  # fmt: skip
    assert corrected.status_code == 302
    assert officer.post(f"{url}/end").status_code == 302
    again = officer.post(f"{url}/end")
    assert again.status_code == 400 and "已結束聯繫" in page(again)
    with ctx.sessions() as session:
        contact = session.get_one(PlaceContact, contact_id)
        assert (contact.phone, contact.active) == ("0933-111-333", False)
        assert contact.ended_at is not None and contact.name == "張志工"
        updates = [e for e in session.scalars(select(AuditEntry))
                   if e.action == "contact.update"]  # fmt: skip
        assert updates[0].after == {"role": "volunteer", "fields": ["phone"]}
        sentence = describe(updates[0], Names()).sentence
    assert sentence == f"修改平臺聯絡人 {contact_id}（廉政志工）的電話。"
    ended = page(officer.get(f"/admin/places/{place_id}"))
    assert "結束聯繫" in ended and "張志工" in ended


def test_the_service_refuses_a_viewer_and_unchanged_edits(ctx: Context) -> None:
    place_id = _place(ctx)
    with ctx.sessions() as session:
        place = session.get_one(Place, place_id)
        with pytest.raises(PlaceError, match="未變更"):
            places.update_place(
                session, OFFICER, place,
                PlaceForm(name=place.name, kind=place.kind, district=place.district),
            )  # fmt: skip
        with pytest.raises(PermissionDenied):
            places.create_place(session, VIEWER, PlaceForm("x", "school", "中正區"))
    assert all(action in ACTIONS for action in ("place.create", "contact.end"))
