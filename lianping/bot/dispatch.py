"""Apply one stored webhook event: run the engine, keep its state, queue its answer.

A service function: takes a session, never commits, returns what must happen
after the caller commits (deliveries, leaving a group, fetching a profile).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from lianping.bot import engine
from lianping.bot.engine import LeaveChat, SetFollowing
from lianping.storage import outbox, residents
from lianping.storage.models import InboxEvent

log = logging.getLogger(__name__)

# Event types the engine answers; others are stored, marked processed and logged.
HANDLED_TYPES = frozenset({"message", "follow", "unfollow", "postback", "join"})


@dataclass
class AfterCommit:
    """Work the caller does once the event's transaction has committed."""

    outbox_ids: list[int] = field(default_factory=list)
    leave: list[LeaveChat] = field(default_factory=list)
    fetch_profile_of: str | None = None


def handle(session: Session, event: InboxEvent) -> AfterCommit:
    """Process ``event`` inside the caller's transaction."""
    payload = event.payload
    after = AfterCommit()
    if payload.get("mode") == "standby":
        # Another channel (e.g. a chat module) owns the conversation: send nothing.
        return after
    if event.event_type not in HANDLED_TYPES:
        log.info("ignoring %s event %s", event.event_type, event.webhook_event_id)
        return after

    incoming = engine.from_event(payload)
    state: engine.State = {}
    resident = None
    if incoming.chat == "user" and incoming.chat_id:
        resident = residents.get_or_create(session, incoming.chat_id)
        state = dict(resident.conversation or {})
        if resident.profile_fetched_at is None or incoming.kind == "follow":
            after.fetch_profile_of = resident.line_user_id

    outcome = engine.step(state, incoming)

    if resident is not None:
        resident.conversation = outcome.state
        for effect in outcome.effects:
            if isinstance(effect, SetFollowing):
                residents.set_following(resident, effect.following)
    after.leave = [effect for effect in outcome.effects if isinstance(effect, LeaveChat)]
    if outcome.messages and incoming.chat_id:
        row = outbox.add(
            session,
            incoming.chat_id,
            outcome.messages,
            reply_token=payload.get("replyToken"),
            reply_token_issued_at=datetime.fromtimestamp(event.event_timestamp / 1000, UTC),
            source_event_id=event.id,
        )
        after.outbox_ids.append(row.id)
    return after
