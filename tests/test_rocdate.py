"""The one ROC date formatter: year boundaries, early years, the Taipei midnight edge."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lianping import rocdate


def test_plain_dates() -> None:
    assert rocdate.roc_date(date(2026, 11, 21)) == "115年11月21日"
    assert rocdate.roc_date(date(2011, 1, 1)) == "100年1月1日"
    assert rocdate.roc_date(date(2010, 12, 31)) == "99年12月31日"
    assert rocdate.roc_date(date(1912, 1, 1)) == "1年1月1日"


def test_before_the_republic_is_refused() -> None:
    with pytest.raises(ValueError):
        rocdate.roc_date(date(1911, 12, 31))


def test_taipei_midnight_edge() -> None:
    # 15:59:59 UTC is 23:59:59 in Taipei; a second later it is the next day there.
    assert rocdate.roc_date(datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC)) == "115年12月31日"
    assert rocdate.roc_date(datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC)) == "116年1月1日"
    assert rocdate.roc_datetime(datetime(2026, 12, 31, 16, 5, tzinfo=UTC)) == "116年1月1日 00:05"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        rocdate.roc_date(datetime(2026, 1, 1, 12, 0))


def test_compact_form_for_case_numbers() -> None:
    assert rocdate.roc_compact(date(2026, 3, 5)) == "1150305"
    assert rocdate.roc_compact(date(2000, 3, 5)) == "0890305"


def test_periods() -> None:
    assert rocdate.roc_period(date(2026, 11, 9), date(2026, 11, 22)) == "115年11月9-22日"
    assert rocdate.roc_period(date(2026, 10, 26), date(2026, 11, 8)) == "115年10月26日-11月8日"
    assert rocdate.roc_period(date(2026, 12, 21), date(2027, 1, 3)) == "115年12月21日-116年1月3日"


def test_end_of_taipei_day() -> None:
    moment = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)  # already 11/22 01:00 in Taipei
    due = rocdate.end_of_taipei_day(moment, 30)
    assert rocdate.roc_datetime(due) == "115年12月22日 23:59"


def test_the_year_100_boundary_and_early_years() -> None:
    # 民國 100 begins at Taipei midnight, 16:00 UTC the day before.
    assert rocdate.roc_date(datetime(2010, 12, 31, 15, 59, 59, tzinfo=UTC)) == "99年12月31日"
    assert rocdate.roc_date(datetime(2010, 12, 31, 16, 0, tzinfo=UTC)) == "100年1月1日"
    assert rocdate.roc_year(datetime(2010, 12, 31, 16, 0, tzinfo=UTC)) == 100
    assert rocdate.roc_compact(date(1912, 1, 1)) == "0010101"
    assert rocdate.roc_compact(date(2011, 1, 1)) == "1000101"
    assert rocdate.roc_date(date(2024, 2, 29)) == "113年2月29日"
    # The first moment of 民國元年 in Taipei is still 1911 in UTC.
    assert rocdate.roc_date(datetime(1911, 12, 31, 16, 0, tzinfo=UTC)) == "1年1月1日"
    with pytest.raises(ValueError):
        rocdate.roc_date(datetime(1911, 12, 31, 15, 59, tzinfo=UTC))


def test_periods_across_the_year_100_boundary_and_within_a_day() -> None:
    assert rocdate.roc_period(date(2010, 12, 27), date(2011, 1, 9)) == "99年12月27日-100年1月9日"
    assert rocdate.roc_period(date(2026, 1, 31), date(2026, 2, 1)) == "115年1月31日-2月1日"
    assert rocdate.roc_period(date(2026, 11, 9), date(2026, 11, 9)) == "115年11月9日"


def test_taipei_midnight_in_datetimes() -> None:
    assert rocdate.roc_datetime(datetime(2026, 11, 8, 16, 0, tzinfo=UTC)) == "115年11月9日 00:00"
    assert rocdate.roc_datetime(datetime(2026, 11, 8, 15, 59, tzinfo=UTC)) == "115年11月8日 23:59"
    assert rocdate.taipei_date(date(2026, 11, 8)) == date(2026, 11, 8)


def test_taipei_midnight_is_the_day_before_at_16_utc() -> None:
    assert rocdate.taipei_midnight(date(2026, 1, 1)) == datetime(2025, 12, 31, 16, tzinfo=UTC)
    assert rocdate.taipei_midnight(rocdate.LAST_DAY) == datetime(2999, 12, 30, 16, tzinfo=UTC)
