"""``/admin/login`` and ``/admin/logout``."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Blueprint, g, make_response, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lianping import context
from lianping.admin.auth import guard, second_step, signin, throttle
from lianping.admin.auth.login_page import idle_notice, login_form, safe_next
from lianping.services import accounts, audit, two_factor
from lianping.services.access import Actor

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

MSG_BAD_CREDENTIALS = (
    "帳號或密碼不正確，請重新輸入。"
    f"連續輸入錯誤{accounts.MAX_FAILED_LOGINS}次，帳號將暫停登入"
    f"{int(accounts.LOCKOUT.total_seconds() // 60)}分鐘。"
)
MSG_MISSING = "請輸入帳號及密碼。"
MSG_TOO_MANY = (
    "此網路位址登入失敗次數過多，為保護系統安全，請於15分鐘後再試。如需協助，請洽系統管理者。"
)
MSG_LOGGED_OUT = "您已登出。"

blueprint = Blueprint("auth", __name__, template_folder=str(TEMPLATES))


@blueprint.route("/admin/login", methods=["GET", "POST"])
def login() -> BaseResponse:
    """Sign in with a username and password."""
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        if g.user is not None:
            return redirect(target)
        notice = None
        if request.args.get("logged_out"):
            notice = MSG_LOGGED_OUT
        elif request.args.get("idle"):
            notice = idle_notice(context.of_app().settings.session_idle_minutes)
        return login_form(notice=notice)

    ctx = context.of_app()
    ip = guard.client_ip()
    username = request.form.get("username", "").strip()[:64]
    password = request.form.get("password", "")
    if not username or not password:
        return login_form(MSG_MISSING, status=400, username=username)
    if not throttle.take_attempt(ctx.redis, ip):
        log.warning("login refused: too many failures from %s", ip)
        return login_form(MSG_TOO_MANY, status=429, username=username)

    opened, step, pending = None, None, ""
    with ctx.sessions.begin() as session:
        # A lock this failure sets is audited by the accounts service, once.
        user = accounts.authenticate(session, username, password, ip=ip)
        if user is not None and two_factor.enrolled(session, user.id):
            step = "second_step.code"
        elif user is not None and two_factor.required(user):
            step = "second_step.enrol"
        elif user is not None:
            opened = signin.open_session(session, user, ip)
        if user is not None and step is not None:
            # The password was right; the session opens only after the second step.
            pending = second_step.pending_value(user)

    if step is not None:
        throttle.give_back(ctx.redis, ip)
        response = make_response(redirect(url_for(step, next=target)))
        second_step.set_pending(response, pending)
        return response
    if opened is None:
        log.info("failed login for %r from %s", username, ip)
        return login_form(MSG_BAD_CREDENTIALS, status=401, username=username)
    throttle.give_back(ctx.redis, ip)
    response = make_response(redirect(target))
    signin.set_cookies(response, opened)
    return response


@blueprint.post("/admin/logout")
def logout() -> BaseResponse:
    """Sign out: the server-side session is deleted, so the cookie is worthless."""
    ctx = context.of_app()
    cookie = g.get("session_cookie")
    with ctx.sessions.begin() as session:
        if cookie:
            accounts.close_session(session, cookie)
        actor = g.get("actor")
        if isinstance(actor, Actor):
            audit.record(session, actor, "auth.logout", "user", actor.user_id or "")
    response = make_response(redirect("/admin/login?logged_out=1"))
    guard.clear_session_cookie(response)
    return response
