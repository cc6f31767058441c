"""廉政宣導 pages: list, compose with live preview, audience, quota, send, progress, results."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from lianping import codes, context, rocdate
from lianping.admin.broadcasts import form as compose_form
from lianping.admin.broadcasts.form import Compose
from lianping.admin.pages.common import Lookups, current_actor
from lianping.jobs import broadcasts as broadcast_jobs
from lianping.line.client import LineApiError, LineTransportError
from lianping.services import broadcasts, content, promotion_images
from lianping.services.access import require_write
from lianping.services.broadcasts import BroadcastInvalid, Estimate, Quota, QuotaExceeded
from lianping.services.promotion_images import ImageRejected
from lianping.storage import areas as area_settings
from lianping.storage import broadcast_list
from lianping.storage.models import Broadcast, BroadcastChunk, ResidentTag, User

log = logging.getLogger(__name__)

blueprint = Blueprint("broadcasts", __name__, url_prefix="/admin/broadcasts")

PAGE_SIZE = 50
DONE = {
    "saved": "草稿已儲存。請確認預覽、發送對象與訊息額度後再發送。",
    "sending": "已開始發送，進度如下。",
    "scheduled": "已排程，屆時系統將自動發送；發送前仍可取消。",
    "cancelled": "已取消這則推播。",
    "duplicated": "已複製為新草稿。請確認發送對象（例如由測試對象改為區／村里）後儲存，再行發送。",
}
NOT_FOUND = "找不到這則推播，可能編號有誤。"
SCHEDULE_FORMAT = "%Y-%m-%dT%H:%M"


def _not_found() -> tuple[str, int]:
    return render_template("admin/not_found.html", message=NOT_FOUND), 404


def _image_info(session: Session, ids: set[int]) -> dict[int, dict[str, Any]]:
    """What the preview needs of each image (same-origin URLs: they work on any host)."""
    return {
        image_id: _image_json(image)
        for image_id, image in promotion_images.by_ids(session, ids).items()
    }


def _image_json(image: Any) -> dict[str, Any]:
    return {
        "id": image.id,
        "url": promotion_images.original_url("", image),
        "preview_url": promotion_images.preview_url("", image),
        "width": image.width,
        "height": image.height,
    }


def _audience_options(session: Session) -> dict[str, Any]:
    """The 區/村里 of the ``areas`` setting, the tags in use, and the staff test list size."""
    tags = session.scalars(select(ResidentTag.tag).distinct().order_by(ResidentTag.tag))
    testers = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.active.is_(True), User.line_user_id.is_not(None), User.line_user_id != "")
    )
    return {
        "areas": area_settings.read(content.get(session, "areas")),
        "tags": list(tags),
        "testers": int(testers or 0),
    }


def _compose_page(
    session: Session, compose: Compose, broadcast: Broadcast | None, status: int = 200
) -> tuple[str, int]:
    html = render_template(
        "admin/broadcasts/compose.html",
        compose=compose,
        broadcast=broadcast,
        images=_image_info(session, compose.image_ids()),
        options=_audience_options(session),
        types=codes.PROMOTION_MESSAGE_TYPES,
        audiences=codes.AUDIENCES,
        max_blocks=compose_form.MAX_BLOCKS,
        blank={code: compose_form.Block(type=code) for code in codes.PROMOTION_MESSAGE_TYPES},
        agency_name=content.get(session, "agency_name"),
        done=DONE.get(request.args.get("done", "")) if request.method == "GET" else None,
    )
    return html, status


@blueprint.get("/")
def index() -> tuple[str, int]:
    """Every broadcast, newest first by when it was or will be sent, with its progress."""
    cursor = request.args.get("cursor") or None
    error, status = None, 200
    ctx = context.of_app()
    with ctx.sessions() as session:
        try:
            found = broadcast_list.page(session, limit=PAGE_SIZE, cursor=cursor)
        except ValueError:
            error, status = "分頁連結不正確，以下為最新的推播。", 400
            found = broadcast_list.page(session, limit=PAGE_SIZE)
        items = [
            {
                "broadcast": listed.broadcast,
                "at": listed.at,
                "audience": compose_form.describe(listed.broadcast.audience),
                "types": "、".join(
                    codes.PROMOTION_MESSAGE_TYPES.get(m.get("type", ""), "")
                    for m in listed.broadcast.messages
                ),
                "progress": broadcasts.progress(session, listed.broadcast.id),
            }
            for listed in found.items
        ]
        lookups = Lookups.load(session)
    html = render_template(
        "admin/broadcasts/list.html",
        items=items,
        lookups=lookups,
        next_cursor=found.next_cursor,
        error=error,
        actor=current_actor(),
    )
    return html, status


@blueprint.get("/new")
def new() -> tuple[str, int]:
    """A blank draft: one card, sent first to the staff test audience."""
    require_write(current_actor())
    with context.of_app().sessions() as session:
        return _compose_page(session, Compose(), None)


@blueprint.get("/<int:broadcast_id>/edit")
def edit(broadcast_id: int) -> tuple[str, int] | Response:
    """Edit a draft (anything else goes to its page)."""
    require_write(current_actor())
    with context.of_app().sessions() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None:
            return _not_found()
        if broadcast.status != "draft":
            return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id))
        compose = Compose.of(broadcast.title, broadcast.messages, broadcast.audience)
        return _compose_page(session, compose, broadcast)


@blueprint.post("/new")
def create() -> tuple[str, int] | Response:
    """Save a new draft, or apply an add/remove/move button and show the form again."""
    return _submit(None)


@blueprint.post("/<int:broadcast_id>/edit")
def update(broadcast_id: int) -> tuple[str, int] | Response:
    """Save a draft's changes, or apply an add/remove/move button and show the form again."""
    return _submit(broadcast_id)


def _store_uploads(compose: Compose) -> None:
    """Images chosen in a form posted without scripts: kept first, then referred to."""
    actor = current_actor()
    ctx = context.of_app()
    for index, block in enumerate(compose.blocks):
        upload = request.files.get(f"m-{index}-file")
        if upload is None or not upload.filename:
            continue
        data = upload.read(promotion_images.MAX_BYTES + 1)
        try:
            with ctx.sessions.begin() as session:
                block.image_id = promotion_images.store(
                    session, actor, ctx.settings.media_dir, data
                ).id
        except ImageRejected as exc:
            block.errors.append(str(exc))


def _submit(broadcast_id: int | None) -> tuple[str, int] | Response:
    actor = current_actor()
    require_write(actor)
    ctx = context.of_app()
    posted: MultiDict[str, str] = MultiDict(request.form)
    compose = compose_form.parse(posted)
    _store_uploads(compose)
    action = posted.get("action", "save")
    with ctx.sessions() as session:
        broadcast = session.get(Broadcast, broadcast_id) if broadcast_id else None
        if broadcast_id and broadcast is None:
            return _not_found()
        if action != "save":
            problem = compose_form.restructure(compose, action)
            if problem:
                compose.errors.append(problem)
            return _compose_page(session, compose, broadcast, 400 if problem else 200)
        if not compose.blocks:
            compose.blocks.append(compose_form.Block(type="text"))
        if any(block.errors for block in compose.blocks):
            return _compose_page(session, compose, broadcast, 400)
    try:
        with ctx.sessions.begin() as session:
            saved = broadcasts.save_draft(
                session,
                actor,
                broadcast_id=broadcast_id,
                title=compose.title,
                messages=compose.messages(),
                audience=compose.audience,
            )
            saved_id = saved.id
    except BroadcastInvalid as exc:
        compose.place_errors(exc.errors)
        with ctx.sessions() as session:
            broadcast = session.get(Broadcast, broadcast_id) if broadcast_id else None
            return _compose_page(session, compose, broadcast, 400)
    return redirect(url_for("broadcasts.show", broadcast_id=saved_id, done="saved"))


@blueprint.post("/images")
def upload_image() -> tuple[Response, int]:
    """An image chosen in the compose page (scripted): kept at once, its id and URLs returned."""
    actor = current_actor()
    require_write(actor)
    ctx = context.of_app()
    upload = request.files.get("file")
    data = upload.read(promotion_images.MAX_BYTES + 1) if upload else b""
    try:
        with ctx.sessions.begin() as session:
            image = promotion_images.store(session, actor, ctx.settings.media_dir, data)
            body = _image_json(image)
    except ImageRejected as exc:
        return jsonify({"error": str(exc)}), 400
    return jsonify(body), 201


@blueprint.get("/audience-count")
def audience_count() -> tuple[Response, int]:
    """How many people the audience chosen on the form reaches now (the live count)."""
    target = compose_form.audience(MultiDict(request.args))
    with context.of_app().sessions() as session:
        try:
            count = broadcasts.audience_count(session, target)
        except BroadcastInvalid as exc:
            return jsonify({"errors": exc.errors}), 400
    return jsonify({"count": count, "audience": compose_form.describe(target)}), 200


QUOTA_UNREADABLE = "目前無法向 LINE 查詢本月訊息額度，請稍後重新整理再試。"


def _quota_for(broadcast_id: int) -> Quota | None:
    """LINE's quota when the page will offer sending (a draft or scheduled broadcast).

    Read before the page's transaction begins, so no database lock waits on LINE.
    None when sending is not offered or LINE could not be asked.
    """
    ctx = context.of_app()
    with ctx.sessions() as session:
        status = session.scalar(select(Broadcast.status).where(Broadcast.id == broadcast_id))
    if status not in broadcasts.SENDABLE:
        return None
    try:
        return broadcasts.read_quota(ctx.line)
    except (LineApiError, LineTransportError) as exc:
        log.warning("quota not read for broadcast %s: %s", broadcast_id, exc)
        return None


def _failures(session: Session, broadcast_id: int) -> list[tuple[str, int]]:
    """LINE's error texts of failed chunks, most frequent first."""
    rows = session.execute(
        select(BroadcastChunk.last_error, func.count())
        .where(BroadcastChunk.broadcast_id == broadcast_id, BroadcastChunk.status == "failed")
        .group_by(BroadcastChunk.last_error)
        .order_by(func.count().desc())
    )
    return [(error or "（LINE 未提供錯誤說明）", number) for error, number in rows]


def _show_page(
    session: Session,
    broadcast: Broadcast,
    quota: Quota | None,
    *,
    error: list[str] | None = None,
    over_quota: Estimate | None = None,
    form: MultiDict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    estimate, estimate_error = None, None
    if broadcast.status in broadcasts.SENDABLE:
        if quota is None:
            estimate_error = QUOTA_UNREADABLE
        else:
            estimate = broadcasts.estimate(session, broadcast, quota)
    image_ids = {m["image_id"] for m in broadcast.messages if m.get("image_id") is not None}
    html = render_template(
        "admin/broadcasts/show.html",
        broadcast=broadcast,
        actor=current_actor(),
        audience=compose_form.describe(broadcast.audience),
        images=_image_info(session, image_ids),
        estimate=over_quota or estimate,
        estimate_error=estimate_error,
        progress=broadcasts.progress(session, broadcast.id),
        results=broadcasts.results(session, broadcast.id),
        failures=_failures(session, broadcast.id),
        lookups=Lookups.load(session),
        error=error,
        form=form or MultiDict(),
        done=DONE.get(request.args.get("done", "")),
        now_local=datetime.now(rocdate.TAIPEI).strftime(SCHEDULE_FORMAT),
        agency_name=content.get(session, "agency_name"),
    )
    return html, status


@blueprint.get("/<int:broadcast_id>")
def show(broadcast_id: int) -> tuple[str, int]:
    """A broadcast: preview, audience, quota and sending, or its progress and results."""
    quota = _quota_for(broadcast_id)
    with context.of_app().sessions() as session:
        broadcast = session.get(Broadcast, broadcast_id)
        if broadcast is None:
            return _not_found()
        return _show_page(session, broadcast, quota)


def _schedule_time(posted: MultiDict[str, str]) -> tuple[datetime | None, str | None]:
    """``at`` from the form: None to send now, or a Taipei time (the problem, if any)."""
    if posted.get("when", "now") != "later":
        return None, None
    raw = posted.get("at", "").strip()
    try:
        local = datetime.strptime(raw, SCHEDULE_FORMAT)
    except ValueError:
        return None, "請選擇排程發送的日期與時間"
    return local.replace(tzinfo=rocdate.TAIPEI), None


@blueprint.post("/<int:broadcast_id>/send")
def send(broadcast_id: int) -> tuple[str, int] | Response:
    """Send now or schedule; over the quota only with an administrator's confirmation."""
    actor = current_actor()
    require_write(actor)
    ctx = context.of_app()
    posted: MultiDict[str, str] = MultiDict(request.form)
    at, problem = _schedule_time(posted)
    errors: list[str] = [problem] if problem else []
    over_quota: Estimate | None = None
    quota: Quota | None = None
    if not errors:
        try:
            quota = broadcasts.read_quota(ctx.line)
        except (LineApiError, LineTransportError):
            errors = ["目前無法向 LINE 查詢本月訊息額度，未發送；請稍後再試。"]
    if quota is not None:
        try:
            with ctx.sessions.begin() as session:
                sent = broadcasts.send(
                    session,
                    actor,
                    broadcast_id,
                    quota=quota,
                    public_base_url=ctx.settings.public_base_url,
                    at=at,
                    confirm_over_quota=posted.get("confirm_over_quota") == "1",
                )
                status = sent.status
        except LookupError:
            return _not_found()
        except BroadcastInvalid as exc:
            errors = exc.errors
        except QuotaExceeded as exc:
            over_quota = exc.estimate
            errors = [f"{exc}。如確有需要，請由系統管理者勾選確認後發送。"]
    if errors:
        with ctx.sessions() as session:
            broadcast = session.get(Broadcast, broadcast_id)
            if broadcast is None:
                return _not_found()
            return _show_page(
                session, broadcast, quota, error=errors, over_quota=over_quota, form=posted,
                status=400,
            )  # fmt: skip
    broadcast_jobs.start_after_commit(ctx, broadcast_id, status)
    return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id, done=status))


@blueprint.post("/<int:broadcast_id>/cancel")
def cancel(broadcast_id: int) -> tuple[str, int] | Response:
    """Cancel a draft or a scheduled broadcast."""
    actor = current_actor()
    ctx = context.of_app()
    try:
        with ctx.sessions.begin() as session:
            broadcasts.cancel(session, actor, broadcast_id)
    except LookupError:
        return _not_found()
    except BroadcastInvalid as exc:
        quota = _quota_for(broadcast_id)
        with ctx.sessions() as session:
            broadcast = session.get_one(Broadcast, broadcast_id)
            return _show_page(session, broadcast, quota, error=exc.errors, status=400)
    return redirect(url_for("broadcasts.show", broadcast_id=broadcast_id, done="cancelled"))


@blueprint.post("/<int:broadcast_id>/duplicate")
def duplicate(broadcast_id: int) -> tuple[str, int] | Response:
    """A new draft with this broadcast's content: a tested broadcast goes on to its audience."""
    actor = current_actor()
    ctx = context.of_app()
    try:
        with ctx.sessions.begin() as session:
            copy_id = broadcasts.duplicate(session, actor, broadcast_id).id
    except LookupError:
        return _not_found()
    return redirect(url_for("broadcasts.edit", broadcast_id=copy_id, done="duplicated"))


@blueprint.get("/<int:broadcast_id>/progress.json")
def progress(broadcast_id: int) -> tuple[Response, int]:
    """Where sending stands (the progress bar polls this every second)."""
    with context.of_app().sessions() as session:
        try:
            return jsonify(broadcasts.progress(session, broadcast_id)), 200
        except LookupError:
            return jsonify({"error": NOT_FOUND}), 404
