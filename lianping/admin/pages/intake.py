"""Manual intake: a walk-in, meeting, phone or letter report written up on 附件1's fields."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from lianping import codes, context, rocdate
from lianping.admin.pages.common import current_actor
from lianping.services import activities, casework, content, notice_delivery
from lianping.services.access import require_write
from lianping.services.casework import CaseworkError, ManualReport
from lianping.storage import ids
from lianping.storage.models import FieldActivity

blueprint = Blueprint("intake", __name__, url_prefix="/admin/cases")

# 行政程序法 §169: a spoken petition is written up and confirmed by the petitioner.
SPOKEN_CHANNELS = ("walk_in", "meeting", "phone")
MANUAL_CHANNELS = {code: words for code, words in codes.CHANNELS.items() if code != "line"}
# A time as the browser's time input sends it (seconds, if any, are dropped).
_TIME = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?")


def _received(form: MultiDict[str, str]) -> tuple[date | None, time | None]:
    """The 收件日期 and 收件時間 (optional) as typed; their range is casework's rule.

    The form fills in today: a date cleared is asked for, while a post without the field
    (as the API's may be) is received today.
    """
    raw_day = (form.get("received_on") or "").strip()
    raw_time = (form.get("received_time") or "").strip()
    at = None
    if raw_time:
        found = _TIME.fullmatch(raw_time)
        if found is None:
            raise CaseworkError("收件時間格式不正確，請以時:分填寫，例如 19:30")
        at = time(int(found.group(1)), int(found.group(2)))
    if "received_on" not in form:
        return None, at
    if not raw_day:
        raise CaseworkError("請填寫收件日期")
    try:
        if len(raw_day) != 10:
            raise ValueError(raw_day)
        return date.fromisoformat(raw_day), at
    except ValueError:
        raise CaseworkError("收件日期格式不正確，請以西元年-月-日填寫，例如 2026-03-03") from None


def _activity_id(raw: str | None) -> int | None:
    """The hidden ``activity_id`` (a report taken at a field activity); junk is none."""
    return ids.parse_id(raw)


def _form_page(form: MultiDict[str, str], error: str | None, status: int) -> tuple[str, int]:
    actor = current_actor()
    today = rocdate.taipei_today()
    with context.of_app().sessions.begin() as session:  # version 1 may be written on first use
        notice_version = content.current_privacy_notice(session).version
        activity_id = _activity_id(form.get("activity_id"))
        activity = session.get(FieldActivity, activity_id) if activity_id else None
        activity_title = activities.title(activity) if activity else None
    html = render_template(
        "admin/intake.html",
        form=form,
        error=error,
        channels=MANUAL_CHANNELS,
        spoken=SPOKEN_CHANNELS,
        notice_methods=codes.MANUAL_NOTICE_METHODS,
        notice_version=notice_version,
        natures={k: v for k, v in codes.NATURES.items() if k != codes.TIP or actor.ethics},
        default_recorder=actor.display_name,
        activity_id=activity_id if activity_title else None,
        activity_title=activity_title,
        today=today.isoformat(),
        earliest=(today - timedelta(days=casework.RECEIVED_WITHIN_DAYS)).isoformat(),
    )
    return html, status


@blueprint.get("/new")
def new() -> tuple[str, int]:
    """The blank form; 紀錄人 defaults to the signed-in user. From a field activity's page
    (``?activity_id=``) the channel is 座談會／平臺訪談 and the date the activity's."""
    require_write(current_actor())
    form: MultiDict[str, str] = MultiDict()
    activity_id = _activity_id(request.args.get("activity_id"))
    if activity_id is not None:
        with context.of_app().sessions() as session:
            activity = session.get(FieldActivity, activity_id)
            if activity is not None:
                form = MultiDict(
                    {
                        "activity_id": str(activity.id),
                        "channel": "meeting",
                        "received_on": activity.held_on.isoformat(),
                        "theme": activity.theme or "",
                    }
                )
    return _form_page(form, None, 200)


@blueprint.get("/new/notice")
def notice() -> str:
    """The current 個資法 §8 notice on an A4 page, to hand over (交付書面) or read out."""
    require_write(current_actor())
    with context.of_app().sessions.begin() as session:  # version 1 may be written on first use
        current = content.current_privacy_notice(session)
        agency = str(content.get(session, "agency_name"))
        version, body = current.version, current.body
    return render_template(
        "admin/notice_print.html", version=version, body=body, agency_name=agency
    )


@blueprint.post("/new")
def create() -> Response | tuple[str, int]:
    """File the report; a missing field or an unconfirmed spoken report redisplays the form."""
    actor = current_actor()
    require_write(actor)
    form: MultiDict[str, str] = MultiDict(request.form)
    ctx = context.of_app()

    def field(name: str) -> str:
        return (form.get(name) or "").strip()

    try:
        received_on, received_time = _received(form)
    except CaseworkError as exc:
        return _form_page(form, str(exc), 400)
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
        publish_consent=form.get("publish_consent") == "1",
        notice_method=field("notice_method") or None,
        received_on=received_on,
        received_time=received_time,
        activity_id=_activity_id(form.get("activity_id")),
    )
    item = codes.SUB_ITEMS.get(report.sub_item or "")
    if item is not None and item.nature != report.nature:
        return _form_page(form, "細項與性質不符", 400)
    if report.theme and report.theme not in codes.THEMES:
        return _form_page(form, "主題不正確", 400)
    try:
        with ctx.sessions.begin() as session:
            due_days = int(content.get(session, "due_days"))
            acceptance_days = int(content.get(session, "tip_acceptance_days"))
            case = casework.manual_intake(session, actor, report, due_days, acceptance_days)
            number = case.number
            # A report's acceptance notice is a letter to print: the confirmation says so.
            letters = 1 if notice_delivery.letters_waiting(session, case) else None
    except CaseworkError as exc:
        return _form_page(form, str(exc), 400)
    if report.activity_id is not None:  # back to the activity, for its next report
        return redirect(
            url_for(
                "activities.show",
                activity_id=report.activity_id,
                done="case_added",
            )
            + "#cases"
        )
    return redirect(url_for("case.show", number=number, done="created", letters=letters))
