"""The period a 成果統計 request asks for: one of the offered choices, or ``from``/``to``."""

from __future__ import annotations

from datetime import date
from typing import Any

from lianping.reports.dashboard import check_period
from lianping.reports.public_statistics import PeriodChoice, choices
from lianping.services.report_periods import PeriodError, parse_day

DEFAULT = "12w"


def chosen(args: Any, today: date, anchor: date) -> tuple[date, date, str | None]:
    """(from, to, the choice's key or None for typed dates); ``PeriodError`` if unreadable."""
    offered = {c.key: c for c in choices(today, anchor)}
    if args.get("from") or args.get("to"):
        period_from = parse_day(args.get("from"), "起日")
        period_to = parse_day(args.get("to"), "迄日")
        check_period(period_from, period_to)
        return period_from, period_to, None
    key = args.get("period") or DEFAULT
    if key not in offered:
        raise PeriodError("統計期間的選項不正確，請由頁面上的選項選取。")
    choice: PeriodChoice = offered[key]
    return choice.period_from, choice.period_to, key
