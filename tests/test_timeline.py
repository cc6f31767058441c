"""The staff timeline of a case: one service, read by the case page and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lianping.context import Context
from lianping.services import accounts, timeline
from lianping.services.access import Actor
from lianping.storage import cases, residents
from lianping.storage.models import Case, MediaFile, OutboxMessage, utcnow

PASSWORD = "correct horse battery"


def _actor(ctx: Context, username: str, ethics: bool) -> Actor:
    with ctx.sessions.begin() as session:
        user = accounts.create_user(
            session, username, PASSWORD, "officer", display_name=f"{username} 承辦", ethics=ethics
        )
        return Actor.of(user)


def _case(ctx: Context, nature: str) -> str:
    """A LINE case with a photo, a supplement file, and a reply that failed on LINE."""
    now = utcnow()
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, f"Utimeline-{nature}")
        session.add_all(
            MediaFile(line_message_id=f"{nature}-{n}", resident_id=resident.id, kind=kind)
            for n, kind in enumerate(["image", "audio"])
        )
        session.flush()
        draft = {"nature": nature, "description": "路燈不亮已兩週。", "photos": [f"{nature}-0"]}
        case = cases.create_from_line(session, resident, draft, 1, now, 30)
        cases.add_resident_supplement(
            session, case, resident, now + timedelta(minutes=1),
            media_message_id=f"{nature}-1", media_kind="audio",
        )  # fmt: skip
        failed = OutboxMessage(
            to=resident.line_user_id, messages=[], status="failed", last_error="400 無效"
        )
        session.add(failed)
        session.flush()
        cases.add_event(
            session, case, "reply", "chen", body="已派員修復。", public=True,
            data={"outbox_id": failed.id}, at=now + timedelta(minutes=2),
        )  # fmt: skip
        return case.number


def _load(ctx: Context, number: str) -> Case:
    with ctx.sessions() as session:
        case = session.scalars(select(Case).where(Case.number == number)).one()
        session.expunge(case)
        return case


def test_every_event_with_its_media_actor_and_delivery(ctx: Context) -> None:
    officer = _actor(ctx, "chen", ethics=False)
    case = _load(ctx, _case(ctx, "need"))
    with ctx.sessions() as session:
        entries = timeline.case_timeline(session, officer, case)
    assert [(e.kind, e.who, e.side) for e in entries] == [
        ("created", "反映者", "resident"),
        ("resident_media", "反映者", "resident"),
        ("reply", "chen 承辦", "staff"),
    ]
    created, supplement, reply = entries
    assert [m.kind for m in created.media] == ["image"]  # the supplement's file is its own
    assert [m.kind for m in supplement.media] == ["audio"]
    assert supplement.body == "補充了一則錄音"
    assert created.delivery is None and reply.media == []
    assert reply.delivery is not None
    assert (reply.delivery.state, reply.delivery.words, reply.delivery.detail) == (
        "failed",
        "失敗",
        "400 無效",
    )


def test_a_tip_timeline_is_for_ethics_staff_only(ctx: Context) -> None:
    officer = _actor(ctx, "chen", ethics=False)
    ethics = _actor(ctx, "lee", ethics=True)
    tip = _load(ctx, _case(ctx, "tip"))
    with ctx.sessions() as session:
        with pytest.raises(LookupError):  # a tip one may not open is as if it did not exist
            timeline.case_timeline(session, officer, tip)
        with pytest.raises(LookupError):  # ethics staff too, unless it is assigned to them
            timeline.case_timeline(session, ethics, tip)
        tip.officer_id = ethics.user_id
        assert len(timeline.case_timeline(session, ethics, tip)) == 3
