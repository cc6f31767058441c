"""Manual intake: a walk-in, meeting, phone or letter report written up on 附件1's fields."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from lianping import codes, context
from lianping.admin.pages.common import current_actor
from lianping.services import casework, content
from lianping.services.access import require_write
from lianping.services.casework import CaseworkError, ManualReport

blueprint = Blueprint("intake", __name__, url_prefix="/admin/cases")

# 行政程序法 §169: a spoken petition is written up and confirmed by the petitioner.
SPOKEN_CHANNELS = ("walk_in", "meeting", "phone")
MANUAL_CHANNELS = {code: words for code, words in codes.CHANNELS.items() if code != "line"}


def _form_page(form: MultiDict[str, str], error: str | None, status: int) -> tuple[str, int]:
    actor = current_actor()
    html = render_template(
        "admin/intake.html",
        form=form,
        error=error,
        channels=MANUAL_CHANNELS,
        spoken=SPOKEN_CHANNELS,
        natures={k: v for k, v in codes.NATURES.items() if k != codes.TIP or actor.ethics},
        default_recorder=actor.display_name,
    )
    return html, status


@blueprint.get("/new")
def new() -> tuple[str, int]:
    """The blank form; 紀錄人 defaults to the signed-in user."""
    require_write(current_actor())
    return _form_page(MultiDict(), None, 200)


@blueprint.post("/new")
def create() -> Response | tuple[str, int]:
    """File the report; a missing field or an unconfirmed spoken report redisplays the form."""
    actor = current_actor()
    require_write(actor)
    form: MultiDict[str, str] = MultiDict(request.form)
    ctx = context.of_app()

    def field(name: str) -> str:
        return (form.get(name) or "").strip()

    report = ManualReport(
        channel=field("channel"),
        nature=field("nature"),
        sub_item=field("sub_item") or None,
        theme=field("theme") or None,
        description=field("description"),
        reporter_name=field("reporter_name") or None,
        reporter_phone=field("reporter_phone") or None,
        reporter_address=field("reporter_address") or None,
        reporter_occupation=field("reporter_occupation") or None,
        recorder=field("recorder"),
        petition_confirmed=form.get("petition_confirmed") == "1",
    )
    item = codes.SUB_ITEMS.get(report.sub_item or "")
    if item is not None and item.nature != report.nature:
        return _form_page(form, "細項與性質不符", 400)
    if report.theme and report.theme not in codes.THEMES:
        return _form_page(form, "主題不正確", 400)
    try:
        with ctx.sessions.begin() as session:
            due_days = int(content.get(session, "due_days"))
            case = casework.manual_intake(session, actor, report, due_days)
            number = case.number
    except CaseworkError as exc:
        return _form_page(form, str(exc), 400)
    return redirect(url_for("case.show", number=number, done="created"))
