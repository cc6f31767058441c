"""The supervisors' dashboard as data: cases, answers, satisfaction and promotion in a period.

``build`` runs a handful of set-based queries (GROUP BY in the database, never one query
per case) and returns a ``Dashboard``. Everything in it is a count, a median or an average:
no names, no contact data, no case text. Confidential tips (``tip``) are counted only for
ethics staff; for everyone else they are left out of every figure.

What the figures mean:

- received: cases whose ``created_at`` falls in the period, by ISO week (Monday–Sunday,
  Asia/Taipei), nature, current status, theme, and the unit 簽會 or the agency 函轉;
- open / overdue: the state now, whatever the period (the inbox's 未結案 tab and its
  逾期 filter: past due and not yet answered);
- days to first answer: cases first answered in the period, from receipt to the earliest
  ``reply`` on LINE or change of status to 已回覆 (an answer given by phone or letter);
- days to close: cases 結案 in the period, from receipt to ``closed_at``;
- satisfaction: ratings given in the period;
- broadcasts: those that went out (``storage.promotions.went_out``), dated by the start
  of sending, as in the biweekly report.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Float, Integer, Select, and_, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from lianping import codes
from lianping.rocdate import roc_date, roc_period, taipei_midnight
from lianping.services import report_periods
from lianping.services.access import Actor
from lianping.storage import case_search, promotions
from lianping.storage.models import (
    Agency,
    Case,
    CaseEvent,
    Unit,
    utcnow,
)

# Longest period the dashboard draws: two years of weekly bars is already dense.
MAX_PERIOD_DAYS = 731
NO_UNIT = "尚未簽會或函轉"
NO_THEME = "未分類"
NO_SUB_ITEM = "未分細項"
NO_DISTRICT = "未指明區"


def check_period(period_from: date, period_to: date) -> None:
    """Refuse a reversed, out-of-range or over-long period (raises ``PeriodError``)."""
    report_periods.validate(period_from, period_to, longest=(MAX_PERIOD_DAYS, "兩年"))


@dataclass(frozen=True)
class Week:
    """One ISO week of the period, clipped to the period's ends."""

    start: date
    end: date
    iso_year: int
    iso_week: int

    @property
    def label(self) -> str:
        """``115年11月16-22日``."""
        return roc_period(self.start, self.end)


def weeks_of(period_from: date, period_to: date) -> tuple[Week, ...]:
    """The ISO weeks (Monday–Sunday) that overlap the period, in order."""
    weeks = []
    monday = period_from - timedelta(days=period_from.weekday())
    while monday <= period_to:
        iso = monday.isocalendar()
        weeks.append(
            Week(
                max(monday, period_from),
                min(monday + timedelta(days=6), period_to),
                iso.year,
                iso.week,
            )
        )
        monday += timedelta(days=7)
    return tuple(weeks)


@dataclass(frozen=True)
class Count:
    """How many cases (or ratings) fall under one key; ``label`` is the zh-TW word."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Duration:
    """The median of a set of durations, in days, and how many cases it is taken over."""

    median_days: float | None
    cases: int


@dataclass(frozen=True)
class BroadcastReach:
    """One sent broadcast and how far it went."""

    id: int
    title: str
    sent_at: datetime
    recipients: int
    quiz_answers: int
    quiz_correct: int
    link_taps: int


@dataclass(frozen=True)
class Dashboard:
    """Every figure of the dashboard for one period (both ends inclusive, Taipei dates)."""

    period_from: date
    period_to: date
    generated_at: datetime
    includes_tips: bool
    weeks: tuple[Week, ...]
    # Cases received per week, one tuple (aligned with ``weeks``) per nature shown.
    weekly: dict[str, tuple[int, ...]]
    by_nature: tuple[Count, ...]
    by_status: tuple[Count, ...]
    # Handled in house (by the unit 簽會, or not yet routed) and transferred (by agency).
    by_unit: tuple[Count, ...]
    by_agency: tuple[Count, ...]
    by_theme: tuple[Count, ...]
    # Seed 004's sub-items and the 區 of the matter (the public statistics show these).
    by_sub_item: tuple[Count, ...]
    by_district: tuple[Count, ...]
    open_now: int
    overdue_now: int
    first_answer: Duration
    to_close: Duration
    satisfaction: tuple[Count, ...]
    broadcasts: tuple[BroadcastReach, ...]

    @property
    def received(self) -> int:
        """Cases received in the period."""
        return sum(item.count for item in self.by_nature)

    @property
    def period_text(self) -> str:
        """``115年8月31日-11月22日``."""
        return roc_period(self.period_from, self.period_to)

    @property
    def ratings(self) -> int:
        """How many satisfaction ratings were given in the period."""
        return sum(item.count for item in self.satisfaction)

    @property
    def satisfaction_average(self) -> float | None:
        """The mean 1–5 rating of the period, to two decimals (None without ratings)."""
        if not self.ratings:
            return None
        total = sum(int(item.key) * item.count for item in self.satisfaction)
        return round(total / self.ratings, 2)

    @property
    def recipients(self) -> int:
        """Messages delivered by the period's broadcasts (one per follower reached)."""
        return sum(b.recipients for b in self.broadcasts)

    @property
    def quiz_answers(self) -> int:
        """有獎徵答 answers to the period's broadcasts."""
        return sum(b.quiz_answers for b in self.broadcasts)

    @property
    def link_taps(self) -> int:
        """Taps on the period's broadcasts' links."""
        return sum(b.link_taps for b in self.broadcasts)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON, as the page embeds it for its charts."""

        def counts(items: tuple[Count, ...]) -> list[dict[str, Any]]:
            return [{"key": c.key, "label": c.label, "count": c.count} for c in items]

        return {
            "period": {
                "from": self.period_from.isoformat(),
                "to": self.period_to.isoformat(),
                "text": self.period_text,
            },
            "includes_tips": self.includes_tips,
            "weeks": [
                {
                    "start": w.start.isoformat(),
                    "end": w.end.isoformat(),
                    "iso_week": f"{w.iso_year}-W{w.iso_week:02d}",
                    "label": w.label,
                }
                for w in self.weeks
            ],
            "weekly": [
                {"key": nature, "label": codes.NATURES[nature], "counts": list(values)}
                for nature, values in self.weekly.items()
            ],
            "received": self.received,
            "by_nature": counts(self.by_nature),
            "by_status": counts(self.by_status),
            "by_unit": counts(self.by_unit),
            "by_agency": counts(self.by_agency),
            "by_theme": counts(self.by_theme),
            "by_sub_item": counts(self.by_sub_item),
            "by_district": counts(self.by_district),
            "open_now": self.open_now,
            "overdue_now": self.overdue_now,
            "first_answer": {
                "median_days": self.first_answer.median_days,
                "cases": self.first_answer.cases,
            },
            "to_close": {"median_days": self.to_close.median_days, "cases": self.to_close.cases},
            "satisfaction": {
                "average": self.satisfaction_average,
                "ratings": self.ratings,
                "by_score": counts(self.satisfaction),
            },
            "broadcasts": {
                "count": len(self.broadcasts),
                "recipients": self.recipients,
                "quiz_answers": self.quiz_answers,
                "link_taps": self.link_taps,
                "items": [
                    {
                        "title": b.title,
                        "sent_on": roc_date(b.sent_at),
                        "recipients": b.recipients,
                        "quiz_answers": b.quiz_answers,
                        "quiz_correct": b.quiz_correct,
                        "link_taps": b.link_taps,
                    }
                    for b in self.broadcasts
                ],
            },
        }


def build(
    session: Session,
    actor: Actor,
    period_from: date,
    period_to: date,
    *,
    now: datetime | None = None,
) -> Dashboard:
    """The dashboard of ``period_from``–``period_to`` (Taipei dates, inclusive) for ``actor``."""
    check_period(period_from, period_to)
    now = now or utcnow()
    start, end = taipei_midnight(period_from), taipei_midnight(period_to + timedelta(days=1))
    weeks = weeks_of(period_from, period_to)
    natures = [n for n in codes.NATURES if n != codes.TIP or actor.ethics]
    # Every case query carries this: tips (and former tips) exist for ethics staff only.
    visible = Case.nature.in_(natures) if actor.ethics else Case.confidential.is_(False)

    received = _received(session, visible, start, end, weeks)
    weekly = {n: tuple(received.weekly[(i, n)] for i in range(len(weeks))) for n in natures}
    by_unit, by_agency = _handlers(session, received.handler)
    return Dashboard(
        period_from=period_from,
        period_to=period_to,
        generated_at=now,
        includes_tips=actor.ethics,
        weeks=weeks,
        weekly=weekly,
        by_nature=tuple(Count(n, codes.NATURES[n], received.nature[n]) for n in natures),
        by_status=tuple(
            Count(s, words, received.status[s])
            for s, words in codes.STATUSES.items()
            if received.status[s]
        ),
        by_unit=by_unit,
        by_agency=by_agency,
        by_theme=tuple(
            Count(t or "none", codes.THEMES.get(t or "", NO_THEME), n)
            for t, n in sorted(received.theme.items(), key=_theme_order)
        ),
        by_sub_item=_sub_items(received.sub_item),
        by_district=_districts(received.district),
        open_now=_count(session, visible, Case.status.in_(codes.OPEN_STATUSES)),
        overdue_now=_count(session, visible, case_search.overdue(now)),
        first_answer=_median(session, _first_answers(visible, start, end)),
        to_close=_median(session, _closings(visible, start, end)),
        satisfaction=_satisfaction(session, visible, start, end),
        broadcasts=_broadcasts(session, start, end),
    )


@dataclass
class _Received:
    """The period's cases counted every way the dashboard shows them."""

    weekly: Counter[tuple[int, str]]
    nature: Counter[str]
    status: Counter[str]
    handler: Counter[tuple[int | None, int | None]]
    theme: Counter[str | None]
    sub_item: Counter[str | None]
    district: Counter[str | None]


class WeeksSince(FunctionElement[int]):
    """Whole weeks from a moment (given as Unix seconds) to a stored time, in the database.

    Taiwan has kept UTC+8 without daylight saving since 1979, so Taipei weeks are exactly
    604,800 seconds long and counting from a Monday's Taipei midnight gives the ISO week.
    """

    type = Integer()
    inherit_cache = True
    name = "weeks_since"


@compiles(WeeksSince, "postgresql")
def _weeks_since_postgresql(element: WeeksSince, compiler: Any, **kw: Any) -> str:
    moment, since = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(FLOOR((EXTRACT(EPOCH FROM {moment}) - {since}) / 604800) AS INTEGER)"


@compiles(WeeksSince)
def _weeks_since_sqlite(element: WeeksSince, compiler: Any, **kw: Any) -> str:
    # Whole seconds cut from the stored text (SQLite would round 23:59:59.9995 up to the next
    # day); integer division truncates, which is the floor here: no case predates the period.
    moment, since = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((CAST(strftime('%s', substr({moment}, 1, 19)) AS INTEGER) - {since}) / 604800)"


def _received(
    session: Session, visible: Any, start: datetime, end: datetime, weeks: tuple[Week, ...]
) -> _Received:
    """One pass over the period's cases, grouped by week, nature, status, handler, theme,
    sub-item and 區."""
    first_monday = taipei_midnight(weeks[0].start - timedelta(days=weeks[0].start.weekday()))
    week = WeeksSince(Case.created_at, literal(int(first_monday.timestamp())))
    rows = (
        select(
            week.label("week"),
            Case.nature,
            Case.status,
            Case.unit_id,
            Case.agency_id,
            Case.theme,
            Case.sub_item,
            Case.district,
        )
        .where(visible, Case.created_at >= start, Case.created_at < end)
        .subquery()
    )
    grouped = select(
        rows.c.week,
        rows.c.nature,
        rows.c.status,
        rows.c.unit_id,
        rows.c.agency_id,
        rows.c.theme,
        rows.c.sub_item,
        rows.c.district,
        func.count(),
    ).group_by(
        rows.c.week,
        rows.c.nature,
        rows.c.status,
        rows.c.unit_id,
        rows.c.agency_id,
        rows.c.theme,
        rows.c.sub_item,
        rows.c.district,
    )
    found = _Received(*(Counter() for _ in range(7)))  # type: ignore[arg-type]
    for row in session.execute(grouped):
        week_index, nature, status, unit_id, agency_id, theme, sub_item, district, n = row
        found.weekly[(int(week_index), nature)] += n
        found.nature[nature] += n
        found.status[status] += n
        found.handler[(unit_id, agency_id)] += n
        found.theme[theme] += n
        found.sub_item[sub_item] += n
        found.district[district] += n
    return found


def _sub_items(found: Counter[str | None]) -> tuple[Count, ...]:
    """Cases by sub-item in seed 004's order, those without one last."""
    listed = [Count(code, item.label, found[code]) for code, item in codes.SUB_ITEMS.items()]
    listed.append(Count("none", NO_SUB_ITEM, found[None]))
    return tuple(item for item in listed if item.count)


def _districts(found: Counter[str | None]) -> tuple[Count, ...]:
    """Cases by 區 in name order, those with no 區 known last."""
    named = sorted((d, n) for d, n in found.items() if d is not None)
    listed = [Count(d, d, n) for d, n in named]
    if found[None]:
        listed.append(Count("none", NO_DISTRICT, found[None]))
    return tuple(listed)


def _theme_order(item: tuple[str | None, int]) -> int:
    """Themes in the plan's order (codes.THEMES), unclassified last."""
    order = list(codes.THEMES)
    return order.index(item[0]) if item[0] in order else len(order)


def _handlers(
    session: Session, counts: Counter[tuple[int | None, int | None]]
) -> tuple[tuple[Count, ...], tuple[Count, ...]]:
    """Cases by who handles them: (units 簽會 and the unrouted, agencies 函轉 to).

    A case transferred to another agency counts for that agency even if a unit of our own
    was asked first: the agency answers it.
    """
    names = {
        "unit": dict(session.execute(select(Unit.id, Unit.name)).all()),
        "agency": dict(session.execute(select(Agency.id, Agency.name)).all()),
    }
    found: dict[str, Counter[int]] = {"unit": Counter(), "agency": Counter()}
    unrouted = 0
    for (unit_id, agency_id), n in counts.items():
        if agency_id is not None:
            found["agency"][agency_id] += n
        elif unit_id is not None:
            found["unit"][unit_id] += n
        else:
            unrouted += n

    def listed(kind: str) -> list[Count]:
        named = names[kind]
        ranked = sorted(found[kind].items(), key=lambda kv: (-kv[1], named.get(kv[0], "")))
        return [Count(f"{kind}-{i}", named.get(i, str(i)), n) for i, n in ranked]

    units = listed("unit") + ([Count("none", NO_UNIT, unrouted)] if unrouted else [])
    return tuple(units), tuple(listed("agency"))


def _count(session: Session, *conditions: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(Case).where(*conditions)) or 0)


class DaysBetween(FunctionElement[float]):
    """The days (with fraction) from the second moment to the first, computed in the database.

    Computing it there spares turning thousands of stored times into Python datetimes.
    """

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(DaysBetween, "postgresql")
def _days_between_postgresql(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION) / 86400.0"


@compiles(DaysBetween)
def _days_between_sqlite(element: DaysBetween, compiler: Any, **kw: Any) -> str:
    # SQLite keeps UTC times as ISO text, which julianday() reads.
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


def _first_answers(visible: Any, start: datetime, end: datetime) -> Select[Any]:
    """Days from receipt to first answer, of the cases whose first answer falls in the period."""
    answer = or_(
        CaseEvent.kind == "reply",
        and_(CaseEvent.kind == "status", CaseEvent.data["status"].as_string() == codes.REPLIED),
    )
    first = (
        select(CaseEvent.case_id, func.min(CaseEvent.created_at).label("at"))
        .where(answer, CaseEvent.created_at < end)
        .group_by(CaseEvent.case_id)
        .subquery()
    )
    return (
        select(DaysBetween(first.c.at, Case.created_at).label("days"))
        .join(first, first.c.case_id == Case.id)
        .where(visible, first.c.at >= start)
    )


def _closings(visible: Any, start: datetime, end: datetime) -> Select[Any]:
    """Days from receipt to 結案, of the cases closed in the period (and not reopened since)."""
    return select(DaysBetween(Case.closed_at, Case.created_at).label("days")).where(
        visible,
        Case.status == codes.CLOSED,
        Case.closed_at >= start,
        Case.closed_at < end,
    )


def _median(session: Session, durations: Select[Any]) -> Duration:
    """The median (to one decimal) and the count of a select of durations labelled ``days``."""
    if session.get_bind().dialect.name == "postgresql":
        # The database sorts and takes the middle: two numbers cross the wire, not thousands.
        rows = durations.subquery()
        median, count = session.execute(
            select(func.percentile_cont(0.5).within_group(rows.c.days), func.count())
        ).one()
        return Duration(None if median is None else round(float(median), 1), int(count))
    days = [float(d) for d in session.scalars(durations)]
    if not days:
        return Duration(None, 0)
    return Duration(round(statistics.median(days), 1), len(days))


def _satisfaction(
    session: Session, visible: Any, start: datetime, end: datetime
) -> tuple[Count, ...]:
    """Ratings given in the period, for each score 1–5 (zeros included, for the chart)."""
    rows = session.execute(
        select(Case.satisfaction, func.count())
        .where(
            visible,
            Case.satisfaction.is_not(None),
            Case.satisfaction_at >= start,
            Case.satisfaction_at < end,
        )
        .group_by(Case.satisfaction)
    )
    found = {int(score): int(n) for score, n in rows if score is not None}
    return tuple(Count(str(score), f"{score} 分", found.get(score, 0)) for score in range(1, 6))


def _broadcasts(session: Session, start: datetime, end: datetime) -> tuple[BroadcastReach, ...]:
    """Broadcasts that went out in the period, with their quiz answers and link taps."""
    sent = promotions.started_between(session, start, end)
    answers, taps = promotions.responses(session, [b.id for b in sent])
    return tuple(
        BroadcastReach(
            id=b.id,
            title=b.title,
            sent_at=b.started_at,
            recipients=b.reached if b.status == "stopped" else b.recipients or 0,
            quiz_answers=answers.get(b.id, (0, 0))[0],
            quiz_correct=answers.get(b.id, (0, 0))[1],
            link_taps=taps.get(b.id, 0),
        )
        for b in sent
        if b.started_at is not None
    )
