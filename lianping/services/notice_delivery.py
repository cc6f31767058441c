"""Printed notices on their way out: recording that a letter was mailed or handed over,
and the letters still to send across the cases an officer may open (「待寄送通知」).

A notice on LINE is delivered by the outbox and never recorded here; a letter is
recorded once, with the day it went out (not before the notice, not in the future).
Each record is audited and on the case's timeline; the caller commits.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.services import audit
from lianping.services.access import Actor, tip_scope
from lianping.services.casework import CaseworkError, Result, guard_write
from lianping.services.notices import PAPER
from lianping.services.timeline import Notice, notices_of
from lianping.storage import cases
from lianping.storage.models import Case, CaseNotice, utcnow

# The 「待寄送通知」 list shows this many letters at most, oldest first.
PENDING_LIMIT = 500


def get_notice(session: Session, case: Case, notice_id: int) -> CaseNotice:
    """Notice ``notice_id`` of ``case`` (LookupError if it is not one of this case's)."""
    notice = session.get(CaseNotice, notice_id)
    if notice is None or notice.case_id != case.id:
        raise LookupError(notice_id)
    return notice


def _delivered_at(notice: CaseNotice, day: date, now: datetime) -> datetime:
    """The moment kept for a letter that went out on ``day`` (Taipei): now if today, else
    that day's start, never before the notice itself."""
    if day == rocdate.taipei_date(now):
        return now
    return max(rocdate.taipei_midnight(day), notice.created_at)


def record_delivery(
    session: Session, actor: Actor, case: Case, notice_id: int, method: str, day: date | None
) -> Result:
    """Record that the printed notice ``notice_id`` was mailed or handed over on ``day``."""
    guard_write(actor, case)
    try:
        notice = get_notice(session, case, notice_id)
    except LookupError as exc:
        raise CaseworkError("找不到此案件的這份通知") from exc
    if notice.delivery == "line":
        raise CaseworkError("此通知已以LINE傳送，不需登錄寄送")
    if notice.delivery != "pending":
        raise CaseworkError("此通知已登錄寄送，無法重複登錄")
    if method not in PAPER:
        raise CaseworkError("請選擇寄送方式（已郵寄或已當面交付）")
    if day is None:
        raise CaseworkError("請填寫寄送或交付日期")
    now = utcnow()
    if day > rocdate.taipei_date(now):
        raise CaseworkError("寄送或交付日期不得晚於今天")
    issued = rocdate.taipei_date(notice.created_at)
    if day < issued:
        raise CaseworkError(f"寄送或交付日期不得早於通知製作日（{rocdate.roc_date(issued)}）")
    at = _delivered_at(notice, day, now)
    audit.record(
        session,
        actor,
        "notice.delivery",
        "case",
        case.number,
        before={"notice_id": notice.id, "delivery": notice.delivery},
        after={"notice_id": notice.id, "kind": notice.kind, "delivery": method, "on": day},
    )
    notice.delivery, notice.delivered_at, notice.delivered_by = method, at, actor.username
    case.updated_at = now
    words = f"{codes.NOTICE_KINDS[notice.kind]}{'已郵寄' if method == 'mail' else '已當面交付'}"
    cases.add_event(
        session,
        case,
        "notice_delivered",
        actor.username,
        body=f"{words}（{rocdate.roc_date(day)}）",
        data={"notice_id": notice.id, "delivery": method, "on": day.isoformat()},
    )
    return Result(case)


def last_notice_id(session: Session, case: Case) -> int:
    """The case's newest notice id so far (0 for none)."""
    found = session.scalar(select(func.max(CaseNotice.id)).where(CaseNotice.case_id == case.id))
    return int(found or 0)


def letters_waiting(session: Session, case: Case, after: int = 0) -> bool:
    """Whether the case has a printed notice still to send, made after notice ``after``: what
    a confirmation must say, since nothing reached the reporter yet."""
    found = session.scalar(
        select(CaseNotice.id)
        .where(
            CaseNotice.case_id == case.id,
            CaseNotice.id > after,
            CaseNotice.delivery == "pending",
        )
        .limit(1)
    )
    return found is not None


def pending(session: Session, actor: Actor) -> tuple[list[Notice], int]:
    """Letters not yet mailed or handed over, oldest first, of the cases ``actor`` may open
    (a tip's only for the ethics staff who may open it); and how many there are in all."""
    condition = tip_scope(actor).condition()
    statement = (
        select(CaseNotice, Case.number)
        .join(Case, Case.id == CaseNotice.case_id)
        .where(CaseNotice.delivery == "pending")
    )
    counted = select(func.count()).select_from(CaseNotice).join(Case, Case.id == CaseNotice.case_id)
    counted = counted.where(CaseNotice.delivery == "pending")
    if condition is not None:
        statement, counted = statement.where(condition), counted.where(condition)
    rows = session.execute(
        statement.order_by(CaseNotice.created_at, CaseNotice.id).limit(PENDING_LIMIT)
    )
    found = [(notice, number) for notice, number in rows]
    return notices_of(session, found), int(session.scalar(counted) or 0)


def without_address(session: Session, notice_ids: list[int]) -> set[int]:
    """Those of these letters whose reporter left no address: they cannot be mailed."""
    if not notice_ids:
        return set()
    statement = (
        select(CaseNotice.id)
        .join(Case, Case.id == CaseNotice.case_id)
        .where(CaseNotice.id.in_(notice_ids))
        .where(func.coalesce(func.trim(Case.reporter_address), "") == "")
    )
    return set(session.scalars(statement))
