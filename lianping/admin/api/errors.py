"""The API's error model: one JSON shape, stable codes, zh-TW messages.

Every error answers ``{"error": {"code": ..., "message": ..., "details"?: ...}}``:

| status | code | when |
|---|---|---|
| 400 | ``invalid_json`` | not JSON, not UTF-8, NaN/Infinity or unpaired surrogates |
| 400 | ``validation_error`` | breaks its schema: unknown field, wrong type, length, enum… |
| 400 | ``invalid_query`` | unknown query parameter or bad value (incl. ``cursor``) |
| 401 | ``unauthorized`` | no valid bearer token (answered by ``lianping.admin.auth``) |
| 403 | ``forbidden`` | the role may not do this (viewers write nothing; viewers reveal nothing) |
| 404 | ``not_found`` | no such case or path; also a 檢舉 (tip) case for staff without ``ethics`` |
| 405 | ``method_not_allowed`` | the path exists, the method does not |
| 409 | ``lifecycle_conflict`` | the case's status does not allow the move (DESIGN.md lifecycle) |
| 413 | ``payload_too_large`` | the body is over 256 KB (``validation.MAX_BODY``) |
| 415 | ``unsupported_media_type`` | a body that is not ``application/json`` |
| 422 | ``unprocessable`` | well-formed, but casework rules refuse it (unknown unit, blank text…) |
| 500 | ``internal_error`` | a bug; never for bad input |
| 503 | ``line_unavailable`` | LINE could not be asked (its quota, before a send); try again later |
"""

from __future__ import annotations

from typing import Any

ERRORS: dict[str, tuple[int, str]] = {
    "invalid_json": (400, "請求內容不是有效的 JSON"),
    "validation_error": (400, "請求內容不符格式"),
    "invalid_query": (400, "查詢參數不正確"),
    "unauthorized": (401, "請提供有效的存取權杖"),
    "forbidden": (403, "您沒有執行此操作的權限"),
    "not_found": (404, "找不到指定的資源"),
    "method_not_allowed": (405, "此路徑不支援這個 HTTP 方法"),
    "lifecycle_conflict": (409, "案件目前的狀態不允許這項操作"),
    "report_changed": (409, "彙報表內容在核對後已有異動，本次未送出"),
    "payload_too_large": (413, "請求內容過大"),
    "unsupported_media_type": (415, "請求內容須為 application/json"),
    "unprocessable": (422, "無法處理這項請求"),
    "internal_error": (500, "系統發生錯誤，請稍後再試"),
    "line_unavailable": (503, "目前無法連線 LINE 平臺，請稍後再試"),
}

STATUS_CODES: dict[int, list[str]] = {}
for _code, (_status, _) in ERRORS.items():
    STATUS_CODES.setdefault(_status, []).append(_code)


class ApiError(Exception):
    """An error answer; raise it anywhere in a view."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        status, default = ERRORS[code]
        super().__init__(message or default)
        self.code = code
        self.status = status
        self.message = message or default
        self.details = details
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"error": error}


def code_for_status(status: int) -> str:
    """The error code of an HTTP status raised by Werkzeug (413, 405…)."""
    codes = STATUS_CODES.get(status)
    if codes:
        return codes[0]
    return "internal_error" if status >= 500 else "validation_error"
