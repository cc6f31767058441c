"""工作紀錄表 (附件1) files: one case as ODT or PDF, and a period's cases in one file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from lianping import context, rocdate
from lianping.admin.pages.common import current_actor, not_found
from lianping.admin.pages.exports import attachment
from lianping.reports import work_record, work_record_files
from lianping.reports.work_record import TooManyRecords, WorkRecord
from lianping.services import content, report_periods
from lianping.services.report_periods import PeriodError

blueprint = Blueprint("work_records", __name__, url_prefix="/admin")
blueprint.register_error_handler(404, not_found)


def _pdf(records: list[WorkRecord]) -> bytes:
    # Imported here: fpdf2 and fontTools cost the web process ~25 MB, paid on the first PDF.
    from lianping.reports import pdf

    return pdf.work_records_pdf(records)


FORMATS: dict[str, tuple[str, Callable[[list[WorkRecord]], bytes]]] = {
    "odt": ("application/vnd.oasis.opendocument.text", work_record_files.to_odt),
    "pdf": ("application/pdf", _pdf),
}
MAX_DAYS = 366


def _file(records: list[WorkRecord], fmt: str, name: str, fallback: str) -> Response:
    mimetype, render = FORMATS[fmt]
    response = Response(render(records), content_type=mimetype)
    response.headers["Content-Disposition"] = attachment(f"{name}.{fmt}", f"{fallback}.{fmt}")
    response.headers["Cache-Control"] = "no-store"  # personal data stays out of caches
    return response


@blueprint.get("/cases/<number>/record.<fmt>")
def one(number: str, fmt: str) -> Response:
    """The case's 工作紀錄表; a full record is a reveal, logged like the print view's."""
    if fmt not in FORMATS:
        abort(404)
    actor = current_actor()
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        try:
            record = work_record.for_number(session, actor, number)
        except LookupError:
            abort(404)
    return _file([record], fmt, f"工作紀錄表_{number}", f"work-record-{number}")


def _default_period() -> tuple[date, date]:
    """The last complete two-week period, as the 工作成果彙報表 defaults to (seed 004 玖.四)."""
    with context.of_app().sessions() as session:
        anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
    return report_periods.default_period(rocdate.taipei_today(), anchor)


def _form(
    date_from: str, date_to: str, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    html = render_template(
        "admin/work_records.html",
        date_from=date_from,
        date_to=date_to,
        error=error,
        max_batch=work_record.MAX_BATCH,
    )
    return html, status


@blueprint.get("/records")
def form() -> tuple[str, int]:
    """A small form: the period (and format) of a batch of 工作紀錄表."""
    start, end = _default_period()
    return _form(start.isoformat(), end.isoformat())


@blueprint.get("/records/batch.<fmt>")
def batch(fmt: str) -> Response | tuple[str, int]:
    """Every case received in the period, one record per page, in one file."""
    if fmt not in FORMATS:
        abort(404)
    actor = current_actor()
    ctx = context.of_app()
    raw_from = request.args.get("date_from", "")
    raw_to = request.args.get("date_to", "")
    try:
        start, end = report_periods.parse(raw_from, raw_to, longest=(MAX_DAYS, f"{MAX_DAYS}日"))
        with ctx.sessions.begin() as session:
            records = work_record.for_period(session, actor, start, end)
    except (PeriodError, TooManyRecords) as exc:
        return _form(raw_from, raw_to, error=str(exc), status=400)
    if not records:
        return _form(raw_from, raw_to, error="此期間沒有案件，未產生檔案。", status=400)
    name = f"工作紀錄表_{rocdate.roc_compact(start)}-{rocdate.roc_compact(end)}"
    return _file(records, fmt, name, f"work-records-{start:%Y%m%d}-{end:%Y%m%d}")
