"""What every public page and feed shares: the header's agency name and logo, the page
number of a list, the 400 page and the Atom answer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, render_template, request, url_for
from sqlalchemy.orm import Session

from lianping.public import feeds
from lianping.services import agency_logo, content
from lianping.storage import ids

HTML = "text/html; charset=utf-8"
# The last entries a feed holds (a full history is paged on the site).
FEED_ENTRIES = 50
# A feed with no entry yet says it was updated then.
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
MAX_PAGE = 100_000


def render(session: Session, template: str, **values: Any) -> Response:
    """A page with the agency's name and logo in its header (read in the view's own
    session: SQLite allows one)."""
    agency = str(content.get(session, "agency_name"))
    logo = agency_logo.current(session)
    html = render_template(
        template, agency=agency, logo_version=logo.version if logo else None, **values
    )
    return Response(html, content_type=HTML)


def bad_request(message: str) -> Response:
    """The 400 page, saying what was wrong."""
    html = render_template("public/error.html", title="無法處理這項請求", message=message)
    return Response(html, status=400, content_type=HTML)


def page_number() -> int:
    """The list page asked for (``?page=``, default 1); an odd value is a 400."""
    raw = request.args.get("page")
    if raw is None:
        return 1
    number = ids.parse_id(raw)
    if number is None or number > MAX_PAGE:
        abort(400)
    return number


def feed(
    session: Session, name: str, page: str, itself: str, entries: list[feeds.Entry]
) -> Response:
    """The Atom answer for the page at endpoint ``page`` (the feed's own is ``itself``)."""
    agency = str(content.get(session, "agency_name"))
    body = feeds.atom(
        url_for(page, _external=True),
        f"{agency} 清廉共同監督專區：{name}",
        url_for(page, _external=True),
        url_for(itself, _external=True),
        max((entry.updated for entry in entries), default=EPOCH),
        entries,
    )
    return Response(body, content_type=feeds.CONTENT_TYPE)
