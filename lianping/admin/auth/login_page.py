"""The login page itself, shown by the login view and by the access guard (a failed CSRF
check on the login form answers with the form again)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, render_template, request
from sqlalchemy.exc import SQLAlchemyError

from lianping import context
from lianping.services import content

HOME = "/admin/"


def safe_next(value: str | None) -> str:
    """``value`` if it is a path on this site, else the admin home (no open redirects)."""
    if not value or len(value) > 2000:
        return HOME
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return HOME
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return HOME
    return value


def idle_notice(minutes: int) -> str:
    """Why the login page is shown again after a pause."""
    return f"您已超過{minutes}分鐘未操作，為保護資料安全，系統已自動登出，請重新登入。"


def _agency_name() -> str:
    try:
        with context.of_app().sessions() as session:
            return str(content.get(session, "agency_name"))
    except SQLAlchemyError:
        return str(content.DEFAULTS["agency_name"])


def login_form(
    error: str | None = None, *, status: int = 200, username: str = "", notice: str | None = None
) -> Response:
    """The login page, with an error message when a try failed."""
    body = render_template(
        "admin/auth/login.html",
        error=error,
        notice=notice,
        username=username,
        next=safe_next(request.values.get("next")),
        agency_name=_agency_name(),
    )
    return Response(body, status=status, mimetype="text/html")
