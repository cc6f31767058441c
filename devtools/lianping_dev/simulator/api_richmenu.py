"""Fake rich menu endpoints, with LINE's rules for the menu object and its image."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from linebot.v3.messaging.models import RichMenuRequest

from lianping_dev.simulator import api, images, line_rules
from lianping_dev.simulator.api import ApiError
from lianping_dev.simulator.state import state
from lianping_dev.simulator.store import RichMenu

bp = Blueprint("line_richmenu", __name__)

_IMAGE_TYPES = ("image/png", "image/jpeg")


def _menu_or_404(rich_menu_id: str) -> RichMenu:
    menu = state().store.rich_menu(rich_menu_id)
    if menu is None:
        raise ApiError(404, "Not found")
    return menu


def _menu_json(menu: RichMenu) -> dict:
    return {"richMenuId": menu.rich_menu_id, **menu.menu}


@bp.post("/v2/bot/richmenu")
def create() -> ResponseReturnValue:
    """Create a rich menu after checking it against the SDK model and LINE's rules."""
    body = api.json_body()
    found = line_rules.sdk_problems(RichMenuRequest, body) + line_rules.check_rich_menu(body)
    if found:
        raise api.invalid(found)
    return jsonify({"richMenuId": state().store.add_rich_menu(body)})


@bp.get("/v2/bot/richmenu/list")
def list_menus() -> ResponseReturnValue:
    """Every rich menu of the channel."""
    return jsonify({"richmenus": [_menu_json(m) for m in state().store.rich_menus()]})


@bp.get("/v2/bot/richmenu/<rich_menu_id>")
def get_menu(rich_menu_id: str) -> ResponseReturnValue:
    """One rich menu."""
    return jsonify(_menu_json(_menu_or_404(rich_menu_id)))


@bp.delete("/v2/bot/richmenu/<rich_menu_id>")
def delete_menu(rich_menu_id: str) -> ResponseReturnValue:
    """Delete a rich menu."""
    if not state().store.delete_rich_menu(rich_menu_id):
        raise ApiError(404, "Not found")
    return jsonify({})


@bp.post("/v2/bot/richmenu/<rich_menu_id>/content")
def upload_image(rich_menu_id: str) -> ResponseReturnValue:
    """Upload the menu image (api-data.line.me on LINE): PNG/JPEG, ≤ 1 MB, the menu's size."""
    menu = _menu_or_404(rich_menu_id)
    content_type = (request.content_type or "").split(";")[0].strip().lower()
    if content_type not in _IMAGE_TYPES:
        raise ApiError(415, "Unsupported Media Type: use image/png or image/jpeg")
    data = request.get_data()
    if len(data) > line_rules.RICH_MENU_IMAGE_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    if menu.image is not None:
        raise ApiError(400, "An image has already been uploaded to the richmenu")
    measured = images.dimensions(data)
    if measured is None or measured[0] != content_type:
        raise ApiError(400, "The image is not a valid " + content_type)
    _, width, height = measured
    found = line_rules.check_rich_menu_image(width, height)
    size = menu.menu["size"]
    if (width, height) != (size["width"], size["height"]):
        found.append(line_rules.Detail("image", "Image size must match the rich menu size"))
    if found:
        raise api.invalid(found)
    state().store.set_rich_menu_image(rich_menu_id, data, content_type)
    return jsonify({})


@bp.get("/v2/bot/richmenu/<rich_menu_id>/content")
def download_image(rich_menu_id: str) -> ResponseReturnValue:
    """Download the menu image (api-data.line.me on LINE)."""
    menu = _menu_or_404(rich_menu_id)
    if menu.image is None:
        raise ApiError(404, "Not found")
    return Response(menu.image, content_type=menu.image_type)


@bp.post("/v2/bot/user/all/richmenu/<rich_menu_id>")
def set_default(rich_menu_id: str) -> ResponseReturnValue:
    """Make a rich menu (which must have its image) the default for every user."""
    menu = _menu_or_404(rich_menu_id)
    if menu.image is None:
        raise ApiError(400, "must upload richmenu image before applying it to user")
    state().store.set_default_rich_menu(rich_menu_id)
    return jsonify({})


@bp.get("/v2/bot/user/all/richmenu")
def get_default() -> ResponseReturnValue:
    """The id of the default rich menu."""
    menu = state().store.default_rich_menu()
    if menu is None:
        raise ApiError(404, "no default richmenu")
    return jsonify({"richMenuId": menu.rich_menu_id})


@bp.delete("/v2/bot/user/all/richmenu")
def clear_default() -> ResponseReturnValue:
    """Unset the default rich menu."""
    state().store.set_default_rich_menu(None)
    return jsonify({})
