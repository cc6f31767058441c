"""清廉共同監督專區 pages under ``/public/``: no login, zh-TW, mobile first, no script.

Views are thin: the figures come from ``reports.public_statistics`` (the dashboard's own
queries), the cases from ``services.published_cases``; every 200 answer is cached.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, Response, abort, request, url_for
from sqlalchemy.orm import Session

from lianping import codes, context
from lianping.public import charts, feeds, library, open_data, pages
from lianping.public.caching import cached
from lianping.public.periods import chosen
from lianping.reports import public_statistics
from lianping.rocdate import taipei_today
from lianping.services import agency_logo, content, public_cache, published_cases, report_periods
from lianping.services.published_cases import Filters
from lianping.services.report_periods import PeriodError

HERE = Path(__file__).resolve().parent
blueprint = Blueprint(
    "site",
    __name__,
    url_prefix="/public",
    template_folder=str(HERE / "templates"),
    static_folder=str(HERE / "static"),
    static_url_path="/assets",
)
# The library and 宣導 pages live in their own module, under this blueprint's name and prefix.
blueprint.register_blueprint(library.blueprint)


def _statistics(session: Session) -> tuple[public_statistics.PublicStatistics, str | None]:
    anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
    period_from, period_to, key = chosen(request.args, taipei_today(), anchor)
    return public_statistics.build(session, period_from, period_to), key


def _filters() -> Filters:
    """The list's filters from the query string; an unknown code is a 400."""
    nature = request.args.get("nature") or None
    theme = request.args.get("theme") or None
    sub_item = request.args.get("sub_item") or None
    district = (request.args.get("district") or "").strip()[:20] or None
    if nature is not None and nature not in (codes.NEED, codes.REFORM):
        abort(400)
    if theme is not None and theme not in codes.THEMES:
        abort(400)
    if sub_item is not None and sub_item not in codes.SUB_ITEMS:
        abort(400)
    return Filters(nature=nature, theme=theme, sub_item=sub_item, district=district)


@blueprint.get("/")
@cached(on=(public_cache.CASES, public_cache.FIGURES))
def home() -> Response:
    """The front page: what the 專區 is, the latest figures and the latest published cases."""
    ctx = context.of_app()
    with ctx.sessions() as session:
        try:
            stats, _ = _statistics(session)
        except PeriodError as exc:  # only a broken anchor setting could do this
            return pages.bad_request(str(exc))
        latest = published_cases.listed(session, limit=5)
        return pages.render(session, "site/home.html", stats=stats, latest=latest)


@blueprint.get("/logo.png")
def logo() -> Response:
    """The agency's logo (404 when none is set); its URL carries its version, so it is
    cached long and a new logo is a new URL."""
    with context.of_app().sessions() as session:
        current = agency_logo.current(session)
    if current is None:
        abort(404)
    response = Response(current.png, content_type="image/png")
    response.set_etag(current.version)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.make_conditional(request)
    return response


@blueprint.get("/statistics")
@cached(on=(public_cache.FIGURES,))
def statistics() -> Response:
    """成果統計 of a period: the headline figures, and each breakdown as a chart and a table."""
    ctx = context.of_app()
    with ctx.sessions() as session:
        try:
            stats, key = _statistics(session)
        except PeriodError as exc:
            return pages.bad_request(str(exc))
        anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
        return pages.render(
            session,
            "site/statistics.html",
            stats=stats,
            chosen=key,
            choices=public_statistics.choices(taipei_today(), anchor),
            charts={t.key: charts.bars(t.rows) for t in stats.tables},
        )


@blueprint.get("/cases")
@cached
def cases() -> Response:
    """案件成果: published cases, newest first, by nature, theme and 區."""
    filters = _filters()
    number = pages.page_number()
    ctx = context.of_app()
    with ctx.sessions() as session:
        found = published_cases.listed(
            session,
            filters,
            limit=published_cases.PAGE,
            offset=(number - 1) * published_cases.PAGE,
        )
        total = published_cases.counted(session, filters)
        return pages.render(
            session,
            "site/cases.html",
            cases=found,
            total=total,
            page=number,
            pages=max(1, -(-total // published_cases.PAGE)),
            filters=filters,
            natures={k: v for k, v in codes.NATURES.items() if k != codes.TIP},
            themes=codes.THEMES,
            districts=published_cases.districts(session),
        )


@blueprint.get("/cases/<number>")
@cached
def case(number: str) -> Response:
    """One published case."""
    ctx = context.of_app()
    with ctx.sessions() as session:
        found = published_cases.by_number(session, number[:20])
        if found is None:
            abort(404)
        return pages.render(session, "site/case.html", case=found)


@blueprint.get("/data")
@cached
def data() -> Response:
    """The open data: what each file holds, its schema and the licence."""
    ctx = context.of_app()
    with ctx.sessions() as session:
        return pages.render(
            session,
            "site/data.html",
            licence=open_data.LICENCE,
            case_fields=open_data.CASE_FIELDS,
        )


def _download(body: bytes, content_type: str, filename: str | None = None) -> Response:
    response = Response(body, content_type=content_type)
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _all_published(session: Session) -> list[published_cases.PublicCase]:
    return published_cases.every(session)


@blueprint.get("/data/cases.csv")
@cached
def cases_csv() -> Response:
    """Published cases as CSV (UTF-8 with BOM)."""
    with context.of_app().sessions() as session:
        body = open_data.cases_csv(_all_published(session))
    return _download(body, open_data.CSV_TYPE, "cases.csv")


@blueprint.get("/data/cases.json")
@cached
def cases_json() -> Response:
    """Published cases as JSON (``/public/data/schema/cases.json``)."""
    with context.of_app().sessions() as session:
        body = open_data.cases_json(_all_published(session))
    return _download(body, open_data.JSON_TYPE)


@blueprint.get("/data/statistics.csv")
@cached(on=(public_cache.FIGURES,))
def statistics_csv() -> Response:
    """成果統計 of the period asked (as on the page) as CSV (UTF-8 with BOM)."""
    with context.of_app().sessions() as session:
        try:
            stats, _ = _statistics(session)
        except PeriodError as exc:
            return pages.bad_request(str(exc))
    return _download(open_data.statistics_csv(stats), open_data.CSV_TYPE, "statistics.csv")


@blueprint.get("/data/statistics.json")
@cached(on=(public_cache.FIGURES,))
def statistics_json() -> Response:
    """成果統計 of the period asked as JSON (``/public/data/schema/statistics.json``)."""
    with context.of_app().sessions() as session:
        try:
            stats, _ = _statistics(session)
        except PeriodError as exc:
            return pages.bad_request(str(exc))
    return _download(open_data.statistics_json(stats), open_data.JSON_TYPE)


@blueprint.get("/data/schema/<name>.json")
@cached
def schema(name: str) -> Response:
    """The JSON Schema of an open-data file."""
    base = url_for("site.data", _external=True) + "/"
    documents = {"cases": open_data.cases_schema, "statistics": open_data.statistics_schema}
    if name not in documents:
        abort(404)
    body = json.dumps(documents[name](base), ensure_ascii=False, indent=1).encode("utf-8")
    return _download(body, "application/schema+json; charset=utf-8")


@blueprint.get("/cases.atom")
@cached
def cases_feed() -> Response:
    """案件成果 as an Atom feed, newest publication first."""
    with context.of_app().sessions() as session:
        found = published_cases.listed(session, limit=pages.FEED_ENTRIES)
        entries = [
            feeds.Entry(
                id=url_for("site.case", number=c.number, _external=True),
                title=c.title,
                link=url_for("site.case", number=c.number, _external=True),
                updated=c.updated_at,
                summary=f"{c.summary}\n處理結果：{c.outcome}",
            )
            for c in found
        ]
        return pages.feed(session, "案件成果", "site.cases", "site.cases_feed", entries)


@blueprint.get("/statistics.atom")
@cached(on=(public_cache.FIGURES,))
def statistics_feed() -> Response:
    """成果統計 as an Atom feed: one entry per closed two-week period (the last six)."""
    with context.of_app().sessions() as session:
        anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
        last_from, last_to = report_periods.default_period(taipei_today(), anchor)
        entries = []
        for back in range(6):
            start, end = report_periods.shift(last_from, last_to, -back)
            stats = public_statistics.build(session, start, end)
            words = "；".join(f"{label}{cell.shown}件" for _, label, cell in stats.totals)
            link = url_for(
                "site.statistics",
                _external=True,
                **{"from": start.isoformat(), "to": end.isoformat()},
            )
            entries.append(
                feeds.Entry(
                    id=link,
                    title=f"{stats.period_text} 成果統計",
                    link=link,
                    updated=datetime.combine(end, datetime.min.time(), tzinfo=UTC),
                    summary=words,
                )
            )
        return pages.feed(session, "成果統計", "site.statistics", "site.statistics_feed", entries)
