"""What staff do with a case: classify, assign, route, answer, change status, extend, reveal.

Every function checks permission, enforces the lifecycle, writes the case
timeline and the audit log, and returns the outbox ids of any LINE messages
it queued; the caller commits and then delivers them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot import messages, texts
from lianping.bot.conversation.phone import parse_phone
from lianping.line.limits import LIMITS, utf16_units
from lianping.services import audit, content, notices
from lianping.services.access import (
    RESIDENT,
    SYSTEM,
    Actor,
    PermissionDenied,
    can_open,
    may_reveal,
    reporter_fields,
    require_open,
    require_write,
)
from lianping.services.notices import acceptance as acceptance_notice
from lianping.services.notices import notify_resident
from lianping.storage import case_search, cases
from lianping.storage.models import (
    Agency,
    Case,
    CaseEvent,
    CaseNotice,
    CasePublication,
    FieldActivity,
    Resident,
    TipReporter,
    Unit,
    User,
    utcnow,
)

# An extension's reason is told to the resident in one LINE message (texts.DUE_EXTENDED).
MAX_EXTENSION_REASON = 500
# Why personal data was revealed: kept in the audit entry, so a line of words, not an essay.
MAX_REVEAL_REASON = 200
# 行政程序法 §173: the grounds on which a petition may be left unhandled, and the 款 of each.
REJECTION_REASONS: dict[str, str] = {
    "no_content": "無具體之內容",
    "no_identity": "未具真實姓名或住址",
    "repeated": "同一事由，經予適當處理，並已明確答覆後，而仍一再陳情",
    "several_agencies": "非主管陳情內容之機關，接獲陳情人以同一事由分向各機關陳情",
}
REJECTION_CLAUSES: dict[str, int] = {
    "no_content": 1,
    "no_identity": 1,
    "repeated": 2,
    "several_agencies": 3,
}
# 首長核可 (seed 004 玖.一、二): who approved, as name and title (「局長 王○○」).
MAX_APPROVER = 100
# 函轉 文號: the column's width (a longer number is refused, not cut).
MAX_LETTER_NUMBER = 64
# What a 補陳 notice asks for, and an answer staff record: a few lines, within one LINE text.
MAX_DETAILS = 2000
# A tip's 移送 (貪污治罪條例, 法務部廉政署組織法): where a tip may go; never an ordinary unit.
REFERRAL_TARGETS: dict[str, str] = {
    "aac": "法務部廉政署",
    "prosecutor": "地方檢察署",
    "other": "其他權責機關",
}
MAX_REFERRAL_NAME = 200
# How a reply that did not go out on LINE reached the resident (記錄書面／電話回覆).
REPLY_METHODS: dict[str, str] = {
    "mail": "郵寄",
    "in_person": "當面",
    "phone": "電話",
    "email": "電子郵件",
}
# Who approves an officer's extension (處理人民陳情案件要點: 簽請核准).
APPROVERS = frozenset({"supervisor", "admin"})

# Which status may follow which (the lifecycle of DESIGN.md); reopening goes to in_progress.
TRANSITIONS: dict[str, frozenset[str]] = {
    codes.RECEIVED: frozenset({codes.ASSIGNED, codes.IN_PROGRESS, codes.TRANSFERRED,
                               codes.REPLIED, codes.REJECTED, codes.MERGED, codes.WITHDRAWN}),
    codes.ASSIGNED: frozenset({codes.IN_PROGRESS, codes.TRANSFERRED, codes.REPLIED,
                               codes.REJECTED, codes.MERGED, codes.WITHDRAWN}),
    codes.IN_PROGRESS: frozenset({codes.TRANSFERRED, codes.REPLIED, codes.REJECTED,
                                  codes.MERGED, codes.WITHDRAWN}),
    codes.TRANSFERRED: frozenset({codes.IN_PROGRESS, codes.REPLIED, codes.CLOSED,
                                  codes.MERGED, codes.WITHDRAWN}),
    codes.REPLIED: frozenset({codes.IN_PROGRESS, codes.CLOSED}),
    codes.CLOSED: frozenset({codes.IN_PROGRESS}),
    codes.REJECTED: frozenset({codes.IN_PROGRESS}),
    codes.MERGED: frozenset({codes.IN_PROGRESS}),
    codes.WITHDRAWN: frozenset({codes.IN_PROGRESS}),
}  # fmt: skip


class CaseworkError(ValueError):
    """The request does not fit the case or the lifecycle; the message says why (zh-TW)."""


class LifecycleConflict(CaseworkError):
    """The case's status does not allow ``requested`` next (the API answers 409)."""

    def __init__(self, case: Case, requested: str) -> None:
        self.status = case.status
        self.requested = requested
        self.allowed = sorted(TRANSITIONS[case.status])
        super().__init__(
            f"案件目前為「{codes.STATUSES[case.status]}」，無法改為「{codes.STATUSES[requested]}」"
        )


@dataclass
class Result:
    """What a service did: the case, and LINE messages queued for after the commit."""

    case: Case
    outbox_ids: list[int] = field(default_factory=list)


def _snapshot(case: Case, *names: str) -> dict[str, Any]:
    return {name: getattr(case, name) for name in names}


def _change(
    session: Session, actor: Actor, case: Case, action: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Apply ``changes`` to the case, audit them, and return the before values."""
    if case.recorder is None and actor.user_id is not None:
        # 紀錄人 of 附件1: the officer who first handles a LINE case (``assign`` names the
        # officer it gives the case to), else the staff member who first acts on it.
        changes = {"recorder": actor.display_name, **changes}
    before = _snapshot(case, *changes)
    for name, value in changes.items():
        setattr(case, name, value)
    case.updated_at = utcnow()
    audit.record(session, actor, action, "case", case.number, before=before, after=changes)
    return before


def guard_write(actor: Actor, case: Case) -> None:
    """Refuse an actor who may not change cases or may not open this one."""
    require_write(actor)
    require_open(actor, case)


def next_statuses(case: Case) -> list[str]:
    """The statuses an officer may choose next: 已回覆 never (a reply that went out sets it);
    a tip the ethics unit concluded itself may be closed from any open status (its reporter
    hears through the result notice, not a reply)."""
    allowed = set(TRANSITIONS[case.status]) - {codes.REPLIED}
    if case.confidential and case.status in codes.OPEN_STATUSES:
        allowed.add(codes.CLOSED)
    return [code for code in codes.STATUSES if code in allowed]


def _move(case: Case, status: str) -> None:
    """Refuse a status the lifecycle does not allow next; checked before anything else is."""
    if status != case.status and status not in TRANSITIONS[case.status]:
        raise LifecycleConflict(case, status)


def status_label(case: Case) -> str:
    """The status as staff read it: a tip handed to 廉政署 or a prosecutor is 已移送."""
    if case.confidential and case.status == codes.TRANSFERRED:
        return "已移送"
    return codes.STATUSES[case.status]


def get_case(session: Session, actor: Actor, number: str) -> Case:
    """The case by number, if the actor may open it."""
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise LookupError(number)
    require_open(actor, case)
    return case


def classify(
    session: Session,
    actor: Actor,
    case: Case,
    nature: str,
    sub_item: str | None,
    theme: str | None,
) -> Result:
    """Set the nature, sub-item and theme (seed 004's categories)."""
    guard_write(actor, case)
    if nature not in codes.NATURES:
        raise CaseworkError("性質不正確")
    if sub_item is not None and (
        sub_item not in codes.SUB_ITEMS or codes.SUB_ITEMS[sub_item].nature != nature
    ):
        raise CaseworkError("細項與性質不符")
    if theme is not None and theme not in codes.THEMES:
        raise CaseworkError("主題不正確")
    if codes.TIP in (case.nature, nature) and case.nature != nature and not actor.ethics:
        raise CaseworkError("僅政風人員可將案件列為或移出檢舉案件")
    changes: dict[str, Any] = {
        "nature": nature,
        "sub_item": sub_item,
        "theme": theme,
        "confidential": nature == codes.TIP or case.confidential,
    }
    sealing = changes["confidential"] and not case.confidential
    if sealing:
        changes.update(_tip_holder(session, actor, case))
    _change(session, actor, case, "case.classify", changes)
    if sealing:
        _seal(session, case)
    words = codes.NATURES[nature] + (f"／{codes.SUB_ITEMS[sub_item].label}" if sub_item else "")
    cases.add_event(session, case, "classified", actor.username, body=f"分類為{words}")
    return Result(case)


def _tip_holder(session: Session, actor: Actor, case: Case) -> dict[str, Any]:
    """A case becoming a tip stays with its officer if ethics staff, else goes to the ethics
    user who made it one (the head of ethics reassigns it)."""
    officer = session.get(User, case.officer_id) if case.officer_id else None
    return {} if officer is not None and officer.ethics else {"officer_id": actor.user_id}


def _seal(session: Session, case: Case) -> None:
    """A case now a tip: its reporter moves to ``tip_reporters`` (貪污治罪條例 §18). The
    values are never written to the audit log; the classify entry records the change."""
    fields = {
        "name": case.reporter_name,
        "phone": case.reporter_phone,
        "address": case.reporter_address,
        "occupation": case.reporter_occupation,
    }
    if any(fields.values()):
        session.add(TipReporter(case_id=case.id, **fields))
    case.reporter_name = case.reporter_phone = case.reporter_address = None
    case.reporter_occupation = None
    # A tip is never published: an agreement given for the report lapses, and a public
    # summary already written (published or not) goes with it.
    case.publish_consent = False
    session.execute(delete(CasePublication).where(CasePublication.case_id == case.id))


def assign(
    session: Session, actor: Actor, case: Case, officer_id: int | None, unit_id: int | None
) -> Result:
    """Give the case to an officer and/or unit; a new case becomes 已分案.

    A tip is assigned by the head of ethics, to ethics staff only.
    """
    guard_write(actor, case)
    officer = session.get(User, officer_id) if officer_id else None
    if officer_id and (officer is None or not officer.active or officer.role == "viewer"):
        raise CaseworkError("承辦人不存在或無承辦權限")
    if case.confidential and not actor.head_of_ethics:
        raise CaseworkError("檢舉案件由政風單位主管分案")
    if officer is not None and case.confidential and not officer.ethics:
        raise CaseworkError("檢舉案件只能分給政風人員")
    unit = session.get(Unit, unit_id) if unit_id else None
    if unit_id and unit is None:
        raise CaseworkError("單位不存在")
    if unit is not None and case.confidential:
        raise CaseworkError(
            "檢舉案件由政風單位自行處理，不得分由一般單位承辦；請只指定承辦的政風人員"
        )
    changes: dict[str, Any] = {"officer_id": officer_id, "unit_id": unit_id}
    if case.recorder is None and officer is not None:
        changes["recorder"] = officer.display_name
    if case.status == codes.RECEIVED:
        changes["status"] = codes.ASSIGNED
    _change(session, actor, case, "case.assign", changes)
    who = "、".join(
        filter(None, [officer.display_name if officer else None, unit.name if unit else None])
    )
    cases.add_event(session, case, "assigned", actor.username, body=f"分案：{who or '未指定'}")
    if changes.get("status") == codes.ASSIGNED:
        cases.add_event(
            session,
            case,
            "status",
            actor.username,
            body="已分案，承辦人員處理中",
            public=True,
            data={"status": codes.ASSIGNED},
        )
    return Result(case)


@dataclass(frozen=True)
class Approval:
    """首長核可 of a 簽會 or 函轉 (seed 004 玖.一、二): who approved (name and title), and when."""

    by: str
    on: date


def _approval(approval: Approval) -> dict[str, Any]:
    """The approval as case columns, refused when blank, too long or dated in the future."""
    by = " ".join(approval.by.split())
    if not by:
        raise CaseworkError("請填寫核可人（職稱及姓名，例如「局長 王○○」）")
    if len(by) > MAX_APPROVER:
        raise CaseworkError(f"核可人請在{MAX_APPROVER}字以內")
    if approval.on > rocdate.taipei_today():
        raise CaseworkError("核可日期不得晚於今天")
    return {"approved_by": by, "approved_on": approval.on}


def _letter(letter_number: str, letter_date: date) -> str:
    """The letter's number, checked: required, within the column, not dated in the future."""
    number = letter_number.strip()
    if not number:
        raise CaseworkError("請填寫函文文號")
    if len(number) > MAX_LETTER_NUMBER:
        raise CaseworkError(f"函文文號請在{MAX_LETTER_NUMBER}字以內")
    if letter_date > rocdate.taipei_today():
        raise CaseworkError("發文日期不得晚於今天")
    return number


def _refuse_tip_routing(case: Case) -> None:
    """A tip never goes to an ordinary unit or agency: it has its own 移送 (``refer_tip``)."""
    if case.confidential:
        raise CaseworkError(
            "檢舉案件不得簽會一般單位或函轉他機關；"
            "請由政風單位自行處理，或以「移送」送法務部廉政署或地方檢察署"
        )


def route_internal(
    session: Session, actor: Actor, case: Case, unit_id: int, note: str, approval: Approval
) -> Result:
    """簽會 the responsible internal unit with the head's approval (seed 004 玖.一): 處理中."""
    guard_write(actor, case)
    _refuse_tip_routing(case)
    _move(case, codes.IN_PROGRESS)
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.active:
        raise CaseworkError("請選擇簽會單位")
    approved = _approval(approval)
    _change(
        session,
        actor,
        case,
        "case.route_internal",
        {"unit_id": unit.id, "agency_id": None, "status": codes.IN_PROGRESS, **approved},
    )
    cases.add_event(
        session,
        case,
        "routed",
        actor.username,
        body=f"簽會{unit.name}（{approved['approved_by']}於{rocdate.roc_date(approval.on)}核可）"
        + (f"：{note.strip()}" if note.strip() else ""),
        data={"unit_id": unit.id},
    )
    cases.add_event(
        session,
        case,
        "status",
        actor.username,
        body="已請權責單位處理中",
        public=True,
        data={"status": codes.IN_PROGRESS},
    )
    return Result(case)


def transfer_text(case: Case, agency: str, letter_number: str, letter_date: date) -> str:
    """The §172 I notice: the agency, the letter, and who answers (we answer an anonymous
    reporter, whom the other agency cannot reach)."""
    words = texts.TRANSFERRED_ANONYMOUS if case.anonymous else texts.TRANSFERRED
    return words.format(
        number=case.number, agency=agency, date=rocdate.roc_date(letter_date), letter=letter_number
    )


def route_external(
    session: Session,
    actor: Actor,
    case: Case,
    agency_id: int,
    letter_number: str,
    letter_date: date,
    approval: Approval,
) -> Result:
    """函請相關機關參處 with the head's approval (seed 004 玖.二); the resident is told
    (行政程序法 §172 I): on LINE, or a printed letter to mail or hand over."""
    guard_write(actor, case)
    _refuse_tip_routing(case)
    _move(case, codes.TRANSFERRED)
    agency = session.get(Agency, agency_id)
    if agency is None or not agency.active:
        raise CaseworkError("請選擇受文機關")
    number = _letter(letter_number, letter_date)
    approved = _approval(approval)
    _change(
        session,
        actor,
        case,
        "case.route_external",
        {
            "agency_id": agency.id,
            "letter_number": number,
            "letter_date": letter_date,
            "status": codes.TRANSFERRED,
            **approved,
        },
    )
    notice = notices.issue(
        session, case, "transfer", transfer_text(case, agency.name, number, letter_date),
        actor.username,
    )  # fmt: skip
    outbox_ids = [notice.outbox_id] if notice.outbox_id else []
    cases.add_event(
        session,
        case,
        "transferred",
        actor.username,
        body=notice.body,
        public=True,
        data={
            "agency_id": agency.id,
            "letter_number": number,
            "notice_id": notice.id,
            "outbox_id": notice.outbox_id,
        },
    )
    return Result(case, outbox_ids)


def refer_tip(
    session: Session,
    actor: Actor,
    case: Case,
    target: str,
    name: str | None,
    letter_number: str,
    letter_date: date,
) -> Result:
    """移送 a tip to 法務部廉政署, a 地方檢察署 (named) or another authority (named), by
    letter: the tip is 已移送. Internal only: the reporter hears through the tip's notices."""
    guard_write(actor, case)
    if not case.confidential:
        raise CaseworkError("移送限檢舉案件；一般陳情案件請以簽會或函轉處理")
    if not actor.ethics:
        raise CaseworkError("檢舉案件由政風人員移送")
    _move(case, codes.TRANSFERRED)
    if target not in REFERRAL_TARGETS:
        raise CaseworkError("請選擇移送機關（法務部廉政署、地方檢察署或其他）")
    named = " ".join((name or "").split())
    if target == "aac":
        authority = REFERRAL_TARGETS["aac"]
    elif target == "prosecutor":
        if not named.endswith("地方檢察署"):
            raise CaseworkError("請填寫地方檢察署的全名，例如「臺灣臺北地方檢察署」")
        authority = named
    else:
        if not named:
            raise CaseworkError("請填寫移送機關名稱")
        authority = named
    if len(authority) > MAX_REFERRAL_NAME:
        raise CaseworkError(f"移送機關名稱請在{MAX_REFERRAL_NAME}字以內")
    number = _letter(letter_number, letter_date)
    _change(
        session,
        actor,
        case,
        "case.refer",
        {
            "referred_to": authority,
            "letter_number": number,
            "letter_date": letter_date,
            "unit_id": None,
            "agency_id": None,
            "status": codes.TRANSFERRED,
        },
    )
    cases.add_event(
        session,
        case,
        "referred",
        actor.username,
        body=f"移送{authority}（{rocdate.roc_date(letter_date)}{number}函）",
        data={"referred_to": authority, "letter_number": number, "status": codes.TRANSFERRED},
    )
    return Result(case)


def set_opinion(
    session: Session, actor: Actor, case: Case, opinion: str, signing_agency: str | None = None
) -> Result:
    """Write the 處理意見 of 附件1, and its 簽辦機關 when given."""
    guard_write(actor, case)
    changes: dict[str, Any] = {"handling_opinion": opinion.strip() or None}
    if signing_agency is not None:
        if len(signing_agency.strip()) > 200:
            raise CaseworkError("簽辦機關名稱過長")
        changes["signing_agency"] = signing_agency.strip() or None
    _change(session, actor, case, "case.opinion", changes)
    cases.add_event(session, case, "opinion", actor.username, body="更新處理意見")
    return Result(case)


def add_note(session: Session, actor: Actor, case: Case, note: str) -> Result:
    """An internal note: never shown to the resident."""
    guard_write(actor, case)
    if not note.strip():
        raise CaseworkError("內部註記不可空白")
    cases.add_event(session, case, "note", actor.username, body=note.strip())
    audit.record(session, actor, "case.note", "case", case.number, after={"note": note.strip()})
    return Result(case)


def with_remedy(body: str, remedy: str | None) -> str:
    """The reply's body, with the remedies sentence the officer chose appended (§172 II)."""
    if not remedy:
        return body.strip()
    if remedy not in texts.REMEDIES:
        raise CaseworkError("請選擇救濟途徑說明")
    return f"{body.strip()}\n\n{texts.REMEDIES[remedy]}"


def reply_text(number: str, body: str, remedy: str | None = None) -> str:
    """The one LINE message a reply to case ``number`` sends (also what the preview shows)."""
    if not body.strip():
        raise CaseworkError("回覆內容不可空白")
    text = texts.STAFF_REPLY.format(number=number, body=with_remedy(body, remedy))
    if utf16_units(text) > LIMITS["text_utf16_units"]:
        raise CaseworkError(f"回覆內容過長（LINE 單則訊息上限 {LIMITS['text_utf16_units']} 字）")
    return text


def _answered_status(case: Case) -> str:
    """A follow-up to a closed case leaves it closed; otherwise the case is now answered."""
    status = case.status if case.status in (codes.REPLIED, codes.CLOSED) else codes.REPLIED
    _move(case, status)
    return status


def reply(
    session: Session, actor: Actor, case: Case, body: str, remedy: str | None = None
) -> Result:
    """Answer the resident on LINE (行政程序法 §171), with a remedies sentence if chosen;
    the case becomes 已回覆 (back to 處理中 if LINE finally fails to deliver it).

    Not a tip: its reporter is answered by an acceptance and a result notice (``tips``).
    """
    guard_write(actor, case)
    if case.confidential:
        raise CaseworkError("檢舉案件請以受理通知及處理結果通知答復檢舉人")
    status = _answered_status(case)
    text = reply_text(case.number, body, remedy)
    if case.resident_id is None:
        raise CaseworkError(
            "此案件非經由LINE反映，請以書面或電話回覆後，以「記錄書面／電話回覆」登錄"
        )
    outbox_ids = notify_resident(session, case, [messages.text(text)])
    if not outbox_ids:
        raise CaseworkError("反映者已封鎖本帳號，無法以LINE回覆；請以書面或電話回覆後登錄")
    _change(session, actor, case, "case.reply", {"status": status})
    cases.add_event(
        session,
        case,
        "reply",
        actor.username,
        body=with_remedy(body, remedy),
        public=True,
        data={"outbox_id": outbox_ids[0], "remedy": remedy},
    )
    return Result(case, outbox_ids)


def record_reply(
    session: Session,
    actor: Actor,
    case: Case,
    body: str,
    method: str,
    on: date,
    remedy: str | None = None,
) -> Result:
    """記錄書面／電話回覆: the officer answered outside LINE (mail, in person, phone, e-mail);
    the case becomes 已回覆 and the answer is kept as the result notice, delivered that day."""
    guard_write(actor, case)
    if case.confidential:
        raise CaseworkError("檢舉案件請以受理通知及處理結果通知答復檢舉人")
    status = _answered_status(case)
    if method not in REPLY_METHODS:
        raise CaseworkError("請選擇回覆方式（郵寄、當面、電話或電子郵件）")
    if not body.strip():
        raise CaseworkError("請填寫回覆內容")
    if len(body.strip()) > LIMITS["text_utf16_units"]:
        raise CaseworkError(f"回覆內容請在{LIMITS['text_utf16_units']}字以內")
    if on > rocdate.taipei_today():
        raise CaseworkError("回覆日期不得晚於今天")
    if on < rocdate.taipei_date(case.created_at):
        raise CaseworkError("回覆日期不得早於收件日期")
    text = with_remedy(body, remedy)
    delivered = rocdate.end_of_taipei_day(rocdate.taipei_midnight(on))
    notice = CaseNotice(
        case_id=case.id,
        kind="result",
        body=text,
        delivery=method,
        delivered_at=min(delivered, utcnow()),
        delivered_by=actor.username,
        created_by=actor.username,
        created_at=utcnow(),
    )
    session.add(notice)
    session.flush()
    _change(session, actor, case, "case.reply_recorded", {"status": status})
    cases.add_event(
        session,
        case,
        "reply_recorded",
        actor.username,
        body=f"已於{rocdate.roc_date(on)}以{REPLY_METHODS[method]}回覆：{text}",
        public=True,
        data={"method": method, "on": on.isoformat(), "notice_id": notice.id, "remedy": remedy},
    )
    return Result(case)


def reply_undelivered(session: Session, outbox_id: int) -> None:
    """A LINE reply finally failed: its case is not answered; back to 處理中, said on the
    timeline, so the officer answers another way (called where the outbox row fails)."""
    event = session.scalar(
        select(CaseEvent)
        .where(CaseEvent.kind == "reply")
        .where(CaseEvent.data["outbox_id"].as_integer() == outbox_id)
    )
    if event is None:
        return
    case = session.get(Case, event.case_id)
    if case is None or case.status != codes.REPLIED:
        return
    _change(session, SYSTEM, case, "case.reply_failed", {"status": codes.IN_PROGRESS})
    cases.add_event(
        session,
        case,
        "status",
        SYSTEM.username,
        body=texts.REPLY_UNDELIVERED,
        data={"status": codes.IN_PROGRESS, "outbox_id": outbox_id},
    )


def change_status(
    session: Session,
    actor: Actor,
    case: Case,
    status: str,
    *,
    reason: str | None = None,
    merge_into: str | None = None,
) -> Result:
    """Move the case along its lifecycle (不予處理 needs a §173 reason and tells the resident,
    併案 a target). 已回覆 is only ever set by a reply that went out."""
    guard_write(actor, case)
    if status not in codes.STATUSES:
        raise CaseworkError("狀態不正確")
    if status == codes.REPLIED and case.status != codes.REPLIED:
        raise CaseworkError("「已回覆」須經由「回覆民眾」或「記錄書面／電話回覆」登錄實際回覆")
    if status not in next_statuses(case):
        _move(case, status)
    changes: dict[str, Any] = {"status": status}
    if status == codes.REJECTED:
        if reason not in REJECTION_REASONS:
            raise CaseworkError("不予處理須選擇行政程序法第173條所列事由")
        changes["rejection_reason"] = reason
    if status == codes.MERGED:
        target = session.scalar(select(Case).where(Case.number == (merge_into or "").strip()))
        # A tip the actor may not open is reported exactly like a number that does not exist.
        if target is None or target.id == case.id or not can_open(actor, target):
            raise CaseworkError("請輸入要併入的案件編號")
        changes["merged_into_id"] = target.id
    if status == codes.CLOSED:
        changes["closed_at"] = utcnow()
    _change(session, actor, case, "case.status", changes)
    words = codes.STATUS_FOR_RESIDENTS[status]
    outbox_ids: list[int] = []
    data: dict[str, Any] = {"status": status}
    if status == codes.REJECTED and reason:
        clause = REJECTION_CLAUSES[reason]
        words += f"（行政程序法第173條第{clause}款：{REJECTION_REASONS[reason]}）"
        if not case.confidential:  # a tip's reporter hears through the tip's result notice
            notice = notices.issue(
                session, case, "refusal", refusal_text(case.number, reason), actor.username
            )
            data["notice_id"] = notice.id
            outbox_ids = [notice.outbox_id] if notice.outbox_id else []
    if status == codes.CLOSED and case.satisfaction is None:
        outbox_ids = notify_resident(session, case, [satisfaction_question(case.number)])
    if outbox_ids:
        data["outbox_id"] = outbox_ids[0]
    cases.add_event(session, case, "status", actor.username, body=words, public=True, data=data)
    return Result(case, outbox_ids)


def refusal_text(number: str, reason: str) -> str:
    """The §173 refusal notice: its 款 and ground."""
    return texts.REFUSED.format(
        number=number, clause=REJECTION_CLAUSES[reason], ground=REJECTION_REASONS[reason]
    )


def satisfaction_question(number: str) -> dict[str, Any]:
    """The closing notice with a 1–5 rating as quick replies (postbacks stay valid)."""
    items = [
        messages.postback_item(label, f"a=rate&n={number}&v={score}")
        for score, label in texts.SATISFACTION_LABELS.items()
    ]
    body = texts.CASE_CLOSED.format(number=number) + "\n" + texts.SATISFACTION_QUESTION
    return messages.text(body, items)


def record_satisfaction(session: Session, case: Case, score: int) -> bool:
    """Store the resident's 1–5 rating once; False if already rated or out of range."""
    if case.satisfaction is not None or not 1 <= score <= 5:
        return False
    case.satisfaction, case.satisfaction_at = score, utcnow()
    cases.add_event(
        session,
        case,
        "satisfaction",
        cases.RESIDENT,
        body=f"滿意度 {score} 分",
        data={"score": score},
    )
    return True


def withdrawable(case: Case) -> bool:
    """Whether ``case`` may still be withdrawn (撤回): only while it waits for its answer,
    which is where the lifecycle allows it next."""
    return codes.WITHDRAWN in TRANSITIONS[case.status]


def withdraw_for_resident(session: Session, case: Case, now: datetime) -> Result:
    """The resident withdraws their own case on LINE; refused once it was answered or ended.

    The timeline (public) and the audit log record it as the resident's act.
    """
    if not withdrawable(case):
        raise LifecycleConflict(case, codes.WITHDRAWN)
    _change(session, RESIDENT, case, "case.status", {"status": codes.WITHDRAWN})
    cases.add_event(
        session,
        case,
        "status",
        RESIDENT.username,
        body=texts.WITHDRAWN_ENTRY,
        public=True,
        data={"status": codes.WITHDRAWN},
        at=now,
    )
    return Result(case)


def _new_due(session: Session, case: Case, new_due: date, reason: str) -> tuple[datetime, str]:
    """An extension's new deadline (end of that Taipei day) and reason, checked: later than
    the current one, by no more than the agency's maximum, with a short reason."""
    reason = texts.extension_reason(reason)
    if not reason:
        raise CaseworkError("延長期限須說明理由")
    if len(reason) > MAX_EXTENSION_REASON:
        raise CaseworkError(f"延長理由請在{MAX_EXTENSION_REASON}字以內")
    due_at = rocdate.end_of_taipei_day(rocdate.taipei_midnight(new_due))
    if due_at <= case.due_at:
        raise CaseworkError("新期限須晚於原期限")
    most = int(content.get(session, "extension_max_days"))
    days = (new_due - rocdate.taipei_date(case.due_at)).days
    if days > most:
        latest = rocdate.roc_date(rocdate.taipei_date(case.due_at) + timedelta(days=most))
        raise CaseworkError(f"每次延長不得超過{most}日（最晚至{latest}）")
    return due_at, reason


def extend_due(session: Session, actor: Actor, case: Case, new_due: date, reason: str) -> Result:
    """Propose an extension with its reason (處理人民陳情案件要點: 簽請核准); a supervisor
    or administrator proposing it approves it in the same step."""
    guard_write(actor, case)
    if case.status not in case_search.AWAITING_ANSWER:
        raise CaseworkError("案件已回覆或已結束處理，無須延長期限")
    due_at, reason = _new_due(session, case, new_due, reason)
    if actor.role in APPROVERS:
        return _extend(session, actor, case, due_at, reason, proposed_by=None)
    _change(
        session,
        actor,
        case,
        "case.extension_propose",
        {
            "extension_due_on": new_due,
            "extension_reason": reason,
            "extension_by": actor.user_id,
            "extension_at": utcnow(),
        },
    )
    cases.add_event(
        session,
        case,
        "extension_proposed",
        actor.username,
        body=f"擬延長處理期限至{rocdate.roc_date(new_due)}，理由：{reason}（待主管核定）",
        data={"due_on": new_due.isoformat(), "reason": reason},
    )
    return Result(case)


def decide_extension(
    session: Session, actor: Actor, case: Case, approve: bool, note: str = ""
) -> Result:
    """A supervisor (or administrator) approves or declines the pending extension; on
    approval the deadline moves and the resident is told the reason in writing."""
    guard_write(actor, case)
    if actor.role not in APPROVERS:
        raise PermissionDenied("延長期限須由主管或系統管理者核定")
    if case.extension_due_on is None or case.extension_reason is None:
        raise CaseworkError("此案件沒有待核定的延長期限")
    if case.extension_by == actor.user_id and not actor.is_admin:
        raise CaseworkError("不得核定自己提出的延長期限")
    proposed_by = case.extension_by
    if not approve:
        _change(session, actor, case, "case.extension_decline", _no_proposal())
        cases.add_event(
            session,
            case,
            "extension_declined",
            actor.username,
            body="不同意延長處理期限" + (f"：{note.strip()}" if note.strip() else ""),
        )
        return Result(case)
    due_at, reason = _new_due(session, case, case.extension_due_on, case.extension_reason)
    return _extend(session, actor, case, due_at, reason, proposed_by=proposed_by)


def _no_proposal() -> dict[str, Any]:
    return {
        "extension_due_on": None,
        "extension_reason": None,
        "extension_by": None,
        "extension_at": None,
    }


def _extend(
    session: Session,
    actor: Actor,
    case: Case,
    due_at: datetime,
    reason: str,
    proposed_by: int | None,
) -> Result:
    """Move the deadline (approved) and tell the resident: on LINE or a printed letter."""
    _change(session, actor, case, "case.extend", {"due_at": due_at, **_no_proposal()})
    body = texts.DUE_EXTENDED.format(
        number=case.number, reason=reason, due=rocdate.roc_date(due_at)
    )
    notice = notices.issue(session, case, "extension", body, actor.username)
    cases.add_event(
        session,
        case,
        "extended",
        actor.username,
        body=body,
        public=True,
        data={
            "reason": reason,
            "approved_by": actor.display_name,
            "proposed_by": proposed_by,
            "notice_id": notice.id,
            "outbox_id": notice.outbox_id,
        },
    )
    return Result(case, [notice.outbox_id] if notice.outbox_id else [])


def request_details(session: Session, actor: Actor, case: Case, what: str) -> Result:
    """補陳: ask the resident for what is missing (行政程序法 §171 practice). Not a reply: the
    status stays, and the answer clock pauses until the resident answers."""
    guard_write(actor, case)
    if case.confidential:
        raise CaseworkError("檢舉案件請由承辦政風人員另行聯繫檢舉人")
    if case.status not in case_search.AWAITING_ANSWER:
        raise CaseworkError("案件已回覆或已結束處理，無法請民眾補陳")
    if case.details_requested_at is not None:
        raise CaseworkError("已請民眾補陳，尚未收到補充資料")
    missing = what.strip()
    if not missing:
        raise CaseworkError("請填寫需補充的資料")
    if len(missing) > MAX_DETAILS:
        raise CaseworkError(f"需補充的資料請在{MAX_DETAILS}字以內")
    on_line = notices.line_reach(session, case) == notices.REACHABLE
    words = texts.DETAILS_REQUESTED if on_line else texts.DETAILS_REQUESTED_LETTER
    now = utcnow()
    _change(session, actor, case, "case.details_request", {"details_requested_at": now})
    notice = notices.issue(
        session, case, "details", words.format(number=case.number, what=missing), actor.username
    )
    cases.add_event(
        session,
        case,
        "details_requested",
        actor.username,
        body=f"請補充資料：{missing}（處理期限暫停計算）",
        public=True,
        data={"notice_id": notice.id, "outbox_id": notice.outbox_id},
    )
    return Result(case, [notice.outbox_id] if notice.outbox_id else [])


def record_details(session: Session, actor: Actor, case: Case, answer: str, on: date) -> Result:
    """The officer records the resident's 補陳 answer (by phone, on paper, in person): the
    clock resumes from that day."""
    guard_write(actor, case)
    if case.details_requested_at is None:
        raise CaseworkError("此案件沒有等待中的補陳")
    text = answer.strip()
    if not text:
        raise CaseworkError("請填寫民眾補充的內容")
    if len(text) > MAX_DETAILS:
        raise CaseworkError(f"補充內容請在{MAX_DETAILS}字以內")
    if on > rocdate.taipei_today():
        raise CaseworkError("收到日期不得晚於今天")
    if on < rocdate.taipei_date(case.details_requested_at):
        raise CaseworkError("收到日期不得早於請求補陳的日期")
    cases.add_event(
        session, case, "details_answer", actor.username, body=text, public=True,
        data={"on": on.isoformat()},
    )  # fmt: skip
    resume_details(session, actor, case, on)
    return Result(case)


def resume_details(session: Session, actor: Actor, case: Case, on: date) -> None:
    """The 補陳 answer arrived on ``on``: the deadline moves later by the whole days the
    clock was paused, and the case waits for its answer again (its status never changed)."""
    requested = case.details_requested_at
    if requested is None:
        return
    days = max((on - rocdate.taipei_date(requested)).days, 0)
    due_at = rocdate.end_of_taipei_day(case.due_at, days)
    resumed = {"details_requested_at": None, "due_at": due_at}
    _change(session, actor, case, "case.details_resume", resumed)
    moved = (
        f"暫停{days}日，處理期限順延至{rocdate.roc_date(due_at)}"
        if days
        else f"暫停未滿1日，處理期限仍為{rocdate.roc_date(due_at)}"
    )
    cases.add_event(
        session,
        case,
        "details_received",
        actor.username,
        body=f"收到補充資料，恢復計算處理期限；{moved}",
        public=True,
        data={"paused_days": days},
    )


def reveal_reason(typed: str | None) -> str:
    """The reason for a reveal, required and short (it goes into the audit entry)."""
    reason = " ".join((typed or "").split())
    if not reason:
        raise CaseworkError("請說明檢視個人資料的原因")
    if len(reason) > MAX_REVEAL_REASON:
        raise CaseworkError(f"檢視原因請在{MAX_REVEAL_REASON}字以內")
    return reason


def reveal(session: Session, actor: Actor, case: Case, reason: str) -> dict[str, str | None]:
    """The reporter's personal data, for those who need to know (``access.may_reveal``),
    with the reason; every reveal is logged with its reason. A tip's reporter comes from
    ``tip_reporters``."""
    require_open(actor, case)
    if not actor.can_reveal:
        raise PermissionDenied("您的角色無法檢視個人資料")
    if not may_reveal(session, actor, case):
        raise PermissionDenied("僅承辦人、其單位主管及系統管理者可檢視此案件的個人資料")
    why = reveal_reason(reason)
    audit.record(
        session,
        actor,
        "case.reveal",
        "case",
        case.number,
        after={"fields": ["name", "phone", "address"], "reason": why},
    )
    cases.add_event(session, case, "reveal", actor.username, body=f"檢視反映者個人資料：{why}")
    data = reporter_fields(session, case)
    if case.resident_id:
        resident = session.get(Resident, case.resident_id)
        data["line_user_id"] = resident.line_user_id if resident else None
    return data


def record_view(session: Session, actor: Actor, case: Case, via: str) -> None:
    """Log a look at a tip (its page, a media file, an export or the API detail): every
    view of a tip is in the audit log, as the reporter's protection requires."""
    if case.confidential:
        audit.record(session, actor, "tip.view", "case", case.number, after={"via": via})


def mark_read(session: Session, actor: Actor, case: Case) -> Result:
    """The officer has read what the resident added."""
    guard_write(actor, case)
    if case.resident_update_at is not None:
        _change(session, actor, case, "case.read_update", {"resident_update_at": None})
    return Result(case)


@dataclass(frozen=True)
class ManualReport:
    """A walk-in, meeting, phone or letter report written up by staff (附件1 on paper)."""

    channel: str
    nature: str
    sub_item: str | None
    theme: str | None
    description: str
    reporter_name: str | None
    reporter_phone: str | None
    reporter_address: str | None
    reporter_occupation: str | None
    recorder: str
    petition_confirmed: bool
    # 個資法 §8: how the notice was given in person (codes.MANUAL_NOTICE_METHODS); required.
    notice_method: str | None = None
    # 收件日期 and the time if known (Taipei); without a date, the report is received now.
    received_on: date | None = None
    received_time: time | None = None
    # The field activity (座談, 拜會…) at which the report was taken, if any.
    activity_id: int | None = None
    # The reporter agreed that the outcome may be published de-identified (asked in person
    # as on LINE; default no). Ignored for a tip.
    publish_consent: bool = False


# How far back a 收件日期 may go: a report written up late, not an old register retyped.
RECEIVED_WITHIN_DAYS = 365


def received_at(report: ManualReport, now: datetime) -> datetime:
    """When a manual report was received (收件), from its date and time in Taipei.

    No date is now; a date without a time is now if it is today, else the start of that
    day (shown as the date alone). Never later than now, never more than a year back.
    """
    today = rocdate.taipei_date(now)
    day = report.received_on or today
    if day > today:
        raise CaseworkError("收件日期不得晚於今天")
    earliest = today - timedelta(days=RECEIVED_WITHIN_DAYS)
    if day < earliest:
        raise CaseworkError(f"收件日期不得早於一年前（{rocdate.roc_date(earliest)}）")
    if report.received_time is None:
        return now if day == today else rocdate.taipei_midnight(day)
    moment = datetime.combine(day, report.received_time, tzinfo=rocdate.TAIPEI)
    if moment > now:
        raise CaseworkError("收件時間不得晚於現在")
    return moment.astimezone(UTC)


def _reporter_phone(typed: str | None) -> str | None:
    """The phone as the LINE flow keeps it (E.164), by the LINE flow's rule; blank is none."""
    if not (typed or "").strip():
        return None
    parsed = parse_phone((typed or "").strip())
    if parsed is None:
        raise CaseworkError(
            "聯絡電話格式不正確：請輸入臺灣的手機或市話號碼（市話含區碼、不含分機），"
            "例如 0912-345-678"
        )
    return parsed[0]


def manual_intake(
    session: Session,
    actor: Actor,
    report: ManualReport,
    due_days: int,
    acceptance_days: int | None = None,
) -> Case:
    """Record a report made in person; §169 asks that it be read back and confirmed.

    A tip's reporter goes to ``tip_reporters``; the tip is assigned to the ethics officer
    who recorded it (they heard the reporter already) and its acceptance notice falls
    due ``acceptance_days`` after receipt.
    """
    require_write(actor)
    if report.channel not in codes.CHANNELS or report.channel == "line":
        raise CaseworkError("請選擇受理管道（臨櫃、座談會、電話或書面）")
    if report.nature not in codes.NATURES:
        raise CaseworkError("請選擇性質")
    if report.nature == codes.TIP and not actor.ethics:
        raise CaseworkError("僅政風人員可登錄檢舉案件")
    sub_item = codes.SUB_ITEMS.get(report.sub_item) if report.sub_item else None
    if report.sub_item and (sub_item is None or sub_item.nature != report.nature):
        raise CaseworkError("細項與性質不符")
    if len(report.description.strip()) < 5:
        raise CaseworkError("請填寫需求／反映內容概述")
    if not report.recorder.strip():
        raise CaseworkError("請填寫紀錄人")
    phone = _reporter_phone(report.reporter_phone)
    activity = session.get(FieldActivity, report.activity_id) if report.activity_id else None
    if report.activity_id is not None and activity is None:
        raise CaseworkError("找不到受理反映的活動，請由活動頁重新登錄")
    if report.channel in ("walk_in", "meeting", "phone") and not report.petition_confirmed:
        raise CaseworkError(
            "言詞陳情須向陳情人朗讀或使其閱覽，並經其簽名或蓋章確認後始得登錄（行政程序法第169條）"
        )
    if report.notice_method not in codes.MANUAL_NOTICE_METHODS:
        raise CaseworkError(
            "請選擇個人資料蒐集告知的方式（交付書面或當面朗讀；個人資料保護法第8條）"
        )
    notice = content.current_privacy_notice(session)
    now = utcnow()
    received = received_at(report, now)
    anonymous = not (report.reporter_name or "").strip()
    tip = report.nature == codes.TIP
    reporter = {
        "name": (report.reporter_name or "").strip() or None,
        "phone": phone,
        "address": (report.reporter_address or "").strip() or None,
        "occupation": (report.reporter_occupation or "").strip() or None,
    }
    case = Case(
        number=cases.next_number(session, received),
        channel=report.channel,
        nature=report.nature,
        sub_item=report.sub_item or None,
        theme=report.theme or None,
        status=codes.RECEIVED,
        description=report.description.strip(),
        anonymous=anonymous,
        reporter_name=None if tip else reporter["name"],
        reporter_phone=None if tip else reporter["phone"],
        reporter_address=None if tip else reporter["address"],
        reporter_occupation=None if tip else reporter["occupation"],
        confidential=tip,
        officer_id=actor.user_id if tip else None,
        acceptance_due_at=rocdate.end_of_taipei_day(received, acceptance_days)
        if tip and acceptance_days is not None
        else None,
        recorder=report.recorder.strip(),
        activity_id=report.activity_id,
        district=activity.district if activity else None,
        publish_consent=report.publish_consent and not tip,
        petition_confirmed=report.petition_confirmed,
        notice_version=notice.version,
        notice_read_at=received,
        notice_method=report.notice_method,
        due_at=rocdate.end_of_taipei_day(received, due_days),
        created_at=received,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    if tip and any(reporter.values()):
        session.add(TipReporter(case_id=case.id, **reporter))
    created = f"{codes.CHANNELS[report.channel]}受理，紀錄人{case.recorder}"
    if rocdate.taipei_date(received) != rocdate.taipei_date(now):
        created += f"；{rocdate.roc_date(now)}登錄"
    cases.add_event(
        session,
        case,
        "created",
        actor.username,
        body=created,
        public=True,
        data={"channel": report.channel},
        at=received,
    )
    audit.record(
        session,
        actor,
        "case.create",
        "case",
        case.number,
        after={
            "channel": report.channel,
            "nature": report.nature,
            "received_at": received.isoformat(),
            "notice_version": notice.version,
            "notice_method": report.notice_method,
        },
    )
    # Without LINE, the acceptance and its answer date reach the reporter on paper; a tip
    # has its own acceptance notice, which the ethics officer sends (services.tips).
    if not tip:
        acceptance_notice(session, case, actor.username)
    return case
