"""CSRF tokens: the session's token for signed-in staff, a signed double-submit token before.

Before login there is no server-side session, so the login form carries a
token signed with ``SECRET_KEY`` whose payload is a random value also held in
a cookie (``lianping_login_csrf``). A forged cross-site POST can neither read
that cookie nor sign a token for a cookie it planted.
"""

from __future__ import annotations

import hmac
import secrets

from flask import current_app, g, request
from itsdangerous import BadData, URLSafeTimedSerializer
from markupsafe import Markup, escape

PRE_SESSION_COOKIE = "lianping_login_csrf"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
PRE_SESSION_MAX_AGE = 12 * 3600  # seconds a login form stays usable
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lianping-login-csrf")


def _pre_session_value() -> str:
    """This browser's random pre-session value (a new one is set as a cookie when missing)."""
    value = g.get("_pre_session_value")
    if value:
        return str(value)
    value = request.cookies.get(PRE_SESSION_COOKIE, "")
    if not (16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum()):
        value = secrets.token_urlsafe(24)
        g._set_pre_session_cookie = value
    g._pre_session_value = value
    return value


def csrf_token() -> str:
    """The token every unsafe request must carry (Jinja global ``csrf_token()``)."""
    token = g.get("csrf_token")
    if token:
        return str(token)
    signed = g.get("_pre_session_token")
    if not signed:
        signed = _serializer().dumps(_pre_session_value())
        g._pre_session_token = signed
    return str(signed)


def csrf_field() -> Markup:
    """``<input type="hidden" name="csrf_token" value="...">`` (Jinja global ``csrf_field()``)."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, escape(csrf_token()))


def submitted_token() -> str:
    """The token sent with this request: the form field, else the header."""
    return request.form.get(FIELD) or request.headers.get(HEADER) or ""


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def session_token_valid(expected: str) -> bool:
    """Does the request carry the signed-in session's token (constant-time compare)?"""
    sent = submitted_token()
    return bool(sent and expected) and _equal(sent, expected)


def pre_session_token_valid() -> bool:
    """Does the request carry a token signed for the value in its pre-session cookie?"""
    sent = submitted_token()
    cookie = request.cookies.get(PRE_SESSION_COOKIE, "")
    if not sent or not cookie:
        return False
    try:
        value = _serializer().loads(sent, max_age=PRE_SESSION_MAX_AGE)
    except BadData:
        return False
    return isinstance(value, str) and _equal(value, cookie)
