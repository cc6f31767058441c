"""``/admin/public``: the 公開 panel of a case, the publication list and the public settings."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from lianping import context
from lianping.admin.auth import current_actor
from lianping.reports.public_statistics import BREAKDOWNS
from lianping.services import agency_logo, audit, casework, content, public_cache, publication
from lianping.services.access import Actor, CaseHidden, PermissionDenied, require_admin
from lianping.services.publication import Draft, PublicationError
from lianping.services.published_cases import PublicCase
from lianping.storage.models import Case, CasePublication

blueprint = Blueprint("publication", __name__, url_prefix="/admin")

DONE = {
    "saved": "已儲存公開內容。",
    "published": "已公開，民眾現在可於「案件成果」看到本案。",
    "unpublished": "已撤下，本案不再顯示於公開頁面；撰寫的內容仍保留。",
    "settings": "已儲存公開統計設定，公開頁面立即更新。",
    "logo": "已更新機關標誌，公開頁面立即顯示。",
    "logo_removed": "已移除機關標誌。",
}
LIST_LIMIT = 200
MAX_THRESHOLD = 20


def _case(session: Session, actor: Actor, number: str) -> Case:
    try:
        return casework.get_case(session, actor, number)
    except (LookupError, CaseHidden):
        abort(404)


def _preview(case: Case, row: CasePublication | None) -> PublicCase | None:
    """The case as the public page would show it with the saved words."""
    if row is None:
        return None
    return PublicCase(
        case.number,
        row.title,
        row.summary,
        row.outcome,
        row.district,
        case.nature,
        case.sub_item,
        case.theme,
        case.status,
        case.created_at,
        row.updated_at,
        row.published_at or row.updated_at,
        case.closed_at,
    )


def _panel(number: str, *, error: str | None = None, status: int = 200) -> tuple[str, int]:
    actor = current_actor()
    with context.of_app().sessions() as session:
        case = _case(session, actor, number)
        if case.confidential:
            abort(404)  # a tip has no 公開 panel at all
        row = publication.of_case(session, case)
        html = render_template(
            "admin/publication/panel.html",
            case=case,
            row=row,
            preview=_preview(case, row),
            refusal=publication.refusal(case),
            districts=publication.districts(session),
            may_approve=actor.role in publication.APPROVERS,
            actor=actor,
            form=request.form if error else None,
            error=error,
            done=DONE.get(request.args.get("done", "")),
        )
    return html, status


@blueprint.get("/cases/<number>/public")
def panel(number: str) -> tuple[str, int]:
    """The case's 公開 panel: agreement, public words, preview, publish/unpublish."""
    return _panel(number)


@blueprint.post("/cases/<number>/public/<action>")
def act(number: str, action: str) -> Response | tuple[str, int]:
    """Save the words, publish or unpublish; each is audited, a refusal changes nothing."""
    if action not in ("save", "publish", "unpublish"):
        abort(404)
    actor = current_actor()
    ctx = context.of_app()
    form = request.form
    try:
        with ctx.sessions.begin() as session:
            case = _case(session, actor, number)
            if action == "save":
                draft = Draft(
                    form.get("title", ""),
                    form.get("summary", ""),
                    form.get("outcome", ""),
                    form.get("district") or None,
                )
                publication.save(session, actor, case, draft)
            elif action == "publish":
                publication.publish(session, actor, case)
            else:
                publication.unpublish(session, actor, case)
    except (PublicationError, PermissionDenied) as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return _panel(number, error=str(exc), status=status)
    public_cache.invalidate(ctx.redis, public_cache.CASES)
    done = {"save": "saved", "publish": "published", "unpublish": "unpublished"}[action]
    return redirect(url_for("publication.panel", number=number, done=done))


@blueprint.get("/public")
def index() -> str:
    """Cases whose reporters agreed, published or not, and the public pages to preview."""
    actor = current_actor()
    with context.of_app().sessions() as session:
        rows = session.execute(
            select(Case.number, Case.status, Case.created_at, CasePublication)
            .outerjoin(CasePublication, CasePublication.case_id == Case.id)
            .where(Case.publish_consent.is_(True), Case.confidential.is_(False))
            .order_by(Case.created_at.desc())
            .limit(LIST_LIMIT)
        ).all()
        return render_template(
            "admin/publication/index.html",
            rows=rows,
            actor=actor,
            done=DONE.get(request.args.get("done", "")),
        )


@blueprint.get("/public/settings")
def settings() -> str:
    """The public statistics' threshold and breakdowns, and the agency's logo
    (administrators change them)."""
    actor = current_actor()
    with context.of_app().sessions() as session:
        return render_template(
            "admin/publication/settings.html",
            threshold=int(content.get(session, "public_threshold")),
            shown=list(content.get(session, "public_breakdowns")),
            breakdowns=BREAKDOWNS,
            actor=actor,
            error=None,
            logo_error=None,
            logo=agency_logo.current(session),
            done=DONE.get(request.args.get("done", "")),
            max_threshold=MAX_THRESHOLD,
        )


@blueprint.post("/public/logo")
def save_logo() -> Response | tuple[str, int]:
    """Upload (or, with ``remove``, take away) the agency's logo; audited."""
    actor = current_actor()
    require_admin(actor)
    ctx = context.of_app()
    removing = "remove" in request.form
    if removing:
        value = None
    else:
        upload = request.files.get("logo")
        try:
            value = agency_logo.prepare(upload.read() if upload else b"")
        except agency_logo.LogoError as exc:
            with ctx.sessions() as session:
                html = render_template(
                    "admin/publication/settings.html",
                    threshold=int(content.get(session, "public_threshold")),
                    shown=list(content.get(session, "public_breakdowns")),
                    breakdowns=BREAKDOWNS,
                    actor=actor,
                    error=None,
                    logo_error=str(exc),
                    logo=agency_logo.current(session),
                    done=None,
                    max_threshold=MAX_THRESHOLD,
                )
            return html, 400
    with ctx.sessions.begin() as session:
        before = agency_logo.current(session)
        content.put(session, agency_logo.SETTING, value, actor.username)
        audit.record(
            session, actor, "setting.agency_logo", "setting", agency_logo.SETTING,
            before={"version": before.version if before else None},
            after={"version": value["version"] if value else None},
        )  # fmt: skip
    public_cache.invalidate(ctx.redis)
    return redirect(url_for("publication.settings", done="logo_removed" if removing else "logo"))


@blueprint.post("/public/settings")
def save_settings() -> Response | tuple[str, int]:
    """Save the threshold (2–20) and the breakdowns shown; audited."""
    actor = current_actor()
    require_admin(actor)
    raw = (request.form.get("threshold") or "").strip()
    shown = [key for key in BREAKDOWNS if key in request.form.getlist("breakdowns")]
    if not (raw.isascii() and raw.isdigit()) or not 2 <= int(raw) <= MAX_THRESHOLD:
        html = render_template(
            "admin/publication/settings.html",
            threshold=raw,
            shown=shown,
            breakdowns=BREAKDOWNS,
            actor=actor,
            error=f"門檻請填 2 至 {MAX_THRESHOLD} 的整數。",
            done=None,
            max_threshold=MAX_THRESHOLD,
        )
        return html, 400
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        before = {
            "public_threshold": content.get(session, "public_threshold"),
            "public_breakdowns": content.get(session, "public_breakdowns"),
        }
        content.put(session, "public_threshold", int(raw), actor.username)
        content.put(session, "public_breakdowns", shown, actor.username)
        after = {"public_threshold": int(raw), "public_breakdowns": shown}
        audit.record(
            session, actor, "setting.public_statistics", "setting", "public", before=before,
            after=after,
        )  # fmt: skip
    public_cache.invalidate(ctx.redis)
    return redirect(url_for("publication.settings", done="settings"))
