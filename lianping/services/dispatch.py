"""Apply one stored webhook event: run the engine, keep its state, carry out its effects.

A service function: takes a session, never commits, and returns what must
happen after the caller commits (deliveries, downloads, leaving a group).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot import cards, conversation, messages, promotion_list, quiz_replies, texts
from lianping.bot.conversation.model import (
    AddToCase,
    AnswerQuiz,
    Content,
    CreateCase,
    Effect,
    FileDataRequest,
    LeaveChat,
    LinkStaff,
    ListCases,
    ListCorrectable,
    Message,
    RateCase,
    ReadNotice,
    SetArea,
    SetFollowing,
    SetPromotionsOptOut,
    ShowCase,
    ShowMyData,
    ShowPromotions,
    Subscription,
    WithdrawCase,
)
from lianping.line.limits import LIMITS
from lianping.services import accounts, casework, content, data_request_chat, notices
from lianping.services.access import RESIDENT, SYSTEM
from lianping.storage import case_search, cases, inbox, outbox, promotions, residents
from lianping.storage import media as media_queries
from lianping.storage.models import Case, OutboxMessage, Resident

log = logging.getLogger(__name__)

# Event types the engine answers; others are stored, marked processed and logged.
HANDLED_TYPES = frozenset({"message", "follow", "unfollow", "postback", "join"})
MAX_MESSAGES_PER_REQUEST = LIMITS["messages_per_request"]


@dataclass
class AfterCommit:
    """Work the caller does once the event's transaction has committed."""

    # The answers written, held here so the caller reads them without a query (a session
    # keeps clean objects only weakly). Not flushed: their ids exist once the caller has
    # flushed or committed (a batch of events then inserts its answers at once).
    outbox: list[OutboxMessage] = field(default_factory=list)
    leave: list[LeaveChat] = field(default_factory=list)
    fetch_profile_of: str | None = None
    media_ids: list[int] = field(default_factory=list)
    delete_files: list[str] = field(default_factory=list)
    # Cases this event filed, each with where its case-created message (the acceptance
    # notice) stands among the event's replies.
    created: list[tuple[Case, int]] = field(default_factory=list)

    @property
    def outbox_ids(self) -> list[int]:
        """The ids of the answers written, in order (after the caller's flush)."""
        return [row.id for row in self.outbox]


def resident_of(event: inbox.StoredEvent) -> str | None:
    """The LINE user id of the resident :func:`handle` reads (or creates) for ``event``;
    None when it touches no resident."""
    payload = event.payload
    if payload.get("mode") == "standby" or event.event_type not in HANDLED_TYPES:
        return None
    source = payload.get("source") or {}
    user = source.get("userId") if source.get("type", "user") == "user" else None
    return str(user) if user else None


def handle(
    session: Session,
    event: inbox.StoredEvent,
    editable: Content | None = None,
    known: dict[str, Resident] | None = None,
) -> AfterCommit:
    """Process ``event`` inside the caller's transaction.

    ``editable`` is the administrator-editable content (``content.for_conversation``),
    ``known`` the residents loaded already (``residents.get_or_create_many``): a caller
    handling many events loads both once and passes them in.
    """
    payload = event.payload
    after = AfterCommit()
    if payload.get("mode") == "standby":
        # Another channel (e.g. a chat module) owns the conversation: send nothing.
        return after
    if event.event_type == "unsend":
        message_id = str((payload.get("unsend") or {}).get("messageId"))
        inbox.redact_unsent(session, event.source_key, message_id)
        path = media_queries.forget(session, message_id, _from_ms(event.event_timestamp))
        if path:
            after.delete_files.append(path)
        return after
    if event.event_type not in HANDLED_TYPES:
        log.info("ignoring %s event %s", event.event_type, event.webhook_event_id)
        return after

    incoming = conversation.from_event(payload)
    now = _from_ms(event.event_timestamp)
    resident: Resident | None = None
    state: conversation.State = {}
    extra: list[Message] = []
    user = resident_of(event)
    if user:
        resident = residents.get_or_create(session, user, known)
        state = dict(resident.conversation or {})
        incoming = replace(
            incoming,
            subscription=_subscription(resident),
            notice_version=resident.notice_version,
            notice_read_ms=_ms(resident.notice_read_at),
        )
        # 個資法 §8: the profile (display name) is fetched only once a notice was read.
        unfetched = resident.profile_fetched_at is None or incoming.kind == "follow"
        if resident.notice_version is not None and unfetched:
            after.fetch_profile_of = resident.line_user_id
        if incoming.kind in media_queries.MEDIA_KINDS and incoming.message_id:
            extra += _register_media(session, resident, incoming.message_id, incoming.kind,
                                     payload, after)  # fmt: skip

    if editable is None:
        editable = content.for_conversation(session)
    outcome = conversation.step(state, incoming, editable)

    replies = list(outcome.messages)
    if resident is not None:
        resident.conversation = outcome.state
        for effect in outcome.effects:
            replies += _apply(session, resident, effect, now, after, len(replies))
    after.leave = [effect for effect in outcome.effects if isinstance(effect, LeaveChat)]
    replies += extra
    if replies and incoming.chat_id:
        queued = len(after.outbox)
        _queue(session, event, incoming.chat_id, replies, after)
        if after.created:
            session.flush()  # an acceptance notice points to the row that carries it
            rows = [row.id for row in after.outbox[queued:]]
            _acceptance_notices(session, replies, rows, after.created)
    return after


def _acceptance_notices(
    session: Session, replies: list[Message], rows: list[int], created: list[tuple[Case, int]]
) -> None:
    """A LINE report's case-created message is its acceptance notice: kept as a notice on
    LINE, pointing to the outbox row that carries it (whose state says if it arrived)."""
    for case, at in created:
        body = str(replies[at].get("text", ""))
        row = rows[at // MAX_MESSAGES_PER_REQUEST]
        notices.record(
            session, case, "acceptance", body, SYSTEM.username, delivery="line", outbox_id=row
        )


def _apply(
    session: Session,
    resident: Resident,
    effect: Effect,
    now: datetime,
    after: AfterCommit,
    position: int = 0,
) -> list[Message]:
    """Carry out one effect; returns the messages it adds to the answer (from ``position``
    among the event's replies)."""
    if isinstance(effect, SetFollowing):
        residents.set_following(resident, effect.following)
        return []
    if isinstance(effect, ReadNotice):
        resident.notice_version, resident.notice_read_at = effect.version, now
        if resident.profile_fetched_at is None:
            after.fetch_profile_of = resident.line_user_id
        return []
    if isinstance(effect, SetArea):
        residents.set_area(resident, effect.district, effect.village)
        return []
    if isinstance(effect, SetPromotionsOptOut):
        residents.set_promotions_opt_out(resident, effect.opt_out, now)
        return []
    if isinstance(effect, AnswerQuiz):
        return [quiz_replies.answer(session, resident, effect, now)]
    if isinstance(effect, ShowPromotions):
        tags = set(residents.tags_of(session, [resident.id]).get(resident.id, []))
        latest = promotions.latest_for(session, resident.district, resident.village, tags, 5)
        return promotion_list.carousel(latest)
    if isinstance(effect, CreateCase):
        due_days = int(content.get(session, "due_days"))
        acceptance_days = int(content.get(session, "tip_acceptance_days"))
        read_ms = effect.draft.get("notice_read_at")
        read_at = _from_ms(read_ms) if isinstance(read_ms, int) else now
        case = cases.create_from_line(
            session,
            resident,
            effect.draft,
            effect.notice_version,
            now,
            due_days,
            read_at,
            acceptance_days=acceptance_days,
        )
        if not case.confidential:  # a tip's acceptance notice is its ethics officer's to send
            after.created.append((case, position))
        return cards.case_created(
            case.number, case.nature, case.due_at, case.anonymous, acceptance_days
        )
    if isinstance(effect, ListCases):
        return cards.case_list([_card(case) for case in cases.for_resident(session, resident.id)])
    if isinstance(effect, ShowCase):
        shown = cases.of_resident(session, resident.id, effect.number)
        if shown is None:
            return [cards.supplement_refused(effect.number)]
        timeline = [
            cards.TimelineEntry(entry.created_at, entry.body or "")
            for entry in cases.public_timeline(session, shown)
        ]
        return cards.case_detail(_card(shown), timeline)
    if isinstance(effect, AddToCase):
        target = cases.of_resident(session, resident.id, effect.number)
        try:
            if target is None:
                raise ValueError("not the resident's case")
            cases.add_resident_supplement(
                session, target, resident, now,
                text=effect.text, media_message_id=effect.media_message_id,
                media_kind=effect.media_kind,
            )  # fmt: skip
            # A 補陳 answered: the paused answer clock runs again from today.
            if target.details_requested_at is not None:
                casework.resume_details(session, RESIDENT, target, rocdate.taipei_date(now))
        except ValueError:
            resident.conversation = conversation.supplement_not_added(resident.conversation or {})
            return [cards.supplement_refused(effect.number)]
        return [cards.supplement_added(effect.number)]
    if isinstance(effect, WithdrawCase):
        mine = cases.of_resident(session, resident.id, effect.number)
        # Answered, ended or not theirs since the card was shown: nothing changes.
        if mine is None or not casework.withdrawable(mine):
            return [messages.with_menu(texts.WITHDRAW_REFUSED.format(number=effect.number))]
        casework.withdraw_for_resident(session, mine, now)
        return [messages.with_menu(texts.CASE_WITHDRAWN.format(number=effect.number))]
    if isinstance(effect, RateCase):
        rated = cases.of_resident(session, resident.id, effect.number)
        if rated is not None and casework.record_satisfaction(session, rated, effect.score):
            return [messages.text(texts.SATISFACTION_THANKS)]
        return [messages.text(texts.SATISFACTION_ALREADY)]
    if isinstance(effect, LinkStaff):
        return [messages.text(_link_staff(session, resident, effect.code, now))]
    if isinstance(effect, ShowMyData | ListCorrectable | FileDataRequest):
        return data_request_chat.answer(session, resident, effect, now)
    return []  # LeaveChat is carried out after commit


def _link_staff(session: Session, resident: Resident, code: str, now: datetime) -> str:
    """What a staff member's link code did, in words."""
    try:
        user = accounts.redeem_line_link_code(session, resident, code, now)
    except accounts.LineLinkLocked:
        return texts.STAFF_LINK_LOCKED
    if user is None:
        return texts.STAFF_LINK_REFUSED
    return texts.STAFF_LINKED.format(name=user.display_name)


def _ms(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp() * 1000)


def _from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _subscription(resident: Resident) -> Subscription:
    return Subscription(resident.district, resident.village, resident.promotions_opt_out)


def _card(case: Case) -> cards.CaseCard:
    # The due date is a promise only while the case still waits for its answer (the
    # overdue rule's statuses); a tip is promised notices, never a date.
    promised = case.status in case_search.AWAITING_ANSWER and case.nature != codes.TIP
    return cards.CaseCard(
        number=case.number,
        nature=case.nature,
        sub_item=case.sub_item,
        status=case.status,
        updated_at=case.updated_at,
        due_at=case.due_at if promised else None,
        is_open=case.status in codes.OPEN_STATUSES,
        description=case.description,
        withdrawable=casework.withdrawable(case),
        awaiting_details=promised and case.details_requested_at is not None,
    )


def _register_media(
    session: Session,
    resident: Resident,
    message_id: str,
    kind: str,
    payload: dict[str, Any],
    after: AfterCommit,
) -> list[Message]:
    media = media_queries.register(session, resident.id, message_id, kind)
    if media.status != media_queries.PENDING:
        return []
    # A file message says its size up front: refuse it without downloading.
    announced = (payload.get("message") or {}).get("fileSize")
    limit = media_queries.MAX_BYTES[kind]
    if isinstance(announced, int) and announced > limit:
        media.status, media.error = media_queries.TOO_LARGE, f"announced {announced} bytes"
        return [messages.text(texts.media_too_large(kind, limit // (1024 * 1024)))]
    after.media_ids.append(media.id)
    return []


def _queue(
    session: Session, event: inbox.StoredEvent, to: str, replies: list[Message], after: AfterCommit
) -> None:
    """Outbox rows of at most five messages; only the first may use the reply token.

    A redelivered event's reply token is not used: it may have expired or been used
    while LINE was retrying, so the answer goes by push.
    """
    issued = datetime.fromtimestamp(event.event_timestamp / 1000, UTC)
    redelivered = bool((event.payload.get("deliveryContext") or {}).get("isRedelivery"))
    for start in range(0, len(replies), MAX_MESSAGES_PER_REQUEST):
        first = start == 0 and not redelivered
        row = outbox.add(
            session,
            to,
            replies[start : start + MAX_MESSAGES_PER_REQUEST],
            reply_token=event.payload.get("replyToken") if first else None,
            reply_token_issued_at=issued if first else None,
            source_event_id=event.id,
            flush=False,
        )
        after.outbox.append(row)
