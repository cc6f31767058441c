"""Staff report pages: the biweekly 工作成果彙報表 (附件2), its downloads and submissions."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``reports`` blueprint (``/admin/reports/...``)."""
    from lianping.admin.reports.views import blueprint

    app.register_blueprint(blueprint)
