"""The retention purge on the realistic data set (its own copy: the tier's database is only
read): run as if years had passed, it removes what the dry run predicted, leaves every
case record, the dashboard and 附件2 as they were, and a second run finds nothing."""

from __future__ import annotations

import dataclasses
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from lianping.config import Settings
from lianping.context import Context
from lianping.jobs import purge as purge_job
from lianping.reports import biweekly, dashboard
from lianping.services import retention
from lianping.services.access import SYSTEM, Actor
from lianping.storage.migrate import upgrade
from lianping.storage.models import Case, CaseEvent, MediaFile
from lianping_dev import demo
from tests.realistic import data
from tests.support import fresh_database_beside

pytestmark = pytest.mark.realistic

SEEDED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
# Far enough on that every ended case has waited out the default five years.
LATER = SEEDED + timedelta(days=6 * 366)
HEAD = Actor(None, "head", "政風主管", "admin", ethics=True)


@pytest.fixture
def seeded(quiet_settings: Settings, tmp_path: Path) -> Context:
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        url = fresh_database_beside(given, f"{make_url(given).database}_purge{worker}")
    else:
        url = f"sqlite:///{tmp_path}/purge.db"
    settings = dataclasses.replace(quiet_settings, database_url=url, media_dir=tmp_path / "media")
    upgrade(url)
    ctx = Context(settings)
    with ctx.sessions.begin() as session:
        demo.seed(session, data.CASES, seed=data.SEED, now=SEEDED, media_dir=settings.media_dir)
    return ctx


def _records(ctx: Context) -> list[tuple[Any, ...]]:
    with ctx.sessions() as session:
        cases = [
            (c.id, c.number, c.nature, c.sub_item, c.theme, c.status, c.description,
             c.handling_opinion, c.satisfaction, c.created_at, c.updated_at, c.closed_at)
            for c in session.scalars(select(Case).order_by(Case.id))
        ]  # fmt: skip
        events = session.execute(
            select(CaseEvent.id, CaseEvent.kind, CaseEvent.body).order_by(CaseEvent.id)
        ).all()
    return [*cases, *events]


def _statistics(ctx: Context) -> list[Any]:
    end = SEEDED.date()
    periods = [(end - timedelta(days=729), end), (end - timedelta(days=365), end)]
    with ctx.sessions() as session:
        found: list[Any] = [dashboard.build(session, HEAD, *p, now=SEEDED) for p in periods]
        for n in range(0, 52, 4):
            start = end - timedelta(days=14 * (n + 1))
            found.append(biweekly.build(session, start, start + timedelta(days=13)))
    return found


def _open_case_file(ctx: Context, path: str) -> bool:
    with ctx.sessions() as session:
        status = session.scalar(
            select(Case.status)
            .join(MediaFile, MediaFile.case_id == Case.id)
            .where(MediaFile.path == path)
        )
    return status not in ("closed", "rejected", "merged", "withdrawn")


def test_the_purge_on_the_realistic_data(seeded: Context) -> None:
    ctx = seeded
    records, statistics = _records(ctx), _statistics(ctx)
    with ctx.sessions() as session:
        planned = {item.kind.code: item.due.count for item in retention.plan(session, LATER)}
        filed = select(MediaFile.path).where(MediaFile.case_id.is_not(None))
        stored = session.scalar(filed.where(MediaFile.path.is_not(None)))
    assert planned["cases"] > 1000 and planned["payloads"] >= 0
    assert stored is not None and (Path(ctx.settings.media_dir) / stored).exists()

    done = purge_job.run(ctx, SYSTEM, now=LATER)

    assert done.complete and done.counts == planned
    assert _records(ctx) == records
    assert _statistics(ctx) == statistics
    with ctx.sessions() as session:
        assert {item.kind.code: item.due.count for item in retention.plan(session, LATER)} == (
            dict.fromkeys(planned, 0)
        )
        left = session.scalars(
            select(Case).where(Case.status.in_(["closed", "rejected", "merged", "withdrawn"]),
                               Case.personal_data_purged_at.is_(None))
        ).all()  # fmt: skip
    assert left == []
    # Files of ended cases are gone; those of open cases are kept.
    assert not (Path(ctx.settings.media_dir) / stored).exists() or _open_case_file(ctx, stored)
    assert purge_job.run(ctx, SYSTEM, now=LATER).counts == dict.fromkeys(planned, 0)
    ctx.engine.dispose()
