"""The dashboard's period: the default, the quick ranges and the dates a staff member typed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from lianping.reports.dashboard import check_period
from lianping.rocdate import roc_year
from lianping.services.report_periods import PeriodError

DEFAULT_WEEKS = 12


@dataclass(frozen=True)
class QuickRange:
    """A one-click period offered above the date fields."""

    label: str
    period_from: date
    period_to: date


def last_weeks(today: date, weeks: int) -> tuple[date, date]:
    """This week and the ``weeks - 1`` before it, from their Monday to today."""
    monday = today - timedelta(days=today.weekday())
    return monday - timedelta(weeks=weeks - 1), today


def quick_ranges(today: date) -> tuple[QuickRange, ...]:
    """近4週, 近12週 (the default), 近26週, this year and last year (民國 years)."""
    this_year, last_year = roc_year(today), roc_year(today) - 1
    return (
        QuickRange("近4週", *last_weeks(today, 4)),
        QuickRange("近12週", *last_weeks(today, DEFAULT_WEEKS)),
        QuickRange("近26週", *last_weeks(today, 26)),
        QuickRange(f"今年（{this_year}年）", date(today.year, 1, 1), today),
        QuickRange(
            f"去年（{last_year}年）", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
        ),
    )


def parse_period(args: Any, today: date) -> tuple[date, date]:
    """The period asked for in ``from``/``to`` (ISO dates); either one missing takes the default.

    Raises ``PeriodError`` with a zh-TW message for a date that cannot be read or a period
    the dashboard cannot show.
    """
    default_from, default_to = last_weeks(today, DEFAULT_WEEKS)
    period_from = _day(args.get("from"), default_from, "起日")
    period_to = _day(args.get("to"), default_to, "迄日")
    check_period(period_from, period_to)
    return period_from, period_to


def _day(raw: str | None, default: date, name: str) -> date:
    if raw is None or not raw.strip():
        return default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise PeriodError(f"{name}的日期無法辨識，請以日期選擇器選取（例如 2026-11-21）") from None
