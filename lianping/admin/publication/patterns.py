"""``/admin/public/patterns``: the 弊端態樣與防制作為 library editor (write, approve, withdraw)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lianping import context
from lianping.admin.auth import current_actor
from lianping.services import misconduct_patterns, public_cache
from lianping.services.access import PermissionDenied, require_write
from lianping.services.misconduct_patterns import Fields, PatternError
from lianping.storage.models import MisconductPattern

blueprint = Blueprint("patterns", __name__, url_prefix="/admin/public/patterns")

DONE = {
    "saved": "已儲存。",
    "approved": "已核定公開，民眾現在可於「弊端態樣與防制作為」看到本則。",
    "withdrawn": "已撤下，本則不再公開。",
}


def _fields() -> Fields:
    raw = (request.form.get("discussed_on") or "").strip()
    try:
        discussed = date.fromisoformat(raw) if raw else None
    except ValueError:
        raise PatternError("討論日期格式不正確，請以日期選擇器選取。") from None
    return Fields(
        request.form.get("misconduct_type", ""),
        request.form.get("business_area", ""),
        request.form.get("pattern", ""),
        request.form.get("risk", ""),
        request.form.get("countermeasures", ""),
        discussed,
        request.form.get("discussed_at") or None,
    )


def _form(row: MisconductPattern | None, error: str | None, status: int = 200) -> tuple[str, int]:
    actor = current_actor()
    html = render_template(
        "admin/publication/pattern_form.html",
        row=row,
        form=request.form if error else None,
        error=error,
        done=DONE.get(request.args.get("done", "")),
        may_approve=actor.role in misconduct_patterns.APPROVERS,
        actor=actor,
    )
    return html, status


@blueprint.get("")
def index() -> str:
    """Every entry, drafts and approved."""
    with context.of_app().sessions() as session:
        rows = misconduct_patterns.every(session)
        return render_template("admin/publication/patterns.html", rows=rows)


@blueprint.get("/new")
def new() -> tuple[str, int]:
    """A blank entry."""
    require_write(current_actor())
    return _form(None, None)


@blueprint.post("/new")
def create() -> Response | tuple[str, int]:
    """Save a new entry as a draft."""
    actor = current_actor()
    ctx = context.of_app()
    try:
        with ctx.sessions.begin() as session:
            row = misconduct_patterns.save(session, actor, _fields())
            pattern_id = row.id
    except PatternError as exc:
        return _form(None, str(exc), 400)
    return redirect(url_for("patterns.edit", pattern_id=pattern_id, done="saved"))


@blueprint.get("/<int:pattern_id>")
def edit(pattern_id: int) -> tuple[str, int]:
    """One entry's form, and approve or withdraw."""
    with context.of_app().sessions() as session:
        row = session.get(MisconductPattern, pattern_id)
        if row is None:
            abort(404)
        return _form(row, None)


@blueprint.post("/<int:pattern_id>/<action>")
def act(pattern_id: int, action: str) -> Response | tuple[str, int]:
    """Save, approve or withdraw; each audited."""
    if action not in ("save", "approve", "withdraw"):
        abort(404)
    actor = current_actor()
    ctx = context.of_app()
    try:
        with ctx.sessions.begin() as session:
            row = session.get(MisconductPattern, pattern_id)
            if row is None:
                abort(404)
            if action == "save":
                misconduct_patterns.save(session, actor, _fields(), row)
            else:
                misconduct_patterns.set_approved(session, actor, row, action == "approve")
    except (PatternError, PermissionDenied) as exc:
        with ctx.sessions() as session:
            return _form(
                session.get(MisconductPattern, pattern_id),
                str(exc),
                403 if isinstance(exc, PermissionDenied) else 400,
            )
    public_cache.invalidate(ctx.redis, public_cache.CASES)
    done = {"save": "saved", "approve": "approved", "withdraw": "withdrawn"}[action]
    return redirect(url_for("patterns.edit", pattern_id=pattern_id, done=done))
