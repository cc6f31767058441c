"""Field activities (seed 004 柒): the list (newest first, by period, kind, 區 and place), the
forms to record and correct one, its page with photos and the cases taken there, and the
「登錄本場反映」 button that opens manual intake preset for the activity."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from lianping import codes, context, rocdate
from lianping.admin.pages.common import Lookups, current_actor, not_found
from lianping.jobs.media import delete_file
from lianping.services import activities, content, places, promotion_images
from lianping.services.access import Actor, can_open, require_write
from lianping.services.activities import ActivityError, ActivityForm, Material
from lianping.storage import activities as queries
from lianping.storage import areas, ids
from lianping.storage import places as place_queries
from lianping.storage.activities import ActivityFilter
from lianping.storage.models import ActivityPhoto, FieldActivity, Place

blueprint = Blueprint("activities", __name__, url_prefix="/admin/activities")
blueprint.register_error_handler(404, not_found)

Form = MultiDict[str, str]
# Blank 宣導品項 rows the form offers beyond those filled in.
SPARE_MATERIAL_ROWS = 3
DONE = {
    "created": "已登錄活動。",
    "updated": "已更新活動資料。",
    "photo_added": "已上傳照片。",
    "photo_deleted": "已刪除照片。",
    "case_added": "已登錄本場反映，案件列於下方。",
}


def _text(form: Form, name: str) -> str:
    return (form.get(name) or "").replace("\r\n", "\n").strip()


def _day(raw: str, label: str) -> date | None:
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ActivityError(f"{label}格式不正確，請以西元年-月-日填寫，例如 2026-03-03。") from None


def _whole(raw: str, label: str) -> int:
    text = raw.replace(",", "").strip()
    # ASCII digits: str.isdigit() also takes "²", which int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ActivityError(f"{label}請填非負整數。")
    return int(text)


def _optional_id(raw: str, label: str) -> int | None:
    if not raw:
        return None
    found = ids.parse_id(raw)
    if found is None:
        raise ActivityError(f"{label}不正確。")
    return found


def read_form(form: Form) -> ActivityForm:
    """The posted form as the service takes it; ActivityError when a value cannot be read."""
    materials = []
    for name, quantity in zip(
        form.getlist("material_name"), form.getlist("material_quantity"), strict=False
    ):
        if not name.strip() and not quantity.strip():
            continue
        label = f"宣導品項「{name.strip()[:20]}」的數量" if name.strip() else "宣導品項的數量"
        materials.append(Material(name, _whole(quantity or "", label)))
    contact_ids = [
        found
        for raw in form.getlist("contact_id")
        if (found := _optional_id(raw.strip(), "參與的聯絡人")) is not None
    ]
    return ActivityForm(
        kind=_text(form, "kind"),
        held_on=_day(_text(form, "held_on"), "活動日期"),
        topic=_text(form, "topic"),
        place_id=_optional_id(_text(form, "place_id"), "平臺地點"),
        venue=_text(form, "venue"),
        district=_text(form, "district"),
        theme=_text(form, "theme") or None,
        participants=_whole(_text(form, "participants") or "0", "參加人數"),
        promotion=form.get("promotion") == "1",
        materials=materials,
        summary=_text(form, "summary"),
        officer_id=_optional_id(_text(form, "officer_id"), "辦理同仁"),
        contact_ids=contact_ids,
    )


def _filter(args: Any) -> tuple[ActivityFilter, str | None]:
    """The list's filters from the query string; a bad value is ignored and said."""
    try:
        flt = ActivityFilter(
            date_from=_day(args.get("from", "").strip(), "起日"),
            date_to=_day(args.get("to", "").strip(), "迄日"),
            kind=args.get("kind") if args.get("kind") in codes.ACTIVITY_KINDS else None,
            district=args.get("district", "").strip()[:20] or None,
            place_id=_optional_id(args.get("place_id", "").strip(), "平臺地點"),
        )
    except ActivityError as exc:
        return ActivityFilter(), str(exc)
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        return ActivityFilter(), "起日不得晚於迄日。"
    return flt, None


def _page_number(raw: str | None) -> int:
    found = ids.parse_id(raw)
    return found if found is not None and found < 100_000 else 1


@blueprint.get("/")
def index() -> str:
    """Activities newest first, filtered by period, kind, 區 and place; 50 a page."""
    flt, error = _filter(request.args)
    page = _page_number(request.args.get("page"))
    with context.of_app().sessions() as session:
        total = queries.count(session, flt)
        rows = queries.search(
            session, flt, limit=queries.PAGE_SIZE, offset=(page - 1) * queries.PAGE_SIZE
        )
        at = place_queries.by_ids(session, {a.place_id for a in rows if a.place_id})
        html = render_template(
            "admin/activities/index.html",
            rows=rows,
            where={a.id: activities.where(a, at.get(a.place_id or 0)) for a in rows},
            case_counts=queries.case_counts(session, [a.id for a in rows]),
            total=total,
            page=page,
            pages=max(1, -(-total // queries.PAGE_SIZE)),
            flt=flt,
            args=request.args,
            error=error,
            kinds=codes.ACTIVITY_KINDS,
            places=place_queries.listed(session, include_inactive=True),
            districts=place_queries.districts(session),
            lookups=Lookups.load(session),
        )
    return html


def _form_page(
    session: Session,
    activity: FieldActivity | None,
    form: Form,
    error: str | None,
    status: int,
) -> tuple[str, int]:
    actor = current_actor()
    choices = place_queries.listed(session, include_inactive=False)
    # A stopped place stays selectable for the activity already held there.
    kept_id = activity.place_id if activity is not None else None
    if kept_id and all(p.id != kept_id for p in choices):
        kept = session.get(Place, kept_id)
        choices += [kept] if kept else []
    contacts = {
        place.id: [
            places.contact_view(c, actor)
            for c in place_queries.contacts(session, place.id, include_ended=False)
        ]
        for place in choices
    }
    names = form.getlist("material_name")
    quantities = form.getlist("material_quantity")
    rows = [(n, q) for n, q in zip(names, quantities, strict=False) if n.strip() or q.strip()]
    rows += [("", "")] * SPARE_MATERIAL_ROWS
    lookups = Lookups.load(session)
    html = render_template(
        "admin/activities/form.html",
        activity=activity,
        form=form,
        error=error,
        kinds=codes.ACTIVITY_KINDS,
        places=choices,
        place_label=places.place_label,
        contacts=contacts,
        chosen_contacts=set(form.getlist("contact_id")),
        materials=rows,
        officers=lookups.officers(),
        areas=areas.read(content.get(session, "areas")),
        today=rocdate.taipei_today().isoformat(),
    )
    return html, status


def _stored_form(session: Session, activity: FieldActivity) -> Form:
    """An activity's values as its form posts them."""
    form: Form = MultiDict(
        {
            "kind": activity.kind,
            "held_on": activity.held_on.isoformat(),
            "topic": activity.topic,
            "place_id": str(activity.place_id or ""),
            "venue": activity.venue or "",
            "district": activity.district or "",
            "theme": activity.theme or "",
            "participants": str(activity.participants),
            "summary": activity.summary,
            "officer_id": str(activity.officer_id or ""),
        }
    )
    if activity.promotion:
        form["promotion"] = "1"
    for item in activity.materials:
        form.add("material_name", str(item["name"]))
        form.add("material_quantity", str(item["quantity"]))
    for contact_id in queries.contact_ids(session, activity.id):
        form.add("contact_id", str(contact_id))
    return form


def _load(session: Session, activity_id: int) -> FieldActivity:
    activity = session.get(FieldActivity, activity_id)
    if activity is None:
        abort(404)
    return activity


@blueprint.get("/new")
def new() -> tuple[str, int]:
    """The blank form: today, the signed-in officer, and the place when ``?place_id=`` is given."""
    actor = current_actor()
    require_write(actor)
    form: Form = MultiDict(
        {
            "held_on": rocdate.taipei_today().isoformat(),
            "officer_id": str(actor.user_id or ""),
            "place_id": request.args.get("place_id", ""),
        }
    )
    with context.of_app().sessions() as session:
        return _form_page(session, None, form, None, 200)


@blueprint.post("/new")
def create() -> Response | tuple[str, int]:
    """Record the activity; bad input redisplays the form with what to correct."""
    actor = current_actor()
    require_write(actor)
    form: Form = MultiDict(request.form)
    try:
        with context.of_app().sessions.begin() as session:
            activity_id = activities.create_activity(session, actor, read_form(form)).id
    except ActivityError as exc:
        with context.of_app().sessions() as session:
            return _form_page(session, None, form, str(exc), 400)
    return redirect(url_for("activities.show", activity_id=activity_id, done="created"))


@blueprint.get("/<int:activity_id>/edit")
def edit(activity_id: int) -> tuple[str, int]:
    """The activity's form, filled in."""
    require_write(current_actor())
    with context.of_app().sessions() as session:
        activity = _load(session, activity_id)
        return _form_page(session, activity, _stored_form(session, activity), None, 200)


@blueprint.post("/<int:activity_id>/edit")
def update(activity_id: int) -> Response | tuple[str, int]:
    """Save the corrections."""
    actor = current_actor()
    require_write(actor)
    form: Form = MultiDict(request.form)
    try:
        with context.of_app().sessions.begin() as session:
            activity = _load(session, activity_id)
            activities.update_activity(session, actor, activity, read_form(form))
    except ActivityError as exc:
        with context.of_app().sessions() as session:
            return _form_page(session, _load(session, activity_id), form, str(exc), 400)
    return redirect(url_for("activities.show", activity_id=activity_id, done="updated"))


def _case_rows(session: Session, actor: Actor, activity_id: int) -> list[dict[str, str]]:
    """The cases taken at the activity that the actor may open (a tip only to its holders)."""
    return [
        {
            "number": case.number,
            "nature": codes.NATURES.get(case.nature, case.nature),
            "status": case.status,
            "description": case.description,
        }
        for case in queries.cases(session, activity_id)
        if can_open(actor, case)
    ]


def _show_page(activity_id: int, error: str | None = None, status: int = 200) -> tuple[str, int]:
    actor = current_actor()
    with context.of_app().sessions() as session:
        activity = _load(session, activity_id)
        place = session.get(Place, activity.place_id) if activity.place_id else None
        lookups = Lookups.load(session)
        html = render_template(
            "admin/activities/show.html",
            activity=activity,
            title=activities.title(activity),
            place=place,
            where=activities.where(activity, place),
            contacts=[
                places.contact_view(c, actor) for c in queries.contacts(session, activity.id)
            ],
            photos=queries.photos(session, activity.id),
            cases=_case_rows(session, actor, activity.id),
            officer=lookups.user_name(activity.officer_id),
            kinds=codes.ACTIVITY_KINDS,
            materials=activities.materials_words(activity.materials),
            error=error,
            done=DONE.get(request.args.get("done", "")),
            actor=actor,
        )
    return html, status


@blueprint.get("/<int:activity_id>")
def show(activity_id: int) -> tuple[str, int]:
    """The activity: what, when, where, who, materials, photos and the cases taken there."""
    return _show_page(activity_id)


@blueprint.post("/<int:activity_id>/delete")
def remove(activity_id: int) -> Response | tuple[str, int]:
    """Delete an activity recorded by mistake (refused when cases were taken at it)."""
    actor = current_actor()
    require_write(actor)
    ctx = context.of_app()
    try:
        with ctx.sessions.begin() as session:
            files = activities.delete_activity(session, actor, _load(session, activity_id))
    except ActivityError as exc:
        return _show_page(activity_id, str(exc), 400)
    for relative in files:
        delete_file(ctx, relative)
    return redirect(url_for("activities.index"))


@blueprint.post("/<int:activity_id>/photos")
def add_photo(activity_id: int) -> Response | tuple[str, int]:
    """Upload a photo (JPEG or PNG, at most 10 MB)."""
    actor = current_actor()
    require_write(actor)
    ctx = context.of_app()
    upload = request.files.get("photo")
    data = upload.read(promotion_images.MAX_BYTES + 1) if upload else b""
    try:
        with ctx.sessions.begin() as session:
            activity = _load(session, activity_id)
            activities.add_photo(session, actor, activity, ctx.settings.media_dir, data)
    except ActivityError as exc:
        return _show_page(activity_id, str(exc), 400)
    return redirect(url_for("activities.show", activity_id=activity_id, done="photo_added"))


def _photo(session: Session, activity_id: int, photo_id: int) -> ActivityPhoto:
    photo = session.get(ActivityPhoto, photo_id)
    if photo is None or photo.activity_id != activity_id:
        abort(404)
    return photo


@blueprint.get("/<int:activity_id>/photos/<int:photo_id>")
def photo(activity_id: int, photo_id: int) -> Response:
    """A photo, to signed-in staff only (the admin's login guard), never cached or sniffed."""
    ctx = context.of_app()
    with ctx.sessions() as session:
        found = _photo(session, activity_id, photo_id)
        relative, content_type = found.path, found.content_type
    root = ctx.settings.media_dir.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=content_type, conditional=True, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@blueprint.post("/<int:activity_id>/photos/<int:photo_id>/delete")
def delete_photo(activity_id: int, photo_id: int) -> Response:
    """Remove a photo."""
    actor = current_actor()
    require_write(actor)
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        relative = activities.delete_photo(session, actor, _photo(session, activity_id, photo_id))
    delete_file(ctx, relative)
    return redirect(url_for("activities.show", activity_id=activity_id, done="photo_deleted"))
