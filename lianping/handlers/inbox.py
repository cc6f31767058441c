"""Drain the inbox of one chat: its events one at a time, in LINE timestamp order, exactly once."""

from __future__ import annotations

import logging
import traceback

from redis.exceptions import LockError
from redis.lock import Lock

from lianping import context, queues
from lianping.bot import dispatch
from lianping.bot.line_client import LineApiError, LineTransportError
from lianping.context import Context
from lianping.handlers import delivery, media
from lianping.storage import inbox

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 15  # seconds; renewed per event, so a killed worker's lock frees soon


def enqueue(ctx: Context, source_key: str) -> None:
    """Ask a worker to drain ``source_key``'s pending events."""
    queues.enqueue(ctx.redis, queues.EVENTS, "lianping.handlers.inbox.drain", source_key)


def drain(source_key: str) -> int:
    """RQ job: process every pending event of one chat. Returns how many were processed.

    Only one worker drains a chat at a time (a Redis lock). A job that finds the
    lock taken raises the chat's "dirty" flag, which the holder checks before it
    lets go, so no event committed before its job ran is left behind.
    """
    ctx = context.current()
    redis = ctx.redis
    dirty_key = f"lianping:inbox:dirty:{source_key}"
    lock = redis.lock(f"lianping:inbox:lock:{source_key}", timeout=LOCK_TIMEOUT)
    redis.set(dirty_key, 1, ex=LOCK_TIMEOUT * 2)
    processed = 0
    while redis.exists(dirty_key):
        if not lock.acquire(blocking=False):
            return processed  # the holder will see the flag
        try:
            redis.delete(dirty_key)
            processed += _drain_pending(ctx, source_key, lock)
        finally:
            try:
                lock.release()
            except LockError:
                log.warning("inbox lock of %s expired while draining", source_key)
    return processed


def _drain_pending(ctx: Context, source_key: str, lock: Lock) -> int:
    processed = 0
    while True:
        with ctx.sessions() as session:
            ids = inbox.pending_ids(session, source_key)
        if not ids:
            return processed
        for event_id in ids:
            processed += process_event(ctx, event_id)
            lock.reacquire()


def process_event(ctx: Context, event_id: int) -> int:
    """Process one event in its own transaction, then deliver its answer. Returns 1 or 0."""
    try:
        with ctx.sessions.begin() as session:
            event = inbox.claim(session, event_id)
            if event is None:
                return 0
            after = dispatch.handle(session, event)
    except Exception:
        with ctx.sessions.begin() as session:
            attempts = inbox.record_failure(session, event_id, traceback.format_exc())
        log.exception("event %s failed (attempt %s)", event_id, attempts)
        raise
    for outbox_id in after.outbox_ids:
        try:
            delivery.deliver_now(ctx, outbox_id)
        except delivery.DeliveryRetry:
            delivery.enqueue(ctx, outbox_id)
    for chat in after.leave:
        try:
            ctx.line.leave(chat.chat, chat.chat_id)
        except (LineApiError, LineTransportError) as exc:
            # Staying in a group is harmless: the engine answers nothing there.
            log.warning("could not leave %s %s: %s", chat.chat, chat.chat_id, exc)
    for media_id in after.media_ids:
        media.enqueue(ctx, media_id)
    for path in after.delete_files:
        media.delete_file(ctx, path)
    if after.fetch_profile_of:
        queues.enqueue(
            ctx.redis, queues.DEFAULT, "lianping.handlers.profiles.refresh", after.fetch_profile_of
        )
    return 1
