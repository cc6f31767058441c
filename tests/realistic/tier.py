"""The realistic tier's requests: what to ask for, as whom, and what must come back."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session

from lianping.context import Context
from tests.realistic import readers
from tests.realistic.data import CHIEF, Ids

# A page's own link to the next page of its list.
NEXT_LINK = re.compile(
    r'<a\b[^>]*\brel="next"[^>]*\bhref="([^"]+)"|<a\b[^>]*\bhref="([^"]+)"[^>]*\brel="next"'
)
MAX_PAGES = 1000  # the demo's audit log alone is a few hundred pages


@dataclass(frozen=True)
class Get:
    """One GET the tier makes, and what must come back."""

    url: str
    content_type: str  # the media type expected (parameters aside)
    status: int = 200
    user: str | None = CHIEF  # None: not logged in
    contains: tuple[str, ...] = ()  # text a person must see in it
    rows: int | None = None  # spreadsheets and CSV: rows, the heading included
    min_pages: int | None = None  # PDF
    follow_pages: bool = False  # walk the list's next pages (rel="next", next_cursor) to the end
    max_pages: int | None = None  # or only this many of them
    items: int | None = None  # with follow_pages on the API: items over all pages


@dataclass
class Realistic:
    """The seeded database, the app on it, and logged-in clients of the demo's staff."""

    app: Any
    ctx: Context
    ids: Ids
    cookies: dict[str, str]  # username → session cookie value
    api_token: str  # CHIEF's
    requested: int = 0  # requests made, next pages included

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only session on the realistic database."""
        with self.ctx.sessions() as session:
            yield session

    def client(self, user: str | None) -> Any:
        client = self.app.test_client()
        if user is not None:
            client.set_cookie("lianping_session", self.cookies[user])
        return client

    def problems(self, gets: list[Get]) -> list[str]:
        """Request every ``Get``; what went wrong with each, in words (empty when all is well)."""
        found: list[str] = []
        for get in gets:
            found += [f"{get.url} (as {get.user or 'nobody'}): {p}" for p in self._check(get)]
        return found

    def _check(self, get: Get) -> list[str]:
        client = self.client(get.user)
        headers = {"Authorization": f"Bearer {self.api_token}"} if _is_api(get.url) else {}
        url, pages, items = get.url, 0, 0
        while True:
            response = client.get(url, headers=headers, follow_redirects=True)
            self.requested += 1
            pages += 1
            problem = self._response_problem(get, response)
            if problem:
                return [problem]
            if not get.follow_pages and (get.max_pages is None or pages >= get.max_pages):
                return []
            if readers.media_type(response.content_type) == readers.JSON:
                body = response.get_json()
                items += len(body["items"])
                cursor = body.get("next_cursor")
                url = _with_query(get.url, cursor=cursor) if cursor else None
            else:
                url = _next_link(response.get_data(as_text=True))
            if url is None:
                break
            if pages >= (get.max_pages or MAX_PAGES):
                return [f"more than {MAX_PAGES} pages"]
        if get.items is not None and items != get.items:
            return [f"{items} items over {pages} pages, expected {get.items}"]
        return []

    def _response_problem(self, get: Get, response: Any) -> str | None:
        body = response.get_data()
        if response.status_code != get.status:
            first = body[:300].decode("utf-8", "replace").replace("\n", " ")
            return f"status {response.status_code}, expected {get.status}: {first}"
        kind = readers.media_type(response.content_type)
        if kind != get.content_type:
            return f"content type {response.content_type}, expected {get.content_type}"
        try:
            opened = readers.read(response.content_type, body)
        except readers.Unreadable as exc:
            return str(exc)
        missing = [words for words in get.contains if words not in opened.text]
        if missing:
            more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
            return f"does not show {missing[:3]!r}{more}"
        if get.rows is not None and opened.rows != get.rows:
            return f"{opened.rows} rows, expected {get.rows}"
        if get.min_pages is not None and (opened.pages or 0) < get.min_pages:
            return f"{opened.pages} pages, expected at least {get.min_pages}"
        return None


def _is_api(url: str) -> bool:
    return urlsplit(url).path.startswith("/api/")


def _with_query(url: str, **more: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(more)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _next_link(page: str) -> str | None:
    found = NEXT_LINK.search(page)
    if found is None:
        return None
    href = found.group(1) or found.group(2)
    return html.unescape(href)
