"""What every fake Messaging API call goes through: auth, faults, request ids, the call log.

The route modules (``api_messaging``, ``api_resources``, ``api_richmenu``) use the helpers
here to answer exactly as LINE does: JSON error bodies ``{"message", "details"?}``.
"""

from __future__ import annotations

import hmac
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException

from lianping_dev.simulator import ids
from lianping_dev.simulator.line_rules import Detail
from lianping_dev.simulator.state import state

API_PREFIX = "/v2/"
AUTH_FAILED = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)
INVALID_RETRY_KEY = "The value for the 'X-Line-Retry-Key' header is invalid"
RETRY_KEY_ACCEPTED = "The retry key is already accepted"
_LOGGED_HEADERS = ("Content-Type", "X-Line-Retry-Key", "User-Agent")


class ApiError(Exception):
    """Answer the current call with ``status`` and LINE's error body."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, **extra}


def invalid(found: list[Detail]) -> ApiError:
    """The 400 LINE answers for a body with validation errors, one ``details`` item each."""
    details = [{"message": d.message, "property": d.property} for d in found]
    return ApiError(400, f"The request body has {len(found)} error(s)", details=details)


def json_body() -> Any:
    """The parsed JSON body; 400 when it is missing or malformed."""
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The request body could not be parsed as JSON")
    return body


def retry_key() -> str | None:
    """The ``X-Line-Retry-Key`` header, which must be a UUID when present."""
    key = request.headers.get("X-Line-Retry-Key")
    if key is None:
        return None
    if not ids.is_uuid(key):
        raise ApiError(400, INVALID_RETRY_KEY)
    return key


def conflict(accepted_request_id: str, sent_messages: list[dict[str, str]] | None) -> Response:
    """The 409 for a retry key already accepted, pointing at the first request."""
    body: dict[str, Any] = {"message": RETRY_KEY_ACCEPTED}
    if sent_messages is not None:
        body["sentMessages"] = sent_messages
    response = jsonify(body)
    response.status_code = 409
    response.headers["x-line-accepted-request-id"] = accepted_request_id
    return response


def request_id() -> str:
    """The ``x-line-request-id`` of the current call."""
    return g.line_request_id


def install(app: Flask) -> None:
    """Wrap every ``/v2/`` route of ``app`` with LINE's cross-cutting behaviour."""

    @app.before_request
    def _before() -> Response | None:
        if not request.path.startswith(API_PREFIX):
            return None
        g.line_request_id = ids.request_id()
        sim = state()
        sim.store.call_started(request.path)
        g.line_call_counted = True
        delay = sim.faults.latency_s(request.path)
        if delay:
            time.sleep(delay)
        header = request.headers.get("Authorization", "")
        expected = f"Bearer {sim.settings.access_token}"
        if not hmac.compare_digest(header.encode(), expected.encode()):
            return _error_response(ApiError(401, AUTH_FAILED))
        # Faults strike before the call is handled, so a failed call delivers nothing.
        fault = sim.faults.next_fault(request.path)
        if fault:
            return _error_response(ApiError(fault.status, fault.message))
        return None

    @app.after_request
    def _after(response: Response) -> Response:
        if not request.path.startswith(API_PREFIX):
            return response
        line_id = g.get("line_request_id") or ids.request_id()
        response.headers["x-line-request-id"] = line_id
        state().store.record_call(_call_record(response, line_id))
        return response

    @app.teardown_request
    def _ended(_error: BaseException | None) -> None:
        if g.pop("line_call_counted", False):
            state().store.call_ended(request.path)

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return _error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | HTTPException:
        # Unknown API paths and wrong methods answer in LINE's JSON shape, the rest as Flask does.
        if request.path.startswith(API_PREFIX):
            return _error_response(ApiError(error.code or 500, error.name))
        return error


def _error_response(error: ApiError) -> Response:
    response = jsonify(error.body)
    response.status_code = error.status
    return response


def _call_record(response: Response, line_id: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "method": request.method,
        "path": request.path,
        "query": request.args.to_dict(),
        "headers": {h: request.headers[h] for h in _LOGGED_HEADERS if h in request.headers},
        "json": request.get_json(silent=True) if request.is_json else None,
        "body_size": request.content_length or 0,
        "status": response.status_code,
        "request_id": line_id,
    }
    if response.is_json:
        record["response"] = response.get_json(silent=True)
    return record
