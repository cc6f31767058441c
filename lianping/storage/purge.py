"""The retention purge's queries (個資法 §11): per kind of personal data, what is due for
removal by a cutoff, and its removal in bounded batches.

Every ``due_*`` counts exactly the rows the matching ``purge_*`` calls remove when run
until nothing is left, and every ``purge_*`` skips what an earlier run removed, so a
run repeated changes nothing. Functions take a session and never commit; file paths
are returned for the caller to delete once the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, exists, func, null, or_, select, update
from sqlalchemy.orm import Session

from lianping import codes
from lianping.storage import areas, erasure
from lianping.storage import media as media_queries
from lianping.storage.cases import RESIDENT
from lianping.storage.inbox import MAX_ATTEMPTS
from lianping.storage.models import (
    OUTBOX_FAILED,
    OUTBOX_SENT,
    Case,
    CaseEvent,
    DataRequest,
    InboxEvent,
    MediaFile,
    OutboxMessage,
    PlaceContact,
    RejectedWebhookEvent,
    Resident,
    TipReporter,
)

# What a purged webhook payload keeps of the event itself.
EVENT_KEYS = ("webhookEventId", "type", "timestamp", "mode")
# What stands where a purged case's text quoted its reporter: 附件2's own blot
# (reports.biweekly.BLOT), so the report of a period reads the same before and after.
BLOT = "＊＊＊"
# What replaces a LINE user id in purged inbox and outbox rows (never a real id).
PURGED_MARK = "purged"
# Conversation flows that hold a draft report (bot.conversation.state.FIRST_STEP).
DRAFT_FLOWS = ("report", "tip")
# Cases whose handling has ended: their reporter's data waits out the retention years.
ENDED_STATUSES = (codes.CLOSED, codes.REJECTED, codes.MERGED, codes.WITHDRAWN)


@dataclass(frozen=True)
class Due:
    """What a kind's next purge removes: how many, and the oldest one's date."""

    count: int
    oldest: datetime | None


@dataclass
class Removed:
    """One batch's removals of a kind: rows changed and files to delete after commit."""

    count: int = 0
    files: list[str] = field(default_factory=list)


def _due(session: Session, age: Any, where: tuple[ColumnElement[bool], ...]) -> Due:
    count, oldest = session.execute(select(func.count(), func.min(age)).where(*where)).one()
    return Due(int(count or 0), oldest)


def _oldest(value: Any) -> datetime | None:
    """SQLite gives aggregates of datetimes as text; every dialect's answer made aware UTC."""
    if value is None or isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


# -- unfinished drafts --------------------------------------------------------------------


def _draft_at() -> Any:
    # The conversation's latest event time in ms; FLOAT, since PostgreSQL's INTEGER is 32-bit.
    return Resident.conversation["at"].as_float()


def _drafts_where(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Resident.purged_at.is_(None),
        Resident.conversation["flow"].as_string().in_(DRAFT_FLOWS),
        _draft_at() < cutoff.timestamp() * 1000,
    )


def due_drafts(session: Session, cutoff: datetime) -> Due:
    """Drafts whose conversation has been silent since before ``cutoff``."""
    count, oldest_ms = session.execute(
        select(func.count(), func.min(_draft_at())).where(*_drafts_where(cutoff))
    ).one()
    oldest = datetime.fromtimestamp(float(oldest_ms) / 1000, UTC) if oldest_ms else None
    return Due(int(count or 0), oldest)


def purge_drafts(
    session: Session,
    cutoff: datetime,
    now: datetime,
    limit: int,
    reset: Callable[[dict[str, Any]], dict[str, Any]],
    media_cutoff: datetime,
) -> Removed:
    """Replace stale drafts' conversations with ``reset(conversation)`` (no draft) and
    remove the media the drafts held that no case took. Media received before
    ``media_cutoff`` are left to :func:`purge_orphan_media`, which counts them.

    A conversation that moved on since it was read (the resident wrote meanwhile) is
    left alone: the update only applies while its latest event time is unchanged.
    """
    removed = Removed()
    rows = session.execute(
        select(Resident.id, Resident.conversation)
        .where(*_drafts_where(cutoff))
        .order_by(Resident.id)
        .limit(limit)
    ).all()
    for resident_id, conversation in rows:
        changed = session.execute(
            update(Resident)
            .where(Resident.id == resident_id, _draft_at() == float(conversation["at"]))
            .values(conversation=reset(conversation), updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            continue
        removed.count += 1
        message_ids = _draft_media_ids(conversation.get("draft"))
        if message_ids:
            removed.files += _purge_media(
                session,
                (
                    MediaFile.resident_id == resident_id,
                    MediaFile.line_message_id.in_(message_ids),
                    MediaFile.case_id.is_(None),
                    MediaFile.created_at >= media_cutoff,
                ),
                now,
                None,
            ).files
    return removed


def _draft_media_ids(draft: Any) -> list[str]:
    if not isinstance(draft, dict):
        return []
    found = [str(m) for m in draft.get("photos") or []]
    found += [
        str(a.get("message_id")) for a in draft.get("attachments") or [] if isinstance(a, dict)
    ]
    return found


# -- raw webhook payloads -----------------------------------------------------------------


def _payloads_where(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    given_up = and_(
        InboxEvent.processed_at.is_(None),
        InboxEvent.attempts >= MAX_ATTEMPTS,
        InboxEvent.received_at < cutoff,
    )
    return (
        InboxEvent.payload_purged_at.is_(None),
        or_(InboxEvent.processed_at < cutoff, given_up),
    )


def _payload_age() -> Any:
    return func.coalesce(InboxEvent.processed_at, InboxEvent.received_at)


def _rejected_where(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        RejectedWebhookEvent.raw_purged_at.is_(None),
        RejectedWebhookEvent.received_at < cutoff,
    )


def due_payloads(session: Session, cutoff: datetime) -> Due:
    """Events processed (or given up on) before ``cutoff`` whose payload is whole, and
    rejected events received before it whose raw JSON is kept."""
    due = _due(session, _payload_age(), _payloads_where(cutoff))
    rejected = _due(session, RejectedWebhookEvent.received_at, _rejected_where(cutoff))
    dates = [day for day in (_oldest(due.oldest), _oldest(rejected.oldest)) if day is not None]
    return Due(due.count + rejected.count, min(dates, default=None))


def payload_skeleton(payload: dict[str, Any]) -> dict[str, Any]:
    """What a purged payload keeps: the event's id, type, time and mode, the source's and
    the message's type and the message id; no user id, text, location or reply token."""
    kept: dict[str, Any] = {key: payload[key] for key in EVENT_KEYS if key in payload}
    source = payload.get("source")
    if isinstance(source, dict) and "type" in source:
        kept["source"] = {"type": source["type"]}
    message = payload.get("message")
    if isinstance(message, dict):
        kept["message"] = {key: message[key] for key in ("id", "type", "unsent") if key in message}
    return kept


def purge_payloads(session: Session, cutoff: datetime, now: datetime, limit: int) -> Removed:
    """Cut due payloads down to :func:`payload_skeleton` and drop the chat's LINE id; drop
    the raw JSON of due rejected events (their time and reason stay)."""
    rows = session.execute(
        select(InboxEvent.id, InboxEvent.payload)
        .where(*_payloads_where(cutoff))
        .order_by(InboxEvent.id)
        .limit(limit)
    ).all()
    for event_id, payload in rows:
        session.execute(
            update(InboxEvent)
            .where(InboxEvent.id == event_id)
            .values(
                payload=payload_skeleton(payload or {}),
                source_key=PURGED_MARK,
                payload_purged_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    rejected = list(
        session.scalars(
            select(RejectedWebhookEvent.id)
            .where(*_rejected_where(cutoff))
            .order_by(RejectedWebhookEvent.id)
            .limit(limit)
        )
    )
    if rejected:
        session.execute(
            update(RejectedWebhookEvent)
            .where(RejectedWebhookEvent.id.in_(rejected))
            .values(raw=None, raw_purged_at=now)
            .execution_options(synchronize_session=False)
        )
    return Removed(len(rows) + len(rejected))


# -- outbox bodies ------------------------------------------------------------------------


def _outbox_age() -> Any:
    # A final failure has no time of its own; its row's creation stands in (earlier, never later).
    return func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at)


def _outbox_where(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        OutboxMessage.body_purged_at.is_(None),
        OutboxMessage.status.in_((OUTBOX_SENT, OUTBOX_FAILED)),
        _outbox_age() < cutoff,
    )


def due_outbox(session: Session, cutoff: datetime) -> Due:
    """Messages delivered (or finally failed) before ``cutoff`` whose body is kept."""
    due = _due(session, _outbox_age(), _outbox_where(cutoff))
    return Due(due.count, _oldest(due.oldest))


def purge_outbox(session: Session, cutoff: datetime, now: datetime, limit: int) -> Removed:
    """Empty due rows' messages and drop their recipient and reply token (status stays)."""
    ids = list(
        session.scalars(
            select(OutboxMessage.id)
            .where(*_outbox_where(cutoff))
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(messages=[], to=PURGED_MARK, reply_token=None, body_purged_at=now)
            .execution_options(synchronize_session=False)
        )
    return Removed(len(ids))


# -- media no case took -------------------------------------------------------------------


def _orphan_media_where(
    cutoff: datetime, draft_cutoff: datetime
) -> tuple[ColumnElement[bool], ...]:
    # A draft still in use may hold photos older than the limit (each message restarts
    # its clock): the resident's media wait until that draft is sent or goes stale.
    live_draft = exists().where(
        Resident.id == MediaFile.resident_id,
        Resident.conversation["flow"].as_string().in_(DRAFT_FLOWS),
        _draft_at() >= draft_cutoff.timestamp() * 1000,
    )
    return (
        MediaFile.purged_at.is_(None),
        MediaFile.case_id.is_(None),
        MediaFile.created_at < cutoff,
        ~live_draft,
    )


def due_orphan_media(session: Session, cutoff: datetime, draft_cutoff: datetime) -> Due:
    """Media received before ``cutoff`` that no case holds (drafts, stray photos, unsent),
    but for those of residents with a draft younger than ``draft_cutoff``."""
    due = _due(session, MediaFile.created_at, _orphan_media_where(cutoff, draft_cutoff))
    return Due(due.count, _oldest(due.oldest))


def purge_orphan_media(
    session: Session, cutoff: datetime, draft_cutoff: datetime, now: datetime, limit: int
) -> Removed:
    """Mark due media purged; their files are returned for deletion."""
    return _purge_media(session, _orphan_media_where(cutoff, draft_cutoff), now, limit)


def _purge_media(
    session: Session, where: tuple[ColumnElement[bool], ...], now: datetime, limit: int | None
) -> Removed:
    statement = (
        select(MediaFile).where(MediaFile.purged_at.is_(None), *where).order_by(MediaFile.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    removed = Removed()
    for media in session.scalars(statement):
        path = media_queries.purge_file(media, now)
        if path:
            removed.files.append(path)
        removed.count += 1
    return removed


# -- residents who unfollowed -------------------------------------------------------------


def _unfollowed_where(cutoff: datetime, case_cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    # A case keeps its reporter's profile until the case's own retention ends: only
    # cases already purged or due in the same run leave the resident free to erase.
    holding_case = exists().where(
        Case.resident_id == Resident.id,
        Case.personal_data_purged_at.is_(None),
        ~and_(*_cases_where(case_cutoff)),
    )
    open_request = exists().where(
        DataRequest.resident_id == Resident.id,
        DataRequest.status.in_(sorted(codes.DATA_REQUEST_OPEN)),
    )
    return (
        Resident.purged_at.is_(None),
        Resident.following.is_(False),
        Resident.unfollowed_at < cutoff,
        ~holding_case,
        ~open_request,
    )


def due_unfollowed(session: Session, cutoff: datetime, case_cutoff: datetime) -> Due:
    """Residents who unfollowed before ``cutoff``, with no open §3 request and no case
    still holding their data (see :func:`due_cases` for ``case_cutoff``)."""
    due = _due(session, Resident.unfollowed_at, _unfollowed_where(cutoff, case_cutoff))
    return Due(due.count, _oldest(due.oldest))


def purge_unfollowed(
    session: Session, cutoff: datetime, case_cutoff: datetime, now: datetime, limit: int
) -> Removed:
    """Erase due residents' profiles (storage.erasure: the one way to do it)."""
    ids = list(
        session.scalars(
            select(Resident.id)
            .where(*_unfollowed_where(cutoff, case_cutoff))
            .order_by(Resident.id)
            .limit(limit)
        )
    )
    return Removed(erasure.erase_residents(session, ids, now))


# -- ended cases --------------------------------------------------------------------------


def _case_end() -> Any:
    # 結案 records its time; the other endings do not, and a case ended is seldom touched,
    # so its last change stands in (never earlier than the ending: the purge only waits longer).
    return func.coalesce(Case.closed_at, Case.updated_at)


def _cases_where(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Case.personal_data_purged_at.is_(None),
        Case.status.in_(ENDED_STATUSES),
        _case_end() < cutoff,
    )


def due_cases(session: Session, cutoff: datetime) -> Due:
    """Cases that ended before ``cutoff`` and still hold their reporter's personal data."""
    due = _due(session, _case_end(), _cases_where(cutoff))
    return Due(due.count, _oldest(due.oldest))


def purge_cases(session: Session, cutoff: datetime, now: datetime, limit: int) -> Removed:
    """Remove the reporter's personal data from due cases; the record itself stays.

    Gone: the 附件1 reporter fields, a tip's ``tip_reporters`` row, the link to the
    resident's LINE profile, the place's address and coordinates (its title stays), the
    case's media files, and the reporter's own name, phone and address where their own
    words quote them (the description and what they added; blotted as 附件2 does).
    Kept: number, nature, sub-item, theme, channel, status, the description otherwise,
    the handling (staff's words are the agency's record), dates (``updated_at`` too),
    satisfaction, the timeline's entries.
    """
    cases = list(
        session.execute(
            select(
                Case.id, Case.location, Case.description,
                Case.reporter_name, Case.reporter_phone, Case.reporter_address,
                TipReporter.name, TipReporter.phone, TipReporter.address,
            )
            .outerjoin(TipReporter, TipReporter.case_id == Case.id)
            .where(*_cases_where(cutoff))
            .order_by(Case.id)
            .limit(limit)
        )
    )  # fmt: skip
    if not cases:
        return Removed()
    ids = [row[0] for row in cases]
    for case_id, location, description, *identity in cases:
        blot = _blotter(identity)
        session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(
                reporter_name=None,
                reporter_phone=None,
                reporter_address=None,
                reporter_occupation=None,
                resident_id=None,
                location=_place_title_only(location),
                description=blot(description),
                personal_data_purged_at=now,
                # Named so the ORM's onupdate leaves the record's last change as it was.
                updated_at=Case.updated_at,
            )
            .execution_options(synchronize_session=False)
        )
        own_words = select(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.actor == RESIDENT
        )
        for event in session.scalars(own_words):
            if event.body is not None and blot(event.body) != event.body:
                event.body = blot(event.body)
    session.execute(delete(TipReporter).where(TipReporter.case_id.in_(ids)))
    files = _purge_media(session, (MediaFile.case_id.in_(ids),), now, None).files
    return Removed(len(ids), files)


# -- 平臺聯絡人 who no longer serve ------------------------------------------------------------


def _contacts_where(cutoff: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        PlaceContact.purged_at.is_(None),
        PlaceContact.ended_at.is_not(None),
        PlaceContact.ended_at < cutoff,
    )


def due_contacts(session: Session, cutoff: datetime) -> Due:
    """平臺聯絡人 whose service ended before ``cutoff`` and who still hold personal data."""
    due = _due(session, PlaceContact.ended_at, _contacts_where(cutoff))
    return Due(due.count, _oldest(due.oldest))


def purge_contacts(session: Session, cutoff: datetime, now: datetime, limit: int) -> Removed:
    """Remove the name, phone, e-mail and note of due contacts; the role, the place and the
    dates stay, so past activities still read who (by role) took part."""
    ids = list(
        session.scalars(
            select(PlaceContact.id)
            .where(*_contacts_where(cutoff))
            .order_by(PlaceContact.id)
            .limit(limit)
        )
    )
    if not ids:
        return Removed()
    session.execute(
        update(PlaceContact)
        .where(PlaceContact.id.in_(ids))
        .values(name=None, phone=None, email=None, note=None, purged_at=now)
        .execution_options(synchronize_session=False)
    )
    return Removed(len(ids))


def _blotter(identity: list[str | None]) -> Callable[[str], str]:
    """Replaces the reporter's own name, phone and address in a text by ``BLOT``."""
    # Single characters would blot ordinary words; a name has at least two.
    values = sorted({v.strip() for v in identity if v and len(v.strip()) >= 2}, key=len)
    values.reverse()  # the longer first: an address may contain a shorter value

    def blot(text: str) -> str:
        for value in values:
            text = text.replace(value, BLOT)
        return text

    return blot


def _place_title_only(location: Any) -> Any:
    """A location without its address and coordinates, keeping its title and its 區 (a coarse
    place the statistics count by); SQL NULL when neither was there."""
    district = areas.place_district(location)
    if not isinstance(location, dict) or not (location.get("title") or district):
        return null()
    kept = {"title": location.get("title"), "address": None, "latitude": None, "longitude": None}
    return kept | ({"district": district} if district else {})
