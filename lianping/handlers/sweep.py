"""Periodic sweep: re-enqueue stored-but-unprocessed events and unsent outbox rows."""

from __future__ import annotations

import logging
from datetime import timedelta

from lianping import context
from lianping.handlers import delivery, inbox
from lianping.storage import inbox as inbox_queries
from lianping.storage import outbox as outbox_queries
from lianping.storage.models import utcnow

log = logging.getLogger(__name__)

# Younger work is most likely still on its way through the queues.
EVENT_GRACE = timedelta(seconds=10)
# A drain delivers its rows right after committing them and queues a job for any
# retry: a row pending this long lost its delivery (delivery is idempotent anyway).
OUTBOX_GRACE = timedelta(seconds=30)


def sweep() -> dict[str, int]:
    """RQ job: find work whose job was lost (Redis down, worker killed) and queue it again."""
    ctx = context.current()
    now = utcnow()
    with ctx.sessions() as session:
        shards = inbox_queries.straggler_shards(session, now - EVENT_GRACE)
        rows = outbox_queries.stragglers(session, now - OUTBOX_GRACE)
    # A shard whose drain is queued and not started yet needs no second job.
    queued = sum(inbox.enqueue(ctx, shard) for shard in shards)
    for outbox_id in rows:
        delivery.enqueue(ctx, outbox_id)
    if queued or rows:
        log.info("sweep re-enqueued %d shards and %d outbox rows", queued, len(rows))
    return {"shards": queued, "outbox": len(rows)}
