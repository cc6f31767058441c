"""A case's timeline as staff read it, built once for the case page and the JSON API.

Every event, internal notes included, oldest first; each with its actor in words,
the resident's media it brought, and the LINE delivery state of the message it sent
(replies, transfer and extension notices, the closing question). Each notice the law
requires (``CaseNotice``) is on it too, with how it reached the reporter: LINE and its
outbox row's state, mailed or handed over on a date, or a letter not yet sent. The
reporter's personal data fields are never on it: a reveal is an event, what it showed
is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.services import accounts
from lianping.services.access import Actor, require_open
from lianping.storage import cases
from lianping.storage.models import (
    OUTBOX_FAILED,
    OUTBOX_SENT,
    SENT_UNCONFIRMED,
    Case,
    CaseEvent,
    CaseNotice,
    MediaFile,
    OutboxMessage,
)

KIND_LABELS: dict[str, str] = {
    "created": "完成收件登記",
    "resident_message": "民眾補充說明",
    "resident_media": "民眾補充附件",
    "media_unsent": "民眾收回已附入的附件",
    "classified": "分類",
    "assigned": "分案",
    "status": "狀態變更",
    "routed": "簽會",
    "transferred": "函轉他機關",
    "opinion": "處理意見",
    "note": "內部註記",
    "reply": "回覆民眾",
    "reply_recorded": "記錄書面／電話回覆",
    "details_requested": "請民眾補陳",
    "details_answer": "民眾補陳（承辦人登錄）",
    "details_received": "恢復計算處理期限",
    "extension_proposed": "提出延長期限",
    "extension_declined": "不同意延長期限",
    "referred": "檢舉案件移送",
    "extended": "延長期限",
    "reveal": "檢視個人資料",
    "satisfaction": "滿意度回饋",
    "tip_acceptance": "檢舉受理通知",
    "tip_result": "檢舉處理結果通知",
    "insider": "機關內部人員標記",
    "data_correction": "依個資請求更正",
    "notice_delivered": "登錄通知寄送",
}
# The outbox row an event points to may be gone; the API says so rather than omit it.
MISSING = "missing"


@dataclass(frozen=True)
class Delivery:
    """The LINE delivery of the message an event sent: an outbox row's state."""

    outbox_id: int
    state: str  # pending | sent | failed | missing
    sent_via: str | None
    attempts: int
    sent_at: datetime | None
    last_error: str | None

    @property
    def words(self) -> str:
        """The state as staff read it."""
        if self.state == OUTBOX_SENT and self.sent_via == SENT_UNCONFIRMED:
            return "送達未確認"
        return {OUTBOX_SENT: "已送達", OUTBOX_FAILED: "失敗"}.get(self.state, "待送")

    @property
    def detail(self) -> str | None:
        """How it was sent, why it failed, or why it is still waiting."""
        if self.state == OUTBOX_SENT and self.sent_via == SENT_UNCONFIRMED:
            return "回覆可能已送達，但 LINE 未確認；為免重複傳送，不再推播"
        if self.state == OUTBOX_SENT:
            via = {"reply": "回覆", "push": "推播"}.get(self.sent_via or "", "")
            return f"以{via}送達" if via else None
        if self.state == OUTBOX_FAILED:
            return self.last_error or "LINE 未說明原因"
        return f"重試中：{self.last_error}" if self.last_error else None


def delivery(row: OutboxMessage | None, outbox_id: int) -> Delivery:
    """The delivery state of outbox row ``outbox_id`` (``row``, None when it is gone)."""
    if row is None:
        return Delivery(outbox_id, MISSING, None, 0, None, None)
    return Delivery(row.id, row.status, row.sent_via, row.attempts, row.sent_at, row.last_error)


@dataclass(frozen=True)
class Notice:
    """A notice the reporter is to be given, and how it went out (never "sent" if it did not)."""

    id: int
    case_number: str
    kind: str
    body: str
    delivery: str  # a code of codes.NOTICE_DELIVERIES
    line: Delivery | None  # a LINE notice: its outbox row's state
    delivered_at: datetime | None  # a letter mailed or handed over
    delivered_by: str | None
    created_by: str
    created_at: datetime

    @property
    def label(self) -> str:
        """The notice's name, e.g. 移送通知."""
        return codes.NOTICE_KINDS.get(self.kind, self.kind)

    @property
    def paper(self) -> bool:
        """A printed letter (pending, mailed or handed over): it has ODT and PDF files."""
        return self.delivery != "line"

    @property
    def pending(self) -> bool:
        """A printed letter that has not gone out yet."""
        return self.delivery == "pending"

    @property
    def words(self) -> str:
        """How it reached the reporter, as staff read it."""
        if self.delivery == "line":
            return f"LINE：{self.line.words}" if self.line else "LINE：查無傳送紀錄"
        if self.delivered_at is not None and self.delivery in ("mail", "in_person"):
            day = rocdate.roc_date(self.delivered_at)
            return f"{codes.NOTICE_DELIVERIES[self.delivery]}（{day}）"
        return codes.NOTICE_DELIVERIES["pending"]


def notices_of(session: Session, rows: list[tuple[CaseNotice, str]]) -> list[Notice]:
    """``(notice, case number)`` rows as ``Notice``s, each LINE one with its outbox state."""
    outbox_ids = [row.outbox_id for row, _ in rows if row.outbox_id is not None]
    outbox = {
        row.id: row
        for row in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(outbox_ids)))
    }
    return [
        Notice(
            id=row.id,
            case_number=number,
            kind=row.kind,
            body=row.body,
            delivery=row.delivery,
            line=delivery(outbox.get(row.outbox_id), row.outbox_id)
            if row.outbox_id is not None
            else None,
            delivered_at=row.delivered_at,
            delivered_by=row.delivered_by,
            created_by=row.created_by,
            created_at=row.created_at,
        )
        for row, number in rows
    ]


def case_notices(session: Session, actor: Actor, case: Case) -> list[Notice]:
    """The case's notices, oldest first, for staff who may open it."""
    require_open(actor, case)
    rows = session.scalars(
        select(CaseNotice)
        .where(CaseNotice.case_id == case.id)
        .order_by(CaseNotice.created_at, CaseNotice.id)
    )
    return notices_of(session, [(row, case.number) for row in rows])


@dataclass(frozen=True)
class Attachment:
    """A photo, video, audio or file the resident sent with an event."""

    id: int
    kind: str
    status: str  # pending | stored | unsent | too_large | failed
    size: int | None


@dataclass(frozen=True)
class Entry:
    """One event of the timeline."""

    id: int
    kind: str
    label: str
    public: bool
    actor: str  # a username, or resident / system
    who: str
    side: str  # resident | staff | internal
    body: str | None
    data: dict[str, Any]
    at: datetime
    media: list[Attachment]
    delivery: Delivery | None  # None: the event sent nothing on LINE
    notice: Notice | None = None  # a notice's entry (kind ``notice``), not an event


def _side(event: CaseEvent) -> str:
    # The resident's own acts: a report filed, what they added, their rating, a withdrawal.
    if event.actor == cases.RESIDENT:
        return "resident"
    if event.kind in ("note", "reveal") or not event.public:
        return "internal"
    return "staff"


def _attachments(events: list[CaseEvent], media: list[MediaFile]) -> dict[int, list[MediaFile]]:
    """Each event's media: a supplement its own file, the report the files no supplement claims."""
    by_message = {m.line_message_id: m for m in media}
    claimed = {e.data.get("media_message_id") for e in events if e.kind == "resident_media"}
    found: dict[int, list[MediaFile]] = {}
    for event in events:
        if event.kind == "resident_media":
            own = by_message.get(str(event.data.get("media_message_id")))
            found[event.id] = [own] if own else []
        elif event.kind == "created":
            found[event.id] = [m for m in media if m.line_message_id not in claimed]
    return found


def sent_by_events(entries: list[Entry]) -> dict[int, str]:
    """The LINE messages staff actions sent: outbox id → the action's name. A notice that
    is one of them shows its delivery once, on the action (with LINE's words on failure)."""
    return {
        entry.delivery.outbox_id: entry.label
        for entry in entries
        if entry.notice is None and entry.delivery is not None
    }


def case_timeline(session: Session, actor: Actor, case: Case) -> list[Entry]:
    """Every event of ``case``, oldest first, for staff who may open it."""
    require_open(actor, case)
    events = list(
        session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id)
            .order_by(CaseEvent.created_at, CaseEvent.id)
        )
    )
    media = list(
        session.scalars(
            select(MediaFile)
            .where(MediaFile.case_id == case.id)
            .order_by(MediaFile.created_at, MediaFile.id)
        )
    )
    attached = _attachments(events, media)
    outbox_ids = [e.data["outbox_id"] for e in events if isinstance(e.data.get("outbox_id"), int)]
    outbox = {
        row.id: row
        for row in session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(outbox_ids)))
    }
    notices = case_notices(session, actor, case)
    names = accounts.actor_names(
        session, [*(e.actor for e in events), *(n.created_by for n in notices)]
    )
    entries = []
    for event in events:
        outbox_id = event.data.get("outbox_id")
        entries.append(
            Entry(
                id=event.id,
                kind=event.kind,
                label=KIND_LABELS.get(event.kind, event.kind),
                public=event.public,
                actor=event.actor,
                who=names[event.actor],
                side=_side(event),
                body=event.body,
                data=event.data,
                at=event.created_at,
                media=[
                    Attachment(m.id, m.kind, m.status, m.size) for m in attached.get(event.id, [])
                ],
                delivery=delivery(outbox.get(outbox_id), outbox_id)
                if isinstance(outbox_id, int)
                else None,
            )
        )
    entries.extend(
        Entry(
            id=notice.id,
            kind="notice",
            label=notice.label,
            public=False,  # a notice goes to the reporter itself, not onto 查詢案件's timeline
            actor=notice.created_by,
            who=names[notice.created_by],
            side="staff",
            body=notice.body,
            data={"notice_id": notice.id, "notice_kind": notice.kind},
            at=notice.created_at,
            media=[],
            delivery=notice.line,
            notice=notice,
        )
        for notice in notices
    )
    # Stable: an event and the notice it gave at the same moment keep that order.
    entries.sort(key=lambda entry: entry.at)
    return entries
