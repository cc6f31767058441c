"""``POST /callback``: verify, store durably, wake a drainer, answer 200 within LINE's 2 seconds.

Nothing slow happens here: the events are processed by workers. The answer is 200 for
every signed webhook body of this channel, so LINE never has to redeliver one: bad events
are recorded as rejected beside the good ones, and while the database is unreachable the
body waits in the spool for the sweep.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, jsonify, request
from flask.blueprints import BlueprintSetupState
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from lianping import context
from lianping.context import Context
from lianping.jobs import inbox as inbox_jobs
from lianping.line import webhook_body
from lianping.services import webhook_intake
from lianping.storage import spool

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024
# Once Redis fails a call, the app leaves queueing to the sweep for this long: a hung
# Redis then costs one request per thread its timeout, not every request.
REDIS_PAUSE_S = 5.0

blueprint = Blueprint("webhook", __name__)


@blueprint.record_once
def _announce_destination_check(state: BlueprintSetupState) -> None:
    ctx: Context = state.app.extensions["lianping"]
    if not ctx.settings.line_bot_user_id:
        log.warning("LINE_BOT_USER_ID is not set: webhook bodies for any destination are accepted")


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
    expected = ctx.settings.line_bot_user_id
    if expected and parsed.destination != expected:
        # Signed with our secret yet meant for another bot: a misconfigured channel.
        log.warning("webhook body for another destination refused (%d bytes)", len(body))
        return _error(400, "destination is not this channel's bot")

    try:
        # A connection, not a session: the store is two Core INSERTs, and a session's
        # begin and commit cost more than they do.
        with ctx.engine.begin() as connection:
            shards = webhook_intake.store(connection, parsed)
    except SQLAlchemyError as exc:
        return _spool(ctx, body, exc)

    _enqueue(ctx, shards)
    return jsonify({}), 200


def _enqueue(ctx: Context, shards: list[int]) -> None:
    """Wake a drainer for these shards; the events are stored already, so with Redis away
    the sweep (or the next event of the shard) wakes them later."""
    if time.monotonic() < ctx.queueing_paused_until:
        return
    try:
        # One round trip; a shard already waiting for a drainer is not pushed again.
        inbox_jobs.enqueue(ctx, shards)
    except RedisError:
        ctx.queueing_paused_until = time.monotonic() + REDIS_PAUSE_S
        log.warning("queue unavailable; shards %s left for the sweep", shards)


def _spool(ctx: Context, body: bytes, exc: SQLAlchemyError) -> tuple[Response, int]:
    """Keep the verified body on disk for the sweep; 503 only when that fails too."""
    # The error's class only: its message may quote the events' content.
    try:
        spool.write(ctx.settings.spool_dir, body, ctx.settings.spool_max_bytes)
    except OSError as spool_error:
        log.error(
            "database unavailable (%s) and the spool refused the body (%s); LINE may redeliver",
            type(exc).__name__,
            spool_error,
        )
        return _error(503, "temporarily unavailable")
    log.warning("database unavailable (%s); body spooled for the sweep", type(exc).__name__)
    return jsonify({}), 200
