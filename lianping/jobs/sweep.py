"""Periodic sweep: import the bodies the webhook spooled while the database was away,
re-enqueue stored-but-unprocessed events and unsent outbox rows,
start scheduled broadcasts when due, resume broadcasts a crashed worker left behind,
(hourly) remove uploaded images no broadcast uses, remove personal-data copies whose link
expired and erase the LINE ids kept for a granted deletion once no case is open, and (daily)
queue the retention purge."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from lianping import context
from lianping.context import Context
from lianping.jobs import broadcasts, delivery, inbox, purge
from lianping.line import webhook_body
from lianping.services import data_requests, promotion_images, webhook_intake
from lianping.storage import inbox as inbox_queries
from lianping.storage import outbox as outbox_queries
from lianping.storage import spool
from lianping.storage.models import utcnow

log = logging.getLogger(__name__)

# Younger work is most likely still on its way through the queues.
EVENT_GRACE = timedelta(seconds=10)
# A drain delivers its rows right after committing them and queues a job for any
# retry: a row pending this long lost its delivery (delivery is idempotent anyway).
OUTBOX_GRACE = timedelta(seconds=30)
# Housekeeping that need not run at every sweep: at most once per this, per Redis.
HOUSEKEEPING_EVERY = 3600
HOUSEKEEPING_KEY = "lianping:sweep:housekeeping"
# Spooled bodies imported per sweep: the next sweep, seconds later, takes the rest.
SPOOL_BATCH = 500


def sweep() -> dict[str, int]:
    """RQ job: find work whose job was lost (Redis down, worker killed) and queue it again."""
    ctx = context.current()
    spooled = import_spool(ctx)
    now = utcnow()
    with ctx.sessions() as session:
        shards = inbox_queries.straggler_shards(session, now - EVENT_GRACE)
        # Replies whose worker died mid-call are asked again sooner (delivery.retry_stalled).
        rows = outbox_queries.stragglers(session, now - OUTBOX_GRACE)
    # A shard already waiting for a drainer is not woken twice.
    queued = inbox.enqueue(ctx, shards)
    delivery.enqueue_rows(ctx, rows)
    if queued or rows:
        log.info("sweep re-enqueued %d shards and %d outbox rows", queued, len(rows))
    started = broadcasts.start_due(ctx, now)
    resumed = broadcasts.resume_stalled(ctx, now)
    if started or resumed:
        log.info("sweep started %d broadcasts and requeued %d of their jobs", len(started), resumed)
    removed = _housekeeping(ctx, now)
    purge_queued = purge.enqueue_daily(ctx)
    return {
        "spooled_bodies": spooled,
        "shards": queued,
        "outbox": len(rows),
        "broadcasts_started": len(started),
        "broadcast_jobs": resumed,
        "image_files_removed": removed,
        "purge_queued": int(purge_queued),
    }


def import_spool(ctx: Context) -> int:
    """Store the bodies the webhook spooled, oldest first, each in its own transaction and
    its file deleted after the commit; returns how many were imported.

    A crash between commit and deletion imports a body twice, which stores nothing twice
    (the inbox ignores a known ``webhookEventId``). A body the import can never take is
    set aside under another name, so one body cannot stop the others.
    """
    imported = 0
    shards: dict[int, None] = {}
    for path in spool.pending(ctx.settings.spool_dir, SPOOL_BATCH):
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            continue  # another worker's sweep took it
        try:
            parsed = webhook_body.parse_body(body)
            with ctx.engine.begin() as connection:
                shards.update(dict.fromkeys(webhook_intake.store(connection, parsed)))
        except OperationalError:
            raise  # the database is away still: the spool waits for the next sweep
        except (webhook_body.WebhookBodyError, SQLAlchemyError) as exc:
            # The error's class only: a database error's message may quote the events.
            log.error(
                "spooled body %s cannot be imported (%s); set aside", path.name, type(exc).__name__
            )
            spool.set_aside(path)
            continue
        path.unlink(missing_ok=True)
        imported += 1
    inbox.enqueue(ctx, list(shards))
    if imported:
        log.info("sweep imported %d spooled webhook bodies", imported)
    return imported


def _housekeeping(ctx: Context, now: datetime) -> int:
    """Remove abandoned promotion uploads, once an hour (whichever worker sweeps first)."""
    if not ctx.redis.set(HOUSEKEEPING_KEY, 1, nx=True, ex=HOUSEKEEPING_EVERY):
        return 0
    with ctx.sessions.begin() as session:
        files = promotion_images.forget_unused(session, now)
        copies = data_requests.expired_copies(session, now)
        erased = data_requests.finish_deferred_deletions(session, now)
    if copies or erased:
        log.info("sweep removed %d expired copies, erased %d kept LINE ids", len(copies), erased)
    for relative in copies:
        (ctx.settings.media_dir / relative).unlink(missing_ok=True)
    for relative in files:
        (ctx.settings.media_dir / relative).unlink(missing_ok=True)
    if files:
        log.info("sweep removed %d files of unused promotion images", len(files))
    return len(files)
