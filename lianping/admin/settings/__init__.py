"""Administrator settings (units, agencies, reply templates, bot texts, privacy notice,
retention periods, users) and the audit log viewer: administrators only."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the ``settings`` blueprint (``/admin/settings/...`` and ``/admin/audit``)."""
    from lianping.admin.settings import retention  # noqa: F401 (its routes join the blueprint)
    from lianping.admin.settings.views import blueprint

    app.register_blueprint(blueprint)
