"""The supervisors' dashboard: every figure on a known set of cases and broadcasts, and the page.

The cases sit around week boundaries in Asia/Taipei (a case at 00:10 on a Monday in Taipei is
still Sunday in UTC), some are answered or closed before the period, one was reopened, and
two are confidential tips, so each rule of ``reports.dashboard`` has a case that breaks it.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from datetime import UTC, date, datetime
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from lianping import codes, rocdate
from lianping.context import Context
from lianping.reports import dashboard
from lianping.services.access import Actor
from lianping.services.report_periods import PeriodError
from lianping.storage import cases
from lianping.storage.models import (
    Agency,
    Broadcast,
    BroadcastLink,
    Case,
    CaseEvent,
    QuizAnswer,
    Resident,
    Unit,
)
from lianping_dev import demo
from tests.admin_support import logged_in, staff

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # Friday 12:00 in Taipei
PERIOD = (date(2026, 11, 2), date(2026, 11, 20))  # ISO weeks 45, 46 and 47 (to Friday)
VIEWER = Actor(None, "viewer1", "檢視者", "viewer")
ETHICS = Actor(None, "ethics1", "政風人員", "officer", ethics=True)


def tpe(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A moment given in Taipei time (2026)."""
    return datetime(2026, month, day, hour, minute, tzinfo=rocdate.TAIPEI).astimezone(UTC)


def _case(
    session: Any, number: str, nature: str, status: str, created: datetime, **more: Any
) -> Case:
    row = Case(
        number=number,
        channel="line",
        nature=nature,
        status=status,
        description=more.pop("description", "測試案件"),
        confidential=nature == codes.TIP,
        due_at=more.pop("due_at", rocdate.end_of_taipei_day(created, 30)),
        created_at=created,
        updated_at=created,
        **more,
    )
    session.add(row)
    session.flush()
    cases.add_event(session, row, "created", cases.RESIDENT, public=True, at=created)
    return row


def _reply(session: Any, case: Case, at: datetime) -> None:
    cases.add_event(session, case, "reply", "officer1", body="回覆", public=True, at=at)


def _answered_by_phone(session: Any, case: Case, at: datetime) -> None:
    cases.add_event(
        session, case, "status", "officer1", public=True, data={"status": codes.REPLIED}, at=at
    )


@pytest.fixture
def world(ctx: Context) -> dict[str, int]:
    """The cases and broadcasts every test here reads; returns unit and agency ids."""
    with ctx.sessions.begin() as session:
        works, civil = Unit(name="工務科"), Unit(name="民政科")
        river = Agency(name="經濟部水利署第十河川分署")
        session.add_all([works, civil, river])
        session.flush()
        # In the period (received 11/2–11/20, Taipei).
        a = _case(session, "1151102-0001", "need", "closed", tpe(11, 2), unit_id=works.id,
                  theme="works", closed_at=tpe(11, 7), satisfaction=4,
                  satisfaction_at=tpe(11, 7, 12))  # fmt: skip
        _reply(session, a, tpe(11, 4, 21))  # 2.5 days
        b = _case(session, "1151108-0001", "need", "transferred", tpe(11, 8, 23, 30),
                  agency_id=river.id, theme="dredging")  # fmt: skip
        cases.add_event(session, b, "transferred", "officer1", public=True, at=tpe(11, 10))
        # 00:10 Monday in Taipei is Sunday 16:10 UTC: week 46, not 45.
        c = _case(session, "1151109-0001", "reform", "replied", tpe(11, 9, 0, 10),
                  unit_id=civil.id)  # fmt: skip
        _answered_by_phone(session, c, tpe(11, 10, 12, 10))  # 1.5 days
        d = _case(session, "1151110-0001", "reform", "closed", tpe(11, 10, 10), unit_id=works.id,
                  theme="works", closed_at=tpe(11, 18, 10), satisfaction=2,
                  satisfaction_at=tpe(11, 18, 20))  # fmt: skip
        _reply(session, d, tpe(11, 13, 10))  # 3.0 days
        _reply(session, d, tpe(11, 14, 10))  # a second answer changes nothing
        _case(session, "1151117-0001", "need", "received", tpe(11, 17, 15))
        # Received before the period (23:00 Sunday 11/1, Taipei), answered and closed in it.
        f = _case(session, "1151101-0001", "need", "closed", tpe(11, 1, 23), unit_id=works.id,
                  theme="other", closed_at=tpe(11, 11, 23), satisfaction=5,
                  satisfaction_at=tpe(11, 12))  # fmt: skip
        _reply(session, f, tpe(11, 3, 11))  # 1.5 days
        # First answered before the period, answered again in it, closed in it, then reopened.
        h = _case(session, "1151010-0001", "need", "in_progress", tpe(10, 10, 10),
                  unit_id=civil.id, closed_at=tpe(11, 6, 10))  # fmt: skip
        _reply(session, h, tpe(10, 15, 10))
        _reply(session, h, tpe(11, 5, 10))
        # Old and still open: one waiting past its due date, one answered (not overdue).
        _case(session, "1151001-0001", "need", "assigned", tpe(10, 1))
        _case(session, "1151001-0002", "reform", "replied", tpe(10, 1, 10))
        # Tips: one handled in the period, one old and overdue.
        t1 = _case(session, "1151111-0001", "tip", "closed", tpe(11, 11, 10), theme="works",
                   closed_at=tpe(11, 12, 10), satisfaction=1,
                   satisfaction_at=tpe(11, 12, 11))  # fmt: skip
        _answered_by_phone(session, t1, tpe(11, 11, 22))  # 0.5 days
        _case(session, "1151005-0001", "tip", "received", tpe(10, 5, 10))

        residents = [Resident(line_user_id=f"U{n:032x}") for n in range(3)]
        session.add_all(residents)
        sent = Broadcast(title="有獎徵答：認識廉政檢舉專線", status="sent", recipients=120,
                         audience={"kind": "all"}, started_at=tpe(11, 5, 10),
                         finished_at=tpe(11, 5, 10, 5))  # fmt: skip
        later = Broadcast(title="村里長座談會花絮", status="sent", recipients=80,
                          audience={"kind": "area", "district": "板橋區"},
                          started_at=tpe(11, 18, 15), finished_at=tpe(11, 18, 15, 1))  # fmt: skip
        before = Broadcast(title="上月宣導", status="sent", recipients=500,
                           audience={"kind": "all"}, started_at=tpe(10, 20),
                           finished_at=tpe(10, 20, 0, 1))  # fmt: skip
        sending = Broadcast(title="發送中", status="sending", recipients=90,
                            audience={"kind": "all"}, started_at=tpe(11, 19))  # fmt: skip
        test_send = Broadcast(title="測試", status="sent", recipients=2,
                              audience={"kind": "test"}, finished_at=tpe(11, 6))  # fmt: skip
        session.add_all([sent, later, before, sending, test_send])
        session.flush()
        for resident, correct in zip(residents, (True, True, False), strict=True):
            session.add(QuizAnswer(broadcast_id=sent.id, message_index=1,
                                   resident_id=resident.id, choice=1 if correct else 2,
                                   correct=correct))  # fmt: skip
        session.add_all(
            [
                BroadcastLink(broadcast_id=sent.id, token="tok-a", url="https://a", clicks=5),
                BroadcastLink(broadcast_id=sent.id, token="tok-b", url="https://b", clicks=2),
                BroadcastLink(broadcast_id=later.id, token="tok-c", url="https://c", clicks=0),
                BroadcastLink(broadcast_id=before.id, token="tok-d", url="https://d", clicks=9),
            ]
        )
        return {"works": works.id, "civil": civil.id, "river": river.id}


def _build(ctx: Context, actor: Actor, period: tuple[date, date] = PERIOD) -> dashboard.Dashboard:
    with ctx.sessions() as session:
        return dashboard.build(session, actor, *period, now=NOW)


def _counts(items: tuple[dashboard.Count, ...]) -> list[tuple[str, str, int]]:
    return [(c.key, c.label, c.count) for c in items]


def test_every_figure_without_tips(ctx: Context, world: dict[str, int]) -> None:
    figures = _build(ctx, VIEWER)
    assert not figures.includes_tips
    assert [(w.start, w.end, w.iso_week, w.label) for w in figures.weeks] == [
        (date(2026, 11, 2), date(2026, 11, 8), 45, "115年11月2-8日"),
        (date(2026, 11, 9), date(2026, 11, 15), 46, "115年11月9-15日"),
        (date(2026, 11, 16), date(2026, 11, 20), 47, "115年11月16-20日"),
    ]
    assert figures.weekly == {"need": (2, 0, 1), "reform": (0, 2, 0)}
    assert figures.received == 5
    assert _counts(figures.by_nature) == [
        ("need", "民情需求事項", 3),
        ("reform", "施政興革反映", 2),
    ]
    assert _counts(figures.by_status) == [
        ("received", "新收", 1),
        ("transferred", "已函轉", 1),
        ("replied", "已回覆", 1),
        ("closed", "結案", 2),
    ]
    assert _counts(figures.by_unit) == [
        (f"unit-{world['works']}", "工務科", 2),
        (f"unit-{world['civil']}", "民政科", 1),
        ("none", "尚未簽會或函轉", 1),
    ]
    assert _counts(figures.by_agency) == [
        (f"agency-{world['river']}", "經濟部水利署第十河川分署", 1)
    ]
    assert _counts(figures.by_theme) == [
        ("works", "地方工程", 2),
        ("dredging", "河川疏濬", 1),
        ("none", "未分類", 2),
    ]
    # Now, whatever the period: B, C, E, H, the old assigned and the old replied case …
    assert figures.open_now == 6
    # … of which H (reopened, due 11/9) and the old assigned case wait past their due date.
    assert figures.overdue_now == 2
    # First answers in the period: A 2.5, C 1.5, D 3.0, F 1.5 days (H was first answered in
    # October); the median of four is the mean of the middle two.
    assert figures.first_answer == dashboard.Duration(2.0, 4)
    # Closed in the period: A 5, D 8, F 10 days (H's closing was undone by reopening it).
    assert figures.to_close == dashboard.Duration(8.0, 3)
    assert [c.count for c in figures.satisfaction] == [0, 1, 0, 1, 1]
    assert figures.ratings == 3 and figures.satisfaction_average == 3.67
    assert [(b.title, b.recipients, b.quiz_answers, b.quiz_correct, b.link_taps)
            for b in figures.broadcasts] == [
        ("有獎徵答：認識廉政檢舉專線", 120, 3, 2, 7),
        ("村里長座談會花絮", 80, 0, 0, 0),
    ]  # fmt: skip
    assert (figures.recipients, figures.quiz_answers, figures.link_taps) == (200, 3, 7)
    assert figures.broadcasts[0].sent_at == tpe(11, 5, 10)  # dated by the start of sending


def test_ethics_staff_see_the_tips_in_every_figure(ctx: Context, world: dict[str, int]) -> None:
    figures = _build(ctx, ETHICS)
    assert figures.includes_tips
    assert figures.weekly == {"need": (2, 0, 1), "reform": (0, 2, 0), "tip": (0, 1, 0)}
    assert figures.received == 6
    assert _counts(figures.by_nature)[-1] == ("tip", "貪瀆不法檢舉", 1)
    assert dict((c.key, c.count) for c in figures.by_status)["closed"] == 3
    assert _counts(figures.by_unit)[-1] == ("none", "尚未簽會或函轉", 2)
    assert _counts(figures.by_theme)[0] == ("works", "地方工程", 3)
    assert (figures.open_now, figures.overdue_now) == (7, 3)
    assert figures.first_answer == dashboard.Duration(1.5, 5)  # + T1 0.5 days
    assert figures.to_close == dashboard.Duration(6.5, 4)  # + T1 1 day
    assert [c.count for c in figures.satisfaction] == [1, 1, 0, 1, 1]
    assert figures.satisfaction_average == 3.0


def test_an_empty_period_has_zeros_and_no_medians(ctx: Context, world: dict[str, int]) -> None:
    figures = _build(ctx, VIEWER, (date(2026, 9, 1), date(2026, 9, 1)))
    assert [w.label for w in figures.weeks] == ["115年9月1日"]
    assert figures.weekly == {"need": (0,), "reform": (0,)}
    assert figures.received == 0 and figures.by_status == () and figures.by_unit == ()
    assert figures.first_answer == dashboard.Duration(None, 0)
    assert figures.to_close == dashboard.Duration(None, 0)
    assert figures.satisfaction_average is None and figures.broadcasts == ()
    assert figures.open_now == 6  # the state now does not depend on the period


def test_weeks_cross_the_year_in_iso_weeks() -> None:
    weeks = dashboard.weeks_of(date(2026, 12, 30), date(2027, 1, 12))
    assert [(w.iso_year, w.iso_week, w.start, w.end) for w in weeks] == [
        (2026, 53, date(2026, 12, 30), date(2027, 1, 3)),
        (2027, 1, date(2027, 1, 4), date(2027, 1, 10)),
        (2027, 2, date(2027, 1, 11), date(2027, 1, 12)),
    ]
    assert weeks[0].label == "115年12月30日-116年1月3日"


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ((date(2026, 11, 20), date(2026, 11, 2)), "起日不得晚於迄日"),
        ((date(2024, 1, 1), date(2026, 1, 1)), "統計期間最長為兩年，請縮短期間"),
    ],
)
def test_a_period_it_cannot_show_is_refused(
    ctx: Context, period: tuple[date, date], message: str
) -> None:
    with pytest.raises(PeriodError, match=message), ctx.sessions() as session:
        dashboard.build(session, VIEWER, *period)


# -- the page --------------------------------------------------------------------------------


def _embedded(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', html)
    assert found, "the page embeds its figures"
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_a_viewer_reads_the_page_and_its_data_matches(
    app: Any, ctx: Context, world: dict[str, int]
) -> None:
    client, _ = logged_in(app, ctx, staff(ctx, "viewer1", "viewer"))
    response = client.get("/admin/dashboard?from=2026-11-02&to=2026-11-20")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    with ctx.sessions() as session:
        expected = dashboard.build(session, VIEWER, *PERIOD).to_json()
    assert _embedded(html) == expected
    assert expected["weekly"][0]["counts"] == [2, 0, 1]
    text = unescape(html)
    assert "資料統計期間：115年11月2-20日" in re.sub(r"<[^>]+>", "", text)
    assert "依檢舉人身分保密規定，「貪瀆不法檢舉」案件不列入本頁任何統計數字" in text
    assert "貪瀆不法檢舉</th>" not in text and "1151111-0001" not in text
    # Every chart has its data as a table, and the library is served by the app itself.
    for name in ("weekly", "status", "theme", "satisfaction", "unit", "agency", "broadcasts"):
        assert f'data-chart="{name}"' in html and f'data-chart-table="{name}"' in html
    assert (
        '<th scope="row">115年11月9-15日</th><td class="num">0</td><td class="num">2</td>' in html
    )
    assert "經濟部水利署第十河川分署</th>" in text and "有獎徵答：認識廉政檢舉專線" in text
    # LINE accepts a broadcast without confirming delivery: the page counts what was sent.
    assert "發送人次" in text and "送達" not in text
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/admin/static/vendor/chartjs/chart.umd.min.js" in scripts
    assert all(src.startswith("/") for src in scripts)
    library = client.get("/admin/static/vendor/chartjs/chart.umd.min.js")
    assert library.status_code == 200 and b"Chart.js v4" in library.data[:200]
    assert client.get("/admin/static/dashboard.js").status_code == 200
    assert 'aria-current="page">統計儀表板' in html


def test_ethics_staff_page_counts_tips(app: Any, ctx: Context, world: dict[str, int]) -> None:
    client, _ = logged_in(app, ctx, staff(ctx, "ethics1", "officer", ethics=True))
    response = client.get("/admin/dashboard?from=2026-11-02&to=2026-11-20")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    data = _embedded(html)
    assert data["includes_tips"] and data["received"] == 6
    assert [row["key"] for row in data["weekly"]] == ["need", "reform", "tip"]
    assert "本頁統計含「貪瀆不法檢舉」案件" in unescape(html)


def test_the_page_holds_no_personal_data(app: Any, ctx: Context, world: dict[str, int]) -> None:
    with ctx.sessions.begin() as session:
        _case(session, "1151112-0001", "need", "received", tpe(11, 12), reporter_name="王小明",
              reporter_phone="+886912345678", reporter_address="臺北市中正區重慶南路一段122號",
              description="民生路二段路燈不亮")  # fmt: skip
    client, _ = logged_in(app, ctx, staff(ctx, "chief", "admin", ethics=True))
    response = client.get("/admin/dashboard?from=2026-11-02&to=2026-11-20")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    # The page is the dashboard, and the case with the personal data is in its figures …
    data = _embedded(html)
    assert data["received"] == 7  # the six of ``world`` an ethics administrator sees, and this
    assert "資料統計期間：115年11月2-20日" in re.sub(r"<[^>]+>", "", html)
    # … yet nothing of the person or the case itself is on it.
    for secret in ("王小明", "912345678", "重慶南路", "民生路二段路燈", "1151112-0001", "U000"):
        assert secret not in html


def test_default_period_is_the_last_twelve_weeks(app: Any, ctx: Context) -> None:
    client, _ = logged_in(app, ctx, staff(ctx, "supervisor1", "supervisor"))
    response = client.get("/admin/dashboard")
    assert response.status_code == 200
    data = _embedded(response.get_data(as_text=True))
    today = rocdate.taipei_today()
    assert data["period"]["to"] == today.isoformat()
    assert len(data["weeks"]) == 12
    assert date.fromisoformat(data["period"]["from"]).weekday() == 0
    assert 'aria-current="true">近12週' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-11-20&to=2026-11-02", "起日不得晚於迄日"),
        ("from=115/11/02", "起日的日期無法辨識"),
        ("to=2026-13-01", "迄日的日期無法辨識"),
        ("from=2020-01-01&to=2026-11-20", "統計期間最長為兩年"),
        ("from=9999-06-01&to=9999-12-31", "西元2999年12月31日之間"),
    ],
)
def test_bad_period_is_refused_in_words(app: Any, ctx: Context, query: str, message: str) -> None:
    client, _ = logged_in(app, ctx, staff(ctx, "viewer1", "viewer"))
    response = client.get(f"/admin/dashboard?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and 'role="alert"' in html
    assert "dashboard-data" not in html


def test_anonymous_visitors_are_sent_to_the_login_page(client: Any, ctx: Context) -> None:
    response = client.get("/admin/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=")


def test_the_demo_data_gives_the_figures_counted_case_by_case(ctx: Context) -> None:
    """The set-based queries agree with a plain count over every case of a realistic data set."""
    with ctx.sessions.begin() as session:
        demo.seed(session, 600, seed=11, password="demo-password-1", now=NOW)
    period = (date(2026, 5, 4), date(2026, 11, 20))
    start, end = rocdate.taipei_midnight(period[0]), rocdate.taipei_midnight(date(2026, 11, 21))
    with ctx.sessions() as session:
        figures = dashboard.build(session, VIEWER, *period, now=NOW)
        every = [c for c in session.scalars(select(Case)) if c.nature != codes.TIP]
        events = list(session.scalars(select(CaseEvent)))
        # Went out: finished, or stopped part-way by LINE's monthly limit (it reached some).
        sent = list(
            session.scalars(select(Broadcast).where(Broadcast.status.in_(("sent", "stopped"))))
        )
    received = [c for c in every if start <= c.created_at < end]
    assert figures.received == len(received) > 100
    for i, week in enumerate(figures.weeks):
        in_week = [
            c for c in received if week.start <= rocdate.taipei_date(c.created_at) <= week.end
        ]
        assert figures.weekly["need"][i] + figures.weekly["reform"][i] == len(in_week)
    assert {c.key: c.count for c in figures.by_status} == Counter(c.status for c in received)
    assert figures.open_now == sum(c.status in codes.OPEN_STATUSES for c in every)
    waiting = codes.OPEN_STATUSES - {codes.REPLIED}
    assert figures.overdue_now == sum(c.status in waiting and c.due_at < NOW for c in every)
    answered: dict[int, datetime] = {}
    for e in events:
        if e.kind == "reply" or (e.kind == "status" and e.data.get("status") == codes.REPLIED):
            answered[e.case_id] = min(answered.get(e.case_id, e.created_at), e.created_at)
    days = [
        (answered[c.id] - c.created_at).total_seconds() / 86400
        for c in every
        if c.id in answered and start <= answered[c.id] < end
    ]
    assert figures.first_answer == dashboard.Duration(round(statistics.median(days), 1), len(days))
    closed = [
        (c.closed_at - c.created_at).total_seconds() / 86400
        for c in every
        if c.status == codes.CLOSED and c.closed_at and start <= c.closed_at < end
    ]
    assert figures.to_close == dashboard.Duration(round(statistics.median(closed), 1), len(closed))
    scores = [
        c.satisfaction for c in every if c.satisfaction_at and start <= c.satisfaction_at < end
    ]
    assert figures.satisfaction_average == round(sum(scores) / len(scores), 2)  # type: ignore[arg-type]
    in_period = [
        b
        for b in sent
        if b.started_at
        and start <= b.started_at < end
        and (b.status == "sent" or b.chunks_sent > 0)
        and b.audience.get("kind") != "test"
    ]
    assert len(figures.broadcasts) == len(in_period) >= 5
    assert figures.recipients == sum(
        (b.reached if b.status == "stopped" else b.recipients) or 0 for b in in_period
    )
    assert figures.quiz_answers > 0 and figures.link_taps > 0


def test_a_week_starts_at_midnight_on_monday_in_taipei(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        last = datetime(2026, 11, 15, 23, 59, 59, 999999, tzinfo=rocdate.TAIPEI)
        _case(session, "1151115-0001", "need", "received", last.astimezone(UTC))
        _case(session, "1151116-0001", "need", "received", tpe(11, 16, 0, 0))
    assert _build(ctx, VIEWER).weekly["need"] == (0, 1, 1)
