"""Unsend of media: before filing it is deleted; a copy already filed in a case is part of
the record, kept, and the case's timeline (staff only) says the resident took it back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from lianping import codes
from lianping.context import Context
from lianping.services import dispatch
from lianping.storage import inbox, residents
from lianping.storage.models import Case, CaseEvent, InboxEvent, MediaFile
from lianping_dev.simulator import events as line_events

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
USER = "U" + "c" * 32


def _stored(ctx: Context, session: object, message_id: str, **values: object) -> Path:
    path = Path(ctx.settings.media_dir) / "test-unsend" / f"{message_id}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"png")
    session.add(  # type: ignore[attr-defined]
        MediaFile(line_message_id=message_id, kind="image", status="stored",
                  path=f"test-unsend/{message_id}.png", sha256="b" * 64, **values)
    )  # fmt: skip
    return path


def _unsend(ctx: Context, message_id: str) -> dispatch.AfterCommit:
    body = line_events.unsend(USER, message_id)
    body["timestamp"] = int(NOW.timestamp() * 1000)
    with ctx.sessions.begin() as session:
        inbox.store(session.connection(), [{
            "webhook_event_id": body["webhookEventId"], "source_key": USER,
            "event_type": "unsend", "event_timestamp": body["timestamp"], "payload": body,
        }])  # fmt: skip
        event = session.scalars(
            select(InboxEvent).where(InboxEvent.webhook_event_id == body["webhookEventId"])
        ).one()
        return dispatch.handle(session, event)


def test_unsend_keeps_a_filed_copy_and_deletes_an_unfiled_one(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, USER)
        case = Case(number="1151202-0001", channel="line", nature=codes.NEED,
                    status=codes.RECEIVED, description="路燈故障已經一週", resident_id=resident.id,
                    due_at=NOW + timedelta(days=30))  # fmt: skip
        session.add(case)
        session.flush()
        filed = _stored(ctx, session, "m-filed", resident_id=resident.id, case_id=case.id)
        loose = _stored(ctx, session, "m-loose", resident_id=resident.id)
        case_id = case.id

    after = _unsend(ctx, "m-filed")
    assert after.delete_files == []
    after = _unsend(ctx, "m-loose")
    assert after.delete_files == ["test-unsend/m-loose.png"]

    with ctx.sessions() as session:
        kept = session.scalars(
            select(MediaFile).where(MediaFile.line_message_id == "m-filed")
        ).one()
        assert (kept.status, kept.path) == ("stored", "test-unsend/m-filed.png")
        gone = session.scalars(
            select(MediaFile).where(MediaFile.line_message_id == "m-loose")
        ).one()
        assert (gone.status, gone.path, gone.sha256) == ("unsent", None, None)
        notes = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
    assert [(n.kind, n.public, n.created_at) for n in notes] == [("media_unsent", False, NOW)]
    assert "收回此則照片" in str(notes[0].body) and "予以保留" in str(notes[0].body)
    assert filed.exists() and loose.exists()  # files go after commit, by the caller
