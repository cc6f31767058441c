"""成果統計: the dashboard's own figures, as the public may read them.

The figures come from ``reports.dashboard.build`` run for an actor who is not ethics staff,
so tips (and former tips) are left out by the dashboard's own rule, and every other figure is
computed by the dashboard's own queries: the two pages agree for the same period except
that tips are absent here and small counts are suppressed. A count from 1 to below the
threshold (a setting, default 3) is shown as 「<3」; a median or an average over fewer
cases than the threshold is not shown.

The default periods end on the last day of the last complete two-week report period, so the
published figures change when a period closes, not with every new case.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from lianping.reports import dashboard
from lianping.reports.dashboard import Count, Dashboard
from lianping.rocdate import roc_period
from lianping.services import content, report_periods
from lianping.services.access import Actor

# The public is no staff member: never ethics, so the dashboard counts no tip.
PUBLIC = Actor(None, "public", "社會大眾", "public")
DEFAULT_THRESHOLD = 3
# The breakdowns the page can show (the public-statistics setting picks among them).
BREAKDOWNS: dict[str, str] = {
    "week": "各週收件",
    "nature": "性質",
    "sub_item": "細項",
    "theme": "主題",
    "district": "區",
}
NOT_SHOWN = "—"


@dataclass(frozen=True)
class Cell:
    """One count as published: ``shown`` is the number, or 「<3」 when suppressed."""

    count: int
    shown: str
    suppressed: bool

    @property
    def value(self) -> int | None:
        """The count, or None when suppressed (open data writes null)."""
        return None if self.suppressed else self.count


@dataclass(frozen=True)
class Row:
    """One line of a breakdown."""

    key: str
    label: str
    cell: Cell


@dataclass(frozen=True)
class Table:
    """One breakdown: its key (``BREAKDOWNS``), title and rows."""

    key: str
    title: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Figure:
    """A median or an average: ``shown`` is its text, or 「—」 over too few cases."""

    value: float | None
    cases: Cell
    shown: str


@dataclass(frozen=True)
class PublicStatistics:
    """Everything 成果統計 shows for one period."""

    period_from: date
    period_to: date
    threshold: int
    received: Cell
    answered: Cell
    transferred: Cell
    closed: Cell
    first_answer: Figure
    to_close: Figure
    satisfaction: Figure
    tables: tuple[Table, ...]

    @property
    def period_text(self) -> str:
        """``115年8月31日-11月22日``."""
        return roc_period(self.period_from, self.period_to)

    @property
    def totals(self) -> tuple[tuple[str, str, Cell], ...]:
        """(key, label, cell) of the four headline counts."""
        return (
            ("received", "收件", self.received),
            ("answered", "首次回覆", self.answered),
            ("transferred", "函轉他機關", self.transferred),
            ("closed", "結案", self.closed),
        )

    def to_json(self) -> dict[str, Any]:
        """The open-data JSON (schema in ``public.open_data``): suppressed counts are null."""

        def cell(c: Cell) -> dict[str, Any]:
            return {"count": c.value, "shown": c.shown, "suppressed": c.suppressed}

        def figure(f: Figure) -> dict[str, Any]:
            return {"value": f.value, "cases": cell(f.cases)}

        return {
            "period": {
                "from": self.period_from.isoformat(),
                "to": self.period_to.isoformat(),
                "text": self.period_text,
            },
            "threshold": self.threshold,
            "totals": {key: cell(c) for key, _label, c in self.totals},
            "median_days_to_first_answer": figure(self.first_answer),
            "median_days_to_close": figure(self.to_close),
            "satisfaction_average": figure(self.satisfaction),
            "breakdowns": [
                {
                    "key": t.key,
                    "title": t.title,
                    "rows": [{"key": r.key, "label": r.label, **cell(r.cell)} for r in t.rows],
                }
                for t in self.tables
            ],
        }


def suppress(count: int, threshold: int) -> Cell:
    """A count as published: 1 to ``threshold - 1`` becomes 「<threshold」 (0 stays 0)."""
    if 0 < count < threshold:
        return Cell(count, f"<{threshold}", True)
    return Cell(count, str(count), False)


def _figure(value: float | None, cases: int, threshold: int, unit: str) -> Figure:
    if value is None or cases < threshold:
        return Figure(None, suppress(cases, threshold), NOT_SHOWN)
    return Figure(value, suppress(cases, threshold), f"{value:g} {unit}")


def settings_of(session: Session) -> tuple[int, tuple[str, ...]]:
    """The threshold and the breakdowns shown, as the administrator set them."""
    threshold = int(content.get(session, "public_threshold"))
    shown = tuple(k for k in content.get(session, "public_breakdowns") if k in BREAKDOWNS)
    return threshold, shown


def build(session: Session, period_from: date, period_to: date) -> PublicStatistics:
    """成果統計 of ``period_from``–``period_to`` (Taipei dates, inclusive)."""
    threshold, shown = settings_of(session)
    figures = dashboard.build(session, PUBLIC, period_from, period_to)
    return from_dashboard(figures, threshold, shown)


def from_dashboard(
    figures: Dashboard, threshold: int, shown: tuple[str, ...] = tuple(BREAKDOWNS)
) -> PublicStatistics:
    """The public view of a dashboard built for a non-ethics actor (no tips in it)."""
    if figures.includes_tips:
        raise ValueError("the public statistics are built from a dashboard without tips")

    def rows(items: tuple[Count, ...]) -> tuple[Row, ...]:
        return tuple(Row(c.key, c.label, suppress(c.count, threshold)) for c in items)

    weekly = tuple(
        Row(
            f"{w.iso_year}-W{w.iso_week:02d}",
            w.label,
            suppress(sum(values[i] for values in figures.weekly.values()), threshold),
        )
        for i, w in enumerate(figures.weeks)
    )
    sources = {
        "week": weekly,
        "nature": rows(figures.by_nature),
        "sub_item": rows(figures.by_sub_item),
        "theme": rows(figures.by_theme),
        "district": rows(figures.by_district),
    }
    tables = tuple(Table(key, BREAKDOWNS[key], sources[key]) for key in BREAKDOWNS if key in shown)
    ratings = figures.ratings
    return PublicStatistics(
        period_from=figures.period_from,
        period_to=figures.period_to,
        threshold=threshold,
        received=suppress(figures.received, threshold),
        answered=suppress(figures.first_answer.cases, threshold),
        transferred=suppress(sum(c.count for c in figures.by_agency), threshold),
        closed=suppress(figures.to_close.cases, threshold),
        first_answer=_figure(
            figures.first_answer.median_days, figures.first_answer.cases, threshold, "日"
        ),
        to_close=_figure(figures.to_close.median_days, figures.to_close.cases, threshold, "日"),
        satisfaction=_figure(figures.satisfaction_average, ratings, threshold, "分（滿分5分）"),
        tables=tables,
    )


@dataclass(frozen=True)
class PeriodChoice:
    """A period offered on the page."""

    key: str
    label: str
    period_from: date
    period_to: date


def choices(today: date, anchor: date) -> tuple[PeriodChoice, ...]:
    """The last complete two-week period, the last 12 weeks and the last year of periods,
    each ending when the last complete period ended."""
    last_from, last_to = report_periods.default_period(today, anchor)
    twelve = last_to - timedelta(days=report_periods.PERIOD_DAYS * 6 - 1)
    year = last_to - timedelta(days=report_periods.PERIOD_DAYS * 26 - 1)
    return (
        PeriodChoice("period", "最近一期（兩週）", last_from, last_to),
        PeriodChoice("12w", "近12週", twelve, last_to),
        PeriodChoice("year", "近一年", year, last_to),
    )
