"""Cases and their timelines: numbering, creation from a LINE report, resident additions.

Functions take a session and never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.storage import areas
from lianping.storage.db import dialect_insert
from lianping.storage.models import Case, CaseCounter, CaseEvent, MediaFile, Resident, TipReporter

RESIDENT = "resident"
SYSTEM = "system"
# The first entry of a LINE case's public timeline, as the resident reads it.
CREATED_WORDS = "已收到您的反映，完成收件登記。"
CREATED_WORDS_TIP = "已收到您的檢舉，完成收件登記。"
# A photo, video, recording or file a resident added, on the public timeline ({kind}: MEDIA_KINDS).
SUPPLEMENT_MEDIA_WORDS = "補充了一則{kind}"


def next_number(session: Session, now: datetime) -> str:
    """A new case number, ``1151121-0001``: the ROC date and that day's sequence.

    One atomic upsert on the day's counter row, so concurrent creations on
    PostgreSQL each get their own number.
    """
    day = rocdate.roc_compact(now)
    insert = dialect_insert(session)
    statement = (
        insert(CaseCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": CaseCounter.last + 1})
        .returning(CaseCounter.last)
    )
    sequence = session.execute(statement).scalar_one()
    return f"{day}-{sequence:04d}"


def add_event(
    session: Session,
    case: Case,
    kind: str,
    actor: str,
    *,
    body: str | None = None,
    public: bool = False,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    """Append an entry to a case's timeline."""
    event = CaseEvent(
        case_id=case.id, kind=kind, actor=actor, body=body, public=public, data=data or {}
    )
    if at is not None:
        event.created_at = at
    session.add(event)
    return event


def create_from_line(
    session: Session,
    resident: Resident,
    draft: dict[str, Any],
    notice_version: int,
    now: datetime,
    due_days: int,
    notice_read_at: datetime | None = None,
    *,
    acceptance_days: int | None = None,
) -> Case:
    """File a resident's completed LINE report as a case, with its media attached.

    ``notice_version`` and ``notice_read_at`` are the 個資法 §8 notice the resident read
    (「已閱讀」) and when; the case records them with the method ``line``. A tip's reporter
    is written to ``tip_reporters``, never to the case row, and its acceptance notice falls
    due ``acceptance_days`` after receipt.
    """
    nature = draft["nature"]
    if nature not in codes.NATURES:
        raise ValueError(f"unknown nature {nature!r}")
    anonymous = bool(draft.get("anonymous"))
    tip = nature == codes.TIP
    reporter = {
        name: None if anonymous else draft.get(name)
        for name in ("name", "phone", "address", "occupation")
    }
    case = Case(
        number=next_number(session, now),
        channel="line",
        nature=nature,
        sub_item=draft.get("sub_item") if draft.get("sub_item") in codes.SUB_ITEMS else None,
        theme=draft.get("theme") if draft.get("theme") in codes.THEMES else None,
        status=codes.RECEIVED,
        description=str(draft.get("description") or "").strip(),
        location=draft.get("location"),
        district=areas.place_district(draft.get("location")),
        # Only a yes tapped at the question counts; a tip is never published.
        publish_consent=draft.get("publish_consent") is True and not tip,
        resident_id=resident.id,
        anonymous=anonymous,
        reporter_name=None if tip else reporter["name"],
        reporter_phone=None if tip else reporter["phone"],
        reporter_address=None if tip else reporter["address"],
        reporter_occupation=None if tip else reporter["occupation"],
        confidential=tip,
        acceptance_due_at=rocdate.end_of_taipei_day(now, acceptance_days)
        if tip and acceptance_days is not None
        else None,
        notice_version=notice_version,
        notice_read_at=notice_read_at or now,
        notice_method="line",
        due_at=rocdate.end_of_taipei_day(now, due_days),
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    if tip and any(reporter.values()):
        session.add(TipReporter(case_id=case.id, **reporter, created_at=now))
    message_ids = [str(m) for m in draft.get("photos") or []]
    message_ids += [str(a["message_id"]) for a in draft.get("attachments") or []]
    attach_media(session, case, resident, message_ids)
    add_event(
        session,
        case,
        "created",
        RESIDENT,
        body=CREATED_WORDS_TIP if nature == codes.TIP else CREATED_WORDS,
        public=True,
        data={"channel": "line", "media": len(message_ids)},
        at=now,
    )
    return case


def attach_media(session: Session, case: Case, resident: Resident, message_ids: list[str]) -> None:
    """Link the resident's stored media (by LINE message id) to the case."""
    if not message_ids:
        return
    for media in session.scalars(
        select(MediaFile).where(
            MediaFile.line_message_id.in_(message_ids), MediaFile.resident_id == resident.id
        )
    ):
        media.case_id = case.id


def for_resident(session: Session, resident_id: int, limit: int = 12) -> list[Case]:
    """The resident's cases, newest first."""
    return list(
        session.scalars(
            select(Case)
            .where(Case.resident_id == resident_id)
            .order_by(Case.created_at.desc(), Case.id.desc())
            .limit(limit)
        )
    )


def of_resident(session: Session, resident_id: int, number: str) -> Case | None:
    """One of the resident's own cases by number (None for anyone else's)."""
    return session.scalar(
        select(Case).where(Case.number == number, Case.resident_id == resident_id)
    )


def public_timeline(session: Session, case: Case) -> list[CaseEvent]:
    """What the resident may read of a case's history (never internal notes)."""
    return list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.public.is_(True))
            .order_by(CaseEvent.created_at, CaseEvent.id)
        )
    )


def add_resident_supplement(
    session: Session,
    case: Case,
    resident: Resident,
    now: datetime,
    *,
    text: str | None = None,
    media_message_id: str | None = None,
    media_kind: str | None = None,
) -> CaseEvent:
    """The resident adds text or media to an open case; the officer is flagged."""
    if case.status not in codes.OPEN_STATUSES:
        raise ValueError(f"case {case.number} is {case.status}; it takes no additions")
    if media_message_id:
        attach_media(session, case, resident, [media_message_id])
    case.resident_update_at = now
    case.updated_at = now
    kind = codes.MEDIA_KINDS.get(media_kind or "", "檔案")
    return add_event(
        session,
        case,
        "resident_media" if media_message_id else "resident_message",
        RESIDENT,
        body=text or SUPPLEMENT_MEDIA_WORDS.format(kind=kind),
        public=True,
        data={"media_message_id": media_message_id, "kind": media_kind} if media_message_id else {},
        at=now,
    )
