"""Fake sending endpoints: reply, push, multicast, broadcast, narrowcast."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from linebot.v3.messaging.models import (
    BroadcastRequest,
    MulticastRequest,
    NarrowcastRequest,
    PushMessageRequest,
    ReplyMessageRequest,
)

from lianping_dev.simulator import api
from lianping_dev.simulator.api import ApiError
from lianping_dev.simulator.faults import MONTHLY_LIMIT_MESSAGE
from lianping_dev.simulator.line_rules import check_send_request
from lianping_dev.simulator.state import state
from lianping_dev.simulator.store import SendResult

bp = Blueprint("line_messaging", __name__)

INVALID_REPLY_TOKEN = "Invalid reply token"
_CHAT_ID = re.compile(r"^[UCR][0-9a-f]{32}$")


def _validated(model: Any) -> dict[str, Any]:
    body = api.json_body()
    found = check_send_request(model, body)
    if found:
        raise api.invalid(found)
    return body


def _duplicate(key: str | None, with_sent: bool) -> Response | None:
    """The 409 for a retry key accepted earlier, checked before anything else is done."""
    if key is None:
        return None
    previous = state().store.accepted_request(key)
    if previous is None:
        return None
    return api.conflict(previous.request_id, previous.sent_messages if with_sent else None)


def _answer(
    result: SendResult, body: dict[str, Any], with_sent: bool, status: int = 200
) -> ResponseReturnValue:
    if result.duplicate:
        sent = result.duplicate.sent_messages if with_sent else None
        return api.conflict(result.duplicate.request_id, sent)
    if result.over_quota:
        raise ApiError(429, MONTHLY_LIMIT_MESSAGE)
    return jsonify(body), status


@bp.post("/v2/bot/message/reply")
def reply() -> ResponseReturnValue:
    """Reply with a reply token: single use, one minute, free of quota."""
    body = _validated(ReplyMessageRequest)
    user_id = state().store.use_reply_token(body["replyToken"])
    if user_id is None:
        raise ApiError(400, INVALID_REPLY_TOKEN)
    result = state().store.send(
        [user_id],
        body["messages"],
        via="reply",
        request_id=api.request_id(),
        counts_quota=False,
    )
    return jsonify({"sentMessages": result.sent_messages})


@bp.post("/v2/bot/message/push")
def push() -> ResponseReturnValue:
    """Push to one user, group or room."""
    key = api.retry_key()
    if (duplicate := _duplicate(key, with_sent=True)) is not None:
        return duplicate
    body = _validated(PushMessageRequest)
    if not _CHAT_ID.match(body["to"]):
        raise ApiError(
            400, "The property, 'to', in the request body is invalid (line: -, column: -)"
        )
    result = state().store.send(
        [body["to"]], body["messages"], via="push", request_id=api.request_id(), retry_key=key
    )
    return _answer(result, {"sentMessages": result.sent_messages}, with_sent=True)


@bp.post("/v2/bot/message/multicast")
def multicast() -> ResponseReturnValue:
    """Send the same messages to up to 500 users."""
    key = api.retry_key()
    if (duplicate := _duplicate(key, with_sent=False)) is not None:
        return duplicate
    body = _validated(MulticastRequest)
    # LINE rejects a duplicate id in ``to``; collapsing them keeps the quota count honest.
    targets = list(dict.fromkeys(body["to"]))
    result = state().store.send(
        targets, body["messages"], via="multicast", request_id=api.request_id(), retry_key=key
    )
    return _answer(result, {}, with_sent=False)


@bp.post("/v2/bot/message/broadcast")
def broadcast() -> ResponseReturnValue:
    """Send to every follower."""
    key = api.retry_key()
    if (duplicate := _duplicate(key, with_sent=False)) is not None:
        return duplicate
    body = _validated(BroadcastRequest)
    store = state().store
    result = store.send(
        store.followers(),
        body["messages"],
        via="broadcast",
        request_id=api.request_id(),
        retry_key=key,
    )
    return _answer(result, {}, with_sent=False)


@bp.post("/v2/bot/message/narrowcast")
def narrowcast() -> ResponseReturnValue:
    """Send to followers; filters are accepted but every follower matches, up to ``limit.max``."""
    key = api.retry_key()
    if (duplicate := _duplicate(key, with_sent=False)) is not None:
        return duplicate
    body = _validated(NarrowcastRequest)
    store = state().store
    targets = store.followers()
    maximum = (body.get("limit") or {}).get("max")
    if isinstance(maximum, int):
        targets = targets[:maximum]
    result = store.send(
        targets, body["messages"], via="narrowcast", request_id=api.request_id(), retry_key=key
    )
    if not result.duplicate and not result.over_quota:
        store.record_narrowcast(api.request_id(), len(targets))
    return _answer(result, {}, with_sent=False, status=202)


@bp.get("/v2/bot/message/progress/narrowcast")
def narrowcast_progress() -> ResponseReturnValue:
    """Progress of a narrowcast by the request id of the narrowcast call."""
    request_id = request.args.get("requestId")
    if not request_id:
        raise ApiError(400, "The request parameter, 'requestId', is required")
    progress = state().store.narrowcast(request_id)
    if progress is None:
        raise ApiError(404, "Not found")
    return jsonify(progress)
