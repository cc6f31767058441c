"""The staff JSON API ``/api/v1``, over the same service functions as the admin pages.

- ``operations``: the one table of operations (path, schemas, access, view);
- ``schemas``: request/response JSON Schemas, enums from ``lianping.codes``;
- ``openapi``: ``GET /api/v1/openapi.json``, generated from the two above;
- ``validation``: bodies and query strings checked against those same schemas;
- ``views``: thin views (validated input → service → one commit → deliveries → JSON);
- ``errors``: the error model (codes, statuses, zh-TW messages).

Authentication (bearer token → ``g.actor``) is ``lianping.admin.auth``'s hook.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from lianping.admin.api import openapi
from lianping.admin.api.errors import ApiError, code_for_status
from lianping.admin.api.operations import OPERATIONS, REVEAL, WRITE, Operation
from lianping.admin.api.operations import allowed_methods as _allowed_methods
from lianping.admin.api.validation import read_body, read_query
from lianping.admin.auth import current_actor
from lianping.services.access import PermissionDenied
from lianping.services.casework import CaseworkError, LifecycleConflict

log = logging.getLogger(__name__)

blueprint = Blueprint("api", __name__, url_prefix="/api")


def _respond(payload: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    response = jsonify(payload)
    response.status_code = status
    response.headers.update(headers or {})
    return response


def _endpoint(op: Operation) -> Callable[..., Response]:
    """Authorize, read and validate the request as the table says, then call the view."""

    def handle(**path: str) -> Response:
        actor = current_actor()
        if op.access == WRITE and not actor.can_write:
            raise ApiError("forbidden", "檢視者無法變更資料")
        if op.access == REVEAL and not actor.can_reveal:
            raise ApiError("forbidden", "您的角色無法檢視個人資料")
        kwargs: dict[str, Any] = dict(path)
        if op.body:
            kwargs["body"] = read_body(op.body, optional=op.body_optional)
        if op.query:
            kwargs["query"] = read_query(op.operation_id, op.query, request.args)
            kwargs["args"] = request.args
        payload = op.view(actor, **kwargs) if op.view else openapi.document()
        if isinstance(payload, Response):  # a file (a report as ODS, XLSX or CSV)
            return payload
        headers: dict[str, str] = {}
        if isinstance(payload, tuple):
            payload, headers = payload
        return _respond(payload, op.status, headers)

    handle.__name__ = op.operation_id
    handle.__doc__ = op.summary
    return handle


def _not_found(rest: str = "") -> Response:
    """Unknown paths under /api/ (and known paths with a wrong method) answer JSON too."""
    allowed = _allowed_methods(request.path)
    if allowed:
        raise ApiError(
            "method_not_allowed",
            f"此路徑僅支援 {', '.join(allowed)}",
            headers={"Allow": ", ".join(allowed)},
        )
    raise ApiError("not_found", f"找不到 API 路徑 {request.path}")


def _api_error(error: ApiError) -> Response:
    return _respond(error.body(), error.status, error.headers)


def _permission_denied(error: PermissionDenied) -> Response:
    return _api_error(ApiError("forbidden", str(error) or None))


def _casework_error(error: CaseworkError) -> Response:
    return _api_error(ApiError("unprocessable", str(error) or None))


def _lifecycle_conflict(error: LifecycleConflict) -> Response:
    details = {"status": error.status, "requested": error.requested, "allowed": error.allowed}
    return _api_error(ApiError("lifecycle_conflict", str(error), details=details))


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    code = code_for_status(status)
    message = error.description if status == 401 else None
    answer = ApiError(code, message)
    answer.status = status
    return _api_error(answer)


def _unexpected(error: Exception) -> Response:
    log.exception("API error on %s %s", request.method, request.path)
    return _api_error(ApiError("internal_error"))


def _no_store(response: Response) -> Response:
    # Case data is personal data: never cached by browsers or proxies.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


for _op in OPERATIONS:
    blueprint.add_url_rule(
        _op.rule.removeprefix("/api"),
        endpoint=_op.operation_id,
        view_func=_endpoint(_op),
        methods=[_op.method],
    )
_ANY = ["GET", "POST", "PUT", "PATCH", "DELETE"]
blueprint.add_url_rule("/", endpoint="not_found", view_func=_not_found, methods=_ANY)
blueprint.add_url_rule("/<path:rest>", endpoint="not_found", view_func=_not_found, methods=_ANY)
blueprint.register_error_handler(ApiError, _api_error)
blueprint.register_error_handler(PermissionDenied, _permission_denied)
blueprint.register_error_handler(CaseworkError, _casework_error)
blueprint.register_error_handler(LifecycleConflict, _lifecycle_conflict)
blueprint.register_error_handler(HTTPException, _http_error)
blueprint.register_error_handler(Exception, _unexpected)
blueprint.after_request(_no_store)


def init_app(app: Flask) -> None:
    """Register ``/api/v1`` (its access rule is the auth hook's: a bearer token)."""
    app.register_blueprint(blueprint)
