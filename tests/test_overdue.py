"""One overdue rule: past the due date and still waiting for an answer (a reply ends the wait).

The inbox filter, the dashboard count, the API's flag and the export's column all say the
same of every status, before and after the due date.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from lianping import codes
from lianping.context import Context
from lianping.reports import dashboard, exports
from lianping.services.access import SYSTEM
from lianping.storage import case_search
from lianping.storage.case_search import CaseFilter
from lianping.storage.models import Case, utcnow
from tests.admin_support import api_token, staff

WAITING = {codes.RECEIVED, codes.ASSIGNED, codes.IN_PROGRESS, codes.TRANSFERRED}


@pytest.fixture
def late(ctx: Context) -> set[str]:
    """A case of every status, due yesterday and due tomorrow; the numbers that are overdue."""
    now = utcnow()
    overdue = set()
    with ctx.sessions.begin() as session:
        for n, status in enumerate(codes.STATUSES):
            for days, suffix in ((-1, "1"), (1, "2")):
                number = f"1150101-{n:02d}{suffix}0"
                session.add(
                    Case(
                        number=number, channel="walk_in", nature="need", status=status,
                        description="測試案件", due_at=now + timedelta(days=days),
                        created_at=now - timedelta(days=40), updated_at=now,
                    )
                )  # fmt: skip
                if status in WAITING and days < 0:
                    overdue.add(number)
    return overdue


def test_the_filter_the_flag_the_export_and_the_count_agree(
    app: Any, ctx: Context, late: set[str]
) -> None:
    assert len(late) == len(WAITING)
    with ctx.sessions() as session:
        found = case_search.search(session, CaseFilter(overdue=True), tips=case_search.NO_TIPS)
        assert {case.number for case in found.cases} == late
        [page] = exports.rows(session, SYSTEM, CaseFilter())
        column = exports.HEADERS.index("逾期")
        assert {row[0] for row in page if row[column] == "是"} == late
        start = utcnow().date() - timedelta(days=60)
        figures = dashboard.build(session, SYSTEM, start, start + timedelta(days=59))
        assert figures.overdue_now == len(late)
    headers = api_token(ctx, staff(ctx, "api-officer"))
    listed = app.test_client().get("/api/v1/cases?limit=100", headers=headers).get_json()
    assert {item["number"] for item in listed["items"] if item["overdue"]} == late


def test_a_case_is_due_until_the_moment_passes() -> None:
    now = utcnow()
    assert case_search.is_overdue(codes.ASSIGNED, now - timedelta(seconds=1), now, None)
    assert not case_search.is_overdue(codes.ASSIGNED, now, now, None)
    assert not case_search.is_overdue(codes.REPLIED, now - timedelta(days=1), now, None)
    # Waiting for a 補陳 answer: the clock is paused.
    paused = now - timedelta(days=3)
    assert not case_search.is_overdue(codes.ASSIGNED, now - timedelta(days=1), now, paused)
