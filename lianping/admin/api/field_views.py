"""The API's views of the field work: 平臺地點, their 聯絡人, and field activities.

Same shape as ``views``: validated input → one service call → one commit → JSON. The
services' refusals (``PlaceError``, ``ActivityError``) are 422 with their zh-TW words;
unknown ids 404. Contacts' personal data is masked for roles that may not reveal it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from lianping import rocdate
from lianping.admin.api.errors import ApiError
from lianping.admin.api.validation import as_date
from lianping.admin.api.views import Body, Payload, unit_of_work
from lianping.services import activities, places
from lianping.services.access import Actor, can_open
from lianping.services.activities import ActivityError, ActivityForm, Material
from lianping.services.places import ContactForm, PlaceError, PlaceForm
from lianping.storage import activities as activity_queries
from lianping.storage import ids
from lianping.storage import places as place_queries
from lianping.storage.activities import ActivityFilter
from lianping.storage.models import FieldActivity, Place, PlaceContact


def _id(raw: str, words: str) -> int:
    """The path's id, or 404 (ids are positive 64-bit integers)."""
    found = ids.parse_id(raw)
    if found is None:
        raise ApiError("not_found", f"找不到{words} {raw}")
    return found


@contextmanager
def _refusals() -> Iterator[None]:
    try:
        yield
    except (PlaceError, ActivityError) as exc:
        raise ApiError("unprocessable", str(exc)) from exc


def _place(session: Session, place_id: str) -> Place:
    found = session.get(Place, _id(place_id, "平臺地點"))
    if found is None:
        raise ApiError("not_found", f"找不到平臺地點 {place_id}")
    return found


def _contact(session: Session, place: Place, contact_id: str) -> PlaceContact:
    found = session.get(PlaceContact, _id(contact_id, "聯絡人"))
    if found is None or found.place_id != place.id:
        raise ApiError("not_found", f"找不到聯絡人 {contact_id}")
    return found


def _activity(session: Session, activity_id: str) -> FieldActivity:
    found = session.get(FieldActivity, _id(activity_id, "平臺活動"))
    if found is None:
        raise ApiError("not_found", f"找不到平臺活動 {activity_id}")
    return found


def place_json(place: Place) -> dict[str, Any]:
    return {
        "id": place.id,
        "name": place.name,
        "kind": place.kind,
        "district": place.district,
        "village": place.village,
        "address": place.address,
        "note": place.note,
        "active": place.active,
    }


def contact_json(contact: PlaceContact, actor: Actor) -> dict[str, Any]:
    view = places.contact_view(contact, actor)
    return {
        "id": contact.id,
        "place_id": contact.place_id,
        "role": contact.role,
        "name": (view.name or None) if not view.purged else None,
        "phone": view.phone or None,
        "email": view.email or None,
        "note": view.note or None,
        "active": contact.active,
        "ended_at": contact.ended_at.isoformat() if contact.ended_at else None,
        "purged": view.purged,
        "masked": view.masked,
    }


def activity_json(session: Session, actor: Actor, activity: FieldActivity) -> dict[str, Any]:
    place = session.get(Place, activity.place_id) if activity.place_id else None
    return {
        "id": activity.id,
        "kind": activity.kind,
        "held_on": activity.held_on.isoformat(),
        "held_on_roc": rocdate.roc_date(activity.held_on),
        "place_id": activity.place_id,
        "venue": activity.venue,
        "district": activity.district,
        "where": activities.where(activity, place),
        "topic": activity.topic,
        "theme": activity.theme,
        "participants": activity.participants,
        "promotion": activity.promotion,
        "materials": [
            {"name": str(m["name"]), "quantity": int(m["quantity"])} for m in activity.materials
        ],
        "summary": activity.summary,
        "officer_id": activity.officer_id,
        "contact_ids": activity_queries.contact_ids(session, activity.id),
        "photos": len(activity_queries.photos(session, activity.id)),
        "cases": [
            case.number
            for case in activity_queries.cases(session, activity.id)
            if can_open(actor, case)
        ],
    }


def _place_form(body: Body) -> PlaceForm:
    return PlaceForm(
        name=body["name"],
        kind=body["kind"],
        district=body["district"],
        village=body.get("village") or "",
        address=body.get("address") or "",
        note=body.get("note") or "",
    )


def _contact_form(body: Body) -> ContactForm:
    return ContactForm(
        role=body["role"],
        name=body["name"],
        phone=body.get("phone") or "",
        email=body.get("email") or "",
        note=body.get("note") or "",
    )


def _activity_form(body: Body) -> ActivityForm:
    return ActivityForm(
        kind=body["kind"],
        held_on=as_date(body["held_on"]),
        topic=body["topic"],
        place_id=body.get("place_id"),
        venue=body.get("venue") or "",
        district=body.get("district") or "",
        theme=body.get("theme"),
        participants=body.get("participants", 0),
        promotion=body.get("promotion"),
        materials=[Material(m["name"], m["quantity"]) for m in body.get("materials", [])],
        summary=body.get("summary", ""),
        officer_id=body.get("officer_id"),
        contact_ids=list(body.get("contact_ids", [])),
    )


def _place_payload(session: Session, actor: Actor, place: Place) -> dict[str, Any]:
    return {
        "place": place_json(place),
        "contacts": [contact_json(c, actor) for c in place_queries.contacts(session, place.id)],
    }


def list_places(actor: Actor, query: Body, args: Any) -> Payload:
    with unit_of_work() as (_, session):
        rows = place_queries.listed(session, query.get("district"), include_inactive=True)
        return {"items": [place_json(p) for p in rows]}


def create_place(actor: Actor, body: Body) -> Payload:
    with unit_of_work() as (_, session), _refusals():
        place = places.create_place(session, actor, _place_form(body))
        session.commit()
        payload = _place_payload(session, actor, place)
    return payload, {"Location": url_for("api.getPlace", place_id=place.id)}


def get_place(actor: Actor, place_id: str) -> Payload:
    with unit_of_work() as (_, session):
        return _place_payload(session, actor, _place(session, place_id))


def update_place(actor: Actor, place_id: str, body: Body) -> Payload:
    with unit_of_work() as (_, session), _refusals():
        place = places.update_place(session, actor, _place(session, place_id), _place_form(body))
        session.commit()
        return _place_payload(session, actor, place)


def create_contact(actor: Actor, place_id: str, body: Body) -> Payload:
    with unit_of_work() as (_, session), _refusals():
        place = _place(session, place_id)
        if not place.active:
            raise PlaceError("此地點已停用，無法新增聯絡人。")
        contact = places.add_contact(session, actor, place, _contact_form(body))
        session.commit()
        return {"contact": contact_json(contact, actor)}


def update_contact(actor: Actor, place_id: str, contact_id: str, body: Body) -> Payload:
    if not actor.can_reveal:
        raise ApiError("forbidden", "您的角色無法檢視個人資料，無法修改聯絡人")
    with unit_of_work() as (_, session), _refusals():
        contact = _contact(session, _place(session, place_id), contact_id)
        places.update_contact(session, actor, contact, _contact_form(body))
        session.commit()
        return {"contact": contact_json(contact, actor)}


def end_contact(actor: Actor, place_id: str, contact_id: str, body: Body) -> Payload:
    with unit_of_work() as (_, session), _refusals():
        contact = _contact(session, _place(session, place_id), contact_id)
        places.end_contact(session, actor, contact)
        session.commit()
        return {"contact": contact_json(contact, actor)}


def list_activities(actor: Actor, query: Body, args: Any) -> Payload:
    flt = ActivityFilter(
        date_from=as_date(query["from"]) if query.get("from") else None,
        date_to=as_date(query["to"]) if query.get("to") else None,
        kind=query.get("kind"),
        district=query.get("district"),
        place_id=query.get("place_id"),
    )
    with unit_of_work() as (_, session):
        rows = activity_queries.search(
            session, flt, limit=query.get("limit", 50), offset=query.get("offset", 0)
        )
        return {
            "items": [activity_json(session, actor, a) for a in rows],
            "total": activity_queries.count(session, flt),
        }


def create_activity(actor: Actor, body: Body) -> Payload:
    with unit_of_work() as (_, session), _refusals():
        activity = activities.create_activity(session, actor, _activity_form(body))
        session.commit()
        payload = {"activity": activity_json(session, actor, activity)}
    return payload, {"Location": url_for("api.getActivity", activity_id=activity.id)}


def get_activity(actor: Actor, activity_id: str) -> Payload:
    with unit_of_work() as (_, session):
        return {"activity": activity_json(session, actor, _activity(session, activity_id))}


def update_activity(actor: Actor, activity_id: str, body: Body) -> Payload:
    with unit_of_work() as (_, session), _refusals():
        activity = _activity(session, activity_id)
        activities.update_activity(session, actor, activity, _activity_form(body))
        session.commit()
        return {"activity": activity_json(session, actor, activity)}
