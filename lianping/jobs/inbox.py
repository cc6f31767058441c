"""Drain the inbox: each chat's events in LINE timestamp order, exactly once, in batches.

A worker process runs a drainer (:func:`drain_forever`) beside its RQ jobs. It waits for
shards to be woken (:mod:`lianping.jobs.inbox_wake`), takes every woken shard it can lock
at once and handles their pending events in batches of ``BATCH`` (fewer on SQLite), one
transaction each: a burst over many chats becomes a few large batches, with no queued job
per shard. A shard is held by
one drainer at a time, so a chat's events are handled one at a time, in order.

An event that raises holds back its chat alone: it is counted, its chat waits
(``FAILURE_BACKOFF``) and is woken again after it; other chats go on.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from lianping import context
from lianping.bot.conversation.model import LeaveChat
from lianping.context import Context
from lianping.jobs import delivery, inbox_wake, media, profiles
from lianping.line.client import LineApiError, LineTransportError
from lianping.services import content, dispatch
from lianping.storage import inbox, residents
from lianping.storage.models import OutboxMessage

log = logging.getLogger(__name__)

LOCK_TIMEOUT = 15  # seconds; renewed per batch, so a killed drainer's shards free soon
BATCH = 100  # events per transaction
# SQLite has one writer: a batch holds it for its whole transaction, and the webhook's
# insert waits behind it (LINE gives up after 2 s). Smaller batches let it in sooner.
SQLITE_BATCH = 20
# Shards one drainer takes at once beyond the one it was woken for: the other drainers
# take the rest of a burst.
MORE_SHARDS = inbox.INBOX_SHARDS // 2
WAIT_S = 1.0  # a drainer looks at its stop flag and due re-wakes this often
# Seconds a chat waits after its event failed its n-th time (per chat): other chats of
# the shard keep flowing, and a chat's failure is not retried by every drain.
FAILURE_BACKOFF = (1, 2, 5, 15, 60, 300)
# After the database or Redis failed a drain, its shards are woken again this much later.
OUTAGE_PAUSE_S = 1.0


def enqueue(ctx: Context, shards: list[int]) -> int:
    """Have a drainer take these shards, unless they are waiting for one already.

    Returns how many were woken. Raises ``RedisError`` when Redis is unreachable.
    """
    return inbox_wake.wake(ctx.redis, shards)


@dataclass
class Drained:
    """What a drain did: events processed, and chats whose event failed (→ attempts)."""

    processed: int = 0
    failed: dict[str, int] = field(default_factory=dict)

    def retry_in(self) -> float | None:
        """Seconds until the first failed chat may be tried again (None: none failed)."""
        waits = [_backoff_s(n) for n in self.failed.values() if n < inbox.MAX_ATTEMPTS]
        return min(waits) if waits else None


def drain(ctx: Context, shards: list[int], redis: Redis | None = None) -> Drained:
    """Take ``shards`` (and other woken ones) and process their pending events, until none
    is left nor woken again meanwhile. Shards another drainer holds are left to it."""
    redis = redis or ctx.redis
    token = uuid.uuid4().hex
    taken = inbox_wake.take(redis, token, LOCK_TIMEOUT, shards, MORE_SHARDS)
    held, backoff = taken.shards, taken.backoff
    drained = Drained()
    try:
        while held:
            _drain_held(ctx, redis, token, held, backoff, drained)
            held = inbox_wake.release(redis, token, LOCK_TIMEOUT, held)
            backoff = {}
    except BaseException:
        # Failing or stopped: the shards are someone else's to drain (events stay pending).
        with contextlib.suppress(RedisError):  # else the locks expire
            inbox_wake.release(redis, token, LOCK_TIMEOUT, held)
        raise
    return drained


def _drain_held(
    ctx: Context,
    redis: Redis,
    token: str,
    held: list[int],
    backoff: dict[str, float],
    drained: Drained,
) -> None:
    """Batches of the held shards until one comes back short."""
    waiting = inbox_wake.waiting(redis, backoff) if backoff else set()
    while True:
        retry = {c for c, n in drained.failed.items() if n < inbox.MAX_ATTEMPTS}
        batch = _process_batch(ctx, held, waiting | retry)
        if batch.failures:
            drained.failed.update(batch.failures)
            # An event at MAX_ATTEMPTS stops holding up its chat: no waiting for it.
            now = time.time()
            inbox_wake.back_off(redis, {
                chat: now + _backoff_s(n)
                for chat, n in batch.failures.items() if n < inbox.MAX_ATTEMPTS
            }, max(FAILURE_BACKOFF) * 2)  # fmt: skip
        _carry_out(ctx, batch)
        drained.processed += batch.processed
        if batch.loaded < batch_size(ctx):
            return
        held[:] = inbox_wake.renew(redis, token, LOCK_TIMEOUT, held)
        if not held:
            log.warning("inbox locks expired while draining; left to another drainer")
            return


def batch_size(ctx: Context) -> int:
    """Events per batch transaction on this database."""
    return SQLITE_BATCH if ctx.engine.dialect.name == "sqlite" else BATCH


def _backoff_s(attempts: int) -> float:
    return FAILURE_BACKOFF[min(attempts, len(FAILURE_BACKOFF)) - 1]


def drain_forever(stop: threading.Event, redis: Redis, outage: Callable[[BaseException], None],
                  burst: bool = False) -> None:  # fmt: skip
    """A worker's drainer: wait for woken shards and drain them until ``stop`` is set (or,
    with ``burst``, until none is woken). Chats that failed are woken again after their
    backoff; a drain that raised (the database or Redis away, anything else) is woken again
    after a pause (should this process die, the sweep wakes what is left)."""
    ctx = context.current()
    rewake: list[tuple[float, list[int]]] = []  # (monotonic time due, shards)
    while not stop.is_set():
        due = [shards for at, shards in rewake if at <= time.monotonic()]
        rewake = [(at, shards) for at, shards in rewake if at > time.monotonic()]
        try:
            for shards in due:
                inbox_wake.wake(redis, shards)
            shard = inbox_wake.wait(redis, 0.1 if burst else WAIT_S)
            if shard is None:
                if burst and not rewake:
                    return
                continue
            drained = drain(ctx, [shard], redis)
        except Exception as exc:
            # The drainer outlives whatever a drain raised: its events stay pending.
            if isinstance(exc, RedisError | SQLAlchemyError):
                outage(exc)
            else:
                log.exception("a drain failed; its shards are woken again")
            rewake.append((time.monotonic() + OUTAGE_PAUSE_S, list(range(inbox.INBOX_SHARDS))))
            stop.wait(OUTAGE_PAUSE_S)
            continue
        retry_in = drained.retry_in()
        if retry_in is not None:
            failed = sorted({inbox.shard_of(chat) for chat in drained.failed})
            rewake.append((time.monotonic() + retry_in, failed))
            log.warning("%d chat(s) failed; tried again in %.0f s", len(drained.failed), retry_in)


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


class _EventRaised(Exception):
    """An event raised while the batch ran without savepoints: it is run again with them."""


def _process_batch(ctx: Context, shards: list[int], waiting: set[str]) -> Batch:
    """Claim a batch of events of the shards and handle them, in one transaction.

    The batch first runs without savepoints. Should an event raise, the whole transaction
    rolls back and the batch runs again with each event in a SAVEPOINT: the one that
    raises is rolled back alone, counted, and its chat's later events in this batch are
    given back (they stay pending, in order); other chats go on. The batch commits once.
    """
    try:
        return _run_batch(ctx, shards, waiting, savepoints=False)
    except _EventRaised:
        return _run_batch(ctx, shards, waiting, savepoints=True)


def _run_batch(ctx: Context, shards: list[int], waiting: set[str], savepoints: bool) -> Batch:
    batch = Batch()
    with ctx.sessions.begin() as session:
        events = inbox.claim_pending(session, shards, batch_size(ctx), skip_chats=waiting)
        batch.loaded = len(events)
        if not events:
            return batch
        editable = content.for_conversation(session)
        users = {user for event in events if (user := dispatch.resident_of(event))}
        known = residents.get_or_create_many(session, sorted(users))
        given_back: list[int] = []
        written: list[OutboxMessage] = []  # the answers, inserted at once below
        for event in events:
            if event.source_key in batch.failures:
                given_back.append(event.id)
                continue
            if not savepoints:
                try:
                    after = dispatch.handle(session, event, editable, known)
                except Exception as exc:
                    raise _EventRaised(event.id) from exc
            else:
                try:
                    with session.begin_nested():
                        after = dispatch.handle(session, event, editable, known)
                except Exception:
                    attempts = inbox.record_failure(session, event.id, traceback.format_exc())
                    batch.failures[event.source_key] = attempts
                    log.exception("event %s failed (attempt %s)", event.id, attempts)
                    continue
            batch.processed += 1
            written += after.outbox
            batch.leave += after.leave
            batch.media_ids += after.media_ids
            batch.delete_files += after.delete_files
            if after.fetch_profile_of:
                batch.profiles[after.fetch_profile_of] = None
        try:
            session.flush()
        except Exception as exc:
            if savepoints:
                raise  # each event's savepoint flushed its own rows already
            raise _EventRaised("the batch's answers") from exc
        batch.outbox = [delivery.Snapshot.of(row) for row in written]
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
