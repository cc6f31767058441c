"""Staff accounts and logged-in clients for tests of the admin and the API."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from lianping.context import Context
from lianping.services import accounts
from lianping.storage.models import User

PASSWORD = "correct horse battery staple"
SESSION_COOKIE = "lianping_session"


def staff(ctx: Context, username: str, role: str = "officer", ethics: bool = False) -> User:
    """A committed staff account with ``PASSWORD``."""
    with ctx.sessions.begin() as session:
        user = accounts.create_user(
            session, username, PASSWORD, role, display_name=f"{username} 測試", ethics=ethics
        )
        session.flush()
        session.expunge(user)
        return user


def logged_in(app: Any, ctx: Context, user: User) -> tuple[Any, str]:
    """A test client with a live server-side session for ``user``, and its CSRF token."""
    with ctx.sessions.begin() as session:
        opened = accounts.open_session(session, session.merge(user))
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, opened.cookie_value)
    return client, opened.csrf_token


def api_token(ctx: Context, user: User) -> dict[str, str]:
    """Authorization headers with a fresh API token for ``user``."""
    with ctx.sessions.begin() as session:
        token = accounts.create_token(session, session.merge(user), "tests")
    return {"Authorization": f"Bearer {token}"}


API_BASE = "/api/v1"


class Api:
    """A test client for one staff member's token that records, in ``called``, the statuses
    each API operation answered (so a module can check every operation once succeeded)."""

    def __init__(
        self,
        app: Any,
        headers: dict[str, str],
        called: defaultdict[str, set[int]] | None = None,
    ) -> None:
        self.app, self.client, self.headers = app, app.test_client(), headers
        self.called = defaultdict(set) if called is None else called

    def call(self, method: str, path: str, body: Any = None, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        if body is not None:
            kwargs["json"] = body
        response = self.client.open(API_BASE + path, method=method, headers=headers, **kwargs)
        try:
            endpoint, _ = self.app.url_map.bind("localhost").match(
                API_BASE + path.split("?")[0], method=method
            )
        except Exception:
            endpoint = None
        if endpoint and endpoint.startswith("api.") and endpoint != "api.not_found":
            self.called[endpoint.removeprefix("api.")].add(response.status_code)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.call("PUT", path, body, **kwargs)
