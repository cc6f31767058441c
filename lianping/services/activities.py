"""Field activities (seed 004 柒): visits and events an officer records, their 宣導 materials,
the 聯絡人 who took part, and photos.

An activity is held at a registered 平臺地點, or at a venue typed with its 區. The
「宣揚反貪倡廉資訊」 flag (``promotion``) marks the activities 附件2 counts in row 3;
handing out 宣導 materials is such promotion (seed 004 陸.三.(二)), so the flag
follows the materials when the caller does not state it. Reports taken at an activity
are cases linked to it (``Case.activity_id``, set by manual intake). Functions take a
session, check permission, audit, and never commit; files are written before the
commit and named for deletion after it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.services import audit, promotion_images
from lianping.services.access import Actor, require_write
from lianping.services.administration import clean_line, clean_text
from lianping.services.places import PlaceError, check_area
from lianping.storage import activities as queries
from lianping.storage.models import (
    ActivityContact,
    ActivityPhoto,
    Case,
    FieldActivity,
    Place,
    PlaceContact,
    User,
    utcnow,
)

# How far back an activity may be recorded: a late write-up, not an old register retyped
# (manual intake's rule for a 收件日期).
WITHIN_DAYS = 365
MAX_TOPIC = 200
MAX_VENUE = 300
MAX_SUMMARY = 2000
MAX_PARTICIPANTS = 100_000
MAX_MATERIALS = 20
MAX_MATERIAL_NAME = 60
MAX_QUANTITY = 1_000_000
MAX_PHOTOS = 30
PHOTO_DIR = "activities"


class ActivityError(ValueError):
    """Bad input for an activity; the message (zh-TW) says what to correct."""


@dataclass(frozen=True)
class Material:
    """A 宣導 material handed out, e.g. 「反貪宣導摺頁」 50 份."""

    name: str
    quantity: int


@dataclass(frozen=True)
class ActivityForm:
    """An activity as the page or the API gives it (the service trims and checks it)."""

    kind: str
    held_on: date | None
    topic: str
    place_id: int | None = None
    venue: str = ""
    district: str = ""
    theme: str | None = None
    participants: int = 0
    # None: not stated, so it follows the materials (any given → promotion).
    promotion: bool | None = None
    materials: list[Material] = field(default_factory=list)
    summary: str = ""
    officer_id: int | None = None
    contact_ids: list[int] = field(default_factory=list)


def _materials(materials: list[Material]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in materials:
        name = clean_line(item.name)
        if not name:
            raise ActivityError("宣導品項請填寫名稱，或將該列數量一併清空。")
        if len(name) > MAX_MATERIAL_NAME:
            raise ActivityError(f"宣導品項「{name[:20]}…」的名稱請在 {MAX_MATERIAL_NAME} 字以內。")
        if not 1 <= item.quantity <= MAX_QUANTITY:
            raise ActivityError(f"宣導品項「{name}」的數量請填 1 至 {MAX_QUANTITY:,} 之間的整數。")
        found.append({"name": name, "quantity": item.quantity})
    if len(found) > MAX_MATERIALS:
        raise ActivityError(f"宣導品項最多 {MAX_MATERIALS} 項。")
    return found


def _values(
    session: Session, form: ActivityForm, current: FieldActivity | None
) -> tuple[dict[str, Any], list[int]]:
    """The columns to store and the contacts named, or ActivityError."""
    if form.kind not in codes.ACTIVITY_KINDS:
        raise ActivityError("請選擇活動類別。")
    today = rocdate.taipei_today()
    if form.held_on is None:
        raise ActivityError("請填寫活動日期。")
    if form.held_on > today:
        raise ActivityError("活動日期不得晚於今天；尚未舉行的活動請於舉行後登錄。")
    earliest = today - timedelta(days=WITHIN_DAYS)
    if form.held_on < earliest and (current is None or current.held_on != form.held_on):
        raise ActivityError(f"活動日期不得早於一年前（{rocdate.roc_date(earliest)}）。")
    place: Place | None = None
    venue = clean_line(form.venue) or None
    district = "".join(form.district.split()) or None
    if form.place_id is not None:
        place = session.get(Place, form.place_id)
        keeps = current is not None and current.place_id == form.place_id
        if place is None or (not place.active and not keeps):
            raise ActivityError("請選擇登錄中的平臺地點。")
        venue, district = None, None
    else:
        if not venue:
            raise ActivityError("請選擇平臺地點，或填寫活動地點與所在的區。")
        if len(venue) > MAX_VENUE:
            raise ActivityError(f"活動地點請在 {MAX_VENUE} 字以內。")
        if not district:
            raise ActivityError("請填寫活動地點所在的區。")
        try:
            check_area(session, district, None)
        except PlaceError as exc:
            raise ActivityError(str(exc)) from None
    topic = clean_line(form.topic)
    if not topic:
        raise ActivityError("請填寫活動主題。")
    if len(topic) > MAX_TOPIC:
        raise ActivityError(f"活動主題請在 {MAX_TOPIC} 字以內。")
    if form.theme is not None and form.theme not in codes.THEMES:
        raise ActivityError("主題分類不正確。")
    if not 0 <= form.participants <= MAX_PARTICIPANTS:
        raise ActivityError(f"參加人數請填 0 至 {MAX_PARTICIPANTS:,} 之間的整數。")
    materials = _materials(form.materials)
    summary = clean_text(form.summary)
    if len(summary) > MAX_SUMMARY:
        raise ActivityError(f"活動摘要請在 {MAX_SUMMARY} 字以內。")
    if form.officer_id is not None:
        officer = session.get(User, form.officer_id)
        keeps = current is not None and current.officer_id == form.officer_id
        if officer is None or officer.role == "viewer" or (not officer.active and not keeps):
            raise ActivityError("請選擇辦理的同仁。")
    contact_ids = sorted(set(form.contact_ids))
    if contact_ids:
        if place is None:
            raise ActivityError("參與的聯絡人須為所選平臺地點的聯絡人。")
        rows = session.scalars(select(PlaceContact).where(PlaceContact.id.in_(contact_ids)))
        named = queries.contact_ids(session, current.id) if current else []
        valid = {
            row.id for row in rows if row.place_id == place.id and (row.active or row.id in named)
        }
        if set(contact_ids) - valid:
            raise ActivityError("參與的聯絡人須為所選平臺地點目前的聯絡人。")
    promotion = bool(materials) if form.promotion is None else form.promotion
    return {
        "kind": form.kind,
        "held_on": form.held_on,
        "place_id": place.id if place else None,
        "venue": venue,
        "district": district,
        "topic": topic,
        "theme": form.theme,
        "participants": form.participants,
        "promotion": promotion,
        "materials": materials,
        "summary": summary,
        "officer_id": form.officer_id,
    }, contact_ids


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "held_on": values["held_on"].isoformat()} if "held_on" in values else values


def _set_contacts(session: Session, activity_id: int, contact_ids: list[int]) -> None:
    session.execute(delete(ActivityContact).where(ActivityContact.activity_id == activity_id))
    for contact_id in contact_ids:
        session.add(ActivityContact(activity_id=activity_id, contact_id=contact_id))


def create_activity(session: Session, actor: Actor, form: ActivityForm) -> FieldActivity:
    """Record an activity."""
    require_write(actor)
    values, contact_ids = _values(session, form, None)
    now = utcnow()
    activity = FieldActivity(**values, created_by=actor.username, created_at=now, updated_at=now)
    session.add(activity)
    session.flush()
    _set_contacts(session, activity.id, contact_ids)
    audit.record(
        session, actor, "activity.create", "activity", activity.id,
        after={**_audited(values), "contacts": len(contact_ids)},
    )  # fmt: skip
    return activity


def update_activity(
    session: Session, actor: Actor, activity: FieldActivity, form: ActivityForm
) -> FieldActivity:
    """Correct an activity; the audit entry keeps the values changed."""
    require_write(actor)
    values, contact_ids = _values(session, form, activity)
    changed = {k: v for k, v in values.items() if getattr(activity, k) != v}
    contacts_changed = contact_ids != queries.contact_ids(session, activity.id)
    if not changed and not contacts_changed:
        raise ActivityError("活動資料未變更。")
    before = {"topic": activity.topic, **{k: getattr(activity, k) for k in changed}}
    for key, value in changed.items():
        setattr(activity, key, value)
    activity.updated_at = utcnow()
    if contacts_changed:
        _set_contacts(session, activity.id, contact_ids)
        changed["contacts"] = len(contact_ids)
    audit.record(
        session, actor, "activity.update", "activity", activity.id,
        before=_audited(before), after=_audited({"topic": activity.topic, **changed}),
    )  # fmt: skip
    return activity


def delete_activity(session: Session, actor: Actor, activity: FieldActivity) -> list[str]:
    """Remove an activity recorded by mistake; returns its photos' files to delete after the
    commit. One at which reports were taken stays: its cases refer to it."""
    require_write(actor)
    taken = session.scalar(select(Case.id).where(Case.activity_id == activity.id).limit(1))
    if taken is not None:
        raise ActivityError("本場活動已登錄反映案件，無法刪除；如有誤請修改活動資料。")
    files = [photo.path for photo in queries.photos(session, activity.id)]
    audit.record(
        session,
        actor,
        "activity.delete",
        "activity",
        activity.id,
        before={
            "topic": activity.topic,
            "kind": activity.kind,
            "held_on": activity.held_on.isoformat(),
        },
    )
    session.delete(activity)
    session.flush()
    return files


def add_photo(
    session: Session, actor: Actor, activity: FieldActivity, media_dir: Path, data: bytes
) -> ActivityPhoto:
    """Keep a photo of the activity: JPEG or PNG told by its bytes, at most 10 MB, a whole
    image (the rule of the broadcasts' images). Nothing is kept when it is refused."""
    require_write(actor)
    if not data:
        raise ActivityError("沒有收到照片檔案，請選擇 JPEG 或 PNG 圖片。")
    if len(data) > promotion_images.MAX_BYTES:
        raise ActivityError(
            f"照片大小 {len(data) / 1024 / 1024:.1f} MB，超過上限 10 MB，請壓縮後再上傳。"
        )
    content_type = promotion_images.sniff(data)
    if content_type is None:
        raise ActivityError("僅接受 JPEG 或 PNG 照片。")
    try:
        promotion_images.decode(data, content_type)
    except promotion_images.ImageRejected as exc:
        raise ActivityError(str(exc)) from None
    if len(queries.photos(session, activity.id)) >= MAX_PHOTOS:
        raise ActivityError(f"每場活動最多 {MAX_PHOTOS} 張照片。")
    suffix = promotion_images.EXTENSIONS[content_type]
    relative = f"{PHOTO_DIR}/{activity.id}-{secrets.token_hex(12)}.{suffix}"
    target = media_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(data)
    partial.replace(target)
    try:
        photo = ActivityPhoto(
            activity_id=activity.id,
            path=relative,
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            created_at=utcnow(),
        )
        session.add(photo)
        session.flush()
        audit.record(
            session, actor, "activity.photo_add", "activity", activity.id,
            after={"photo": photo.id, "size": photo.size, "content_type": content_type},
        )  # fmt: skip
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return photo


def delete_photo(session: Session, actor: Actor, photo: ActivityPhoto) -> str:
    """Remove a photo; returns its file to delete after the commit."""
    require_write(actor)
    audit.record(
        session, actor, "activity.photo_delete", "activity", photo.activity_id,
        before={"photo": photo.id, "size": photo.size},
    )  # fmt: skip
    path = photo.path
    session.delete(photo)
    return path


def where(activity: FieldActivity, place: Place | None) -> str:
    """Where it was held, in words: the place (with its 區村里) or the venue and 區."""
    if place is not None:
        return f"{place.name}（{place.district}{place.village or ''}）"
    return f"{activity.venue or ''}（{activity.district or ''}）"


def title(activity: FieldActivity) -> str:
    """「115年11月21日 小型座談：主題」, how an activity is named on a case and in lists."""
    kind = codes.ACTIVITY_KINDS.get(activity.kind, activity.kind)
    return f"{rocdate.roc_date(activity.held_on)} {kind}：{activity.topic}"


def materials_words(materials: list[dict[str, Any]]) -> str:
    """「反貪宣導摺頁 50 份、廉政宣導品 30 份」."""
    return "、".join(f"{m['name']} {int(m['quantity']):,} 份" for m in materials)
