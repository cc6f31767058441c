"""Drain the inbox one shard at a time: each chat's events in LINE timestamp order, exactly once.

Chats are spread over ``inbox.INBOX_SHARDS`` shards; all events of a chat are in
one shard, and one worker at a time drains a shard, so a chat's events are
handled one at a time, in order. A drain takes up to ``BATCH`` events per
transaction: at a high rate one job handles many events.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field

from redis.exceptions import LockError
from redis.lock import Lock

from lianping import context, queues
from lianping.bot.conversation.model import LeaveChat
from lianping.context import Context
from lianping.jobs import delivery, media, profiles
from lianping.line.client import LineApiError, LineTransportError
from lianping.services import content, dispatch
from lianping.storage import inbox

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 15  # seconds; renewed per batch, so a killed worker's lock frees soon
BATCH = 100  # events per transaction
QUEUED_FLAG_TTL = 30  # seconds; should a queued job get lost, the sweep queues another after this
# Seconds a chat waits after its event failed its n-th time (RQ's own backoff, per chat):
# other chats of the shard keep flowing, and a chat's failure is not retried by every
# drain that other chats' events start.
FAILURE_BACKOFF = (1, 2, 5, 15, 60, 300)


class EventFailed(Exception):
    """An event of the batch raised; it is counted and its chat waits. RQ retries the job."""


def _queued_key(shard: int) -> str:
    return f"lianping:inbox:queued:{shard}"


def _backoff_key(shard: int) -> str:
    return f"lianping:inbox:backoff:{shard}"


def enqueue(ctx: Context, shard: int) -> bool:
    """Ask a worker to drain ``shard``, unless a drain of it is queued and not started yet.

    Returns whether a job was queued. Raises ``RedisError`` when Redis is unreachable.
    """
    if not ctx.redis.set(_queued_key(shard), 1, nx=True, ex=QUEUED_FLAG_TTL):
        return False  # the queued job has not started: it will see what was just stored
    queues.enqueue(ctx.redis, queues.EVENTS, "lianping.jobs.inbox.drain", shard)
    return True


def drain(shard: int) -> int:
    """RQ job: process every pending event of one shard. Returns how many were processed.

    Only one worker drains a shard at a time (a Redis lock). A job that finds the
    lock taken raises the shard's "dirty" flag, which the holder checks before it
    lets go, so no event committed before its job ran is left behind.
    """
    ctx = context.current()
    redis = ctx.redis
    dirty_key = f"lianping:inbox:dirty:{shard}"
    lock = redis.lock(f"lianping:inbox:lock:{shard}", timeout=LOCK_TIMEOUT)
    with redis.pipeline(transaction=False) as pipe:
        # Started: events stored from now on need a job of their own (or this one's
        # dirty loop), so let the webhook queue one.
        pipe.delete(_queued_key(shard))
        pipe.set(dirty_key, 1, ex=LOCK_TIMEOUT * 2)
        pipe.execute()
    processed = 0
    failed: dict[str, int] = {}
    while redis.exists(dirty_key):
        if not lock.acquire(blocking=False):
            break  # the holder will see the flag
        try:
            redis.delete(dirty_key)
            processed += _drain_shard(ctx, shard, lock, failed)
        finally:
            try:
                lock.release()
            except LockError:
                log.warning("inbox lock of shard %s expired while draining", shard)
    if failed:
        # Counted on the events already; raising lets RQ record the failure and retry.
        raise EventFailed(f"{len(failed)} chat(s) of shard {shard} failed: {sorted(failed)}")
    return processed


def _drain_shard(ctx: Context, shard: int, lock: Lock, failed: dict[str, int]) -> int:
    """Batches until one comes back short. A chat that failed waits (``FAILURE_BACKOFF``)."""
    processed = 0
    while True:
        waiting = _chats_backing_off(ctx, shard) | {
            chat for chat, attempts in failed.items() if attempts < inbox.MAX_ATTEMPTS
        }
        batch = _process_batch(ctx, shard, waiting)
        lock.reacquire()
        if batch.failures:
            failed.update(batch.failures)
            # An event at MAX_ATTEMPTS stops holding up its chat: no waiting for it.
            _back_off(ctx, shard, {
                chat: n for chat, n in batch.failures.items() if n < inbox.MAX_ATTEMPTS
            })  # fmt: skip
        _carry_out(ctx, batch)
        processed += batch.processed
        if batch.loaded < BATCH:
            return processed
        lock.reacquire()


@dataclass
class Batch:
    """What one batch transaction did, and the work left for after its commit."""

    loaded: int = 0
    processed: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # chat → attempts of its failed event
    outbox: list[delivery.Snapshot] = field(default_factory=list)
    leave: list[LeaveChat] = field(default_factory=list)
    media_ids: list[int] = field(default_factory=list)
    delete_files: list[str] = field(default_factory=list)
    profiles: dict[str, None] = field(default_factory=dict)  # ordered set of LINE user ids


def _process_batch(ctx: Context, shard: int, waiting: set[str]) -> Batch:
    """Claim up to BATCH events of the shard and handle them, in one transaction.

    Each event runs in a SAVEPOINT: one that raises is rolled back alone, counted,
    and its chat's later events in this batch are given back (they stay pending,
    in order); other chats go on. The batch commits once.
    """
    batch = Batch()
    with ctx.sessions.begin() as session:
        events = inbox.pending_in_shard(session, shard, BATCH, skip_chats=waiting)
        batch.loaded = len(events)
        claimed = inbox.claim(session, [event.id for event in events])
        if not claimed:
            return batch
        editable = content.for_conversation(session)
        given_back: list[int] = []
        for event in events:
            if event.id not in claimed:
                continue  # another worker took it (its lock had expired)
            if event.source_key in batch.failures:
                given_back.append(event.id)
                continue
            try:
                with session.begin_nested():
                    after = dispatch.handle(session, event, editable)
            except Exception:
                attempts = inbox.record_failure(session, event.id, traceback.format_exc())
                batch.failures[event.source_key] = attempts
                log.exception("event %s failed (attempt %s)", event.id, attempts)
                continue
            batch.processed += 1
            batch.outbox += [delivery.Snapshot.of(row) for row in after.outbox]
            batch.leave += after.leave
            batch.media_ids += after.media_ids
            batch.delete_files += after.delete_files
            if after.fetch_profile_of:
                batch.profiles[after.fetch_profile_of] = None
        inbox.unclaim(session, given_back)
    return batch


def _carry_out(ctx: Context, batch: Batch) -> None:
    """After the batch committed: carry out its effects, deliver its answers."""
    for path in batch.delete_files:
        media.delete_file(ctx, path)
    delivery.deliver_batch(ctx, batch.outbox)
    for chat in batch.leave:
        try:
            ctx.line.leave(chat.chat, chat.chat_id)
        except (LineApiError, LineTransportError) as exc:
            # Staying in a group is harmless: the engine answers nothing there.
            log.warning("could not leave %s %s: %s", chat.chat, chat.chat_id, exc)
    for media_id in batch.media_ids:
        media.enqueue(ctx, media_id)
    profiles.refresh_later(ctx, list(batch.profiles))


def _chats_backing_off(ctx: Context, shard: int) -> set[str]:
    """Chats of the shard whose last event failed recently; expired entries are dropped."""
    entries = ctx.redis.hgetall(_backoff_key(shard))
    if not entries:
        return set()
    now = time.time()
    waiting = {_text(key): float(until) for key, until in entries.items()}
    expired = [chat for chat, until in waiting.items() if until <= now]
    if expired:
        ctx.redis.hdel(_backoff_key(shard), *expired)
    return {chat for chat, until in waiting.items() if until > now}


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _back_off(ctx: Context, shard: int, failures: dict[str, int]) -> None:
    """Let the failed chats wait before their next try (longer after each failure)."""
    if not failures:
        return
    now = time.time()
    key = _backoff_key(shard)
    with ctx.redis.pipeline(transaction=False) as pipe:
        for chat, attempts in failures.items():
            pipe.hset(key, chat, now + FAILURE_BACKOFF[min(attempts, len(FAILURE_BACKOFF)) - 1])
        pipe.expire(key, max(FAILURE_BACKOFF) * 2)
        pipe.execute()
