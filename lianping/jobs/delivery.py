"""Deliver outbox rows to LINE: exactly once, in each chat's order, many chats at once.

One deliverer at a time works on a chat (a Redis lock per chat, :mod:`dirty_locks`) and
sends its pending rows oldest first; a deliverer that finds the chat busy marks it dirty,
and the holder then looks again before it lets go. A row to be retried stops its chat,
so a later answer waits for an earlier one. Different chats go
concurrently, on a bounded thread pool per worker process (``DELIVERY_THREADS``).
Each row's outcome is committed as soon as its call returns, in a transaction of its
own: a worker killed mid-delivery leaves at most the row in flight unknown.

A reply token is single use and lives about a minute, and LINE may take a reply whose
answer we never see (a timeout, the worker killed). So ``reply_attempted_at`` is
committed by itself just before every reply call (never ahead for a whole batch: rows
a killed worker never called would then look as if they might have landed, and be
lost). A row whose mark predates the current attempt may have landed:

- while its token is fresh it is replied again, and LINE's "invalid reply token"
  then means the earlier call landed: sent;
- once the token is too old to ask LINE, it is not pushed (that could answer twice):
  it is counted as sent with ``sent_via = "unconfirmed"`` and shown to staff as
  送達未確認, never as delivered.

A mark is taken back when LINE answers the only reply with an error (it did not take
it), so a refused reply is pushed later as usual. A row whose deliverer died (mid-call,
or before its turn) is tried again soon after its chat's lock expires (``retry_stalled``,
queued every ``CHAT_LOCK_SECONDS`` by one worker), while its token is most likely still
fresh; older rows are the sweep's. A
chat's lock is short (``CHAT_LOCK_SECONDS``) and kept alive by its holder's process
while the holder works (``_LockKeeper``), so a dead holder's chat is free again within
seconds, however long LINE's calls may take.

A live holder's lock can still lapse (its process starved), and two deliverers then work
on one chat. That is made harmless: whether a reply had been tried comes from the
database as the mark is set (a compare-and-set), never from rows read earlier; a row
finished meanwhile is skipped, and no push follows a reply another deliverer may have
landed. Two pushes of a row are one for LINE (same retry key, 409).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import Row
from sqlalchemy.exc import SQLAlchemyError

from lianping import context, queues
from lianping.context import Context
from lianping.jobs import dirty_locks
from lianping.line.client import LineApiError, LineTransportError
from lianping.services import casework
from lianping.storage import outbox
from lianping.storage.models import (
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SENT,
    SENT_UNCONFIRMED,
    OutboxMessage,
    utcnow,
)

log = logging.getLogger(__name__)

# LINE's reply tokens live about a minute; past this age we push instead.
REPLY_TOKEN_FRESH = timedelta(seconds=50)
REPLY_TOKEN_LIFETIME = timedelta(seconds=60)

RETRY = "retry"  # outcome of an attempt that should be repeated later (row stays pending)
SKIPPED = "skipped"  # another deliverer finished the row meanwhile: nothing to do or record
TO_PUSH = "to push"  # the reply half's answer when no reply landed: the row is to be pushed

DELIVER_ROWS = "lianping.jobs.delivery.deliver_rows"
RETRY_STALLED = "lianping.jobs.delivery.retry_stalled"
ROWS_PER_JOB = 300

# A chat's lock outlives a dead holder by this much at most, so its unknown reply is asked
# again while the token is fresh; a live holder's process renews it every third of it,
# whatever LINE's calls take. Should it lapse all the same, a second holder is harmless.
CHAT_LOCK_SECONDS = 6
LOCK_PREFIX = "lianping:deliver:"

_pool: ThreadPoolExecutor | None = None
_backlog: threading.BoundedSemaphore | None = None
_pool_lock = threading.Lock()


class DeliveryRetry(Exception):
    """LINE was unreachable or busy; RQ retries the job with backoff."""


@dataclass(frozen=True)
class Snapshot:
    """What an attempt needs of an outbox row, read while its transaction was open."""

    id: int
    to: str
    messages: list[dict[str, Any]]
    reply_token: str | None
    reply_token_issued_at: datetime | None
    reply_attempted_at: datetime | None
    retry_key: str
    attempts: int

    @classmethod
    def of(cls, row: OutboxMessage | Row[Any]) -> Snapshot:
        """The snapshot of an outbox row, from its object or its ``outbox.pending_for`` row."""
        return cls(**{name: getattr(row, name) for name in outbox.DELIVERY_COLUMNS})


@dataclass(frozen=True)
class Result:
    """Outcome of one attempt: ``sent``, ``failed`` (final), ``retry`` or ``skipped``."""

    outbox_id: int
    status: str
    calls: int  # requests made to LINE (each counts as an attempt of the row)
    via: str | None = None
    error: str | None = None
    refused: bool = False  # LINE refused the row's only reply: it cannot have landed
    mark: datetime | None = None  # this attempt's own reply mark, if it tried a reply


def deliver(outbox_id: int) -> str:
    """RQ job: deliver one outbox row (and its chat's earlier ones). Returns its status."""
    return deliver_now(context.current(), outbox_id)


def deliver_rows(outbox_ids: list[int]) -> int:
    """RQ job: deliver the chats of these rows that are still pending (their deliverer
    died, during a call or before it), chats concurrently. Returns how many chats."""
    ctx = context.current()
    with ctx.sessions() as session:
        rows = [session.get(OutboxMessage, outbox_id) for outbox_id in outbox_ids]
        chats = {row.to for row in rows if row and row.status == OUTBOX_PENDING}
    pool, _ = _executor(ctx)
    list(pool.map(lambda chat: _deliver_in_background(ctx, chat, None), chats))
    return len(chats)


def retry_stalled() -> int:
    """RQ job, queued every ``CHAT_LOCK_SECONDS`` by one worker: rows whose deliverer died
    (during the reply call, or before their turn) are delivered again once their chat's
    lock has expired, while the token may be fresh; for a reply whose call went
    unanswered, LINE's "invalid reply token" then confirms the earlier call landed. One
    query for all chats instead of a delayed job per batch, and no scheduler needed, so a
    kill that takes RQ's scheduler does not delay it. Returns how many chats were delivered."""
    ctx = context.current()
    now = utcnow()
    with ctx.sessions() as session:
        stalled = outbox.stalled_replies(
            session, now - timedelta(seconds=CHAT_LOCK_SECONDS), now - REPLY_TOKEN_FRESH
        )
    return deliver_rows(stalled) if stalled else 0


def enqueue_rows(ctx: Context, outbox_ids: list[int], delay_s: float = 0) -> None:
    """Queue :func:`deliver_rows` for these rows (after ``delay_s``), a few hundred a job."""
    queue = queues.queue(queues.DELIVERY, ctx.redis)
    for start in range(0, len(outbox_ids), ROWS_PER_JOB):
        chunk = outbox_ids[start : start + ROWS_PER_JOB]
        options: dict[str, Any] = {"result_ttl": 0, "failure_ttl": 7 * 24 * 3600}
        if delay_s:
            queue.enqueue_in(timedelta(seconds=delay_s), DELIVER_ROWS, chunk, **options)
        else:
            queue.enqueue(DELIVER_ROWS, chunk, **options)


def enqueue(ctx: Context, outbox_id: int) -> None:
    """Queue delivery of a committed outbox row."""
    queues.enqueue(ctx.redis, queues.DELIVERY, "lianping.jobs.delivery.deliver", outbox_id)


def enqueue_after_commit(ctx: Context, outbox_ids: list[int]) -> None:
    """Queue delivery of committed outbox rows; with Redis away they wait for the sweep."""
    for outbox_id in outbox_ids:
        try:
            enqueue(ctx, outbox_id)
        except RedisError:
            log.warning("outbox %s not queued (Redis down); the sweep will send it", outbox_id)


class _LockKeeper:
    """Renews this process's chat locks while their holders work (one thread for all).

    A lock renewed only by its own holder would have to outlast the slowest LINE call;
    renewed from here, it can be short and still never expire under a live holder.
    """

    def __init__(self, every: float) -> None:
        self._every = every
        self._held: dict[tuple[str, str], Redis] = {}  # (chat, token) → the holder's Redis
        self._mutex = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, redis: Redis, chat: str, token: str) -> None:
        """Keep ``token``'s lock of ``chat`` alive until :meth:`drop`."""
        with self._mutex:
            self._held[(chat, token)] = redis
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="chat-locks", daemon=True)
                self._thread.start()

    def drop(self, chat: str, token: str) -> None:
        """Stop renewing the lock (its holder is done with it)."""
        with self._mutex:
            self._held.pop((chat, token), None)

    def _run(self) -> None:
        while True:
            time.sleep(self._every)
            with self._mutex:
                held = list(self._held.items())
            for (chat, token), redis in held:
                # Released meanwhile, or Redis away: the holder's release tells.
                with contextlib.suppress(RedisError):
                    dirty_locks.renew(redis, LOCK_PREFIX, token, CHAT_LOCK_SECONDS, [chat])


_keeper = _LockKeeper(CHAT_LOCK_SECONDS / 3)


def deliver_now(ctx: Context, outbox_id: int) -> str:
    """Deliver a row and, first, its chat's earlier pending ones; idempotent (a sent or
    failed row is left alone).

    Raises ``DeliveryRetry`` when a row should be tried again later. A chat busy with
    another deliverer is left to it (it looks for new rows before it lets go).
    """
    with ctx.sessions() as session:
        row = session.get(OutboxMessage, outbox_id)
        if row is None:
            return "missing"
        if row.status != OUTBOX_PENDING:
            return row.status
        chat = row.to
    results = deliver_chat(ctx, chat) or []
    retry = next((result for result in results if result.status == RETRY), None)
    if retry is not None:
        raise DeliveryRetry(retry.error)
    with ctx.sessions() as session:
        row = session.get_one(OutboxMessage, outbox_id)
        return row.status


def deliver_batch(ctx: Context, snapshots: list[Snapshot]) -> None:
    """Hand a drain's freshly committed rows to the delivery threads, one task per chat,
    and return: the drain goes on with the next events while LINE answers.

    It waits only when the threads are this far behind (``_backlog``); rows a killed
    worker had not delivered yet are found by ``retry_stalled``."""
    if not snapshots:
        return
    pool, backlog = _executor(ctx)
    by_chat: dict[str, list[Snapshot]] = {}
    for snapshot in snapshots:
        by_chat.setdefault(snapshot.to, []).append(snapshot)
    for chat, rows in by_chat.items():
        # A chat's only new row is handed over: the common case takes the fast path.
        fresh = rows[0] if len(rows) == 1 else None
        backlog.acquire()
        future = pool.submit(_deliver_in_background, ctx, chat, fresh)
        future.add_done_callback(lambda _done: backlog.release())


def _deliver_or_queue(ctx: Context, chat: str, fresh: Snapshot | None = None) -> list[Result]:
    """Deliver ``chat``; when a row must wait, leave the chat to a delivery job of that row
    (when the chat is busy, its deliverer takes the rows)."""
    results = deliver_chat(ctx, chat, fresh)
    if results and results[-1].status == RETRY:
        waiting = results[-1].outbox_id
        try:
            enqueue(ctx, waiting)
        except RedisError:
            log.warning("queue unavailable; outbox %s left for the sweep", waiting)
    return results or []


def _deliver_in_background(ctx: Context, chat: str, fresh: Snapshot | None) -> None:
    """A delivery thread's task: what goes wrong is logged, and the rows stay pending for
    ``retry_stalled`` and the sweep."""
    try:
        _deliver_or_queue(ctx, chat, fresh)
    except (RedisError, SQLAlchemyError) as exc:
        log.warning("delivery to a chat interrupted (%s); left for a retry", type(exc).__name__)
    except Exception:
        log.exception("delivery to a chat failed; left for a retry")


def deliver_chat(ctx: Context, chat: str, fresh: Snapshot | None = None) -> list[Result] | None:
    """Deliver the pending rows of one chat in order, stopping at one to retry.

    A deliverer that finds the chat busy marks it dirty and leaves its rows to the
    holder, which looks again as it lets go and goes on while the chat is dirty. ``fresh``
    is a row the caller has just written, tried first without reading the chat when it is
    the chat's oldest pending one (:func:`_deliver_fresh`). Returns the results, or None
    when another deliverer held the chat.
    """
    token = uuid.uuid4().hex
    if not dirty_locks.hold(ctx.redis, LOCK_PREFIX, token, CHAT_LOCK_SECONDS, [chat]):
        return None
    _keeper.hold(ctx.redis, chat, token)
    results: list[Result] = []
    try:
        while True:
            results.extend(_deliver_round(ctx, chat, fresh))
            fresh = None  # a second round (the chat was marked dirty) reads the chat
            if results and results[-1].status == RETRY:
                # The chat's later rows wait for this one's job, woken or not.
                while _release(ctx, chat, token):
                    pass
                return results
            if not _release(ctx, chat, token):
                return results
    except BaseException:
        with contextlib.suppress(RedisError):  # else the lock expires
            while _release(ctx, chat, token):
                pass
        raise
    finally:
        _keeper.drop(chat, token)


def _release(ctx: Context, chat: str, token: str) -> bool:
    """Let go of the chat; True when it was marked dirty meanwhile (still held: look again)."""
    return bool(dirty_locks.release(ctx.redis, LOCK_PREFIX, token, CHAT_LOCK_SECONDS, [chat]))


def _deliver_round(ctx: Context, chat: str, fresh: Snapshot | None) -> list[Result]:
    if fresh is not None:
        result = _deliver_fresh(ctx, fresh)
        if result is not None:
            return [result]
    return _deliver_pending(ctx, chat)


def _deliver_fresh(ctx: Context, row: Snapshot) -> Result | None:
    """The fast path of a row just written: its reply mark also checks that it is the
    chat's oldest pending row and still untried (one statement), so the chat's rows are
    not read. None when it does not apply: the chat's pending rows are read instead."""
    if row.reply_attempted_at is not None or row.attempts or not will_reply(row):
        return None
    ours = utcnow()
    # A connection, not a session: one statement, and a session's begin and commit cost
    # more than it does (twice per answer, with the sent mark).
    with ctx.engine.begin() as connection:
        if not outbox.mark_first_reply(connection, row.id, row.to, ours):
            return None
    return _after_mark(ctx, row, ours)


def _deliver_pending(ctx: Context, chat: str) -> list[Result]:
    """Deliver what is pending for the held chat, oldest first, up to a row to retry."""
    with ctx.sessions() as session:
        rows = [Snapshot.of(row) for row in outbox.pending_for(session, chat)]
    results: list[Result] = []
    for row in rows:
        result = _deliver_one(ctx, row)
        results.append(result)
        if result.status == RETRY:
            break  # the chat's later rows wait for this one
    return results


def _deliver_one(ctx: Context, row: Snapshot) -> Result:
    """Mark a reply just before its call, call LINE, and record the outcome at once.

    The mark is committed by itself, right before the call (never ahead for a batch): a
    worker killed with rows still waiting for their call leaves them unmarked, so they
    are pushed later, never taken for a reply that may have landed. Whether a reply had
    been tried is what the database says as the mark is set, not what ``row`` said: a
    second deliverer on the chat (its lock lapsed) may have tried one since ``row`` was
    read, and must then not push after LINE's "invalid reply token"."""
    ours = None
    if will_reply(row):
        ours = utcnow()
        with ctx.sessions.begin() as session:
            mark = outbox.note_reply_attempt(session, row.id, ours, row.reply_attempted_at)
        if not mark.pending:
            return Result(row.id, SKIPPED, 0)
        row = dataclasses.replace(row, reply_attempted_at=mark.previous)
    return _after_mark(ctx, row, ours)


def _after_mark(ctx: Context, row: Snapshot, ours: datetime | None) -> Result:
    """Call LINE for ``row`` (its reply marked ``ours``, or None: no reply tried) and record
    the outcome at once."""
    result = attempt(ctx, row)
    if result.status == TO_PUSH:
        result = _push_unless_replied(ctx, row, ours, result)
    result = dataclasses.replace(result, mark=ours)
    if result.status != SKIPPED:
        record(ctx, [(row, result)])
    return result


def _push_unless_replied(
    ctx: Context, row: Snapshot, ours: datetime | None, tried: Result
) -> Result:
    """Push ``row`` after the reply half ``tried``, unless another deliverer has used its
    reply token meanwhile; ``ours`` is this attempt's own mark (None: no reply tried)."""
    if row.reply_token and row.reply_attempted_at is None:
        # Nobody had replied when we looked; only a second deliverer on the chat can have
        # since, and its reply may have landed (ours then found the token used).
        with ctx.sessions() as session:
            now = session.get(OutboxMessage, row.id)
            pending = now is not None and now.status == OUTBOX_PENDING
            mark = now.reply_attempted_at if now is not None else None
        if not pending:
            return Result(row.id, SKIPPED, tried.calls)
        if mark != ours:
            # Its outcome is recorded soon, or stays unknown: the next attempt goes by its mark.
            error = "another deliverer's reply may have landed"
            return Result(row.id, RETRY, tried.calls, error=error)
    pushed = _push(ctx, row, tried.calls + 1)
    # The push has its own retry key: a failed one leaves the reply as ``tried`` left it.
    return dataclasses.replace(pushed, refused=tried.refused)


def _executor(ctx: Context) -> tuple[ThreadPoolExecutor, threading.BoundedSemaphore]:
    """This process's pool of delivery threads, made on first use, and the semaphore
    bounding the chats handed to it and not done yet (four rounds of its threads)."""
    global _pool, _backlog
    with _pool_lock:
        if _pool is None or _backlog is None:
            threads = ctx.settings.delivery_threads
            _pool = ThreadPoolExecutor(threads, "delivery")
            _backlog = threading.BoundedSemaphore(4 * threads)
        return _pool, _backlog


def will_reply(row: Snapshot) -> bool:
    """Whether an attempt now would use the reply token (else it pushes)."""
    issued = row.reply_token_issued_at
    return bool(row.reply_token and issued and utcnow() - issued < REPLY_TOKEN_FRESH)


def attempt(ctx: Context, row: Snapshot) -> Result:
    """The reply half: reply with ``row``'s token while fresh; touches no database.

    ``row.reply_attempted_at`` is the mark as it was before this attempt's own. Answers
    ``to push`` when no reply landed (no fresh token, or LINE refused it unused).
    """
    calls = 0
    issued = row.reply_token_issued_at
    token_age = utcnow() - issued if issued else None
    if row.reply_token and token_age is not None and token_age < REPLY_TOKEN_FRESH:
        calls += 1
        try:
            ctx.line.reply(row.reply_token, row.messages)
            return Result(row.id, OUTBOX_SENT, calls, via="reply")
        except LineApiError as exc:
            if not exc.is_invalid_reply_token:
                result = _api_failure(row, exc, calls)
                # An error answer: LINE did not take this reply.
                return dataclasses.replace(result, refused=row.reply_attempted_at is None)
            if row.reply_attempted_at is not None and token_age < REPLY_TOKEN_LIFETIME:
                # Our earlier call went unanswered, yet it landed: the token is used up by us.
                log.info("reply of outbox %s had landed before; counted as sent", row.id)
                return Result(row.id, OUTBOX_SENT, calls, via="reply")
            log.info("reply token of outbox %s refused; pushing instead", row.id)
            # A reply refused for its token took nothing.
            return Result(row.id, TO_PUSH, calls, refused=True)
        except LineTransportError as exc:
            # LINE may have taken it: the mark tells the next attempt.
            return Result(row.id, RETRY, calls, error=str(exc))
    elif row.reply_attempted_at is not None:
        # A reply may have landed and the token is too old to ask LINE: a push could
        # answer twice, so the row is counted as sent, flagged as unconfirmed.
        log.warning("reply of outbox %s may have landed; counted as sent, unconfirmed", row.id)
        return Result(row.id, OUTBOX_SENT, calls, via=SENT_UNCONFIRMED)
    return Result(row.id, TO_PUSH, calls)


def _push(ctx: Context, row: Snapshot, calls: int) -> Result:
    try:
        result = ctx.line.push(row.to, row.messages, row.retry_key)
    except LineApiError as exc:
        return _api_failure(row, exc, calls)
    except LineTransportError as exc:
        return Result(row.id, RETRY, calls, error=str(exc))
    if result.duplicate:
        log.info("outbox %s was already accepted by LINE (409)", row.id)
    return Result(row.id, OUTBOX_SENT, calls, via="push")


def _api_failure(row: Snapshot, exc: LineApiError, calls: int) -> Result:
    if exc.is_retryable:
        return Result(row.id, RETRY, calls, error=str(exc))
    # A 4xx will not get better by repeating it: keep LINE's words for the staff.
    return Result(row.id, OUTBOX_FAILED, calls, error=str(exc))


def record(ctx: Context, done: list[tuple[Snapshot, Result]]) -> None:
    """The database half: store the outcomes of attempts in one transaction."""
    if not done:
        return
    now = utcnow()
    sent = [
        outbox.SentRow(snapshot.id, result.via or "push", snapshot.attempts + result.calls)
        for snapshot, result in done
        if result.status == OUTBOX_SENT
    ]
    if len(sent) == len(done):  # the common case: one statement on a connection
        with ctx.engine.begin() as connection:
            outbox.mark_sent(connection, sent, now)
        return
    with ctx.sessions.begin() as session:
        outbox.mark_sent(session.connection(), sent, now)
        for snapshot, result in done:
            if result.status == OUTBOX_SENT:
                continue
            outbox.note_attempt(
                session,
                snapshot.id,
                attempts=snapshot.attempts + result.calls,
                error=result.error or "",
                failed=result.status == OUTBOX_FAILED,
                refused_mark=result.mark if result.refused else None,
            )
            if result.status == OUTBOX_FAILED:
                # A reply that never arrived is no answer: its case must not stay 已回覆.
                casework.reply_undelivered(session, snapshot.id)
