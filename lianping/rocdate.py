"""Dates as people in Taiwan read them: 民國 years, Asia/Taipei time.

Stored times are timezone-aware UTC; every date shown to a person goes
through here (民國 = AD − 1911).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

TAIPEI = ZoneInfo("Asia/Taipei")
ROC_OFFSET = 1911
# Dates people may ask for: every one has an ROC form (民國元年 onwards) and a
# four-digit AD year, so a day after the last one still exists.
FIRST_DAY = date(ROC_OFFSET + 1, 1, 1)
LAST_DAY = date(2999, 12, 31)


def to_taipei(moment: datetime) -> datetime:
    """An aware datetime in Asia/Taipei (naive input is refused: store UTC only)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware value")
    return moment.astimezone(TAIPEI)


def taipei_date(value: datetime | date) -> date:
    """The calendar date in Taipei of a moment (a plain date is returned as is)."""
    return to_taipei(value).date() if isinstance(value, datetime) else value


def taipei_today() -> date:
    """Today's calendar date in Taipei (not the server's, which is usually UTC)."""
    return datetime.now(UTC).astimezone(TAIPEI).date()


def roc_year(value: datetime | date) -> int:
    """The 民國 year of a date; years before 民國 1 are not used by the product."""
    year = taipei_date(value).year - ROC_OFFSET
    if year < 1:
        raise ValueError("dates before 民國元年 have no ROC year")
    return year


def roc_date(value: datetime | date) -> str:
    """``115年11月21日``."""
    day = taipei_date(value)
    return f"{roc_year(day)}年{day.month}月{day.day}日"


def roc_datetime(value: datetime) -> str:
    """``115年11月21日 14:05`` in Taipei time."""
    local = to_taipei(value)
    return f"{roc_date(local)} {local:%H:%M}"


def roc_compact(value: datetime | date) -> str:
    """``1151121``: the 民國 date as digits, used in case numbers (zero-padded year to 3)."""
    day = taipei_date(value)
    return f"{roc_year(day):03d}{day.month:02d}{day.day:02d}"


def roc_period(start: date, end: date) -> str:
    """``115年11月9-22日``, or across months ``115年10月26日-11月8日`` (附件2's 統計期間)."""
    if start == end:
        return roc_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{roc_year(start)}年{start.month}月{start.day}-{end.day}日"
    if start.year == end.year:
        return f"{roc_year(start)}年{start.month}月{start.day}日-{end.month}月{end.day}日"
    return f"{roc_date(start)}-{roc_date(end)}"


def taipei_midnight(day: date) -> datetime:
    """00:00 Taipei time of ``day``, as UTC (the start of a Taipei calendar day)."""
    return datetime(day.year, day.month, day.day, tzinfo=TAIPEI).astimezone(UTC)


def end_of_taipei_day(value: datetime, days_later: int = 0) -> datetime:
    """23:59:59 Taipei time ``days_later`` days after ``value``'s Taipei date, as UTC."""
    day = taipei_date(value) + timedelta(days=days_later)
    local = datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=TAIPEI)
    return local.astimezone(UTC)
