"""The system status page: is every event processed and every answer delivered?"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template

from lianping import context
from lianping.services.system_status import system_status

# Templates and static files live with the admin package, shared by all its blueprints.
ADMIN_DIR = Path(__file__).resolve().parents[1]

blueprint = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder=str(ADMIN_DIR / "templates"),
    static_folder=str(ADMIN_DIR / "static"),
    static_url_path="/static",
)


@blueprint.get("/status")
def index() -> str:
    """System status: is every event processed and every answer delivered?"""
    ctx = context.of_app()
    with ctx.sessions() as session:
        status = system_status(session, ctx.redis)
    return render_template("admin/status.html", status=status)
