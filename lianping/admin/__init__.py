"""Staff web pages and the JSON API, over the same service functions.

- ``auth``: login, logout, server-side sessions, CSRF, access rules for every route;
- ``pages``: the case inbox, case pages, manual intake, print views, system status;
- ``dashboard``: the supervisors' dashboard (figures and charts for a period);
- ``broadcasts``: 廉政宣導 broadcasts (compose, preview, audience, quota, send, progress);
- ``followers``: residents who follow the account, their areas, tags and opt-out;
- ``publication``: 公開, the staff side of the public 清廉共同監督專區;
- ``reports``: the biweekly 工作成果彙報表, its files and submissions;
- ``settings``: administrator settings, users and the audit log;
- ``api``: ``/api/v1`` with its OpenAPI document.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every staff-facing blueprint and the access rules."""
    from lianping.admin import (
        api,
        auth,
        broadcasts,
        dashboard,
        followers,
        pages,
        publication,
        reports,
        settings,
    )

    auth.init_app(app)
    pages.init_app(app)
    dashboard.init_app(app)
    broadcasts.init_app(app)
    followers.init_app(app)
    reports.init_app(app)
    publication.init_app(app)
    settings.init_app(app)
    api.init_app(app)
