"""A tip's own duties: its acceptance and result notices, and the insider flag.

A tip (檢舉) is answered with an acceptance notice and, once concluded, a result
notice, never the ordinary reply; the officer sends each on LINE (a LINE tip whose
reporter still follows) or records that it was handed over or mailed. Every act is on
the case timeline and in the audit log; the caller commits and delivers the outbox.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot import messages, texts
from lianping.line.limits import LIMITS, utf16_units
from lianping.services import audit, notices, timeline
from lianping.services.access import Actor
from lianping.services.casework import CaseworkError, Result, guard_write
from lianping.services.notices import REACHABLE, line_reach, notify_resident
from lianping.services.timeline import Delivery
from lianping.storage import cases
from lianping.storage.models import Case, CaseEvent, OutboxMessage, utcnow

ACCEPTANCE, RESULT = "acceptance", "result"
# How a notice reached the reporter: on LINE, handed over in person, or mailed.
METHODS = {"line": "LINE", "in_person": "當面交付", "mail": "郵寄"}
# Statuses after which a tip is concluded and its result may be notified.
CONCLUDED = frozenset({codes.REPLIED, codes.CLOSED, codes.TRANSFERRED, codes.REJECTED,
                       codes.MERGED})  # fmt: skip
MAX_RESULT = 1000
# 公益揭弊者保護法 §6 (as the Agency Against Corruption's guidance cites it): an insider's
# acceptance notice within 20 days of receipt, the result notice within 6 months.
INSIDER_ACCEPTANCE_DAYS = 20
INSIDER_RESULT_MONTHS = 6


def _tip(actor: Actor, case: Case) -> None:
    guard_write(actor, case)
    if not case.confidential:
        raise CaseworkError("此案件不是檢舉案件")


def _method(session: Session, case: Case, method: str) -> str:
    if method not in METHODS:
        raise CaseworkError("請選擇通知方式")
    if method == "line" and line_reach(session, case) != REACHABLE:
        raise CaseworkError(
            "此檢舉無法以LINE通知（非經由LINE檢舉或已封鎖帳號），請改選當面交付或郵寄"
        )
    return method


def _send(session: Session, actor: Actor, case: Case, kind: str, method: str, text: str) -> Result:
    outbox_ids = notify_resident(session, case, [messages.text(text)]) if method == "line" else []
    if method == "line" and not outbox_ids:
        raise CaseworkError("檢舉人已封鎖本帳號，無法以LINE通知")
    now = utcnow()
    column = "accepted_at" if kind == ACCEPTANCE else "result_notified_at"
    before = getattr(case, column)
    setattr(case, column, now)
    case.updated_at = now
    audit.record(
        session,
        actor,
        "tip.notice",
        "case",
        case.number,
        before={column: before},
        after={"kind": kind, "method": method, column: now},
    )
    # The notice as a record (a paper one printable as a letter), delivered as the officer said.
    notices.record(
        session,
        case,
        kind,
        text,
        actor.username,
        delivery=method,
        outbox_id=outbox_ids[0] if outbox_ids else None,
        delivered_at=now,
    )
    words = "受理通知" if kind == ACCEPTANCE else "處理結果通知"
    how = {"line": "以LINE傳送", "in_person": "已當面交付", "mail": "已郵寄"}[method]
    cases.add_event(
        session,
        case,
        f"tip_{kind}",
        actor.username,
        body=f"{words}（{how}）：\n{text}",
        data={"method": method, "outbox_id": outbox_ids[0] if outbox_ids else None},
    )
    return Result(case, outbox_ids)


def acceptance_text(case: Case) -> str:
    """The acceptance notice as the reporter reads it."""
    return texts.TIP_ACCEPTED.format(number=case.number, received=rocdate.roc_date(case.created_at))


def result_text(case: Case, body: str) -> str:
    """The result notice around the officer's words; refused when empty or too long."""
    words = body.replace("\r\n", "\n").strip()
    if not words:
        raise CaseworkError("請填寫處理結果")
    if len(words) > MAX_RESULT:
        raise CaseworkError(f"處理結果請在{MAX_RESULT}字以內")
    text = texts.TIP_RESULT.format(number=case.number, body=words)
    if utf16_units(text) > LIMITS["text_utf16_units"]:
        raise CaseworkError(f"處理結果過長（LINE 單則訊息上限 {LIMITS['text_utf16_units']} 字）")
    return text


def send_acceptance(session: Session, actor: Actor, case: Case, method: str) -> Result:
    """Send (LINE) or record (handed over, mailed) the tip's acceptance notice."""
    _tip(actor, case)
    if case.accepted_at is not None:
        raise CaseworkError("已寄送受理通知")
    return _send(
        session, actor, case, ACCEPTANCE, _method(session, case, method), acceptance_text(case)
    )


def send_result(session: Session, actor: Actor, case: Case, method: str, body: str) -> Result:
    """Send (LINE) or record the result notice of a concluded tip."""
    _tip(actor, case)
    if case.status not in CONCLUDED:
        raise CaseworkError(
            "檢舉案件處理完畢（狀態為已回覆、結案、已函轉、不予處理或併案）後才能寄送結果通知"
        )
    if case.result_notified_at is not None:
        raise CaseworkError("已寄送結果通知")
    text = result_text(case, body)
    return _send(session, actor, case, RESULT, _method(session, case, method), text)


def set_insider(session: Session, actor: Actor, case: Case, insider: bool) -> Result:
    """Mark a tip as made by an insider (機關內部人員): 公益揭弊者保護法 applies, and its
    acceptance deadline is at most that law's 20 days, whatever the unit's setting."""
    _tip(actor, case)
    if case.insider == insider:
        return Result(case)
    changes: dict[str, object] = {"insider": insider}
    latest = rocdate.end_of_taipei_day(case.created_at, INSIDER_ACCEPTANCE_DAYS)
    if insider and (case.acceptance_due_at is None or case.acceptance_due_at > latest):
        changes["acceptance_due_at"] = latest
    audit.record(
        session, actor, "case.insider", "case", case.number,
        before={name: getattr(case, name) for name in changes}, after=changes,
    )  # fmt: skip
    for name, value in changes.items():
        setattr(case, name, value)
    case.updated_at = utcnow()
    words = "標記為機關內部人員檢舉（適用公益揭弊者保護法）" if insider else "取消機關內部人員標記"
    cases.add_event(session, case, "insider", actor.username, body=words)
    return Result(case)


def acceptance_overdue(case: Case, now: datetime) -> bool:
    """The acceptance notice is due and not sent."""
    return (
        case.confidential
        and case.accepted_at is None
        and case.acceptance_due_at is not None
        and case.acceptance_due_at < now
    )


def insider_result_due(case: Case) -> date | None:
    """An insider's tip: the result notice's last day (6 months after receipt, Taipei)."""
    if not case.insider:
        return None
    received = rocdate.taipei_date(case.created_at)
    months = received.month - 1 + INSIDER_RESULT_MONTHS
    year, month = received.year + months // 12, months % 12 + 1
    return date(year, month, min(received.day, calendar.monthrange(year, month)[1]))


def deliveries(session: Session, case: Case) -> dict[str, Delivery | None]:
    """Whether each notice sent on LINE actually went out (its outbox row's state)."""
    found: dict[str, Delivery | None] = {ACCEPTANCE: None, RESULT: None}
    events = session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind.in_(["tip_acceptance", "tip_result"]))
        .order_by(CaseEvent.id)
    )
    for event in events:
        outbox_id = (event.data or {}).get("outbox_id")
        if outbox_id:
            row = session.get(OutboxMessage, outbox_id)
            found[event.kind.removeprefix("tip_")] = timeline.delivery(row, outbox_id)
    return found
