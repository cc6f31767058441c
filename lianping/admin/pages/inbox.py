"""The case inbox: status tabs with counts, filters, search, sort and keyset pages."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from lianping import codes, context
from lianping.admin.pages.common import Lookups, current_actor
from lianping.services import tips
from lianping.services.access import personal_data, tip_scope
from lianping.storage import case_search
from lianping.storage.case_search import CaseFilter, FilterError
from lianping.storage.models import Case, utcnow

blueprint = Blueprint("inbox", __name__, url_prefix="/admin")

# The words a staff member reads for each filter, to name the one that is wrong.
FILTER_LABELS: dict[str, str] = {
    "status": "狀態",
    "nature": "性質",
    "sub_item": "細項",
    "theme": "主題",
    "unit_id": "承辦單位",
    "agency_id": "受文機關",
    "officer_id": "承辦人",
    "channel": "受理管道",
    "overdue": "逾期",
    "resident_update": "民眾補充",
    "extension_pending": "待核延期",
    "date_from": "收件日期（起）",
    "date_to": "收件日期（迄）",
    "q": "搜尋",
    "sort": "排序",
    "cursor": "頁碼",
}
SORT_LABELS = {"newest": "最新", "oldest": "最舊", "due": "到期日"}
FILTER_NAMES = [f.name for f in fields(CaseFilter)]


@dataclass(frozen=True)
class Row:
    """One line of the inbox, with personal data already masked."""

    case: Case
    reporter: str
    overdue: bool
    officer: str
    unit: str
    acceptance_overdue: bool = False  # a tip's acceptance notice is past its deadline


def reporter_words(case: Case) -> str:
    if case.confidential and not case.anonymous:
        return "已密封"  # a tip's reporter is kept apart, not even masked here
    if case.anonymous or not case.reporter_name:
        return "匿名"
    return personal_data(case, revealed=False)["name"] or "匿名"


def _filter_problem(args: Any) -> str:
    """Which filter is wrong, in words (FilterError's own text is for the API)."""
    bad = []
    for name in FILTER_NAMES:
        if args.get(name) in (None, ""):
            continue
        try:
            CaseFilter.from_args({name: args.get(name)})
        except FilterError:
            bad.append(FILTER_LABELS.get(name, name))
    if bad:
        return "篩選條件有誤：「" + "」、「".join(bad) + "」的值無法使用，請重新選擇。"
    if args.get("date_from") and args.get("date_to"):
        return "篩選條件有誤：收件日期的起日晚於迄日。"
    return "篩選條件有誤，請重新選擇。"


def _query(args: dict[str, str], **changes: str | None) -> str:
    """The inbox URL with ``changes`` applied to the current query (empty values dropped)."""
    merged: dict[str, Any] = {**args, **changes}
    return url_for("inbox.index", **{k: v for k, v in merged.items() if v not in (None, "")})


@blueprint.get("/")
def home() -> Response:
    return redirect(url_for("inbox.index"))


@blueprint.get("/cases")
def index() -> tuple[str, int]:
    """The inbox: tabs per status with counts, filters, search, sort and 下一頁."""
    actor = current_actor()
    ctx = context.of_app()
    args = {k: v for k, v in request.args.items() if k in (*FILTER_NAMES, "cursor") and v}
    error = None
    try:
        flt = CaseFilter.from_args(args)
    except FilterError:
        error, flt = _filter_problem(args), CaseFilter()
    if flt.nature == codes.TIP and not actor.ethics:
        error, flt = "篩選條件有誤：「性質」的值無法使用，請重新選擇。", CaseFilter()
    with ctx.sessions() as session:
        lookups = Lookups.load(session)
        page = case_search.Page([], None)
        counts: dict[str, int] | None = {status: 0 for status in codes.STATUSES}
        if error is None:
            try:
                page = case_search.search(
                    session, flt, tips=tip_scope(actor), cursor=args.get("cursor")
                )
            except FilterError:
                error = "頁碼無效，已回到第一頁。"
                page = case_search.search(session, flt, tips=tip_scope(actor))
            counts = case_search.status_counts(session, flt, tips=tip_scope(actor))
        now = utcnow()
        rows = [
            Row(
                case,
                reporter_words(case),
                case_search.is_overdue(case.status, case.due_at, now, case.details_requested_at),
                lookups.user_name(case.officer_id),
                lookups.unit_name(case.unit_id),
                tips.acceptance_overdue(case, now),
            )
            for case in page.cases
        ]
        base = {k: v for k, v in args.items() if k != "cursor"}
        tabs = _tabs(counts)
        html = render_template(
            "admin/inbox.html",
            rows=rows,
            flt=flt,
            args=base,
            tabs=tabs,
            error=error,
            next_url=_query(base, cursor=page.next_cursor) if page.next_cursor else None,
            first_url=_query(base) if args.get("cursor") else None,
            tab_url=lambda status: _query(base, status=status or None),
            sort_labels=SORT_LABELS,
            lookups=lookups,
            officers=lookups.officers(),
            natures={k: v for k, v in codes.NATURES.items() if k != codes.TIP or actor.ethics},
            actor=actor,
        )
    return html, 400 if error else 200


def _tabs(counts: dict[str, int] | None) -> list[tuple[str, str, int | None]]:
    """Status tabs with their counts (no counts during a text search)."""
    labels = [("", "全部"), ("open", "未結案"), *codes.STATUSES.items()]
    if counts is None:
        return [(code, words, None) for code, words in labels]
    totals = {
        "": sum(counts.values()),
        "open": sum(counts[s] for s in codes.OPEN_STATUSES),
        **counts,
    }
    return [(code, words, totals[code]) for code, words in labels]
