"""Queries over the durable inbox of webhook events. They never commit: the webhook's
:func:`store` runs on a connection's transaction, the drain's queries in a session."""

from __future__ import annotations

import zlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

from lianping.storage.db import insert_ignoring_duplicates
from lianping.storage.models import InboxEvent, utcnow

# An event that failed this often stays stored (with its error) but stops
# holding up the resident's later events; the sweep leaves it alone.
MAX_ATTEMPTS = 5

# LINE lets a message be unsent within 24 hours: its chat's latest message events
# are searched for it (a resident sends far fewer than this in a day).
UNSEND_SEARCH = 500

# Chats are spread over this many shards; one drainer at a time works a shard.
# FIXED for good: a chat's pending events must all be in the shard its new events
# go to, or two workers could process one chat at once, out of order. Changing it
# needs a migration that recomputes the shard of every pending event while no
# worker runs.
INBOX_SHARDS = 32


class StoredEvent(Protocol):
    """What handling an event reads of it: a claimed event or a stored ``InboxEvent``."""

    @property
    def id(self) -> int: ...
    @property
    def webhook_event_id(self) -> str: ...
    @property
    def source_key(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def event_timestamp(self) -> int: ...
    @property
    def payload(self) -> dict[str, Any]: ...


@dataclass(frozen=True, slots=True)
class Claimed:
    """An event a drain claimed: the columns handling it reads, as plain values."""

    id: int
    webhook_event_id: str
    source_key: str
    event_type: str
    event_timestamp: int
    payload: dict[str, Any]


_EVENTS = cast(Table, InboxEvent.__table__)
_CLAIMED_COLUMNS = [_EVENTS.c[name] for name in Claimed.__slots__]


def shard_of(source_key: str) -> int:
    """The shard of a chat: stable across processes and releases (not Python's ``hash``)."""
    return zlib.crc32(source_key.encode()) % INBOX_SHARDS


def store(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Store events keyed by ``webhook_event_id``, each in its chat's shard, inside the
    connection's transaction.

    Repeats are ignored by the database.
    """
    now = utcnow()
    insert_ignoring_duplicates(
        connection,
        InboxEvent,
        [
            {"received_at": now, "attempts": 0, "shard": shard_of(row["source_key"]), **row}
            for row in rows
        ],
        "webhook_event_id",
    )


def claim_pending(
    session: Session, shards: Collection[int], limit: int, skip_chats: Collection[str] = ()
) -> list[Claimed]:
    """Claim up to ``limit`` unprocessed events of these shards inside the caller's
    transaction, in one statement; returns them oldest LINE timestamp first (then arrival).

    Chats in ``skip_chats`` are left out entirely (all their events wait, in order). The
    claim is a conditional UPDATE: a second claimer's matches none of these (PostgreSQL
    waits for the first to commit), which makes processing exactly-once. It is a Core
    statement returning plain rows: the drain only reads the events it claims.
    """
    statement = _CLAIM_SKIPPING if skip_chats else _CLAIM
    claimed = session.execute(
        statement,
        {"b_shards": list(shards), "b_skip": list(skip_chats), "b_limit": limit, "b_now": utcnow()},
    )
    return sorted(
        (Claimed(*row) for row in claimed), key=lambda event: (event.event_timestamp, event.id)
    )


def _claim(skipping: bool) -> Executable:
    """The claim statement, built once (every batch runs it), with or without chats to skip."""
    oldest = (
        select(_EVENTS.c.id)
        .where(
            _EVENTS.c.shard.in_(bindparam("b_shards", expanding=True)),
            _EVENTS.c.processed_at.is_(None),
            _EVENTS.c.attempts < MAX_ATTEMPTS,
        )
        .order_by(_EVENTS.c.event_timestamp, _EVENTS.c.id)
        .limit(bindparam("b_limit"))
    )
    if skipping:
        oldest = oldest.where(_EVENTS.c.source_key.not_in(bindparam("b_skip", expanding=True)))
    return (
        update(_EVENTS)
        .where(_EVENTS.c.id.in_(oldest.scalar_subquery()), _EVENTS.c.processed_at.is_(None))
        .values(processed_at=bindparam("b_now"))
        .returning(*_CLAIMED_COLUMNS)
    )


_CLAIM = _claim(skipping=False)
_CLAIM_SKIPPING = _claim(skipping=True)


def unclaim(session: Session, event_ids: Collection[int]) -> None:
    """Give claimed events back (still inside the claiming transaction): they stay pending."""
    if event_ids:
        session.execute(
            update(InboxEvent)
            .where(InboxEvent.id.in_(event_ids))
            .values(processed_at=None)
            .execution_options(synchronize_session=False)
        )


def record_failure(session: Session, event_id: int, error: str) -> int:
    """Count a failed attempt, keep its error and leave the event pending; returns attempts.

    Works inside the claiming transaction too: the claim is given back.
    """
    attempts = session.scalar(
        update(InboxEvent)
        .where(InboxEvent.id == event_id)
        .values(attempts=InboxEvent.attempts + 1, last_error=error[:4000], processed_at=None)
        .returning(InboxEvent.attempts)
        .execution_options(synchronize_session=False)
    )
    return int(attempts or 0)


def straggler_shards(session: Session, received_before: datetime) -> list[int]:
    """Shards with events stored but not processed since ``received_before``."""
    statement = (
        select(InboxEvent.shard)
        .where(
            InboxEvent.processed_at.is_(None),
            InboxEvent.attempts < MAX_ATTEMPTS,
            InboxEvent.received_at < received_before,
        )
        .group_by(InboxEvent.shard)
        .order_by(InboxEvent.shard)
    )
    return list(session.scalars(statement))


def redact_unsent(session: Session, source_key: str, message_id: str) -> int:
    """Blank the stored content of a message its sender unsent; returns the events changed.

    LINE asks bots to delete what a user took back: the raw event keeps only the
    message's id and type, and that it was unsent.
    """
    events = session.scalars(
        select(InboxEvent)
        .where(InboxEvent.source_key == source_key, InboxEvent.event_type == "message")
        .order_by(InboxEvent.id.desc())
        .limit(UNSEND_SEARCH)
    )
    changed = 0
    for event in events:
        message = event.payload.get("message") or {}
        if message.get("id") == message_id and not message.get("unsent"):
            kept = {"id": message_id, "type": message.get("type"), "unsent": True}
            event.payload = {**event.payload, "message": kept}
            changed += 1
    return changed
