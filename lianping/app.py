"""The web application factory (webhook, admin, health)."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix

from lianping import admin
from lianping.config import Settings
from lianping.context import Context
from lianping.web.callback import blueprint as webhook_blueprint
from lianping.web.public import blueprint as public_blueprint


def create_app(settings: Settings | None = None) -> Flask:
    """Build the web app from ``settings`` (default: the environment)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    ctx = Context(settings or Settings.from_env())
    app = Flask(__name__)
    # Behind the platform's one reverse proxy: client address and scheme come from it.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]
    app.extensions["lianping"] = ctx
    app.config["SECRET_KEY"] = ctx.settings.secret_key
    app.register_blueprint(webhook_blueprint)
    app.register_blueprint(public_blueprint)
    admin.init_app(app)

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
