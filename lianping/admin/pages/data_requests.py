"""個資請求: residents' requests under 個資法 §3, their §13 clocks, and the decisions.

Every staff member sees the list (residents masked); administrators and supervisors
extend a clock once and decide, with a reason, and the outcome goes out on LINE. The
request's own details (e.g. the corrected phone) are shown to deciders only, logged.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from lianping import codes, context, rocdate
from lianping.admin.pages.common import EMPTY, current_actor
from lianping.bot.conversation.phone import display_phone
from lianping.bot.conversation.privacy import FIELDS
from lianping.jobs import delivery
from lianping.reports.personal_data import copy_zip
from lianping.services import audit, content, data_requests
from lianping.services.access import Actor, PermissionDenied, mask_address, mask_name, mask_phone
from lianping.storage import data_requests as queries
from lianping.storage.models import Case, DataRequest, OutboxMessage, Resident, User, utcnow

blueprint = Blueprint("data_requests", __name__, url_prefix="/admin/data-requests")

SHOW = {"open": "未決定", "overdue": "已逾期", "all": "全部"}
DECISIONS = {"granted": "准予", "partly": "部分准予", "refused": "不予准許"}
DONE = {"extended": "已延長處理期限。", "decided": "已作成決定。"}
MASKS = {"name": mask_name, "phone": mask_phone, "address": mask_address}
DELIVERY = {"pending": "已排入傳送佇列，尚未送達", "sent": "已送達", "failed": "傳送失敗"}
NOT_SENT = "未傳送（民眾已封鎖本帳號，或其LINE識別碼已刪除）"


@dataclass(frozen=True)
class Row:
    """One request as the list shows it."""

    id: int
    kind: str
    status: str
    received: str
    due: str
    overdue: bool
    is_open: bool
    resident: str


def _resident_words(resident: Resident | None) -> str:
    if resident is None or resident.purged_at is not None:
        return "（已刪除）"
    return mask_name(resident.display_name) or "（未取得名稱）"


def _row(session: Session, found: DataRequest, now: datetime) -> Row:
    resident = session.get(Resident, found.resident_id) if found.resident_id else None
    is_open = found.status in codes.DATA_REQUEST_OPEN
    return Row(
        id=found.id,
        kind=codes.DATA_REQUEST_KINDS[found.kind],
        status=codes.DATA_REQUEST_STATUSES[found.status],
        received=rocdate.roc_datetime(found.received_at),
        due=rocdate.roc_date(found.due_at),
        overdue=is_open and found.due_at < now,
        is_open=is_open,
        resident=_resident_words(resident),
    )


@blueprint.get("/")
def index() -> Response:
    """The requests: open ones by due date (the default), overdue ones, or all."""
    show = request.args.get("show", "open")
    error = None
    if show not in SHOW:
        error, show = "無法辨識的篩選條件，已改為顯示未決定的請求。", "open"
    now = utcnow()
    with context.of_app().sessions() as session:
        rows = [_row(session, found, now) for found in queries.listed(session, show, now)]
        open_count, overdue_count = queries.counts(session, now)
    body = render_template(
        "admin/data_requests.html",
        rows=rows,
        show=show,
        choices=SHOW,
        error=error,
        open_count=open_count,
        overdue_count=overdue_count,
    )
    return Response(body, status=400 if error else 200, mimetype="text/html")


def _load(session: Session, request_id: int) -> DataRequest:
    found = session.get(DataRequest, request_id)
    if found is None:
        abort(404)
    return found


def _confidential_case(session: Session, found: DataRequest) -> Case | None:
    case = session.get(Case, found.case_id) if found.case_id else None
    return case if case is not None and case.confidential else None


def _may_see_details(session: Session, actor: Actor, found: DataRequest) -> bool:
    """Deciders see what was asked; a tip's corrected identity only ethics deciders."""
    if not data_requests.can_decide(actor):
        return False
    return _confidential_case(session, found) is None or actor.ethics


def _detail_words(found: DataRequest, revealed: bool) -> str:
    field = str(found.details.get("field", ""))
    value = found.details.get("value")
    if field not in FIELDS or value is None:
        return EMPTY
    shown = display_phone(value) if field == "phone" and revealed else value
    if not revealed:
        shown = MASKS[field](value) or EMPTY
    return f"{FIELDS[field]}更正為：{shown}"


def _delivery_words(session: Session, outbox_id: int | None) -> str:
    row = session.get(OutboxMessage, outbox_id) if outbox_id else None
    if row is None:
        return NOT_SENT
    words = DELIVERY.get(row.status, row.status)
    if row.status == "sent" and row.sent_at:
        return f"{words}（{rocdate.roc_datetime(row.sent_at)}）"
    if row.status == "failed" and row.last_error:
        return f"{words}：{row.last_error[:200]}"
    return words


def _render(request_id: int, *, error: str | None = None, status: int = 200) -> Response:
    actor = current_actor()
    now = utcnow()
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        found = _load(session, request_id)
        revealed = _may_see_details(session, actor, found)
        case = session.get(Case, found.case_id) if found.case_id else None
        if revealed and found.details:
            audit.record(
                session, actor, "data_request.view", "data_request", found.id,
                after={"fields": [found.details.get("field")]},
            )  # fmt: skip
        decider = session.get(User, found.decided_by) if found.decided_by else None
        view = {
            "row": _row(session, found, now),
            "item": found,
            "case_number": case.number if case else None,
            "detail": _detail_words(found, revealed),
            "extended": rocdate.roc_datetime(found.extended_at) if found.extended_at else None,
            "decided": rocdate.roc_datetime(found.decided_at) if found.decided_at else None,
            "decider": decider.display_name if decider else "系統",
            "outcome": _delivery_words(session, found.outcome_outbox_id)
            if found.decided_at
            else None,
            "max_days": data_requests.DAYS[found.kind],
            "can_decide": data_requests.can_decide(actor),
            "downloaded": rocdate.roc_datetime(found.export_downloaded_at)
            if found.export_downloaded_at
            else None,
            "expires": rocdate.roc_datetime(found.export_expires_at)
            if found.export_expires_at
            else None,
        }
    done = DONE.get(request.args.get("done", "")) if status == 200 else None
    body = render_template(
        "admin/data_request.html",
        **view,
        decisions=DECISIONS,
        error=error,
        done=done,
        form=request.form,
    )
    return Response(body, status=status, mimetype="text/html")


@blueprint.get("/<int:request_id>")
def show(request_id: int) -> Response:
    """One request: its clock, what was asked, the decision and whether the outcome went out."""
    return _render(request_id)


@blueprint.post("/<int:request_id>/extend")
def extend(request_id: int) -> Response:
    """Extend the clock once, with a reason the resident is told on LINE."""
    actor = current_actor()
    ctx = context.of_app()
    days = request.form.get("days", "").strip()
    try:
        if not (days.isascii() and days.isdigit()) or len(days) > 9:
            raise data_requests.DataRequestError("請填寫延長天數（整數）。")
        with ctx.sessions.begin() as session:
            found = _load(session, request_id)
            result = data_requests.extend(
                session, actor, found, int(days), request.form.get("reason", ""), utcnow()
            )
    except data_requests.DataRequestError as exc:
        return _render(request_id, error=str(exc), status=400)
    delivery.enqueue_after_commit(ctx, result.outbox_ids)
    return redirect(url_for("data_requests.show", request_id=request_id, done="extended"))


@blueprint.post("/<int:request_id>/decide")
def decide(request_id: int) -> Response:
    """Decide with a reason; a grant is carried out and the outcome sent on LINE."""
    actor = current_actor()
    ctx = context.of_app()
    status = request.form.get("status", "")
    reason = request.form.get("reason", "")
    written: str | None = None
    try:
        with ctx.sessions.begin() as session:
            found = _load(session, request_id)
            if _confidential_case(session, found) is not None and not actor.ethics:
                raise PermissionDenied("此請求涉及檢舉案件，僅政風人員可決定。")
            data_requests.check_decision(actor, found, status, reason)
            copy = None
            if found.kind == "copy" and status != "refused":
                written = _write_copy(session, found)
                copy = data_requests.Copy(written, ctx.settings.public_base_url)
            result = data_requests.decide(session, actor, found, status, reason, utcnow(), copy)
    except data_requests.DataRequestError as exc:
        _remove(written)
        return _render(request_id, error=str(exc), status=400)
    except Exception:
        _remove(written)
        raise
    for relative in result.delete_files:
        (ctx.settings.media_dir / relative).unlink(missing_ok=True)
    delivery.enqueue_after_commit(ctx, result.outbox_ids)
    return redirect(url_for("data_requests.show", request_id=request_id, done="decided"))


def _write_copy(session: Session, found: DataRequest) -> str:
    """Build the resident's copy and store it under the media directory; its relative path."""
    ctx = context.of_app()
    resident = session.get(Resident, found.resident_id) if found.resident_id else None
    if resident is None or resident.purged_at is not None:
        raise data_requests.DataRequestError("當事人的資料已刪除，無法製給複製本。")
    now = utcnow()
    held = queries.held_data(session, resident)
    photos = queries.case_photos(session, resident.id)
    rows = session.execute(select(Case.id, Case.number).where(Case.resident_id == resident.id))
    numbers = {case_id: number for case_id, number in rows}
    agency = str(content.get(session, "agency_name"))
    body = copy_zip(held, photos, numbers, ctx.settings.media_dir, agency, now)
    relative = f"{data_requests.EXPORT_DIR}/{secrets.token_hex(16)}.zip"
    target = ctx.settings.media_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return relative


def _remove(relative: str | None) -> None:
    if relative:
        (context.of_app().settings.media_dir / relative).unlink(missing_ok=True)


def _load_counts() -> None:
    """Before a staff page is built: the open and overdue requests for the navigation. Read
    here, not while the page renders, so no second connection waits on the view's writes."""
    if request.method == "GET" and g.get("actor") is not None and request.path.startswith("/admin"):
        with context.of_app().sessions() as session:
            g.data_request_counts = queries.counts(session, utcnow())


def open_counts() -> tuple[int, int]:
    """Open and overdue requests, for the navigation (a Jinja global)."""
    found: tuple[int, int] = g.get("data_request_counts", (0, 0))
    return found


def init_app(app: Flask) -> None:
    """Register the pages and the navigation's count."""
    app.register_blueprint(blueprint)
    app.before_request(_load_counts)
    app.jinja_env.globals.update(data_request_counts=open_counts)
