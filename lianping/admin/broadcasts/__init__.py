"""廉政宣導 (反貪倡廉 broadcasts) in the admin.

- ``form``: the compose form's fields ↔ a broadcast's title, messages and audience;
- ``views``: the pages (list, compose with live preview, send, progress, results) and the
  JSON the pages' scripts use (image upload, live audience count, progress).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the broadcast pages."""
    from lianping.admin.broadcasts.views import blueprint

    app.register_blueprint(blueprint)
