"""Staff pages: the case inbox, case pages, manual intake, print views, system status, the
平臺地點 and field activities, and each staff member's own account (我的帳號)."""

from flask import Flask

from lianping.admin.pages import (
    account,
    activities,
    case,
    common,
    data_requests,
    exports,
    inbox,
    intake,
    media,
    notices,
    places,
    work_records,
)
from lianping.admin.pages.status import blueprint as status_blueprint


def init_app(app: Flask) -> None:
    """Register the staff pages."""
    common.init_app(app)
    app.register_blueprint(status_blueprint)
    app.register_blueprint(inbox.blueprint)
    app.register_blueprint(intake.blueprint)
    app.register_blueprint(case.blueprint)
    app.register_blueprint(media.blueprint)
    app.register_blueprint(exports.blueprint)
    app.register_blueprint(work_records.blueprint)
    app.register_blueprint(notices.blueprint)
    app.register_blueprint(account.blueprint)
    app.register_blueprint(places.blueprint)
    app.register_blueprint(activities.blueprint)
    data_requests.init_app(app)
