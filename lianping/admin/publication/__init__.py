"""公開: the staff side of 清廉共同監督專區.

A case's 公開 panel (the reporter's agreement, the public words, publish and unpublish), the
list of publishable and published cases with links to the public pages as residents see
them, the public-statistics settings (threshold, breakdowns shown), and the 弊端態樣與防制作為
library editor.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the 公開 pages."""
    from lianping.admin.publication.patterns import blueprint as patterns
    from lianping.admin.publication.views import blueprint

    app.register_blueprint(blueprint)
    app.register_blueprint(patterns)
