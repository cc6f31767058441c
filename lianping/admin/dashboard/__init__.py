"""The supervisors' dashboard at ``/admin/dashboard``: figures and charts for a period."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the dashboard page."""
    from lianping.admin.dashboard.views import blueprint

    app.register_blueprint(blueprint)
