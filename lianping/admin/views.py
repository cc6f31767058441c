"""Admin pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from lianping import context
from lianping.admin.status import system_status

blueprint = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@blueprint.get("/")
def index() -> str:
    """System status: is every event processed and every answer delivered?"""
    ctx = context.of_app()
    with ctx.sessions() as session:
        status = system_status(session, ctx.redis)
    return render_template("admin/status.html", status=status)
