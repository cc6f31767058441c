"""The biweekly report's 統計期間: two-week periods aligned to an anchor date, or a custom range.

Seed 004 玖.四 asks for the report "每隔二週". Periods are Asia/Taipei calendar
dates, both ends inclusive: the anchor (a Monday by default) starts one period,
and every 14 days after (or before) it starts the next.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from lianping.rocdate import FIRST_DAY, LAST_DAY, taipei_midnight

PERIOD_DAYS = 14


class PeriodError(ValueError):
    """A custom period that cannot be reported; the message says why (zh-TW)."""


def period_containing(day: date, anchor: date) -> tuple[date, date]:
    """The two-week period (aligned to ``anchor``) that ``day`` falls in."""
    start = anchor + timedelta(days=(day - anchor).days // PERIOD_DAYS * PERIOD_DAYS)
    return start, start + timedelta(days=PERIOD_DAYS - 1)


def default_period(today: date, anchor: date) -> tuple[date, date]:
    """The last complete two-week period before ``today`` (the one whose report is due)."""
    start, _ = period_containing(today, anchor)
    previous = start - timedelta(days=PERIOD_DAYS)
    return previous, start - timedelta(days=1)


def shift(period_from: date, period_to: date, periods: int) -> tuple[date, date]:
    """The range moved by ``periods`` times its own length (previous: -1, next: +1)."""
    days = ((period_to - period_from).days + 1) * periods
    return period_from + timedelta(days=days), period_to + timedelta(days=days)


def parse_day(raw: str | None, label: str) -> date:
    """An ISO date (YYYY-MM-DD) typed or sent by a person, with a zh-TW error."""
    text = (raw or "").strip()
    if not text:
        raise PeriodError(f"請輸入統計期間{label}。")
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise PeriodError(
            f"統計期間{label}格式不正確，請以西元年-月-日輸入，例如 2026-11-09。"
        ) from None
    return day


def validate(
    period_from: date, period_to: date, *, longest: tuple[int, str] | None = None
) -> tuple[date, date]:
    """A range as given, if it can be reported (else ``PeriodError``).

    ``longest`` is (days, the limit in words) for pages that cap the length.
    """
    if period_from > period_to:
        raise PeriodError("統計期間起日不得晚於迄日。")
    if period_from < FIRST_DAY or period_to > LAST_DAY:
        raise PeriodError("統計期間須在民國元年1月1日至西元2999年12月31日之間。")
    if longest is not None and (period_to - period_from).days >= longest[0]:
        raise PeriodError(f"統計期間最長為{longest[1]}，請縮短期間。")
    return period_from, period_to


def parse(
    raw_from: str | None, raw_to: str | None, *, longest: tuple[int, str] | None = None
) -> tuple[date, date]:
    """A range from two ISO date strings, validated."""
    return validate(parse_day(raw_from, "起日"), parse_day(raw_to, "迄日"), longest=longest)


def utc_bounds(period_from: date, period_to: date) -> tuple[datetime, datetime]:
    """The period as a half-open UTC range: Taipei midnight of the first day to the day after."""
    return taipei_midnight(period_from), taipei_midnight(period_to + timedelta(days=1))


def anchor_from_setting(value: object) -> date:
    """The anchor date stored as an ISO string in the ``report_anchor_date`` setting."""
    return date.fromisoformat(str(value))
