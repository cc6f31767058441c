"""The notices the law requires a reporter be given (codes.NOTICE_KINDS), kept as records.

A notice goes out on LINE when LINE reaches the reporter (a LINE case whose resident
still follows); otherwise it is a printed letter, ``pending`` until staff record that
they mailed or handed it over. The case timeline and the API read the record, so a
notice is never shown as sent when nothing went out. Callers commit, then deliver the
outbox row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot import messages, texts
from lianping.storage import outbox
from lianping.storage.models import Case, CaseNotice, Resident, utcnow

# Whether LINE can carry a notice to the case's resident (see ``line_reach``).
REACHABLE, NO_LINE, BLOCKED = "reachable", "no_line", "blocked"
# A printed letter that went out: mailed, or handed to the reporter.
PAPER = frozenset({"mail", "in_person"})


def _line_resident(session: Session, case: Case) -> Resident | None:
    return session.get(Resident, case.resident_id) if case.resident_id else None


def line_reach(session: Session, case: Case) -> str:
    """``reachable`` (a LINE case whose resident still follows), ``no_line`` (walk-in, meeting,
    phone or letter) or ``blocked`` (the resident blocked or left the account)."""
    if case.resident_id is None:
        return NO_LINE
    resident = _line_resident(session, case)
    return REACHABLE if resident is not None and resident.following else BLOCKED


def notify_resident(session: Session, case: Case, body: list[dict[str, Any]]) -> list[int]:
    """Push messages to the resident of a LINE case; nothing when LINE cannot reach them."""
    resident = _line_resident(session, case)
    if resident is None or line_reach(session, case) != REACHABLE:
        return []
    return [outbox.add(session, resident.line_user_id, body).id]


def issue(session: Session, case: Case, kind: str, body: str, by: str) -> CaseNotice:
    """Give the reporter notice ``kind``: on LINE if it reaches them, else a printed letter
    waiting to be mailed or handed over (``delivery`` ``pending``)."""
    outbox_ids = notify_resident(session, case, [messages.text(body)])
    if outbox_ids:
        return record(session, case, kind, body, by, delivery="line", outbox_id=outbox_ids[0])
    return record(session, case, kind, body, by, delivery="pending")


def record(
    session: Session,
    case: Case,
    kind: str,
    body: str,
    by: str,
    *,
    delivery: str,
    outbox_id: int | None = None,
    delivered_at: datetime | None = None,
) -> CaseNotice:
    """Keep a notice as it went out: on LINE (``outbox_id``), a printed letter still
    ``pending``, or one staff already mailed or handed over (``delivered_at``, by ``by``)."""
    if kind not in codes.NOTICE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    if delivery not in codes.NOTICE_DELIVERIES or (delivery == "line") != (outbox_id is not None):
        raise ValueError(f"delivery {delivery!r} with outbox row {outbox_id!r}")
    now = utcnow()
    paper_out = delivery in PAPER
    notice = CaseNotice(
        case_id=case.id,
        kind=kind,
        body=body,
        delivery=delivery,
        outbox_id=outbox_id,
        delivered_at=(delivered_at or now) if paper_out else None,
        delivered_by=by if paper_out else None,
        created_by=by,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    return notice


def acceptance(session: Session, case: Case, by: str) -> CaseNotice:
    """The acceptance notice of a report made without LINE (walk-in, meeting, phone,
    letter): a printed letter with the date the answer is promised by."""
    body = texts.ACCEPTANCE_NOTICE.format(
        number=case.number,
        received=rocdate.roc_date(case.created_at),
        due=rocdate.roc_date(case.due_at),
    )
    return issue(session, case, "acceptance", body, by)
