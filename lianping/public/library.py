"""弊端態樣與防制作為 and 宣導 pages, and their feeds (part of the ``site`` blueprint)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, url_for

from lianping import context, rocdate
from lianping.public import feeds, pages
from lianping.public.caching import cached
from lianping.services import misconduct_patterns, public_promotions

blueprint = Blueprint("library", __name__)
MAX_KEYWORD = 50


@blueprint.get("/patterns")
@cached
def patterns() -> Response:
    """The approved entries, by business area and keyword."""
    area = (request.args.get("area") or "").strip()[:100] or None
    keyword = (request.args.get("q") or "").strip()
    if len(keyword) > MAX_KEYWORD:
        abort(400)
    number = pages.page_number()
    with context.of_app().sessions() as session:
        found, total = misconduct_patterns.published(
            session, area, keyword or None, offset=(number - 1) * misconduct_patterns.PAGE
        )
        areas = misconduct_patterns.areas(session)
        return pages.render(
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
        return pages.render(session, "site/pattern.html", pattern=found, roc_date=rocdate.roc_date)


@blueprint.get("/promotions")
@cached
def promotions() -> Response:
    """宣導: the broadcasts that went out, newest first."""
    number = pages.page_number()
    with context.of_app().sessions() as session:
        found = public_promotions.listed(session, offset=(number - 1) * public_promotions.PAGE)
        total = public_promotions.counted(session)
        return pages.render(
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
        found, _ = misconduct_patterns.published(session, limit=pages.FEED_ENTRIES)
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
        return pages.feed(
            session, "弊端態樣與防制作為", "site.library.patterns", "site.library.patterns_feed",
            entries,
        )  # fmt: skip


@blueprint.get("/promotions.atom")
@cached
def promotions_feed() -> Response:
    """宣導 as an Atom feed."""
    with context.of_app().sessions() as session:
        found = public_promotions.listed(session, limit=pages.FEED_ENTRIES)
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
        return pages.feed(
            session, "宣導", "site.library.promotions", "site.library.promotions_feed", entries
        )
