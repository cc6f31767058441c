"""The ``/_sim/`` JSON API that tests, scripts and the chat page drive the simulator with.

No authentication: the simulator is a development tool bound to a local address.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Any

from flask import Blueprint, Response, abort, jsonify, request
from flask.typing import ResponseReturnValue

from lianping_dev.simulator import ids
from lianping_dev.simulator.residents import CommandError
from lianping_dev.simulator.state import state
from lianping_dev.simulator.store import resident_json

bp = Blueprint("sim_control", __name__, url_prefix="/_sim")

_USER_ID = re.compile(r"^U[0-9a-f]{32}$")
BULK_MAX = 200_000


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and request.content_length:
        abort(_bad("body must be JSON"))
    if body is None:
        return {}
    if not isinstance(body, dict):
        abort(_bad("body must be a JSON object"))
    return body


def _bad(message: str, status: int = 400) -> Response:
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.post("/residents")
def create_resident() -> ResponseReturnValue:
    """Create a resident from ``{display_name?, user_id?, follow?}``.

    ``follow: true`` also sends the follow event, as adding the account as a friend does.
    """
    body = _body()
    user_id = body.get("user_id")
    if user_id is not None and not (isinstance(user_id, str) and _USER_ID.match(user_id)):
        return _bad("user_id must be U followed by 32 lowercase hex digits")
    sim = state()
    resident = sim.store.add_resident(body.get("display_name"), user_id)
    result: dict[str, Any] = {"resident": resident_json(resident)}
    if body.get("follow"):
        result["follow"] = sim.actions.act(resident.user_id, {"type": "follow"})
        result["resident"] = resident_json(resident)
    return jsonify(result), 201


@bp.post("/residents/bulk")
def create_residents() -> ResponseReturnValue:
    """Create many residents at once from ``{user_ids?, count?, follow?}``, sending no events.

    For benchmarks that seed the product's database directly: give the ids, or a
    ``count`` of new random ones (returned). ``follow`` makes them followers.
    """
    body = _body()
    user_ids, count = body.get("user_ids"), body.get("count")
    if user_ids is None and isinstance(count, int) and 0 < count <= BULK_MAX:
        user_ids = [ids.user_id() for _ in range(count)]
    if not isinstance(user_ids, list) or not 0 < len(user_ids) <= BULK_MAX:
        return _bad(f"give user_ids (a list) or count, 1 to {BULK_MAX:,}")
    if not all(isinstance(u, str) and _USER_ID.match(u) for u in user_ids):
        return _bad("user_ids must be U followed by 32 lowercase hex digits")
    created = state().store.add_residents(user_ids, bool(body.get("follow")))
    return jsonify({"created": created, "user_ids": user_ids}), 201


@bp.get("/residents")
def list_residents() -> ResponseReturnValue:
    """All residents."""
    return jsonify({"residents": [resident_json(r) for r in state().store.residents()]})


@bp.get("/residents/<user_id>")
def get_resident(user_id: str) -> ResponseReturnValue:
    """One resident."""
    resident = state().store.resident(user_id)
    if resident is None:
        return _bad("unknown resident", 404)
    return jsonify({"resident": resident_json(resident)})


@bp.post("/residents/<user_id>/send")
def send(user_id: str) -> ResponseReturnValue:
    """Act as the resident (text, sticker, location, media, postback, follow, unfollow, unsend)."""
    if state().store.resident(user_id) is None:
        return _bad("unknown resident", 404)
    try:
        return jsonify(state().actions.act(user_id, _body()))
    except CommandError as error:
        return _bad(str(error))


@bp.get("/residents/<user_id>/messages")
def messages(user_id: str) -> ResponseReturnValue:
    """The conversation after ``after`` (a seq): bot deliveries and the resident's own events."""
    store = state().store
    if store.resident(user_id) is None:
        return _bad("unknown resident", 404)
    after = request.args.get("after", 0, type=int)
    items = store.timeline(user_id, after)
    last = items[-1]["seq"] if items else after
    return jsonify({"items": items, "last_seq": last, "loading": store.loading(user_id)})


@bp.post("/webhook")
def raw_webhook() -> ResponseReturnValue:
    """Sign and send exactly the given events; ``?send=0`` only returns body and signature."""
    events = _body().get("events")
    if not isinstance(events, list):
        return _bad("events must be a list")
    sim = state()
    signed = sim.sender.signed(events)
    result: dict[str, Any] = {
        "body": signed.body.decode("utf-8"),
        "signature": signed.signature,
    }
    if request.args.get("send", "1") != "0":
        delivery = sim.sender.post(signed)
        sim.store.record_webhook(delivery.status)
        result["webhook_status"] = delivery.status
        if delivery.error:
            result["webhook_error"] = delivery.error
    return jsonify(result)


@bp.post("/reply-token")
def reply_token() -> ResponseReturnValue:
    """Issue a reply token for ``{user_id}``, for hand-built events sent through ``/webhook``."""
    user_id = _body().get("user_id")
    if not isinstance(user_id, str) or state().store.resident(user_id) is None:
        return _bad("unknown resident", 404)
    return jsonify({"replyToken": state().store.issue_reply_token(user_id)})


@bp.get("/calls")
def calls() -> ResponseReturnValue:
    """Every Messaging API call received, optionally only paths under ``path_prefix``."""
    return jsonify({"calls": state().store.calls(request.args.get("path_prefix", ""))})


@bp.get("/stats")
def stats() -> ResponseReturnValue:
    """Counters: deliveries per user, total messages, calls by status, quota."""
    return jsonify(state().store.stats())


@bp.get("/receipts")
def receipts() -> ResponseReturnValue:
    """How many accepted requests of one endpoint (``?via=multicast``, the default) reached
    each user, with a histogram: ``{"1": n}`` alone means each recipient got it exactly once.
    """
    via = request.args.get("via", "multicast")
    counts = state().store.receipts(via)
    histogram = Counter(counts.values())
    return jsonify(
        {
            "via": via,
            "recipients": len(counts),
            "histogram": {str(k): v for k, v in sorted(histogram.items())},
            "receipts": counts,
        }
    )


@bp.get("/faults")
def get_faults() -> ResponseReturnValue:
    """The current fault settings."""
    return jsonify(dataclasses.asdict(state().faults.config()))


@bp.post("/faults")
def set_faults() -> ResponseReturnValue:
    """Replace fault settings: ``{error_rate, seed, status, count, message, latency_ms,
    path_prefix}``; an empty object or ``{"clear": true}`` clears them."""
    body = _body()
    if body.pop("clear", False):
        body = {}
    try:
        config = state().faults.configure(body)
    except (TypeError, ValueError) as error:
        return _bad(str(error))
    return jsonify(dataclasses.asdict(config))


@bp.post("/quota")
def set_quota() -> ResponseReturnValue:
    """Set the monthly message limit: ``{value}``."""
    value = _body().get("value")
    if not isinstance(value, int) or value < 0:
        return _bad("value must be a non-negative integer")
    state().store.set_quota(value)
    return jsonify({"type": "limited", "value": value})


@bp.post("/reset")
def reset() -> ResponseReturnValue:
    """Forget all state and clear faults."""
    sim = state()
    sim.store.reset()
    sim.faults.clear()
    return jsonify({"ok": True})


@bp.get("/richmenu")
def default_rich_menu() -> ResponseReturnValue:
    """The default rich menu with the URL of its image, or ``{"richMenu": null}``."""
    menu = state().store.default_rich_menu()
    if menu is None:
        return jsonify({"richMenu": None})
    return jsonify(
        {
            "richMenu": {"richMenuId": menu.rich_menu_id, **menu.menu},
            "imageUrl": f"/_sim/richmenu/{menu.rich_menu_id}/image",
        }
    )


@bp.get("/richmenu/<rich_menu_id>/image")
def rich_menu_image(rich_menu_id: str) -> ResponseReturnValue:
    """A rich menu's image, without the Bearer token the API route needs."""
    menu = state().store.rich_menu(rich_menu_id)
    if menu is None or menu.image is None:
        return _bad("no image", 404)
    return Response(menu.image, content_type=menu.image_type)


@bp.get("/content/<message_id>")
def resident_content(message_id: str) -> ResponseReturnValue:
    """Media a resident sent, for the chat page (no Bearer token)."""
    found = state().store.content(message_id)
    if found is None or found.unsent:
        return _bad("no content", 404)
    return Response(found.data, content_type=found.content_type)
