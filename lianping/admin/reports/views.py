"""The biweekly 工作成果彙報表 pages: choose a period, read, edit, print, download, submit.

Every staff member may read and download a report (it holds no personal data);
editing the drafted texts and submitting, which records the head's approval and freezes
the report as sent, are for supervisors and administrators.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from lianping import context, rocdate
from lianping.admin.auth import current_actor
from lianping.admin.reports import downloads
from lianping.reports import biweekly, biweekly_files, drafts, submissions
from lianping.reports.biweekly_model import ROW_TITLES, TEXT_FIELDS, BiweeklyReport
from lianping.services import content, report_periods
from lianping.services.report_periods import PeriodError

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

blueprint = Blueprint(
    "reports", __name__, url_prefix="/admin/reports", template_folder=str(TEMPLATES)
)

MSG_CONFIRM = "請勾選確認本期彙報表內容無誤後再送出。"
MSG_SUBMITTED = "已送出本期工作成果彙報表，內容已凍結保存；之後案件異動不會影響已送出的報表。"
MSG_NO_SUBMISSION = "找不到這份工作成果彙報表或檔案，可能網址有誤。"
MSG_DRAFT_SAVED = "已儲存「{row}」的編修內容；預覽、下載及送出均採用編修後的文字。"
MSG_DRAFT_SAME = "「{row}」的內容與系統草稿相同，維持使用系統草稿。"
MSG_REVERTED = "「{row}」已還原為系統草稿。"
MSG_NOT_EDITED = "「{row}」未經編修，仍為系統草稿。"


def _not_found(error: Exception) -> tuple[str, int]:
    return render_template("admin/not_found.html", message=MSG_NO_SUBMISSION), 404


blueprint.register_error_handler(404, _not_found)


def _default_period(session: Session) -> tuple[date, date]:
    anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
    return report_periods.default_period(rocdate.taipei_today(), anchor)


def _chosen_period(session: Session, values: Any) -> tuple[date, date]:
    """The period asked for (both ends), or the default one when neither is given."""
    raw_from, raw_to = values.get("from", ""), values.get("to", "")
    if not raw_from and not raw_to:
        return _default_period(session)
    return report_periods.parse(raw_from, raw_to)


def _period_args(period_from: date, period_to: date) -> dict[str, Any]:
    return {"from": period_from.isoformat(), "to": period_to.isoformat()}


def _done_message() -> str | None:
    """The confirmation a redirect after a POST asks for (``done`` names it, ``row`` the row)."""
    row = ROW_TITLES.get(request.args.get("row", ""), "")
    messages = {
        "draft": MSG_DRAFT_SAVED.format(row=row),
        "same": MSG_DRAFT_SAME.format(row=row),
        "reverted": MSG_REVERTED.format(row=row),
        "unchanged": MSG_NOT_EDITED.format(row=row),
    }
    if request.args.get("submitted"):
        return MSG_SUBMITTED
    return messages.get(request.args.get("done", ""))


def _page(
    session: Session,
    report: BiweeklyReport | None,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    actor = current_actor()
    default_from, default_to = _default_period(session)
    values: dict[str, Any] = {
        "report": report,
        "error": error,
        "actor": actor,
        "may_edit": drafts.may_edit(actor),
        "may_submit": submissions.may_submit(actor),
        "default_args": _period_args(default_from, default_to),
        "recent": submissions.listed(session, limit=10),
        "done": _done_message(),
        "chosen": {"from": request.values.get("from", ""), "to": request.values.get("to", "")},
    }
    if report is not None:
        shown = (report.period_from, report.period_to)
        values.update(
            args=_period_args(*shown),
            previous_args=_period_args(*report_periods.shift(*shown, -1)),
            next_args=_period_args(*report_periods.shift(*shown, 1)),
            same_period=submissions.listed(session, period=shown),
            is_default=shown == (default_from, default_to),
            formats=list(downloads.RENDERERS),
            unfinished=submissions.unfinished(report.period_to),
            today=rocdate.taipei_today().isoformat(),
            form=request.form if request.method == "POST" else {},
        )
    body = render_template("admin/reports/biweekly.html", **values)
    return Response(body, status=status, mimetype="text/html")


@blueprint.get("/")
def index() -> BaseResponse:
    """工作報表 opens on the biweekly report."""
    return redirect(url_for("reports.biweekly_page"))


@blueprint.get("/biweekly")
def biweekly_page() -> Response:
    """The report of the chosen (or default) period, with downloads and submission."""
    with context.of_app().sessions() as session:
        try:
            period_from, period_to = _chosen_period(session, request.args)
        except PeriodError as exc:
            return _page(session, None, error=str(exc), status=400)
        report = biweekly.build(session, period_from, period_to)
        return _page(session, report)


def _report_for_request() -> BiweeklyReport:
    with context.of_app().sessions() as session:
        try:
            period_from, period_to = _chosen_period(session, request.args)
        except PeriodError as exc:
            abort(Response(_error_text(str(exc)), status=400, mimetype="text/plain"))
        return biweekly.build(session, period_from, period_to)


def _error_text(message: str) -> str:
    return f"{message}\n請回到工作成果彙報表頁面重新選擇統計期間。"


@blueprint.get("/biweekly/print")
def print_view() -> str:
    """The report laid out like 附件2, ready to print on A4."""
    report = _report_for_request()
    return render_template(
        "admin/reports/print.html",
        report=report,
        back=url_for("reports.biweekly_page", **_period_args(report.period_from, report.period_to)),
        submission=None,
    )


@blueprint.get("/biweekly/<extension>")
def download(extension: str) -> Response:
    """The report as a file (ODS, XLSX, CSV or PDF), built now."""
    if extension not in downloads.RENDERERS:
        abort(404)
    return downloads.rendered(_report_for_request(), extension)


def _posted_period(session: Session) -> tuple[date, date] | Response:
    """The period a form posted, or the page explaining why it cannot be read (400)."""
    try:
        return report_periods.parse(request.form.get("from"), request.form.get("to"))
    except PeriodError as exc:
        return _page(session, None, error=str(exc), status=400)


@blueprint.post("/biweekly/draft")
def save_draft() -> BaseResponse:
    """Keep the officer's 內容摘要 and 處理意見 of one row (supervisors and administrators)."""
    actor = current_actor()
    with context.of_app().sessions() as session:
        drafts.require_editor(actor)
        period = _posted_period(session)
        if isinstance(period, Response):
            return period
        key = request.form.get("row", "")
        drafted = biweekly.build(session, *period, edited=False)
        texts = {field: request.form[field] for field in TEXT_FIELDS if field in request.form}
        try:
            row = drafted.row(key) if key in ROW_TITLES else None
            was = drafts.texts_of(session, *period).get(key, {})
            drafts.save(
                session, actor, *period, key, texts,
                {"summary": row.summary_body, "handling": row.handling_text} if row else {},
            )  # fmt: skip
        except drafts.DraftError as exc:
            return _page(session, biweekly.build(session, *period), error=str(exc), status=400)
        now = drafts.texts_of(session, *period).get(key, {})
        session.commit()
    done = "draft" if now else ("reverted" if was else "same")
    args = _period_args(*period)
    return redirect(url_for("reports.biweekly_page", **args, done=done, row=key) + f"#row-{key}")


@blueprint.post("/biweekly/draft/revert")
def revert_draft() -> BaseResponse:
    """Drop the officer's texts of one row: the product's draft again (「還原為系統草稿」)."""
    actor = current_actor()
    with context.of_app().sessions() as session:
        drafts.require_editor(actor)
        period = _posted_period(session)
        if isinstance(period, Response):
            return period
        key = request.form.get("row", "")
        try:
            reverted = drafts.revert(session, actor, *period, key)
        except drafts.DraftError as exc:
            return _page(session, biweekly.build(session, *period), error=str(exc), status=400)
        session.commit()
    done = "reverted" if reverted else "unchanged"
    args = _period_args(*period)
    return redirect(url_for("reports.biweekly_page", **args, done=done, row=key) + f"#row-{key}")


@blueprint.post("/biweekly/submit")
def submit() -> BaseResponse:
    """Record the head's approval and freeze the period's report as sent (supervisors and
    administrators); a period not yet ended needs its own confirmation."""
    actor = current_actor()
    ctx = context.of_app()
    with ctx.sessions() as session:
        submissions.require_submitter(actor)
        period = _posted_period(session)
        if isinstance(period, Response):
            return period
        period_from, period_to = period
        if request.form.get("confirm") != "yes":
            report = biweekly.build(session, period_from, period_to)
            return _page(session, report, error=MSG_CONFIRM, status=400)
        raw_day = (request.form.get("approved_on") or "").strip()
        try:
            # Left empty, ``submissions.approval`` says it is required.
            approved_on = report_periods.parse_day(raw_day, "核可日期") if raw_day else None
        except PeriodError as exc:
            report = biweekly.build(session, period_from, period_to)
            return _page(session, report, error=str(exc), status=400)
        try:
            submissions.submit(
                session,
                actor,
                period_from,
                period_to,
                approved_by=request.form.get("approved_by"),
                approved_on=approved_on,
                confirm_unfinished=request.form.get("confirm_unfinished") == "yes",
                reviewed=request.form.get("digest", ""),
            )
        except submissions.SubmissionError as exc:
            report = biweekly.build(session, period_from, period_to)
            return _page(session, report, error=str(exc), status=400)
        except submissions.ReportChanged as exc:
            return _page(session, exc.report, error=str(exc), status=409)
        session.commit()
    args = _period_args(period_from, period_to)
    return redirect(url_for("reports.biweekly_page", **args, submitted=1) + "#submissions")


@blueprint.get("/submissions")
def submission_list() -> str:
    """The submitted reports, newest first (the latest ``submissions.LIST_LIMIT``)."""
    with context.of_app().sessions() as session:
        rows = submissions.listed(session)
    return render_template("admin/reports/submissions.html", rows=rows)


@blueprint.get("/submissions/<int:submission_id>")
def submission_view(submission_id: int) -> str:
    """A submitted report exactly as it was sent, ready to print."""
    with context.of_app().sessions() as session:
        submission = submissions.fetch(session, submission_id)
        if submission is None:
            abort(404)
        (meta,) = submissions.listed(session, submission_id=submission_id)
        report = submissions.report_of(submission)
    return render_template(
        "admin/reports/print.html",
        report=report,
        back=url_for("reports.submission_list"),
        submission=meta,
    )


@blueprint.get("/submissions/<int:submission_id>/ods")
def submission_file(submission_id: int) -> Response:
    """The ODS file exactly as submitted."""
    with context.of_app().sessions() as session:
        submission = submissions.fetch(session, submission_id)
        if submission is None:
            abort(404)
        report = submissions.report_of(submission)
        return downloads.file_response(
            report, "ods", submission.ods, biweekly_files.MEDIA_TYPES["ods"]
        )
