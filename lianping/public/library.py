"""弊端態樣與防制作為 and 宣導 pages, and their feeds (part of the ``site`` blueprint)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, render_template, request, url_for
from sqlalchemy.orm import Session

from lianping import context, rocdate
from lianping.public import feeds
from lianping.public.caching import cached
from lianping.services import content, misconduct_patterns, public_promotions
from lianping.storage import ids

blueprint = Blueprint("library", __name__)
HTML = "text/html; charset=utf-8"
FEED_ENTRIES = 50
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
MAX_KEYWORD = 50


def _page_number() -> int:
    raw = request.args.get("page")
    if raw is None:
        return 1
    number = ids.parse_id(raw)
    if number is None or number > 100_000:
        abort(400)
    return number


def _render(session: Session, template: str, **values: object) -> Response:
    """A page with the agency's name (read in the view's own session: SQLite allows one)."""
    agency = str(content.get(session, "agency_name"))
    return Response(render_template(template, agency=agency, **values), content_type=HTML)


@blueprint.get("/patterns")
@cached
def patterns() -> Response:
    """The approved entries, by business area and keyword."""
    area = (request.args.get("area") or "").strip()[:100] or None
    keyword = (request.args.get("q") or "").strip()
    if len(keyword) > MAX_KEYWORD:
        abort(400)
    number = _page_number()
    with context.of_app().sessions() as session:
        found, total = misconduct_patterns.published(
            session, area, keyword or None, offset=(number - 1) * misconduct_patterns.PAGE
        )
        areas = misconduct_patterns.areas(session)
        return _render(
            session,
            "site/patterns.html",
            patterns=found,
            total=total,
            areas=areas,
            area=area,
            keyword=keyword,
            page=number,
            pages=max(1, -(-total // misconduct_patterns.PAGE)),
            roc_date=rocdate.roc_date,
        )


@blueprint.get("/patterns/<int:pattern_id>")
@cached
def pattern(pattern_id: int) -> Response:
    """One approved entry."""
    with context.of_app().sessions() as session:
        found = misconduct_patterns.public_one(session, pattern_id)
        if found is None:
            abort(404)
        return _render(session, "site/pattern.html", pattern=found, roc_date=rocdate.roc_date)


@blueprint.get("/promotions")
@cached
def promotions() -> Response:
    """宣導: the broadcasts that went out, newest first."""
    number = _page_number()
    with context.of_app().sessions() as session:
        found = public_promotions.listed(session, offset=(number - 1) * public_promotions.PAGE)
        total = public_promotions.counted(session)
        return _render(
            session,
            "site/promotions.html",
            promotions=found,
            page=number,
            pages=max(1, -(-total // public_promotions.PAGE)),
            roc_date=rocdate.roc_date,
        )


@blueprint.get("/patterns.atom")
@cached
def patterns_feed() -> Response:
    """The library as an Atom feed."""
    with context.of_app().sessions() as session:
        agency = str(content.get(session, "agency_name"))
        found, _ = misconduct_patterns.published(session, limit=FEED_ENTRIES)
        entries = [
            feeds.Entry(
                id=url_for("site.library.pattern", pattern_id=p.id, _external=True),
                title=f"{p.business_area}：{p.misconduct_type}",
                link=url_for("site.library.pattern", pattern_id=p.id, _external=True),
                updated=p.updated_at,
                summary=f"{p.pattern}\n防制作為：{p.countermeasures}",
            )
            for p in found
        ]
    return _feed(agency, "弊端態樣與防制作為", "site.library.patterns",
                 "site.library.patterns_feed", entries)  # fmt: skip


@blueprint.get("/promotions.atom")
@cached
def promotions_feed() -> Response:
    """宣導 as an Atom feed."""
    with context.of_app().sessions() as session:
        agency = str(content.get(session, "agency_name"))
        found = public_promotions.listed(session, limit=FEED_ENTRIES)
    entries = [
        feeds.Entry(
            id=f"{url_for('site.library.promotions', _external=True)}#p{p.id}",
            title=p.title,
            link=f"{url_for('site.library.promotions', _external=True)}#p{p.id}",
            updated=p.sent_at,
            summary="\n".join(f"{i.title}\n{i.body}".strip() for i in p.items),
        )
        for p in found
    ]
    return _feed(agency, "宣導", "site.library.promotions", "site.library.promotions_feed",
                 entries)  # fmt: skip


def _feed(agency: str, name: str, page: str, itself: str, entries: list[feeds.Entry]) -> Response:
    body = feeds.atom(
        url_for(page, _external=True),
        f"{agency} 清廉共同監督專區：{name}",
        url_for(page, _external=True),
        url_for(itself, _external=True),
        max((e.updated for e in entries), default=EPOCH),
        entries,
    )
    return Response(body, content_type=feeds.CONTENT_TYPE)
