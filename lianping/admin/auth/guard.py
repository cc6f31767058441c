"""Access rules for every route of the app, checked before any view runs.

- public: the LINE webhook, the login page and its second step, static files, ``public.*`` pages
  and ``GET /healthz``;
- ``/api/...``: a bearer token only (cookies are ignored there, so no CSRF);
- everything else: a signed-in staff session (GET pages redirect to the login
  page, other requests get 401), and every unsafe method carries the CSRF token.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Response, g, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import Unauthorized
from werkzeug.wrappers import Response as BaseResponse

from lianping import context
from lianping.admin.auth import csrf, login_page
from lianping.services import accounts
from lianping.services.access import Actor, PermissionDenied
from lianping.storage.models import utcnow

log = logging.getLogger(__name__)

SESSION_COOKIE = "lianping_session"
PUBLIC_ENDPOINTS = frozenset(
    {
        "webhook.callback",
        "auth.login",
        "second_step.code",
        "second_step.enrol",
        "static",
        "admin.static",
    }
)
PUBLIC_PREFIX = "public."
# The public site (清廉共同監督專區) and its Open311 API: open to everyone, and never read
# the staff session, so what they answer is the same for all and may be cached.
OPEN_PREFIXES = ("site.", "open311.")
# Requests that never touch the staff session (no database work, no cookies set).
NO_SESSION_ENDPOINTS = frozenset(
    {"webhook.callback", "static", "admin.static", "public.static", "health"}
)


def sessionless(endpoint: str | None) -> bool:
    """Does this endpoint answer without reading the staff session (and set no cookie)?"""
    return endpoint in NO_SESSION_ENDPOINTS or (endpoint or "").startswith(OPEN_PREFIXES)


# How often a session's last activity is written; the idle timeout is as coarse as this.
LAST_SEEN_EVERY = timedelta(minutes=1)

MSG_LOGIN_REQUIRED = "請先登入。"
MSG_API_TOKEN = "需要有效的 API 權杖（Authorization: Bearer <token>）。"
MSG_CSRF = "表單驗證碼不正確或已逾時，為保護您的帳號，本次操作未執行。請重新整理頁面後再試一次。"
MSG_FORBIDDEN = "您沒有執行此動作的權限。"


def is_api_path(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


def is_public(endpoint: str | None, method: str) -> bool:
    """May this endpoint be reached without signing in?"""
    if endpoint is None:
        return False
    if endpoint == "health":
        return method in ("GET", "HEAD")
    return endpoint in PUBLIC_ENDPOINTS or endpoint.startswith((PUBLIC_PREFIX, *OPEN_PREFIXES))


def wants_json() -> bool:
    accept = request.accept_mimetypes
    return accept.best_match(["text/html", "application/json"]) == "application/json"


def client_ip() -> str | None:
    """The client's address: the peer, or what the trusted proxies say (TRUSTED_PROXIES)."""
    return request.remote_addr


def _clear_identity() -> None:
    g.user = None
    g.actor = None
    g.csrf_token = None
    g.session_cookie = None


def api_error(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def error_page(status: int, title: str, message: str) -> Response:
    if wants_json() or is_api_path(request.path):
        code = {400: "bad_request", 401: "unauthorized", 403: "forbidden"}.get(status, "error")
        return api_error(status, code, message)
    body = render_template("admin/auth/error.html", title=title, message=message, status=status)
    return Response(body, status=status, mimetype="text/html")


def _authenticate_api() -> Response | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return _api_unauthorized()
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        user = accounts.token_user(session, token)
    if user is None:
        return _api_unauthorized()
    g.user = user
    g.actor = Actor.of(user, client_ip())
    return None


def _api_unauthorized() -> Response:
    response = api_error(401, "unauthorized", MSG_API_TOKEN)
    response.headers["WWW-Authenticate"] = 'Bearer realm="lianping"'
    return response


def _load_session() -> None:
    """Set ``g.user``/``g.actor``/``g.csrf_token`` from a live session cookie, if any."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return
    ctx = context.of_app()
    idle_timeout = timedelta(minutes=ctx.settings.session_idle_minutes)
    with ctx.sessions.begin() as session:
        try:
            found = accounts.session_user(session, cookie, idle_timeout)
        except accounts.SessionIdle:
            found, g.signed_out_idle = None, True
        if found is not None:
            user, web = found
            now = utcnow()
            if now - web.last_seen_at >= LAST_SEEN_EVERY:
                web.last_seen_at = now
    if found is None:
        g._clear_session_cookie = True  # expired or unknown: tell the browser to drop it
        return
    g.user = user
    g.actor = Actor.of(user, client_ip())
    g.csrf_token = web.csrf_token
    g.session_cookie = cookie


def enforce_access() -> BaseResponse | None:
    """The ``before_app_request`` hook: authenticate, authorize, check CSRF."""
    _clear_identity()
    endpoint = request.endpoint
    method = request.method
    if sessionless(endpoint) and is_public(endpoint, method):
        return None
    if is_api_path(request.path):
        return _authenticate_api()
    _load_session()
    if g.user is None and not is_public(endpoint, method):
        if method in ("GET", "HEAD") and not wants_json():
            path = request.full_path.rstrip("?") if request.query_string else request.path
            if g.get("signed_out_idle"):
                return redirect(url_for("auth.login", next=path, idle=1))
            return redirect(url_for("auth.login", next=path))
        if g.get("signed_out_idle"):
            idle = login_page.idle_notice(context.of_app().settings.session_idle_minutes)
            return error_page(401, "請先登入", idle)
        return error_page(401, "請先登入", MSG_LOGIN_REQUIRED)
    if method in csrf.UNSAFE_METHODS and not _csrf_ok():
        log.warning("CSRF check failed: %s %s from %s", method, request.path, client_ip())
        if endpoint == "auth.login":
            return login_page.login_form(MSG_CSRF, status=400)
        return error_page(400, "無法完成操作", MSG_CSRF)
    return None


def _csrf_ok() -> bool:
    if g.csrf_token:
        return csrf.session_token_valid(g.csrf_token)
    return csrf.pre_session_token_valid()


def cookie_options() -> dict[str, Any]:
    """How each of our cookies is set and cleared (a clear must match the set to take):
    the whole site, never read by scripts, same-site, and Secure when served over https."""
    secure = context.of_app().settings.public_base_url.startswith("https")
    return {"path": "/", "httponly": True, "samesite": "Lax", "secure": secure}


def set_session_cookie(response: Response, value: str) -> None:
    response.set_cookie(SESSION_COOKIE, value, **cookie_options())


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, **cookie_options())


def finish_response(response: Response) -> Response:
    """The ``after_app_request`` hook: cookies decided during the request, page headers."""
    new_value = g.get("_set_pre_session_cookie")
    if new_value:
        response.set_cookie(
            csrf.PRE_SESSION_COOKIE,
            new_value,
            max_age=csrf.PRE_SESSION_MAX_AGE,
            **cookie_options(),
        )
    if g.get("_clear_session_cookie"):
        clear_session_cookie(response)
    if not sessionless(request.endpoint) and not is_api_path(request.path):
        # Staff pages show personal data: never cache them, never frame them.
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def permission_denied(error: PermissionDenied) -> Response:
    message = str(error) or MSG_FORBIDDEN
    if not (wants_json() or is_api_path(request.path)) and message[-1] not in "。！？.":
        message += "。"
    return error_page(403, "沒有權限", message)


def current_actor() -> Actor:
    """The signed-in staff member or API token owner of this request (401 if none)."""
    actor: Any = g.get("actor")
    if not isinstance(actor, Actor):
        raise Unauthorized(MSG_LOGIN_REQUIRED)
    return actor
