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
OUTBOX_GRACE = timedelta(seconds=90)


def sweep() -> dict[str, int]:
    """RQ job: find work whose job was lost (Redis down, worker killed) and queue it again."""
    ctx = context.current()
    now = utcnow()
    with ctx.sessions() as session:
        sources = inbox_queries.straggler_sources(session, now - EVENT_GRACE)
        rows = outbox_queries.stragglers(session, now - OUTBOX_GRACE)
    for source_key in sources:
        inbox.enqueue(ctx, source_key)
    for outbox_id in rows:
        delivery.enqueue(ctx, outbox_id)
    if sources or rows:
        log.info("sweep re-enqueued %d chats and %d outbox rows", len(sources), len(rows))
    return {"chats": len(sources), "outbox": len(rows)}
