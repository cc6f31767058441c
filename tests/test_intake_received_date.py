"""Manual intake records the 收件日期 the report was made, not the day it was typed in.

A report taken at Tuesday's 座談 and written up on Thursday carries Tuesday: its
due date counts from Tuesday, its case page shows Tuesday, and the biweekly report
counts it in Tuesday's period.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping import rocdate
from lianping.context import Context
from lianping.reports import biweekly
from lianping.services import content
from lianping.storage.models import AuditEntry, Case, CaseEvent
from tests.admin_support import api_token, staff
from tests.test_admin_pages import Staff, page_text

REPORT = {
    "channel": "meeting",
    "recorder": "officer 測試",
    "reporter_name": "陳美玲",
    "reporter_phone": "0912-345-678",
    "nature": "need",
    "sub_item": "need-2",
    "description": "仁愛里活動中心旁的排水溝蓋破損，長者行經時容易絆倒。",
    "petition_confirmed": "1",
    "notice_method": "printed",
}


@pytest.fixture
def officer(quiet_app: Any, ctx: Context, quiet: Context) -> Staff:
    return Staff(quiet_app, ctx, staff(ctx, "officer", "officer"))


def _taipei(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=rocdate.TAIPEI).astimezone(UTC)


def _the_case(ctx: Context) -> Case:
    with ctx.sessions() as session:
        case = session.scalars(select(Case)).one()
        session.expunge(case)
        return case


def _cases(ctx: Context) -> int:
    with ctx.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Case)) or 0)


def test_the_form_asks_for_the_date_with_today_as_default(officer: Staff) -> None:
    html = officer.get("/admin/cases/new").get_data(as_text=True)
    today = rocdate.taipei_today()
    assert 'name="received_on"' in html and 'name="received_time"' in html
    assert f'value="{today.isoformat()}"' in html
    assert f'max="{today.isoformat()}"' in html
    assert "收件日期" in html


def test_a_report_typed_in_later_carries_the_day_it_was_made(ctx: Context, officer: Staff) -> None:
    today = rocdate.taipei_today()
    tuesday = today - timedelta(days=2)
    created = officer.post(
        "/admin/cases/new", {**REPORT, "received_on": tuesday.isoformat(), "received_time": "19:30"}
    )
    assert created.status_code == 302, page_text(created)
    case = _the_case(ctx)
    with ctx.sessions() as session:
        due_days = int(content.get(session, "due_days"))
        created_event = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "created")
        ).one()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.create")).one()
    assert case.created_at == _taipei(tuesday, 19, 30)
    # The due date counts from the day the report was made, not from the typing.
    assert case.due_at == rocdate.end_of_taipei_day(_taipei(tuesday, 19, 30), due_days)
    # The number carries the day it was received, as a LINE case's does.
    assert case.number.startswith(rocdate.roc_compact(tuesday))
    # The timeline says when it was received and when it was written up.
    assert created_event.created_at == _taipei(tuesday, 19, 30)
    assert created_event.body is not None and rocdate.roc_date(today) in created_event.body
    assert entry.after is not None and entry.after["received_at"].startswith(
        _taipei(tuesday, 19, 30).isoformat()[:16]
    )
    page = page_text(officer.get(f"/admin/cases/{case.number}"))
    assert f"{rocdate.roc_date(tuesday)} 19:30" in page


def test_a_date_alone_is_shown_as_a_date(ctx: Context, officer: Staff) -> None:
    day = rocdate.taipei_today() - timedelta(days=9)
    created = officer.post("/admin/cases/new", {**REPORT, "received_on": day.isoformat()})
    assert created.status_code == 302, page_text(created)
    case = _the_case(ctx)
    assert rocdate.taipei_date(case.created_at) == day
    page = page_text(officer.get(f"/admin/cases/{case.number}"))
    # No made-up time of day: the summary shows the date alone.
    assert f"收件時間 {rocdate.roc_date(day)} " in " ".join(page.split()) + " "
    assert f"{rocdate.roc_date(day)} 00:00" not in page


def test_today_without_a_time_is_recorded_as_now(ctx: Context, officer: Staff) -> None:
    before = datetime.now(UTC)
    created = officer.post(
        "/admin/cases/new", {**REPORT, "received_on": rocdate.taipei_today().isoformat()}
    )
    assert created.status_code == 302, page_text(created)
    assert before - timedelta(seconds=1) <= _the_case(ctx).created_at <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("received_on", "received_time", "message"),
    [
        ("TOMORROW", "", "收件日期不得晚於今天"),
        ("TODAY", "23:59", "收件時間不得晚於現在"),
        ("YEAR_AGO", "", "收件日期不得早於"),
        ("2026-02-30", "", "收件日期格式不正確"),
        ("115/3/3", "", "收件日期格式不正確"),
        ("", "", "請填寫收件日期"),
        ("TODAY", "25:00", "收件時間格式不正確"),
    ],
)
def test_an_impossible_date_is_refused_and_the_form_kept(
    ctx: Context, officer: Staff, received_on: str, received_time: str, message: str
) -> None:
    today = rocdate.taipei_today()
    days = {
        "TOMORROW": today + timedelta(days=1),
        "TODAY": today,
        "YEAR_AGO": today - timedelta(days=367),
    }
    typed = days[received_on].isoformat() if received_on in days else received_on
    if received_on == "TODAY" and received_time == "23:59":
        now = datetime.now(rocdate.TAIPEI)
        if now.hour == 23 and now.minute >= 58:
            pytest.skip("too close to midnight for a time later than now")
    refused = officer.post(
        "/admin/cases/new", {**REPORT, "received_on": typed, "received_time": received_time}
    )
    assert refused.status_code == 400
    assert message in page_text(refused)
    html = refused.get_data(as_text=True)
    assert f'value="{typed}"' in html and "陳美玲" in html
    if received_time:
        assert f'value="{received_time}"' in html
    assert _cases(ctx) == 0


def test_the_biweekly_report_counts_it_by_the_day_it_was_received(
    ctx: Context, officer: Staff
) -> None:
    today = rocdate.taipei_today()
    made = today - timedelta(days=20)
    created = officer.post("/admin/cases/new", {**REPORT, "received_on": made.isoformat()})
    assert created.status_code == 302, page_text(created)
    with ctx.sessions() as session:
        then = biweekly.build(session, made, made)
        now = biweekly.build(session, today - timedelta(days=1), today)
    assert then.rows[0].count == 1
    assert now.rows[0].count == 0


def test_the_api_takes_the_received_date_too(app: Any, ctx: Context) -> None:
    headers = api_token(ctx, staff(ctx, "api-officer"))
    day = rocdate.taipei_today() - timedelta(days=3)
    body = {key: value for key, value in REPORT.items() if key not in ("petition_confirmed",)} | {
        "petition_confirmed": True,
        "received_on": day.isoformat(),
        "received_time": "09:05",
    }
    response = app.test_client().post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert _the_case(ctx).created_at == _taipei(day, 9, 5)
    future = body | {"received_on": (rocdate.taipei_today() + timedelta(days=1)).isoformat()}
    refused = app.test_client().post("/api/v1/cases", json=future, headers=headers)
    assert refused.status_code == 422
    assert "收件日期不得晚於今天" in refused.get_json()["error"]["message"]
    assert _cases(ctx) == 1
