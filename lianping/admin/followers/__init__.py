"""追蹤者: the residents who follow the account, their 區/村里, tags and opt-out;
staff who may write tag them to target broadcasts."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``followers`` blueprint (``/admin/followers``)."""
    from lianping.admin.followers.views import blueprint

    app.register_blueprint(blueprint)
