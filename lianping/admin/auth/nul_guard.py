"""Refuse staff input that holds NUL characters, which PostgreSQL text cannot store.

Without this a form field or query value carrying ``\\x00`` would reach the database
and fail there as a 500; staff get a clear 400 instead and nothing changes. (The API
checks its own queries and bodies, ``api.validation``; residents' LINE messages never
get here: the conversation engine drops NULs.)
"""

from __future__ import annotations

from flask import Response, request

from lianping.admin.auth.guard import error_page

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MESSAGE = "輸入內容含有無法儲存的控制字元（NUL），請移除後再送出。"


def refuse_nul_input() -> Response | None:
    """Before-request hook: 400 for an admin page's query or form value holding a NUL."""
    if not request.path.startswith("/admin"):
        return None
    values: list[str] = [*request.args.values()]
    if request.method == "POST" and request.mimetype in FORM_TYPES:
        values += request.form.values()
    if any("\x00" in value for value in values):
        return error_page(400, "無法處理的輸入", MESSAGE)
    return None
