"""The public site on thousands of realistic cases: every public route answers, lists are
walked to their end, and nothing of a tip or of a case whose reporter did not agree shows;
成果統計 equals the dashboard (for a non-ethics viewer) on the demo data."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from lianping import rocdate
from lianping.reports import dashboard, public_statistics
from lianping.services import published_cases
from lianping.storage.models import Case
from tests.realistic.tier import Realistic

pytestmark = pytest.mark.realistic


def _numbers(r: Realistic) -> tuple[set[str], set[str]]:
    """(numbers the public may see, numbers it must never see)."""
    with r.session() as session:
        shown = {c.number for c in published_cases.listed(session, limit=100_000)}
        hidden = set(
            session.scalars(
                select(Case.number).where(
                    (Case.confidential.is_(True)) | (Case.publish_consent.is_(False))
                )
            )
        )
    return shown, hidden


def test_every_public_page_answers_and_shows_only_what_may_be_public(
    realistic: Realistic,
) -> None:
    shown, hidden = _numbers(realistic)
    assert len(shown) > 50, "the demo publishes cases"
    client = realistic.client(None)
    numbers = re.compile(r"\d{7}-\d{4}")
    urls = ["/public/", "/public/statistics", "/public/data", "/public/patterns",
            "/public/promotions", "/public/cases.atom", "/public/statistics.atom",
            "/public/patterns.atom", "/public/promotions.atom", "/public/data/cases.json",
            "/public/data/statistics.csv", "/public/data/statistics.json",
            "/open311/v2/services.json", "/open311/v2/services.xml",
            "/open311/v2/requests.json", "/open311/v2/requests.xml"]  # fmt: skip
    urls += [f"/public/statistics?period={k}" for k in ("period", "12w", "year")]
    urls += [f"/public/cases?theme={t}" for t in ("works", "dredging", "other")]
    page, seen = 1, set()
    while True:
        body = client.get(f"/public/cases?page={page}").get_data(as_text=True)
        found = set(numbers.findall(body))
        if not found:
            break
        seen |= found
        page += 1
    assert seen == shown, "the list, walked to its end, holds every published case"
    urls += [f"/public/cases/{n}" for n in sorted(shown)[:40]]
    urls += [f"/open311/v2/requests/{n}.json" for n in sorted(shown)[:10]]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        leaked = set(numbers.findall(response.get_data(as_text=True))) & hidden
        assert not leaked, (url, sorted(leaked)[:3])
    raw = client.get("/public/data/cases.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    assert {row[0] for row in rows[1:]} == shown
    for number in sorted(hidden)[:30]:
        assert client.get(f"/public/cases/{number}").status_code == 404


def test_the_statistics_equal_the_dashboard_but_for_tips_and_small_cells(
    realistic: Realistic,
) -> None:
    today = rocdate.taipei_today()
    period = (today - timedelta(days=180), today)
    viewer = public_statistics.PUBLIC
    with realistic.session() as session:
        figures = dashboard.build(session, viewer, *period)
        stats = public_statistics.build(session, *period)
    assert stats.received.count == figures.received > 100
    assert stats.closed.count == figures.to_close.cases
    assert stats.first_answer.value == figures.first_answer.median_days
    for table in stats.tables:
        for row in table.rows:
            assert row.cell.shown in (str(row.cell.count), f"<{stats.threshold}")
    districts = next(t for t in stats.tables if t.key == "district")
    assert len(districts.rows) > 3, "the demo's cases name several 區"
