"""The API's views: validated input → one service call → one commit → deliveries → JSON.

Each view gets the actor, the path parameters, and the already-validated
``body``/``query`` from the dispatcher in ``routes``; the operation table in
``operations`` says which view serves which path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, time
from typing import Any

from flask import Response, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import context, rocdate
from lianping.admin.api import serialize
from lianping.admin.api.errors import ApiError
from lianping.admin.api.validation import as_date
from lianping.admin.pages import notices as notice_pages
from lianping.admin.reports.downloads import rendered
from lianping.context import Context
from lianping.jobs import delivery
from lianping.reports import biweekly, drafts, notice_letter, submissions
from lianping.reports.biweekly_model import TEXT_FIELDS
from lianping.services import casework, content, notice_delivery, report_periods, timeline
from lianping.services.access import Actor, PermissionDenied, tip_scope
from lianping.services.casework import ManualReport, Result
from lianping.storage import ids, keyset
from lianping.storage.case_search import (
    PAGE_SIZE,
    CaseFilter,
    FilterError,
    search,
    status_counts,
)
from lianping.storage.models import Agency, Case, OutboxMessage, ReplyTemplate, Unit, utcnow

Body = dict[str, Any]
Payload = dict[str, Any] | tuple[dict[str, Any], dict[str, str]] | Response


@contextmanager
def unit_of_work() -> Iterator[tuple[Context, Session]]:
    """One session per request; the view commits once, an exception rolls everything back."""
    ctx = context.of_app()
    with ctx.sessions() as session:
        yield ctx, session


def open_case(session: Session, actor: Actor, number: str) -> Case:
    """The case, or 404: tips are need-to-know; staff without ``ethics`` cannot tell one exists."""
    try:
        return casework.get_case(session, actor, number)
    except (LookupError, PermissionDenied) as exc:
        raise ApiError("not_found", f"找不到案件 {number}") from exc


def act(
    actor: Actor, number: str, action: Callable[[Session, Case], Result]
) -> tuple[Result, dict[str, Any], list[dict[str, Any]]]:
    """Run one casework service on a case and commit; returns its result and the fresh detail.

    A move the lifecycle does not allow is the service's ``LifecycleConflict`` (409).
    """
    with unit_of_work() as (ctx, session):
        case = open_case(session, actor, number)
        result = action(session, case)
        session.commit()
        detail = serialize.detail(session, actor, result.case)
        rows = [
            serialize.delivery(timeline.delivery(session.get(OutboxMessage, outbox_id), outbox_id))
            for outbox_id in result.outbox_ids
        ]
    delivery.enqueue_after_commit(ctx, result.outbox_ids)
    return result, detail, rows


# ---------------------------------------------------------------- cases


def _check_cursor(cursor: str) -> None:
    """Refuse cursors search() would choke on (naive or out-of-range times, huge ids)."""
    try:
        keyset.decode(cursor)
    except ValueError as exc:
        detail = {"field": "cursor", "rule": "format", "message": "不是本服務發出的 cursor"}
        raise ApiError("invalid_query", "查詢參數 cursor 不正確", details=[detail]) from exc


def list_cases(actor: Actor, query: Body, args: Any) -> Payload:
    try:
        flt = CaseFilter.from_args(args)
    except FilterError as exc:
        detail = {"field": "(query)", "rule": "filter", "message": str(exc)}
        raise ApiError(
            "invalid_query", "查詢條件不正確（例如起日晚於迄日）", details=[detail]
        ) from exc
    cursor = query.get("cursor")
    if cursor:
        _check_cursor(cursor)
    with unit_of_work() as (_, session):
        limit = query.get("limit", PAGE_SIZE)
        page = search(session, flt, tips=tip_scope(actor), cursor=cursor, limit=limit)
        counts = status_counts(session, flt, tips=tip_scope(actor))
        now = utcnow()
        items = [serialize.summary(case, now) for case in page.cases]
    return {"items": items, "next_cursor": page.next_cursor, "counts": counts}


def create_case(actor: Actor, body: Body) -> Payload:
    report = ManualReport(
        channel=body["channel"],
        nature=body["nature"],
        sub_item=body.get("sub_item"),
        theme=body.get("theme"),
        description=body["description"],
        reporter_name=body.get("reporter_name"),
        reporter_phone=body.get("reporter_phone"),
        reporter_address=body.get("reporter_address"),
        reporter_occupation=body.get("reporter_occupation"),
        recorder=body["recorder"],
        petition_confirmed=body.get("petition_confirmed", False),
        publish_consent=body.get("publish_consent", False),
        notice_method=body.get("notice_method"),
        received_on=as_date(body["received_on"]) if body.get("received_on") else None,
        received_time=time.fromisoformat(body["received_time"])
        if body.get("received_time")
        else None,
        activity_id=body.get("activity_id"),
    )
    with unit_of_work() as (_, session):
        due_days = int(content.get(session, "due_days"))
        acceptance_days = int(content.get(session, "tip_acceptance_days"))
        case = casework.manual_intake(session, actor, report, due_days, acceptance_days)
        session.commit()
        detail = serialize.detail(session, actor, case)
    location = url_for("api.getCase", number=case.number)
    return {"case": detail}, {"Location": location}


def get_case(actor: Actor, number: str) -> Payload:
    with unit_of_work() as (_, session):
        case = open_case(session, actor, number)
        casework.record_view(session, actor, case, "api")
        detail = serialize.detail(session, actor, case)
        session.commit()
    return {"case": detail}


def classify(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, _ = act(
        actor,
        number,
        lambda session, case: casework.classify(
            session, actor, case, body["nature"], body["sub_item"], body["theme"]
        ),
    )
    return {"case": detail}


def assign(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, _ = act(
        actor,
        number,
        lambda session, case: casework.assign(
            session, actor, case, body["officer_id"], body["unit_id"]
        ),
    )
    return {"case": detail}


def route(actor: Actor, number: str, body: Body) -> Payload:
    approval = casework.Approval(body["approved_by"], as_date(body["approved_on"]))
    if body["to"] == "unit":
        _, detail, rows = act(
            actor,
            number,
            lambda session, case: casework.route_internal(
                session, actor, case, body["unit_id"], body.get("note", ""), approval
            ),
        )
    else:
        _, detail, rows = act(
            actor,
            number,
            lambda session, case: casework.route_external(
                session,
                actor,
                case,
                body["agency_id"],
                body["letter_number"],
                as_date(body["letter_date"]),
                approval,
            ),
        )
    return {"case": detail, "notices": rows}


def _day(body: Body) -> date:
    """The body's ``date``, today (Taipei) when left out."""
    return as_date(body["date"]) if body.get("date") else rocdate.taipei_today()


def refer_tip(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, _ = act(
        actor,
        number,
        lambda session, case: casework.refer_tip(
            session,
            actor,
            case,
            body["target"],
            body.get("name"),
            body["letter_number"],
            as_date(body["letter_date"]) if body.get("letter_date") else rocdate.taipei_today(),
        ),
    )
    return {"case": detail}


def record_reply(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, _ = act(
        actor,
        number,
        lambda session, case: casework.record_reply(
            session,
            actor,
            case,
            body["text"],
            body["method"],
            _day(body),
            body.get("remedy"),
        ),
    )
    return {"case": detail}


def request_details(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, rows = act(
        actor,
        number,
        lambda session, case: casework.request_details(session, actor, case, body["text"]),
    )
    return {"case": detail, "notices": rows}


def record_details(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, _ = act(
        actor,
        number,
        lambda session, case: casework.record_details(
            session, actor, case, body["text"], _day(body)
        ),
    )
    return {"case": detail}


def decide_extension(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, rows = act(
        actor,
        number,
        lambda session, case: casework.decide_extension(
            session, actor, case, body["approve"], body.get("note", "")
        ),
    )
    return {"case": detail, "notices": rows}


def reply(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, rows = act(
        actor,
        number,
        lambda session, case: casework.reply(
            session, actor, case, body["text"], body.get("remedy")
        ),
    )
    return {"case": detail, "delivery": rows[0]}


def change_status(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, rows = act(
        actor,
        number,
        lambda session, case: casework.change_status(
            session,
            actor,
            case,
            body["status"],
            reason=body.get("reason"),
            merge_into=body.get("merge_into"),
        ),
    )
    return {"case": detail, "notices": rows}


def add_note(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, _ = act(
        actor, number, lambda session, case: casework.add_note(session, actor, case, body["text"])
    )
    return {"case": detail}


def set_opinion(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, _ = act(
        actor,
        number,
        lambda session, case: casework.set_opinion(
            session, actor, case, body["text"], body.get("signing_agency")
        ),
    )
    return {"case": detail}


def extend(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, rows = act(
        actor,
        number,
        lambda session, case: casework.extend_due(
            session, actor, case, as_date(body["due_date"]), body["reason"]
        ),
    )
    return {"case": detail, "notices": rows}


def reveal(actor: Actor, number: str, body: Body) -> Payload:
    with unit_of_work() as (_, session):
        case = open_case(session, actor, number)
        data = casework.reveal(session, actor, case, body["reason"])
        session.commit()
    return {"number": number, "personal_data": {"line_user_id": None, **data}}


def mark_read(actor: Actor, number: str, body: Body) -> Payload:
    _, detail, _ = act(
        actor, number, lambda session, case: casework.mark_read(session, actor, case)
    )
    return {"case": detail}


# ---------------------------------------------------------------- reference data


def list_units(actor: Actor) -> Payload:
    with unit_of_work() as (_, session):
        rows = session.scalars(select(Unit).order_by(Unit.name))
        return {"items": [{"id": u.id, "name": u.name, "active": u.active} for u in rows]}


def list_agencies(actor: Actor) -> Payload:
    with unit_of_work() as (_, session):
        rows = session.scalars(select(Agency).order_by(Agency.name))
        return {"items": [{"id": a.id, "name": a.name, "active": a.active} for a in rows]}


def list_reply_templates(actor: Actor) -> Payload:
    with unit_of_work() as (_, session):
        rows = session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.title))
        return {
            "items": [
                {"id": t.id, "title": t.title, "body": t.body, "active": t.active} for t in rows
            ]
        }


# ---------------------------------------------------------------- notices


def _notice_id(value: str) -> int:
    """A notice id from the path; anything else is a notice that does not exist (404)."""
    found = ids.parse_id(value)
    if found is None:
        raise ApiError("not_found", f"找不到通知 {value}")
    return found


def get_notice(actor: Actor, number: str, notice_id: str, query: Body, args: Any) -> Payload:
    """A notice as JSON, or its letter as a PDF or ODT (a full letter is a logged reveal)."""
    wanted = _notice_id(notice_id)
    fmt = query.get("format", "json")
    with unit_of_work() as (_, session):
        case = open_case(session, actor, number)
        try:
            found = notice_delivery.get_notice(session, case, wanted)
        except LookupError as exc:
            raise ApiError("not_found", f"案件 {number} 沒有通知 {notice_id}") from exc
        if fmt == "json":
            [shown] = timeline.notices_of(session, [(found, case.number)])
            return {"notice": serialize.notice(shown)}
        letter = notice_letter.for_notice(session, actor, case, found)
        session.commit()
    return notice_pages.letter_file(letter, fmt)


def record_notice_delivery(actor: Actor, number: str, notice_id: str, body: Body) -> Payload:
    wanted = _notice_id(notice_id)
    _, detail, _ = act(
        actor,
        number,
        lambda session, case: notice_delivery.record_delivery(
            session, actor, case, wanted, body["method"], as_date(body["on"])
        ),
    )
    return {"case": detail}


def list_pending_notices(actor: Actor) -> Payload:
    with unit_of_work() as (_, session):
        rows, total = notice_delivery.pending(session, actor)
        return {"items": [serialize.notice(row) for row in rows], "total": total}


# ---------------------------------------------------------------- reports


def biweekly_report(actor: Actor, query: Body, args: Any) -> Payload:
    """附件2 for a period (default: the last complete one), as JSON or a file; the officer's
    edited texts in place of the drafts, the JSON saying which rows were edited."""
    with unit_of_work() as (_, session):
        if "from" not in query and "to" not in query:
            anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
            period_from, period_to = report_periods.default_period(rocdate.taipei_today(), anchor)
        else:
            period_from, period_to = _period(query, "invalid_query")
        report = biweekly.build(session, period_from, period_to)
    extension = query.get("format", "json")
    if extension == "json":
        return report.to_json()
    return rendered(report, extension)


def _period(values: Body, code: str) -> tuple[date, date]:
    """The period ``from``–``to`` of a query or body, or ApiError naming the field at fault."""
    field = "from"
    try:
        period_from = report_periods.parse_day(values.get("from"), "起日（from）")
        field = "to"
        period_to = report_periods.parse_day(values.get("to"), "迄日（to）")
        field = "from"  # a range refused as a whole is named by its start
        report_periods.validate(period_from, period_to)
    except report_periods.PeriodError as exc:
        detail = {"field": field, "rule": "period", "message": str(exc)}
        raise ApiError(code, str(exc), details=[detail]) from exc
    return period_from, period_to


def save_biweekly_draft(actor: Actor, body: Body) -> Payload:
    """Keep the officer's 內容摘要 and/or 處理意見 of one row; the report as it now reads."""
    drafts.require_editor(actor)
    period = _period(body, "validation_error")
    texts: dict[str, Any] = {field: body[field] for field in TEXT_FIELDS if field in body}
    with unit_of_work() as (_, session):
        row = biweekly.build(session, *period, edited=False).row(body["row"])
        drafted = {"summary": row.summary_body, "handling": row.handling_text}
        try:
            drafts.save(session, actor, *period, body["row"], texts, drafted)
        except drafts.DraftError as exc:
            raise ApiError("unprocessable", str(exc)) from exc
        session.commit()
        return biweekly.build(session, *period).to_json()


def revert_biweekly_draft(actor: Actor, body: Body) -> Payload:
    """The row follows the product's draft again; the report as it now reads."""
    drafts.require_editor(actor)
    period = _period(body, "validation_error")
    with unit_of_work() as (_, session):
        drafts.revert(session, actor, *period, body["row"])
        session.commit()
        return biweekly.build(session, *period).to_json()


def submit_biweekly_report(actor: Actor, body: Body) -> Payload:
    """Record the head's approval and freeze the period's report (with the edited texts)."""
    submissions.require_submitter(actor)
    period = _period(body, "validation_error")
    with unit_of_work() as (_, session):
        try:
            submission = submissions.submit(
                session,
                actor,
                *period,
                approved_by=body["approved_by"],
                approved_on=as_date(body["approved_on"]),
                confirm_unfinished=bool(body.get("confirm_unfinished", False)),
                reviewed=body.get("digest"),
            )
        except submissions.SubmissionError as exc:
            raise ApiError("unprocessable", str(exc)) from exc
        except submissions.ReportChanged as exc:
            raise ApiError(
                "report_changed", str(exc), details={"digest": exc.report.digest()}
            ) from exc
        session.commit()
        payload = {
            "id": submission.id,
            "period": {"from": period[0].isoformat(), "to": period[1].isoformat()},
            "submitted_at": submission.submitted_at.isoformat(),
            "approved_by": submission.approved_by,
            "approved_on": submission.approved_on.isoformat() if submission.approved_on else None,
            "sha256": submission.sha256,
            "report": submission.data,
        }
    location = url_for("reports.submission_view", submission_id=payload["id"])
    return payload, {"Location": location}
