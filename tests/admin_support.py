"""Staff accounts and logged-in clients for tests of the admin and the API."""

from __future__ import annotations

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
