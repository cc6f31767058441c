"""The inbox query: filters, search, keyset pages, counts, and tips kept from non-ethics staff."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lianping import codes
from lianping.context import Context
from lianping.storage import cases, residents
from lianping.storage.case_search import (
    ALL_TIPS,
    NO_TIPS,
    CaseFilter,
    FilterError,
    search,
    status_counts,
)

START = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def seed(ctx: Context, n: int = 30) -> None:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, "U" + "d" * 32)
        for i in range(n):
            nature = ("need", "reform", "tip")[i % 3]
            draft = {
                "nature": nature,
                "sub_item": {"need": "need-2", "reform": "reform-1", "tip": None}[nature],
                "theme": "works" if i % 2 else None,
                "description": f"第{i}號 反映內容 {'路燈' if i % 5 == 0 else '道路'}",
            }
            case = cases.create_from_line(
                session, resident, draft, 1, START + timedelta(hours=i), 30
            )
            if i % 4 == 0:
                case.status = codes.CLOSED


def test_pages_walk_every_visible_case_once_in_order(ctx: Context) -> None:
    seed(ctx)
    seen, cursor = [], None
    with ctx.sessions() as session:
        while True:
            page = search(session, CaseFilter(), tips=NO_TIPS, cursor=cursor, limit=7)
            seen += page.cases
            cursor = page.next_cursor
            if cursor is None:
                break
    assert len(seen) == 20  # the 10 tips are not shown
    created = [c.created_at for c in seen]
    assert created == sorted(created, reverse=True)
    assert len({c.id for c in seen}) == 20


def test_filters_search_and_counts(ctx: Context) -> None:
    seed(ctx)
    with ctx.sessions() as session:
        tips = search(session, CaseFilter(nature="tip"), tips=ALL_TIPS).cases
        assert len(tips) == 10
        assert search(session, CaseFilter(nature="tip"), tips=NO_TIPS).cases == []
        lamps = search(session, CaseFilter(q="路燈"), tips=ALL_TIPS).cases
        expected = {f"第{i}號" for i in range(0, 30, 5)}
        assert {c.description.split()[0] for c in lamps} == expected
        themed = search(session, CaseFilter(theme="works", status="open"), tips=ALL_TIPS).cases
        # The odd cases have the theme; only even ones were closed.
        assert len(themed) == 15
        assert all(c.theme == "works" and c.status != codes.CLOSED for c in themed)
        day = search(
            session,
            CaseFilter(date_from=date(2026, 11, 1), date_to=date(2026, 11, 1)),
            tips=ALL_TIPS,
        ).cases
        # 10:00 Taipei plus 13 hours stays on 11月1日.
        assert len(day) == 14
        counts = status_counts(session, CaseFilter(nature="need"), tips=NO_TIPS)
        assert counts[codes.CLOSED] + counts[codes.RECEIVED] == 10


def test_bad_filters_are_refused() -> None:
    with pytest.raises(FilterError):
        CaseFilter.from_args({"status": "lost"})
    with pytest.raises(FilterError):
        CaseFilter.from_args({"date_from": "115-01-01"})
    assert CaseFilter.from_args({"overdue": "1", "unit_id": "3"}) == CaseFilter(
        overdue=True, unit_id=3
    )


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "WyIyMDI2LTExLTAxVDAwOjAwOjAwIiwgMV0",
        "WyIyMDI2LTExLTAxVDAwOjAwOjAwKzAwOjAwIiwgLTFd",
    ],
    ids=["garbage", "naive-time", "negative-id"],
)
def test_bad_cursors_are_refused(ctx: Context, cursor: str) -> None:
    with ctx.sessions() as session, pytest.raises(FilterError):
        search(session, CaseFilter(), tips=NO_TIPS, cursor=cursor)


def test_case_number_search_is_a_prefix_match(ctx: Context) -> None:
    seed(ctx, 5)
    with ctx.sessions() as session:
        found = search(session, CaseFilter(q="1151101-000"), tips=ALL_TIPS).cases
        assert sorted(c.number for c in found) == [f"1151101-000{i}" for i in range(1, 6)]
        assert search(session, CaseFilter(q="151101"), tips=ALL_TIPS).cases == []


def test_text_search_has_no_tab_counts(ctx: Context) -> None:
    seed(ctx, 3)
    with ctx.sessions() as session:
        assert status_counts(session, CaseFilter(q="路燈"), tips=ALL_TIPS) is None
        assert status_counts(session, CaseFilter(), tips=ALL_TIPS) is not None
