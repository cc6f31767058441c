"""Residents' requests under 個資法 §3 and their §13 clocks: filing, extending, deciding,
carrying out what was granted, and the one-time link of a copy.

個資法 §13: a request under §10 (查詢、閱覽、製給複製本) is decided within 15 days, one
under §11 (補充或更正、停止、刪除) within 30; either may be extended once, by at most as
long again, the reason told to the requester in writing. Only an administrator or a
supervisor decides. Service functions: they take a session and never commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot import messages, texts
from lianping.bot.conversation.privacy import COPY_LINK_DAYS, FIELDS
from lianping.services import audit
from lianping.services.access import SYSTEM, Actor, PermissionDenied
from lianping.storage import cases, outbox, residents
from lianping.storage import data_requests as queries
from lianping.storage import media as media_queries
from lianping.storage.erasure import erase_residents
from lianping.storage.models import (
    Case,
    DataRequest,
    OutboxMessage,
    Resident,
    ResidentTag,
    TipReporter,
)

# §13 I and II: days to decide, and the most one extension may add.
DAYS = {"access": 15, "copy": 15, "correct": 30, "stop": 30, "delete": 30}
DECIDERS = frozenset({"admin", "supervisor"})
DECISIONS = ("granted", "partly", "refused")
MAX_REASON = 500
# Where copies wait for their one download, under the media directory.
EXPORT_DIR = "data_exports"


class DataRequestError(ValueError):
    """Bad input or a request in the wrong state; the message says why in words (HTTP 400)."""


def due_of(kind: str, received_at: datetime) -> datetime:
    """The end of the Taipei day §13's period after ``received_at`` ends."""
    return rocdate.end_of_taipei_day(received_at, DAYS[kind])


def can_decide(actor: Actor) -> bool:
    """Administrators and supervisors decide requests and extend their clocks."""
    return actor.role in DECIDERS


def require_decider(actor: Actor) -> None:
    if not can_decide(actor):
        raise PermissionDenied("個資請求僅由系統管理者或主管決定，您的角色無法執行此動作。")


def token_hash(token: str) -> str:
    """What is stored of a copy link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


# -- from the chat ----------------------------------------------------------------------------


def file(
    session: Session,
    resident: Resident,
    kind: str,
    now: datetime,
    *,
    case: Case | None = None,
    details: dict[str, str] | None = None,
) -> tuple[DataRequest, bool]:
    """File a request for staff to decide; returns it and whether it is new (a second
    request of a kind already waiting is the same request, except corrections)."""
    if kind != "correct":
        waiting = queries.pending_for(session, resident.id, kind)
        if waiting is not None:
            return waiting, False
    row = queries.add(
        session,
        resident.id,
        kind,
        now,
        due_of(kind, now),
        case_id=case.id if case else None,
        details=details,
    )
    audit.record(
        session,
        _resident_actor(),
        "data_request.file",
        "data_request",
        row.id,
        after={"kind": kind, "due_at": row.due_at, "case": case.number if case else None},
    )
    return row, True


def record_access(session: Session, resident: Resident, now: datetime) -> DataRequest:
    """查詢／閱覽 answered at once in the chat: a request granted by the system."""
    row = queries.add(session, resident.id, "access", now, due_of("access", now), status="granted")
    row.decided_at = now
    row.decision_reason = "於LINE對話中即時提供"
    audit.record(
        session, SYSTEM, "data_request.access", "data_request", row.id, after={"kind": "access"}
    )
    return row


def _resident_actor() -> Actor:
    return Actor(None, cases.RESIDENT, "當事人", "resident")


# -- staff: extend and decide ----------------------------------------------------------------


@dataclass
class Outcome:
    """What a staff action did: LINE messages to deliver after commit, files to delete."""

    request: DataRequest
    outbox_ids: list[int] = field(default_factory=list)
    delete_files: list[str] = field(default_factory=list)


def _require_open(request: DataRequest) -> None:
    if request.status not in codes.DATA_REQUEST_OPEN:
        raise DataRequestError("這件請求已經決定，無法再變更。")


def _reason(typed: str, what: str) -> str:
    reason = (typed or "").strip()
    if not reason:
        raise DataRequestError(f"請填寫{what}。")
    if len(reason) > MAX_REASON:
        raise DataRequestError(f"{what}請在{MAX_REASON}字以內。")
    return reason


def extend(
    session: Session, actor: Actor, request: DataRequest, days: int, typed: str, now: datetime
) -> Outcome:
    """Extend the clock once by ``days`` (at most §13's period again); the resident is told."""
    require_decider(actor)
    _require_open(request)
    if request.extended_at is not None:
        raise DataRequestError("依個人資料保護法第13條，處理期限只能延長一次。")
    most = DAYS[request.kind]
    if not 1 <= days <= most:
        raise DataRequestError(f"延長天數須為1至{most}日。")
    reason = texts.extension_reason(_reason(typed, "延長理由"))
    if not reason:
        raise DataRequestError("請填寫延長理由。")
    before = {"due_at": request.due_at, "status": request.status}
    request.due_at = rocdate.end_of_taipei_day(request.due_at, days)
    request.extended_at, request.extension_reason, request.status = now, reason, "extended"
    notice = texts.DATA_EXTENDED.format(
        kind=codes.DATA_REQUEST_KINDS[request.kind],
        id=request.id,
        reason=reason,
        due=rocdate.roc_date(request.due_at),
    )
    sent = _tell(session, request, [messages.text(notice)])
    audit.record(
        session,
        actor,
        "data_request.extend",
        "data_request",
        request.id,
        before=before,
        after={
            "due_at": request.due_at,
            "status": request.status,
            "reason": reason,
            "outbox_id": sent.id if sent else None,
        },
    )
    return Outcome(request, [sent.id] if sent else [])


@dataclass(frozen=True)
class Copy:
    """A built copy waiting for its link: where it is stored (under the media directory)."""

    relative_path: str
    public_base_url: str


def check_decision(actor: Actor, request: DataRequest, status: str, typed: str) -> str:
    """The decision's reason, once the actor may decide and the input is good."""
    require_decider(actor)
    _require_open(request)
    if status not in DECISIONS:
        raise DataRequestError("請選擇決定：准予、部分准予或不予准許。")
    return _reason(typed, "決定理由")


def decide(
    session: Session,
    actor: Actor,
    request: DataRequest,
    status: str,
    typed: str,
    now: datetime,
    copy: Copy | None = None,
) -> Outcome:
    """Decide the request with a reason; a grant (or a partial one) is carried out, and the
    resident is told the outcome on LINE. A granted copy needs the built ``copy``."""
    reason = check_decision(actor, request, status, typed)
    resident = session.get(Resident, request.resident_id) if request.resident_id else None
    granted = status != "refused"
    if granted and request.kind == "copy" and copy is None:
        raise ValueError("a granted copy needs its file")
    result = Outcome(request)
    lines: list[str] = []
    if status == "refused":
        lines.append(texts.DATA_OUTCOME_REFUSED.format(reason=reason))
    elif status == "partly":
        lines.append(texts.DATA_OUTCOME_PARTLY.format(reason=reason))
    erase_after: list[int] = []
    if granted and resident is not None:
        lines += _carry_out(session, actor, request, resident, now, copy, result, erase_after)
    lines.append(texts.DATA_OUTCOME_FOOT)
    head = texts.DATA_OUTCOME_HEAD.format(
        kind=codes.DATA_REQUEST_KINDS[request.kind], id=request.id
    )
    before = {"status": request.status}
    request.status, request.decided_at = status, now
    request.decided_by, request.decision_reason = actor.user_id, reason
    # The outcome goes out before a deletion removes the LINE id it is sent to.
    sent = _tell(session, request, [messages.text("\n".join([head, *lines]))])
    if sent is not None:
        request.outcome_outbox_id = sent.id
        result.outbox_ids.append(sent.id)
    if erase_after:
        erase_residents(session, erase_after, now)
    audit.record(
        session,
        actor,
        "data_request.decide",
        "data_request",
        request.id,
        before=before,
        after={
            "kind": request.kind,
            "status": status,
            "reason": reason,
            "outbox_id": sent.id if sent else None,
        },
    )
    return result


def _tell(
    session: Session, request: DataRequest, body: list[messages.Message]
) -> OutboxMessage | None:
    """Queue a message to the requester while LINE can still reach them."""
    resident = session.get(Resident, request.resident_id) if request.resident_id else None
    if resident is None or resident.purged_at is not None or not resident.following:
        return None
    return outbox.add(session, resident.line_user_id, body)


def _carry_out(
    session: Session,
    actor: Actor,
    request: DataRequest,
    resident: Resident,
    now: datetime,
    copy: Copy | None,
    result: Outcome,
    erase_after: list[int],
) -> list[str]:
    """Do what a grant means for this kind; returns the outcome's lines for the resident."""
    if request.kind == "access":
        return [texts.DATA_OUTCOME_ACCESS]
    if request.kind == "copy" and copy is not None:
        token = secrets.token_urlsafe(32)
        request.export_token_hash = token_hash(token)
        request.export_path = copy.relative_path
        request.export_expires_at = now + timedelta(days=COPY_LINK_DAYS)
        url = f"{copy.public_base_url}/my-data/{token}"
        expires = rocdate.roc_datetime(request.export_expires_at)
        return [texts.DATA_OUTCOME_COPY.format(expires=expires, url=url)]
    if request.kind == "correct":
        return [_correct(session, actor, request, resident, now)]
    if request.kind == "stop":
        _clear_profile(session, resident, now)
        return [texts.DATA_OUTCOME_STOP]
    return _delete(session, request, resident, now, result, erase_after)


def _correct(
    session: Session, actor: Actor, request: DataRequest, resident: Resident, now: datetime
) -> str:
    """Apply the corrected contact detail to the case (a tip's reporter record for a tip)."""
    case = session.get(Case, request.case_id) if request.case_id else None
    field_name = str(request.details.get("field", ""))
    value = request.details.get("value")
    if case is None or case.resident_id != resident.id or field_name not in FIELDS:
        raise DataRequestError("這件更正請求的案件已不存在，無法准予；請選擇不予准許並說明理由。")
    target: Case | TipReporter = case
    if case.confidential:
        reporter = session.get(TipReporter, case.id)
        if reporter is None:
            reporter = TipReporter(case_id=case.id)
            session.add(reporter)
        target = reporter
    attribute = field_name if case.confidential else f"reporter_{field_name}"
    setattr(target, attribute, value)
    cases.add_event(
        session,
        case,
        "data_correction",
        actor.username,
        body=f"依當事人個資更正請求（申請編號 {request.id}）更正{FIELDS[field_name]}",
        data={"request_id": request.id, "field": field_name},
        at=now,
    )
    audit.record(
        session,
        actor,
        "case.correct",
        "case",
        case.number,
        after={"fields": [field_name], "request_id": request.id},
    )
    return texts.DATA_OUTCOME_CORRECT.format(number=case.number, field=FIELDS[field_name])


def _clear_profile(session: Session, resident: Resident, now: datetime) -> None:
    """Promotions stopped; the 區／村里 and tags (used only to target them) removed."""
    residents.set_promotions_opt_out(resident, True, now)
    resident.district = resident.village = None
    session.execute(delete(ResidentTag).where(ResidentTag.resident_id == resident.id))


def _delete(
    session: Session,
    request: DataRequest,
    resident: Resident,
    now: datetime,
    result: Outcome,
    erase_after: list[int],
) -> list[str]:
    """Remove the profile and media outside any case; cases stay as records (檔案法).

    While a case is still being handled, the LINE id stays so its answer reaches the
    resident; ``finish_deferred_deletions`` erases it once none is open.
    """
    media = queries.unfiled_media(session, resident.id)
    for item in media:
        path = media_queries.purge_file(item, now)
        if path:
            result.delete_files.append(path)
    held_cases = len(queries.held_data(session, resident).cases)
    open_numbers = queries.open_case_numbers(session, resident.id)
    lines = [
        texts.DATA_OUTCOME_DELETED.format(media=len(media)),
        texts.DATA_OUTCOME_KEPT.format(cases=held_cases),
    ]
    if open_numbers:
        _clear_profile(session, resident, now)
        resident.display_name = None
        resident.conversation = {}
        request.details = {**request.details, "line_id_kept_for": open_numbers}
        lines.append(texts.DATA_OUTCOME_LINE_KEPT.format(numbers="、".join(open_numbers)))
    else:
        erase_after.append(resident.id)
        lines.append(texts.DATA_OUTCOME_GONE)
    return lines


def finish_deferred_deletions(session: Session, now: datetime) -> int:
    """Erase residents whose deletion was granted while a case was open, once none is;
    returns how many were erased."""
    waiting = session.scalars(
        select(Resident.id)
        .join(DataRequest, DataRequest.resident_id == Resident.id)
        .where(
            DataRequest.kind == "delete",
            DataRequest.status.in_(("granted", "partly")),
            Resident.purged_at.is_(None),
        )
        .distinct()
    )
    done = [rid for rid in waiting if not queries.open_case_numbers(session, rid)]
    erased = erase_residents(session, done, now)
    if erased:
        audit.record(
            session, SYSTEM, "data_request.deferred_erase", "resident", "batch",
            after={"count": erased},
        )  # fmt: skip
    return erased


# -- the copy's one-time link --------------------------------------------------------------


def expired_copies(session: Session, now: datetime) -> list[str]:
    """Forget copies whose link expired; returns their files to delete after commit."""
    rows = session.scalars(
        select(DataRequest).where(
            DataRequest.export_path.is_not(None), DataRequest.export_expires_at <= now
        )
    )
    paths = []
    for row in rows:
        paths.append(str(row.export_path))
        row.export_path = None
    return paths


class LinkGone(Exception):
    """The link was used already or has expired (HTTP 410)."""


def take_copy(session: Session, token: str, now: datetime, ip: str | None) -> DataRequest | None:
    """The request whose copy this link downloads, claimed for its one download; None for an
    unknown token; LinkGone when used or expired. The download is logged."""
    row = queries.by_token_hash(session, token_hash(token))
    if row is None:
        return None
    if row.export_path is None or not queries.claim_download(session, row.id, now):
        raise LinkGone
    downloader = Actor(None, cases.RESIDENT, "當事人", "resident", ip=ip)
    audit.record(session, downloader, "data_request.download", "data_request", row.id)
    return row
