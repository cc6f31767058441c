"""Queries over residents' 個資法 §3 requests and the personal data held about a resident.

Functions take a session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from lianping import codes
from lianping.storage.models import (
    Case,
    DataRequest,
    MediaFile,
    QuizAnswer,
    Resident,
    ResidentTag,
    TipReporter,
)

# The list's filters: open requests, open ones past their due date, or every request.
FILTERS = ("open", "overdue", "all")
OPEN = tuple(codes.DATA_REQUEST_OPEN)


def add(
    session: Session,
    resident_id: int,
    kind: str,
    received_at: datetime,
    due_at: datetime,
    *,
    case_id: int | None = None,
    details: dict[str, str] | None = None,
    status: str = "pending",
) -> DataRequest:
    """Record a request; flushed so the caller gets its id."""
    if kind not in codes.DATA_REQUEST_KINDS:
        raise ValueError(f"unknown request kind {kind!r}")
    row = DataRequest(
        resident_id=resident_id,
        kind=kind,
        status=status,
        case_id=case_id,
        details=details or {},
        received_at=received_at,
        due_at=due_at,
    )
    session.add(row)
    session.flush()
    return row


def _filtered(which: str, now: datetime) -> Select[DataRequest]:
    statement = select(DataRequest)
    if which in ("open", "overdue"):
        statement = statement.where(DataRequest.status.in_(OPEN))
    if which == "overdue":
        statement = statement.where(DataRequest.due_at < now)
    return statement


def listed(session: Session, which: str, now: datetime, limit: int = 200) -> list[DataRequest]:
    """Requests by filter (open, overdue, all): open ones by due date, others newest first."""
    statement = _filtered(which, now)
    if which == "all":
        statement = statement.order_by(DataRequest.received_at.desc(), DataRequest.id.desc())
    else:
        statement = statement.order_by(DataRequest.due_at, DataRequest.id)
    return list(session.scalars(statement.limit(limit)))


def counts(session: Session, now: datetime) -> tuple[int, int]:
    """How many requests are open, and how many of those are past their due date."""
    overdue = func.sum(when((DataRequest.due_at < now, 1), else_=0))
    row = session.execute(select(func.count(), overdue).where(DataRequest.status.in_(OPEN))).one()
    return int(row[0] or 0), int(row[1] or 0)


def pending_for(session: Session, resident_id: int, kind: str) -> DataRequest | None:
    """The resident's open request of this kind, if one is already waiting."""
    return session.scalar(
        select(DataRequest)
        .where(
            DataRequest.resident_id == resident_id,
            DataRequest.kind == kind,
            DataRequest.status.in_(OPEN),
        )
        .limit(1)
    )


def by_token_hash(session: Session, token_hash: str) -> DataRequest | None:
    """The request whose copy link has this token hash."""
    return session.scalar(select(DataRequest).where(DataRequest.export_token_hash == token_hash))


def claim_download(session: Session, request_id: int, now: datetime) -> bool:
    """Mark the copy downloaded, once: False when it was already taken or has expired."""
    result = session.execute(
        update(DataRequest)
        .where(
            DataRequest.id == request_id,
            DataRequest.export_downloaded_at.is_(None),
            DataRequest.export_expires_at > now,
        )
        .values(export_downloaded_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class CaseData:
    """One case's personal data as the resident gave it."""

    number: str
    created_at: datetime
    nature: str
    status: str
    is_open: bool
    name: str | None
    phone: str | None
    address: str | None
    occupation: str | None
    photos: int
    notice_version: int | None


@dataclass(frozen=True)
class HeldData:
    """Everything held about one resident (個資法 §10 查詢／閱覽 and 複製本)."""

    display_name: str | None
    district: str | None
    village: str | None
    tags: list[str]
    promotions_opt_out: bool
    notice_version: int | None
    notice_read_at: datetime | None
    cases: list[CaseData]
    quiz_answers: int
    unfiled_media: int


def held_data(session: Session, resident: Resident) -> HeldData:
    """The personal data held about ``resident``: profile, each case's contact details (a
    tip's from ``tip_reporters``), photos, quiz answers and media outside any case."""
    tags = list(
        session.scalars(
            select(ResidentTag.tag)
            .where(ResidentTag.resident_id == resident.id)
            .order_by(ResidentTag.tag)
        )
    )
    found = list(
        session.scalars(
            select(Case).where(Case.resident_id == resident.id).order_by(Case.created_at, Case.id)
        )
    )
    counted = session.execute(
        select(MediaFile.case_id, func.count())
        .where(
            MediaFile.case_id.in_([case.id for case in found]),
            MediaFile.kind == "image",
            MediaFile.path.is_not(None),
        )
        .group_by(MediaFile.case_id)
    )
    photos: dict[int | None, int] = {case_id: count for case_id, count in counted}
    reporters = {
        row.case_id: row
        for row in session.scalars(
            select(TipReporter).where(TipReporter.case_id.in_([case.id for case in found]))
        )
    }
    quiz = session.scalar(
        select(func.count()).select_from(QuizAnswer).where(QuizAnswer.resident_id == resident.id)
    )
    unfiled = session.scalar(
        select(func.count())
        .select_from(MediaFile)
        .where(
            MediaFile.resident_id == resident.id,
            MediaFile.case_id.is_(None),
            MediaFile.path.is_not(None),
        )
    )
    return HeldData(
        display_name=resident.display_name,
        district=resident.district,
        village=resident.village,
        tags=tags,
        promotions_opt_out=resident.promotions_opt_out,
        notice_version=resident.notice_version,
        notice_read_at=resident.notice_read_at,
        cases=[_case_data(case, reporters.get(case.id), photos.get(case.id, 0)) for case in found],
        quiz_answers=int(quiz or 0),
        unfiled_media=int(unfiled or 0),
    )


def _case_data(case: Case, reporter: TipReporter | None, photos: int) -> CaseData:
    # A tip's reporter is kept apart from the case row (tip_reporters).
    source = reporter
    return CaseData(
        number=case.number,
        created_at=case.created_at,
        nature=case.nature,
        status=case.status,
        is_open=case.status in codes.OPEN_STATUSES,
        name=source.name if source else case.reporter_name,
        phone=source.phone if source else case.reporter_phone,
        address=source.address if source else case.reporter_address,
        occupation=source.occupation if source else case.reporter_occupation,
        photos=photos,
        notice_version=case.notice_version,
    )


def case_photos(session: Session, resident_id: int) -> list[MediaFile]:
    """The stored photos of the resident's cases (for a copy), oldest first."""
    return list(
        session.scalars(
            select(MediaFile)
            .join(Case, Case.id == MediaFile.case_id)
            .where(
                Case.resident_id == resident_id,
                MediaFile.kind == "image",
                MediaFile.path.is_not(None),
            )
            .order_by(MediaFile.created_at, MediaFile.id)
        )
    )


def unfiled_media(session: Session, resident_id: int) -> list[MediaFile]:
    """Media the resident sent that no case holds (deleted with the profile)."""
    return list(
        session.scalars(
            select(MediaFile).where(
                MediaFile.resident_id == resident_id,
                MediaFile.case_id.is_(None),
                MediaFile.purged_at.is_(None),
            )
        )
    )


def open_case_numbers(session: Session, resident_id: int) -> list[str]:
    """Numbers of the resident's cases still being handled."""
    return list(
        session.scalars(
            select(Case.number)
            .where(Case.resident_id == resident_id, Case.status.in_(codes.OPEN_STATUSES))
            .order_by(Case.created_at, Case.id)
        )
    )
