"""The 平臺地點 registry (seed 004 伍) and its 聯絡人 (陸): create, edit, deactivate.

A 聯絡人's name, phone, e-mail and note are personal data: shown in full only to staff
whose role may reveal personal data (``Actor.can_reveal``), masked otherwise, never
written into the audit log, and removed after the retention period once the contact
has ended (``storage.purge.purge_contacts``). Functions take a session, check
permission, audit, and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot.conversation.phone import parse_office_phone, parse_phone
from lianping.services import audit, content
from lianping.services.access import Actor, mask_email, mask_name, mask_phone, require_write
from lianping.services.administration import SettingsError, clean_line, clean_text, valid_email
from lianping.storage import areas
from lianping.storage.models import Place, PlaceContact, utcnow

MAX_NAME = 200
MAX_DISTRICT = 20
MAX_ADDRESS = 300
MAX_NOTE = 1000
MAX_CONTACT_NAME = 100
MAX_EMAIL = 200  # the column's width


class PlaceError(ValueError):
    """Bad input for a place or a contact; the message (zh-TW) says what to correct."""


@dataclass(frozen=True)
class PlaceForm:
    """A place as typed (the service trims and checks it)."""

    name: str
    kind: str
    district: str
    village: str = ""
    address: str = ""
    note: str = ""


@dataclass(frozen=True)
class ContactForm:
    """A 聯絡人 as typed."""

    role: str
    name: str
    phone: str = ""
    email: str = ""
    note: str = ""


def check_area(session: Session, district: str, village: str | None) -> None:
    """The 區 (and 村里) must be among the areas the administrator set, when any are set."""
    known = areas.read(content.get(session, "areas"))
    if not known:
        return
    if district not in known:
        raise PlaceError(f"「{district}」不在設定的區域中，請選擇：{'、'.join(known)}。")
    if village and known[district] and village not in known[district]:
        raise PlaceError(f"「{village}」不是{district}的村里，請確認名稱。")


def _place_values(session: Session, form: PlaceForm) -> dict[str, str | None]:
    name = clean_line(form.name)
    district = "".join(form.district.split())
    village = "".join(form.village.split()) or None
    address = clean_line(form.address) or None
    note = clean_text(form.note) or None
    if not name:
        raise PlaceError("請填寫地點名稱。")
    if len(name) > MAX_NAME:
        raise PlaceError(f"地點名稱請在 {MAX_NAME} 字以內。")
    if form.kind not in codes.PLACE_KINDS:
        raise PlaceError("請選擇地點類別。")
    if not district:
        raise PlaceError("請選擇地點所在的區。")
    if len(district) > MAX_DISTRICT or (village and len(village) > MAX_DISTRICT):
        raise PlaceError(f"區及村里名稱請在 {MAX_DISTRICT} 字以內。")
    if address and len(address) > MAX_ADDRESS:
        raise PlaceError(f"地址請在 {MAX_ADDRESS} 字以內。")
    if note and len(note) > MAX_NOTE:
        raise PlaceError(f"備註請在 {MAX_NOTE} 字以內。")
    check_area(session, district, village)
    return {
        "name": name,
        "kind": form.kind,
        "district": district,
        "village": village,
        "address": address,
        "note": note,
    }


def create_place(session: Session, actor: Actor, form: PlaceForm) -> Place:
    """Register a 平臺地點."""
    require_write(actor)
    values = _place_values(session, form)
    place = Place(**values, active=True, created_at=utcnow())
    session.add(place)
    session.flush()
    audit.record(session, actor, "place.create", "place", place.id, after=values)
    return place


def update_place(session: Session, actor: Actor, place: Place, form: PlaceForm) -> Place:
    """Correct a place's name, kind, 區／村里, address or note."""
    require_write(actor)
    values = _place_values(session, form)
    changed = {k: v for k, v in values.items() if getattr(place, k) != v}
    if not changed:
        raise PlaceError("地點資料未變更。")
    # The name on both sides, so the audit entry reads which place it was.
    before = {"name": place.name, **{k: getattr(place, k) for k in changed}}
    for key, value in changed.items():
        setattr(place, key, value)
    audit.record(
        session, actor, "place.update", "place", place.id,
        before=before, after={"name": place.name, **changed},
    )  # fmt: skip
    return place


def set_place_active(session: Session, actor: Actor, place: Place, active: bool) -> Place:
    """Stop using a place (its activities stay), or use it again."""
    require_write(actor)
    if place.active == active:
        raise PlaceError("此地點已停用。" if not active else "此地點使用中。")
    place.active = active
    action = "place.activate" if active else "place.deactivate"
    audit.record(session, actor, action, "place", place.id, after={"name": place.name})
    return place


def _contact_values(form: ContactForm) -> dict[str, str | None]:
    name = clean_line(form.name)
    raw_phone = clean_line(form.phone)
    email = clean_line(form.email)
    note = clean_text(form.note) or None
    if form.role not in codes.CONTACT_ROLES:
        raise PlaceError("請選擇聯絡人的角色。")
    if not name:
        raise PlaceError("請填寫聯絡人姓名。")
    if len(name) > MAX_CONTACT_NAME:
        raise PlaceError(f"聯絡人姓名請在 {MAX_CONTACT_NAME} 字以內。")
    phone = None
    if raw_phone:
        # A mobile or landline as every page shows it; else an office number with 分機.
        parsed = parse_phone(raw_phone)
        phone = parsed[1] if parsed else parse_office_phone(raw_phone)
        if phone is None or len(phone) > 32:
            raise PlaceError(
                "聯絡電話格式不正確：請輸入臺灣的手機或市話號碼（市話含區碼，可加分機），"
                "例如 0912-345-678 或 02-2960-3456 分機 12。"
            )
    if email:
        if len(email) > MAX_EMAIL:
            raise PlaceError(f"電子郵件請在 {MAX_EMAIL} 字以內。")
        try:
            email = valid_email("電子郵件", email)
        except SettingsError as exc:
            raise PlaceError(str(exc)) from None
    if note and len(note) > MAX_NOTE:
        raise PlaceError(f"備註請在 {MAX_NOTE} 字以內。")
    return {"role": form.role, "name": name, "phone": phone, "email": email or None, "note": note}


def add_contact(session: Session, actor: Actor, place: Place, form: ContactForm) -> PlaceContact:
    """Add a 聯絡人 to a place. The audit log keeps the role, never the personal data."""
    require_write(actor)
    values = _contact_values(form)
    contact = PlaceContact(place_id=place.id, **values, active=True, created_at=utcnow())
    session.add(contact)
    session.flush()
    audit.record(
        session, actor, "contact.create", "place_contact", contact.id,
        after={"place": place.name, "role": form.role},
    )  # fmt: skip
    return contact


def update_contact(
    session: Session, actor: Actor, contact: PlaceContact, form: ContactForm
) -> PlaceContact:
    """Correct a 聯絡人; the audit log names the fields changed, not their values."""
    require_write(actor)
    if not contact.active:
        raise PlaceError("此聯絡人已結束聯繫，無法修改。")
    values = _contact_values(form)
    changed = [k for k, v in values.items() if getattr(contact, k) != v]
    if not changed:
        raise PlaceError("聯絡人資料未變更。")
    before_role = contact.role
    for key in changed:
        setattr(contact, key, values[key])
    audit.record(
        session, actor, "contact.update", "place_contact", contact.id,
        before={"role": before_role}, after={"role": contact.role, "fields": changed},
    )  # fmt: skip
    return contact


def end_contact(session: Session, actor: Actor, contact: PlaceContact) -> PlaceContact:
    """The contact no longer serves (卸任, 離職…): kept for the record of past activities
    until the retention period from now has passed, then their personal data is removed."""
    require_write(actor)
    if not contact.active:
        raise PlaceError("此聯絡人已結束聯繫。")
    contact.active = False
    contact.ended_at = utcnow()
    audit.record(
        session, actor, "contact.end", "place_contact", contact.id,
        after={"role": contact.role},
    )  # fmt: skip
    return contact


@dataclass(frozen=True)
class ContactView:
    """A 聯絡人 as the actor may see them: in full, or masked."""

    id: int
    place_id: int
    role: str
    role_label: str
    name: str
    phone: str
    email: str
    note: str
    active: bool
    ended_at: str | None
    purged: bool
    masked: bool


def contact_view(contact: PlaceContact, actor: Actor) -> ContactView:
    """The contact for ``actor``: phone, e-mail and note in full only when the role may
    reveal personal data; the name masked likewise; a purged contact shows none."""
    reveal = actor.can_reveal
    name, phone, email = contact.name or "", contact.phone or "", contact.email or ""
    note = contact.note or ""
    if not reveal:
        name = mask_name(name) or ""
        phone = mask_phone(phone) or ""
        email = mask_email(email) or ""
        note = ""
    return ContactView(
        id=contact.id,
        place_id=contact.place_id,
        role=contact.role,
        role_label=codes.CONTACT_ROLES.get(contact.role, contact.role),
        name=name if contact.purged_at is None else "（已依保存期限刪除）",
        phone=phone,
        email=email,
        note=note,
        active=contact.active,
        ended_at=rocdate.roc_date(contact.ended_at) if contact.ended_at else None,
        purged=contact.purged_at is not None,
        masked=not reveal,
    )


def place_label(place: Place) -> str:
    """「名稱（區村里）」, how a place is named in lists and selects."""
    where = place.district + (place.village or "")
    return f"{place.name}（{where}）"
