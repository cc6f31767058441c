"""Queries over the outbox of messages to deliver. They never commit. The two marks every
answer takes (:func:`mark_first_reply`, :func:`mark_sent`) run on a connection's
transaction; the rest in a session."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, CursorResult, Result, Row, Table, bindparam, case, select, update
from sqlalchemy.orm import Session

from lianping.line.limits import LIMITS
from lianping.storage.models import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENT, OutboxMessage

_TABLE = cast(Table, OutboxMessage.__table__)
# What an attempt to deliver a row reads of it.
DELIVERY_COLUMNS = (
    "id", "to", "messages", "reply_token", "reply_token_issued_at", "reply_attempted_at",
    "retry_key", "attempts",
)  # fmt: skip


class SentRow(NamedTuple):
    """A row LINE accepted: how, and its attempts so far."""

    id: int
    via: str
    attempts: int


def add(
    session: Session,
    to: str,
    messages: list[dict[str, Any]],
    *,
    reply_token: str | None = None,
    reply_token_issued_at: datetime | None = None,
    source_event_id: int | None = None,
    flush: bool = True,
) -> OutboxMessage:
    """Queue up to LINE's per-request number of messages for one user; flushed so the caller
    gets its id (``flush=False``: a caller adding many rows flushes once, one INSERT for
    them all)."""
    most = LIMITS["messages_per_request"]
    if not 1 <= len(messages) <= most:
        raise ValueError(f"LINE takes 1 to {most} messages per request, got {len(messages)}")
    row = OutboxMessage(
        to=to,
        messages=messages,
        reply_token=reply_token,
        reply_token_issued_at=reply_token_issued_at,
        source_event_id=source_event_id,
    )
    session.add(row)
    if flush:
        session.flush()
    return row


class ReplyMark(NamedTuple):
    """What marking a reply found in the database."""

    pending: bool  # False: the row was delivered or failed meanwhile, and was not marked
    previous: datetime | None  # the mark replaced: None when no reply had been tried


def note_reply_attempt(
    session: Session, outbox_id: int, at: datetime, seen: datetime | None = None
) -> ReplyMark:
    """Note, before the call, that this row's reply token is about to be used (again).

    ``seen`` is the mark as the caller read it. When it is None the mark is set only
    where none is (a compare-and-set): of two deliverers holding one chat, only one is
    told its reply is the first; the other is told the mark it found, or that the row is
    finished (then nothing is marked). One statement unless another deliverer was first.
    """
    pending = (_TABLE.c.id == outbox_id) & (_TABLE.c.status == OUTBOX_PENDING)
    if seen is None:
        first = update(_TABLE).where(pending, _TABLE.c.reply_attempted_at.is_(None))
        if _updated(session.execute(first.values(reply_attempted_at=at))):
            return ReplyMark(pending=True, previous=None)
        found = session.execute(select(_TABLE.c.reply_attempted_at).where(pending)).one_or_none()
        if found is None:
            return ReplyMark(pending=False, previous=None)
        seen = found.reply_attempted_at
    again = session.execute(update(_TABLE).where(pending).values(reply_attempted_at=at))
    return ReplyMark(pending=_updated(again), previous=seen)


# Built once: this runs for nearly every answer, and building it (an alias of this wide
# table and its column collection) cost more than running it.
_OLDER = _TABLE.alias("older")
_MARK_FIRST_REPLY = (
    update(_TABLE)
    .where(
        _TABLE.c.id == bindparam("b_id"),
        _TABLE.c.status == OUTBOX_PENDING,
        _TABLE.c.reply_attempted_at.is_(None),
        ~select(_OLDER.c.id)
        .where(
            _OLDER.c.to == bindparam("b_to"),
            _OLDER.c.status == OUTBOX_PENDING,
            _OLDER.c.id < bindparam("b_id"),
        )
        .exists(),
    )
    .values(reply_attempted_at=bindparam("b_at"))
)


def mark_first_reply(connection: Connection, outbox_id: int, to: str, at: datetime) -> bool:
    """Mark a row's reply as about to be used, only while the row is pending, has never
    been marked and is its chat's oldest pending row: one statement, which tells a
    deliverer handed a row just written that it may go ahead without reading the chat."""
    marked = connection.execute(_MARK_FIRST_REPLY, {"b_id": outbox_id, "b_to": to, "b_at": at})
    return _updated(marked)


def _updated(result: Result[Any]) -> bool:
    return bool(cast(CursorResult[Any], result).rowcount)


def pending_for(session: Session, to: str) -> list[Row[Any]]:
    """What delivering needs of the rows still to deliver to one chat, in the order they
    were made: plain rows, not ORM objects (read once, never changed through them)."""
    columns = [_TABLE.c[name] for name in DELIVERY_COLUMNS]
    statement = (
        select(*columns)
        .where(_TABLE.c.status == OUTBOX_PENDING, _TABLE.c.to == to)
        .order_by(_TABLE.c.id)
    )
    return list(session.execute(statement))


def stalled_replies(
    session: Session, stalled_before: datetime, issued_after: datetime, limit: int = 500
) -> list[int]:
    """Pending rows whose deliverer died before ``stalled_before`` (their chats' locks have
    expired): replies tried with no outcome recorded (it died during the call), and rows
    never tried at all whose reply token, issued after ``issued_after``, is still fresh
    (it died before their turn)."""
    never_tried = (
        OutboxMessage.reply_attempted_at.is_(None)
        & (OutboxMessage.attempts == 0)
        & (OutboxMessage.reply_token_issued_at > issued_after)
        & (OutboxMessage.created_at < stalled_before)
    )
    statement = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == OUTBOX_PENDING,
            (OutboxMessage.reply_attempted_at < stalled_before) | never_tried,
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(statement))


_MARK_SENT = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("b_id"), _TABLE.c.status == OUTBOX_PENDING)
    .values(
        status=OUTBOX_SENT,
        sent_via=bindparam("b_via"),
        sent_at=bindparam("b_at"),
        attempts=bindparam("b_attempts"),
    )
)


def mark_sent(connection: Connection, rows: list[SentRow], at: datetime) -> None:
    """Record accepted rows in one statement (executemany); rows no longer pending are kept."""
    if rows:
        connection.execute(
            _MARK_SENT,
            [{"b_id": r.id, "b_via": r.via, "b_at": at, "b_attempts": r.attempts} for r in rows],
        )


def note_attempt(
    session: Session,
    outbox_id: int,
    *,
    attempts: int,
    error: str,
    failed: bool,
    refused_mark: datetime | None = None,
) -> None:
    """Record an attempt that was not accepted: final (``failed``) or to be retried.

    ``refused_mark``: LINE answered that it did not take this row's only reply, marked
    then, so no reply of it can have landed and the mark is taken back; unless another
    deliverer has marked the row since (its reply may have landed).
    """
    values: dict[str, Any] = {"attempts": attempts, "last_error": error[:4000]}
    if refused_mark is not None:
        mark = _TABLE.c.reply_attempted_at
        values["reply_attempted_at"] = case((mark == refused_mark, None), else_=mark)
    if failed:
        values["status"] = OUTBOX_FAILED
    session.execute(
        update(_TABLE)
        .where(_TABLE.c.id == outbox_id, _TABLE.c.status == OUTBOX_PENDING)
        .values(**values)
    )


def stragglers(session: Session, created_before: datetime, limit: int = 500) -> list[int]:
    """Rows still pending since ``created_before`` (their delivery job was lost or is retrying)."""
    statement = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OUTBOX_PENDING, OutboxMessage.created_at < created_before)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(statement))
