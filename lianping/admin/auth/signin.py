"""The end of a sign-in, by password alone or after the second step: the server-side session
is opened and audited, and the response carries its cookie."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from sqlalchemy.orm import Session

from lianping.admin.auth import csrf, guard
from lianping.services import accounts, audit
from lianping.services.access import Actor
from lianping.storage.models import User


def open_session(
    session: Session, user: User, ip: str | None, detail: dict[str, Any] | None = None
) -> accounts.NewSession:
    """Replace the browser's old session (if any) with a new one for ``user``."""
    old = request.cookies.get(guard.SESSION_COOKIE)
    if old:
        accounts.close_session(session, old)
    opened = accounts.open_session(session, user)
    audit.record(session, Actor.of(user, ip), "auth.login", "user", user.id, after=detail)
    return opened


def set_cookies(response: Response, opened: accounts.NewSession) -> None:
    """The session cookie on; the pre-session (login form) cookie off."""
    guard.set_session_cookie(response, opened.cookie_value)
    response.delete_cookie(csrf.PRE_SESSION_COOKIE, **guard.cookie_options())
