"""公開: the staff side of 清廉共同監督專區.

A case's 公開 panel (the reporter's agreement, the public words, publish and unpublish), the
list of publishable and published cases with links to the public pages as residents see
them, and the public-statistics settings (threshold, breakdowns shown).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the 公開 pages."""
    from lianping.admin.publication.views import blueprint

    app.register_blueprint(blueprint)
