"""The second step of a sign-in: a TOTP or recovery code, or enrolment for staff who must
have a second factor and have none yet; and enrolment from one's own account page.

Between the password and the code the browser holds a signed, short-lived cookie naming the
user (and a fingerprint of the password hash, so a password reset voids it); no session
exists until the code is right.
"""

from __future__ import annotations

import hashlib
import logging

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from lianping import context
from lianping.admin.auth import guard, signin, throttle
from lianping.admin.auth.login_page import login_form, safe_next
from lianping.services import two_factor
from lianping.services.access import Actor
from lianping.storage.models import User

log = logging.getLogger(__name__)

PENDING_COOKIE = "lianping_second_step"
PENDING_MAX_AGE = 10 * 60  # time enough to install an authenticator and scan the code
MSG_EXPIRED = "登入驗證已逾時，請重新輸入帳號及密碼。"
MSG_MISSING_CODE = "請輸入驗證碼。"
MSG_TOO_MANY = "此網路位址登入失敗次數過多，為保護系統安全，請於15分鐘後再試。"

blueprint = Blueprint("second_step", __name__)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lianping-second-step")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode("utf-8")).hexdigest()[:16]


def pending_value(user: User) -> str:
    """The signed value of the pending-sign-in cookie for ``user``."""
    return str(_serializer().dumps({"u": user.id, "p": _fingerprint(user)}))


def set_pending(response: Response | BaseResponse, value: str) -> None:
    response.set_cookie(PENDING_COOKIE, value, max_age=PENDING_MAX_AGE, **guard.cookie_options())


def _clear_pending(response: Response | BaseResponse) -> None:
    response.delete_cookie(PENDING_COOKIE, **guard.cookie_options())


def _pending_user(session: Session) -> User | None:
    """The user whose password was right a moment ago in this browser, if still signable."""
    raw = request.cookies.get(PENDING_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=PENDING_MAX_AGE)
        user = session.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or _fingerprint(user) != data.get("p"):
        return None
    if user.locked_until is not None and user.locked_until > two_factor.utcnow():
        return None
    return user


def _restart(message: str, status: int = 401) -> Response:
    response = login_form(message, status=status)
    _clear_pending(response)
    return response


def _qr(uri: str) -> Markup:
    """The otpauth:// URI as an inline SVG QR code, drawn here (no outside service)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, svgclass="qr", title="設定 QR 碼")
    # segno escapes what it writes; the URI itself is only encoded in the picture.
    return Markup(svg)


def _enrol_page(
    enrolment: two_factor.Enrolment, action: str, *, error: str | None = None, status: int = 200
) -> Response:
    body = render_template(
        "admin/auth/enrol.html",
        qr=_qr(enrolment.uri),
        secret=enrolment.secret,
        action=action,
        next=safe_next(request.values.get("next")),
        error=error,
    )
    return Response(body, status=status, mimetype="text/html")


def _codes_page(codes: list[str], target: str) -> Response:
    body = render_template("admin/auth/recovery_codes.html", codes=codes, next=target)
    return Response(body, status=200, mimetype="text/html")


@blueprint.route("/admin/login/code", methods=["GET", "POST"])
def code() -> BaseResponse:
    """After the password: a code from the authenticator, or a recovery code."""
    ctx = context.of_app()
    target = safe_next(request.values.get("next"))
    ip = guard.client_ip()
    key = ctx.settings.secret_key
    # A code is a guess like a password: it takes a slot of the address's login attempts.
    if request.method == "POST" and not throttle.take_attempt(ctx.redis, ip):
        return _restart(MSG_TOO_MANY, 429)
    entered = request.form.get("code", "").strip()[:64]
    with ctx.sessions.begin() as session:
        user = _pending_user(session)
        if user is None:
            return _restart(MSG_EXPIRED)
        if request.method == "GET" or not entered:
            error = MSG_MISSING_CODE if request.method == "POST" else None
            body = render_template("admin/auth/code.html", next=target, error=error)
            return Response(body, status=400 if error else 200, mimetype="text/html")
        try:
            outcome = two_factor.verify(session, user, key, entered)
        except two_factor.TwoFactorError as error:
            return _restart(str(error), 400)
        opened = None
        if outcome in ("totp", "recovery"):
            opened = signin.open_session(session, user, ip, {"second_factor": outcome})
    if opened is None:
        log.info("wrong second-factor code for user %s from %s", user.id, ip)
        if outcome == "locked":
            return _restart(two_factor.MSG_LOCKED)
        body = render_template("admin/auth/code.html", next=target, error=two_factor.MSG_WRONG_CODE)
        return Response(body, status=401, mimetype="text/html")
    throttle.give_back(ctx.redis, ip)
    response = make_response(redirect(target))
    signin.set_cookies(response, opened)
    _clear_pending(response)
    return response


@blueprint.route("/admin/login/enrol", methods=["GET", "POST"])
def enrol() -> BaseResponse:
    """At sign-in, for administrators and ethics staff without a second factor: set one up,
    confirm it with a code, then see the recovery codes once (the session is open by then)."""
    ctx = context.of_app()
    target = safe_next(request.values.get("next"))
    ip = guard.client_ip()
    key = ctx.settings.secret_key
    action = url_for("second_step.enrol")
    with ctx.sessions.begin() as session:
        user = _pending_user(session)
        if user is None:
            return _restart(MSG_EXPIRED)
        if two_factor.enrolled(session, user.id):
            return redirect(url_for("second_step.code", next=target))
        try:
            enrolment = two_factor.enrolment(session, user, key)
        except two_factor.TwoFactorError as error:
            return _restart(str(error), 400)
        if request.method == "GET":
            return _enrol_page(enrolment, action)
        try:
            codes = two_factor.confirm(
                session, Actor.of(user, ip), user, key, request.form.get("code", "")[:64]
            )
        except two_factor.TwoFactorError as error:
            return _enrol_page(enrolment, action, error=str(error), status=400)
        opened = signin.open_session(session, user, ip, {"second_factor": "enrolled"})
    response = make_response(_codes_page(codes, target))
    signin.set_cookies(response, opened)
    _clear_pending(response)
    return response


@blueprint.route("/admin/account/two-factor", methods=["GET", "POST"])
def account() -> BaseResponse:
    """A signed-in staff member sets up a second factor from their own account page."""
    ctx = context.of_app()
    key = ctx.settings.secret_key
    action = url_for("second_step.account")
    actor = guard.current_actor()
    with ctx.sessions.begin() as session:
        user = session.get(User, actor.user_id)
        if user is None:
            return redirect(url_for("auth.login"))
        if two_factor.enrolled(session, user.id):
            return redirect(url_for("account.show"))
        enrolment = two_factor.enrolment(session, user, key)
        if request.method == "GET":
            return _enrol_page(enrolment, action)
        try:
            codes = two_factor.confirm(session, actor, user, key, request.form.get("code", "")[:64])
        except two_factor.TwoFactorError as error:
            return _enrol_page(enrolment, action, error=str(error), status=400)
    return _codes_page(codes, url_for("account.show"))
