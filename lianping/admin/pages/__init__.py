"""Staff pages: the case inbox, case pages, manual intake, print views, system status."""

from flask import Flask

from lianping.admin.pages.status import blueprint as status_blueprint


def init_app(app: Flask) -> None:
    """Register the staff pages."""
    app.register_blueprint(status_blueprint)
