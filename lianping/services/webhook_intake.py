"""Store a parsed webhook body: its events in the inbox, its bad events as rejected.

Shared by the webhook and by the sweep's import of spooled bodies.
"""

from __future__ import annotations

from sqlalchemy import Connection

from lianping.line import webhook_body
from lianping.line.webhook_body import WebhookBody
from lianping.storage import inbox, rejected_events
from lianping.storage.models import utcnow


def store(connection: Connection, parsed: WebhookBody) -> list[int]:
    """Store the body's events (repeats ignored) and record its rejected ones, inside the
    connection's transaction; returns the shards whose drain should run, in the order
    their events came."""
    rows = [
        {
            "webhook_event_id": event["webhookEventId"],
            "source_key": webhook_body.source_key(event),
            "event_type": event["type"],
            "event_timestamp": event["timestamp"],
            "payload": event,
        }
        for event in parsed.events
    ]
    inbox.store(connection, rows)
    rejected_events.record(
        connection, [(bad.reason, bad.event) for bad in parsed.rejected], utcnow()
    )
    return list(dict.fromkeys(inbox.shard_of(row["source_key"]) for row in rows))
