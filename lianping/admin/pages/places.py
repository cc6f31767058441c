"""平臺地點 (seed 004 伍) and their 聯絡人 (陸): the list by 區, a place's page with its contacts
and activities, and the forms to add, edit and deactivate them.

Contacts' personal data is shown in full only to staff whose role may reveal it
(``Actor.can_reveal``); others see it masked (``services.places.contact_view``).
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from lianping import codes, context
from lianping.admin.pages.common import Lookups, current_actor, not_found
from lianping.services import content, places
from lianping.services.access import PermissionDenied, require_write
from lianping.services.places import ContactForm, PlaceError, PlaceForm
from lianping.storage import activities as activity_queries
from lianping.storage import areas
from lianping.storage import places as queries
from lianping.storage.models import Place, PlaceContact

blueprint = Blueprint("places", __name__, url_prefix="/admin/places")
blueprint.register_error_handler(404, not_found)

Form = MultiDict[str, str]
DONE = {
    "created": "已新增平臺地點。",
    "updated": "已更新地點資料。",
    "deactivated": "已停用此地點；過去的活動紀錄保留。",
    "activated": "已重新啟用此地點。",
    "contact_added": "已新增聯絡人。",
    "contact_updated": "已更新聯絡人資料。",
    "contact_ended": "已結束與此聯絡人的聯繫；其個人資料於保存期限屆滿後刪除。",
}


def _text(form: Form, name: str) -> str:
    return (form.get(name) or "").replace("\r\n", "\n").strip()


def _place_form(form: Form) -> PlaceForm:
    return PlaceForm(
        name=_text(form, "name"),
        kind=_text(form, "kind"),
        district=_text(form, "district"),
        village=_text(form, "village"),
        address=_text(form, "address"),
        note=_text(form, "note"),
    )


def _contact_form(form: Form) -> ContactForm:
    return ContactForm(
        role=_text(form, "role"),
        name=_text(form, "name"),
        phone=_text(form, "phone"),
        email=_text(form, "email"),
        note=_text(form, "note"),
    )


@blueprint.get("/")
def index() -> str:
    """Places by 區 (``?district=`` narrows to one; ``?all=1`` also lists stopped ones)."""
    district = request.args.get("district", "").strip()
    include_inactive = request.args.get("all") == "1"
    with context.of_app().sessions() as session:
        rows = queries.listed(session, district or None, include_inactive)
        ids = [p.id for p in rows]
        html = render_template(
            "admin/places/index.html",
            places=rows,
            contact_counts=queries.contact_counts(session, ids),
            activity_counts=queries.activity_counts(session, ids),
            districts=queries.districts(session),
            district=district,
            include_inactive=include_inactive,
            kinds=codes.PLACE_KINDS,
        )
    return html


def _edit_page(
    session: Session, place: Place | None, form: Form, error: str | None, status: int
) -> tuple[str, int]:
    return render_template(
        "admin/places/form.html",
        place=place,
        form=form,
        error=error,
        kinds=codes.PLACE_KINDS,
        areas=areas.read(content.get(session, "areas")),
    ), status


@blueprint.get("/new")
def new() -> tuple[str, int]:
    """The blank form."""
    require_write(current_actor())
    with context.of_app().sessions() as session:
        return _edit_page(session, None, MultiDict(), None, 200)


@blueprint.post("/new")
def create() -> Response | tuple[str, int]:
    """Register the place; bad input redisplays the form with what to correct."""
    actor = current_actor()
    require_write(actor)
    form: Form = MultiDict(request.form)
    try:
        with context.of_app().sessions.begin() as session:
            place_id = places.create_place(session, actor, _place_form(form)).id
    except PlaceError as exc:
        with context.of_app().sessions() as session:
            return _edit_page(session, None, form, str(exc), 400)
    return redirect(url_for("places.show", place_id=place_id, done="created"))


def _load(session: Session, place_id: int) -> Place:
    place = session.get(Place, place_id)
    if place is None:
        abort(404)
    return place


def _load_contact(session: Session, place_id: int, contact_id: int) -> PlaceContact:
    contact = session.get(PlaceContact, contact_id)
    if contact is None or contact.place_id != place_id:
        abort(404)
    return contact


def _show_page(
    place_id: int,
    *,
    error: str | None = None,
    form: Form | None = None,
    status: int = 200,
) -> tuple[str, int]:
    actor = current_actor()
    with context.of_app().sessions() as session:
        place = _load(session, place_id)
        contacts = [
            places.contact_view(contact, actor) for contact in queries.contacts(session, place.id)
        ]
        held = activity_queries.for_place(session, place.id)
        html = render_template(
            "admin/places/show.html",
            place=place,
            contacts=contacts,
            activities=held,
            case_counts=activity_queries.case_counts(session, [a.id for a in held]),
            lookups=Lookups.load(session),
            kinds=codes.PLACE_KINDS,
            roles=codes.CONTACT_ROLES,
            activity_kinds=codes.ACTIVITY_KINDS,
            error=error,
            form=form or MultiDict(),
            done=DONE.get(request.args.get("done", "")),
            actor=actor,
        )
    return html, status


@blueprint.get("/<int:place_id>")
def show(place_id: int) -> tuple[str, int]:
    """A place: its details, its 聯絡人 (masked unless the role may reveal) and activities."""
    return _show_page(place_id)


@blueprint.get("/<int:place_id>/edit")
def edit(place_id: int) -> tuple[str, int]:
    """The place's form, filled in."""
    require_write(current_actor())
    with context.of_app().sessions() as session:
        place = _load(session, place_id)
        form: Form = MultiDict(
            {
                "name": place.name,
                "kind": place.kind,
                "district": place.district,
                "village": place.village or "",
                "address": place.address or "",
                "note": place.note or "",
            }
        )
        return _edit_page(session, place, form, None, 200)


@blueprint.post("/<int:place_id>/edit")
def update(place_id: int) -> Response | tuple[str, int]:
    """Save the corrections."""
    actor = current_actor()
    require_write(actor)
    form: Form = MultiDict(request.form)
    try:
        with context.of_app().sessions.begin() as session:
            places.update_place(session, actor, _load(session, place_id), _place_form(form))
    except PlaceError as exc:
        with context.of_app().sessions() as session:
            return _edit_page(session, _load(session, place_id), form, str(exc), 400)
    return redirect(url_for("places.show", place_id=place_id, done="updated"))


@blueprint.post("/<int:place_id>/active")
def set_active(place_id: int) -> Response | tuple[str, int]:
    """Stop using the place (``active=0``) or use it again (``active=1``)."""
    actor = current_actor()
    require_write(actor)
    active = request.form.get("active") == "1"
    try:
        with context.of_app().sessions.begin() as session:
            places.set_place_active(session, actor, _load(session, place_id), active)
    except PlaceError as exc:
        return _show_page(place_id, error=str(exc), status=400)
    done = "activated" if active else "deactivated"
    return redirect(url_for("places.show", place_id=place_id, done=done))


@blueprint.post("/<int:place_id>/contacts")
def add_contact(place_id: int) -> Response | tuple[str, int]:
    """Add a 聯絡人; bad input redisplays the place with the form kept."""
    actor = current_actor()
    require_write(actor)
    form: Form = MultiDict(request.form)
    try:
        with context.of_app().sessions.begin() as session:
            place = _load(session, place_id)
            places.add_contact(session, actor, place, _contact_form(form))
    except PlaceError as exc:
        return _show_page(place_id, error=str(exc), form=form, status=400)
    return redirect(url_for("places.show", place_id=place_id, done="contact_added") + "#contacts")


def _contact_page(
    place: Place, contact: PlaceContact, form: Form, error: str | None, status: int
) -> tuple[str, int]:
    return render_template(
        "admin/places/contact.html",
        place=place,
        contact=contact,
        form=form,
        error=error,
        roles=codes.CONTACT_ROLES,
    ), status


@blueprint.get("/<int:place_id>/contacts/<int:contact_id>/edit")
def edit_contact(place_id: int, contact_id: int) -> tuple[str, int]:
    """A contact's form, filled in: only for staff who may see personal data in full."""
    actor = current_actor()
    require_write(actor)
    if not actor.can_reveal:
        raise PermissionDenied("您的角色無法檢視個人資料，無法修改聯絡人。")
    with context.of_app().sessions() as session:
        place = _load(session, place_id)
        contact = _load_contact(session, place_id, contact_id)
        if not contact.active:
            abort(404)
        form: Form = MultiDict(
            {
                "role": contact.role,
                "name": contact.name or "",
                "phone": contact.phone or "",
                "email": contact.email or "",
                "note": contact.note or "",
            }
        )
        return _contact_page(place, contact, form, None, 200)


@blueprint.post("/<int:place_id>/contacts/<int:contact_id>/edit")
def update_contact(place_id: int, contact_id: int) -> Response | tuple[str, int]:
    """Save a contact's corrections."""
    actor = current_actor()
    require_write(actor)
    if not actor.can_reveal:
        raise PermissionDenied("您的角色無法檢視個人資料，無法修改聯絡人。")
    form: Form = MultiDict(request.form)
    try:
        with context.of_app().sessions.begin() as session:
            contact = _load_contact(session, place_id, contact_id)
            places.update_contact(session, actor, contact, _contact_form(form))
    except PlaceError as exc:
        with context.of_app().sessions() as session:
            place = _load(session, place_id)
            contact = _load_contact(session, place_id, contact_id)
            return _contact_page(place, contact, form, str(exc), 400)
    return redirect(url_for("places.show", place_id=place_id, done="contact_updated") + "#contacts")


@blueprint.post("/<int:place_id>/contacts/<int:contact_id>/end")
def end_contact(place_id: int, contact_id: int) -> Response | tuple[str, int]:
    """The contact no longer serves: kept for the record, removed after the retention period."""
    actor = current_actor()
    require_write(actor)
    try:
        with context.of_app().sessions.begin() as session:
            places.end_contact(session, actor, _load_contact(session, place_id, contact_id))
    except PlaceError as exc:
        return _show_page(place_id, error=str(exc), status=400)
    return redirect(url_for("places.show", place_id=place_id, done="contact_ended") + "#contacts")
