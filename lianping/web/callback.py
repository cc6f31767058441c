"""``POST /callback``: verify, store durably, enqueue, answer 200 within LINE's 2 seconds.

Nothing slow happens here: the events are processed by workers.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from lianping import context
from lianping.jobs import inbox as inbox_jobs
from lianping.line import webhook_body
from lianping.storage import inbox

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024

blueprint = Blueprint("webhook", __name__)


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"message": message}), status


@blueprint.post("/callback")
def callback() -> tuple[Response, int]:
    """Receive LINE webhook events."""
    ctx = context.of_app()
    if (request.content_length or 0) > MAX_BODY_BYTES:
        return _error(413, "request body too large")
    body = request.stream.read(MAX_BODY_BYTES + 1)
    if len(body) > MAX_BODY_BYTES:
        return _error(413, "request body too large")
    signature = request.headers.get("X-Line-Signature", "")
    if not webhook_body.signature_is_valid(ctx.settings.line_channel_secret, body, signature):
        return _error(400, "invalid signature")
    try:
        parsed = webhook_body.parse_body(body)
    except webhook_body.WebhookBodyError as exc:
        return _error(400, str(exc))

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
    try:
        with ctx.sessions.begin() as session:
            inbox.store(session, rows)
    except SQLAlchemyError:
        log.exception("could not store webhook events; LINE will redeliver")
        return _error(503, "temporarily unavailable")

    # One drain job per shard at most is queued: at a high rate one job takes many events.
    for shard in dict.fromkeys(inbox.shard_of(row["source_key"]) for row in rows):
        try:
            inbox_jobs.enqueue(ctx, shard)
        except RedisError:
            # Stored already: the periodic sweep enqueues it once Redis is back.
            log.warning("queue unavailable; shard %s left for the sweep", shard)
            break
    return jsonify({}), 200
