"""The 保存期限 page: the retention schedule's periods (administrators set them, audited),
the dry run of the next purge and the last runs."""

from __future__ import annotations

from flask import Response, abort, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lianping import context, rocdate
from lianping.admin.auth import current_actor
from lianping.admin.settings import audit_words
from lianping.admin.settings.views import _change, _page, blueprint
from lianping.services import retention
from lianping.storage.models import utcnow


def _retention_page(
    error_code: str | None = None, error: str | None = None, status: int = 200
) -> Response:
    now = utcnow()
    with context.of_app().sessions() as session:
        planned = retention.plan(session, now)
        runs = retention.last_runs(session)
        described = [audit_words.describe(entry, audit_words.Names()) for entry in runs]
    values = {item.kind.code: str(item.period) for item in planned}
    if error_code:
        values[error_code] = request.form.get("value", "")
    return _page(
        "admin/settings/retention.html",
        status,
        planned=planned,
        values=values,
        runs=list(zip(runs, described, strict=True)),
        error_code=error_code,
        error=error,
        saved_code=request.args.get("kind") if status == 200 else None,
        roc=rocdate.roc_datetime,
        now=now,
        current="settings.retention_schedule",
    )


@blueprint.get("/settings/retention")
def retention_schedule() -> BaseResponse:
    return _retention_page()


@blueprint.post("/settings/retention/<code>")
def retention_save(code: str) -> BaseResponse:
    if code not in retention.KINDS:
        abort(404)
    actor = current_actor()
    value = request.form.get("value", "")
    return _change(
        lambda s: retention.update_period(s, actor, code, value),
        "saved",
        lambda message: _retention_page(code, message, 400),
        url_for("settings.retention_schedule", kind=code) + f"#{code}",
    )
