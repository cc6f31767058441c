"""The dashboard page: period filter, figure tiles, charts and their data as tables."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from lianping import context
from lianping.admin.auth import current_actor
from lianping.admin.dashboard.period import parse_period, quick_ranges
from lianping.reports import dashboard
from lianping.rocdate import taipei_today
from lianping.services.report_periods import PeriodError

blueprint = Blueprint("dashboard", __name__, url_prefix="/admin/dashboard")


@blueprint.get("")
def index() -> tuple[str, int]:
    """The dashboard of the chosen period (default: the last 12 weeks); every staff role."""
    actor = current_actor()
    today = taipei_today()
    figures, error = None, None
    try:
        period_from, period_to = parse_period(request.args, today)
    except PeriodError as exc:
        error = str(exc)
    else:
        ctx = context.of_app()
        with ctx.sessions() as session:
            figures = dashboard.build(session, actor, period_from, period_to)
    html = render_template(
        "admin/dashboard/index.html",
        figures=figures,
        data=figures.to_json() if figures else None,
        ranges=quick_ranges(today),
        args=request.args,
        error=error,
    )
    return html, 400 if error else 200
