"""Staff web pages and the JSON API, over the same service functions.

- ``auth``: login, logout, server-side sessions, CSRF, access rules for every route;
- ``pages``: the case inbox, case pages, manual intake, print views, system status;
- ``settings``: administrator settings, users and the audit log;
- ``api``: ``/api/v1`` with its OpenAPI document.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every staff-facing blueprint and the access rules."""
    from lianping.admin import api, auth, pages, settings

    auth.init_app(app)
    pages.init_app(app)
    settings.init_app(app)
    api.init_app(app)
