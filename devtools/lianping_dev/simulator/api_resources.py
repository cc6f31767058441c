"""Fake read and housekeeping endpoints: profile, content, quota, followers, loading, leave."""

from __future__ import annotations

import base64
import re

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from linebot.v3.messaging.models import ShowLoadingAnimationRequest

from lianping_dev.simulator import api, line_rules
from lianping_dev.simulator.api import ApiError
from lianping_dev.simulator.state import state

bp = Blueprint("line_resources", __name__)

FOLLOWERS_PAGE_DEFAULT = 300
FOLLOWERS_PAGE_MAX = 1000


@bp.get("/v2/bot/profile/<user_id>")
def profile(user_id: str) -> ResponseReturnValue:
    """A resident's profile; 404 for unknown users and users who blocked the account."""
    resident = state().store.resident(user_id)
    if resident is None or resident.blocked:
        raise ApiError(404, "Not found")
    return jsonify(resident.profile())


@bp.get("/v2/bot/message/<message_id>/content")
def content(message_id: str) -> ResponseReturnValue:
    """The bytes of an image, video, audio or file message (api-data.line.me on LINE)."""
    found = state().store.content(message_id)
    if found is None:
        raise ApiError(404, "Not found")
    if found.unsent:
        raise ApiError(410, "Gone")
    return Response(found.data, content_type=found.content_type)


@bp.post("/v2/bot/chat/loading/start")
def loading_start() -> ResponseReturnValue:
    """Show the loading animation: 5 to 60 seconds in steps of 5, default 20."""
    body = api.json_body()
    found = line_rules.sdk_problems(ShowLoadingAnimationRequest, body)
    found = found or line_rules.check(line_rules.LOADING, body)
    if found:
        raise api.invalid(found)
    state().store.start_loading(body["chatId"], body.get("loadingSeconds", 20))
    return jsonify({}), 202


@bp.get("/v2/bot/message/quota")
def quota() -> ResponseReturnValue:
    """The monthly message limit."""
    limit, _ = state().store.quota()
    return jsonify({"type": "limited", "value": limit})


@bp.get("/v2/bot/message/quota/consumption")
def quota_consumption() -> ResponseReturnValue:
    """Messages counted against the quota so far: one per recipient per request."""
    _, used = state().store.quota()
    return jsonify({"totalUsage": used})


@bp.get("/v2/bot/insight/followers")
def follower_insight() -> ResponseReturnValue:
    """LINE's number of followers on ``date`` (yyyyMMdd, Asia/Tokyo): the simulator's now."""
    if not re.fullmatch(r"\d{8}", request.args.get("date", "")):
        raise ApiError(400, "The value for the 'date' parameter is invalid")
    added, blocks = state().store.friend_counts()
    return jsonify(
        {"status": "ready", "followers": added, "targetedReaches": added - blocks, "blocks": blocks}
    )


@bp.get("/v2/bot/followers/ids")
def followers() -> ResponseReturnValue:
    """Follower ids, paged with LINE's opaque ``start`` continuation token."""
    try:
        limit = int(request.args.get("limit", FOLLOWERS_PAGE_DEFAULT))
        offset = _decode_start(request.args.get("start"))
    except ValueError as error:
        raise ApiError(400, "Invalid parameter") from error
    if not 1 <= limit <= FOLLOWERS_PAGE_MAX:
        raise ApiError(400, f"limit must be between 1 and {FOLLOWERS_PAGE_MAX}")
    every = state().store.followers()
    page = every[offset : offset + limit]
    body: dict[str, object] = {"userIds": page}
    if offset + limit < len(every):
        body["next"] = _encode_start(offset + limit)
    return jsonify(body)


@bp.post("/v2/bot/group/<group_id>/leave")
def leave_group(group_id: str) -> ResponseReturnValue:
    """The bot leaves a group chat."""
    state().store.leave_chat(group_id)
    return jsonify({})


@bp.post("/v2/bot/room/<room_id>/leave")
def leave_room(room_id: str) -> ResponseReturnValue:
    """The bot leaves a multi-person chat."""
    state().store.leave_chat(room_id)
    return jsonify({})


def _encode_start(offset: int) -> str:
    return base64.urlsafe_b64encode(f"followers:{offset}".encode()).decode().rstrip("=")


def _decode_start(token: str | None) -> int:
    if not token:
        return 0
    padded = token + "=" * (-len(token) % 4)
    try:
        prefix, _, number = base64.urlsafe_b64decode(padded).decode().partition(":")
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError("bad start token") from error
    if prefix != "followers":
        raise ValueError("bad start token")
    return int(number)
