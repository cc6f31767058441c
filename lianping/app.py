"""The web application factory (webhook, admin, health)."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from lianping import admin, public
from lianping.admin.api.errors import ApiError, code_for_status
from lianping.admin.auth import guard
from lianping.config import Settings
from lianping.context import WEB_REDIS_TIMEOUT, Context
from lianping.web.callback import blueprint as webhook_blueprint
from lianping.web.public import blueprint as public_blueprint
from lianping.web.row_ids import RowIdConverter


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web app from ``settings`` (default: the environment)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    ctx = Context(
        settings or Settings.from_env(),
        redis_connect_timeout=WEB_REDIS_TIMEOUT,
        redis_socket_timeout=WEB_REDIS_TIMEOUT,
        ping_connections=True,
    )
    app = Flask(__name__)
    # Before any route is added: every <int:…> is a row id within the id columns' range.
    app.url_map.converters["int"] = RowIdConverter
    proxies = ctx.settings.trusted_proxies
    if proxies:
        # Only the trusted proxies' own X-Forwarded-* entries are believed (a client can send
        # any): the address throttling and the audit log see, and the scheme.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )
    app.extensions["lianping"] = ctx
    app.config["SECRET_KEY"] = ctx.settings.secret_key
    app.register_blueprint(webhook_blueprint)
    app.register_blueprint(public_blueprint)
    admin.init_app(app)
    public.init_app(app)
    app.register_error_handler(HTTPException, _error_page)
    app.after_request(_security_headers)

    @app.get("/healthz")
    def health() -> tuple[Response, int]:
        """Liveness for load balancers: the database answers."""
        try:
            with ctx.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return jsonify({"status": "database unavailable"}), 503
        return jsonify({"status": "ok"}), 200

    return app


# Every response, errors and static files included: scripts and styles only from this app's
# own files (no inline code, so an injected tag cannot run), no plugins, no framing, forms
# post only here. A view may send a stricter policy of its own (residents' files: sandboxed).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
# A year, the common choice: browsers then refuse plain http to this host for that long.
HSTS = "max-age=31536000"


def _security_headers(response: Response) -> Response:
    """The browser-side defences every response carries; HSTS when served over https
    (directly, or by a trusted proxy)."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


# What a person is told for an error status: (title, message). A resident is told about a 500
# as about a 503: they have no 系統管理者 to ask. Other statuses use their class's words.
PUBLIC_SERVER_ERROR = "系統暫時無法處理您的請求，請稍後再試。"
ERROR_WORDS: dict[int, tuple[str, str]] = {
    400: ("無法處理這項請求", "送出的資料不完整或格式不正確，請回上一頁確認後再試一次。"),
    401: ("請先登入", guard.MSG_LOGIN_REQUIRED),
    403: ("沒有權限", guard.MSG_FORBIDDEN),
    404: ("找不到這個網頁", "這個網址不存在或已移除，請確認網址是否正確。"),
    405: ("無法以這種方式開啟", "這個網址不接受這種操作方式，請從頁面上的連結或按鈕進入。"),
    413: ("送出的資料過大", "送出的內容超過系統可接受的大小，請縮減後再試一次。"),
    429: ("操作過於頻繁", "請稍候片刻再試一次。"),
    500: (
        "系統發生錯誤",
        "這項操作可能沒有完成，錯誤已記錄。請稍後再試；如仍無法完成，請洽系統管理者。",
    ),
    503: ("服務暫時無法使用", PUBLIC_SERVER_ERROR),
}


def _words(status: int) -> tuple[str, str]:
    if status in ERROR_WORDS:
        return ERROR_WORDS[status]
    return ERROR_WORDS[503 if status >= 500 else 400]


def _error_page(error: HTTPException) -> HTTPException | Response:
    """Every error Werkzeug raises (a 500 included, wrapping the bug Flask has logged), in
    words: JSON for the API and LINE's webhook, else a page for staff or for the public."""
    status = error.code or 500
    if error.response is not None or status < 400:
        return error  # an answer a view built itself (abort(response)), or not an error
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if guard.is_api_path(request.path):
        response = jsonify(ApiError(code_for_status(status)).body())
    elif request.path == "/callback":
        # LINE reads these: the webhook's own short English answers, as it gives them.
        response = jsonify({"message": error.name.lower()})
    else:
        title, message = _words(status)
        staff = g.get("user") is not None or request.path.startswith("/admin")
        if staff:
            response = guard.error_page(status, title, message)
        else:
            if status >= 500:
                message = PUBLIC_SERVER_ERROR
            body = render_template("public/error.html", title=title, message=message)
            response = Response(body, mimetype="text/html")
    response.status_code = status
    response.headers.extend(headers)
    return response
