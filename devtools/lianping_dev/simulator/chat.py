"""The resident chat page: a phone-like LINE chat in the browser."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from lianping_dev.simulator.residents import DEFAULT_LOCATION
from lianping_dev.simulator.state import state

bp = Blueprint("sim_chat", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The chat page with the resident picker open."""
    return _page(None)


@bp.get("/chat/<user_id>")
def chat(user_id: str) -> ResponseReturnValue:
    """The chat page for one resident."""
    return _page(user_id)


def _page(user_id: str | None) -> ResponseReturnValue:
    return render_template(
        "chat.html",
        bot_name=state().settings.bot_display_name,
        user_id=user_id or "",
        default_location=DEFAULT_LOCATION,
    )
