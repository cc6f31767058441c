"""清廉共同監督專區: the public site under ``/public/`` and its Open311 API.

- ``site``: 成果統計, 案件成果, 弊端態樣與防制作為, 宣導, their feeds and the open data;
- ``open311``: GeoReport v2 (read) over the published cases.

No login, nothing personal: every page reads only published rows and aggregated figures
with small counts suppressed; no tip appears anywhere. Both blueprints are sessionless
(``admin.auth.guard.OPEN_PREFIXES``), and their answers are cached (``caching``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the public site and Open311."""
    from lianping.public.open311 import blueprint as open311_blueprint
    from lianping.public.views import blueprint as site_blueprint

    app.register_blueprint(site_blueprint)
    app.register_blueprint(open311_blueprint)
