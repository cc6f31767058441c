"""One rule for odd characters in any request, before anything else reads it.

- A control character (NUL, C0, DEL, C1) in the path is a 404 everywhere — staff pages, the
  API, the public links, signed in or not: no route names such a path, and a path segment
  reaches the database as a token, a number or an id (PostgreSQL text cannot hold NUL, so
  ``/l/%00`` failed there as a 500). Checked before the access rule, so an anonymous caller
  gets the same 404 and not a login page.
- A NUL in a staff page's query or form value is a 400 in words and changes nothing, and so is
  one in a query of the public site or Open311 (their filters reach the database). (The API
  checks its own queries and bodies, ``api.validation``; residents' LINE messages never get
  here: the conversation engine drops NULs.)
"""

from __future__ import annotations

import re

from flask import Response, abort, request

from lianping.admin.auth.guard import error_page

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MESSAGE = "輸入內容含有無法儲存的控制字元（NUL），請移除後再送出。"
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def refuse_nul_input() -> Response | None:
    """Before-request hook: 404 for a path holding a control character, 400 for a staff
    page's query or form value holding a NUL."""
    if CONTROL.search(request.path):
        abort(404)
    if request.path.startswith(("/public/", "/open311/")):
        if any("\x00" in value for value in request.args.values()):
            abort(400)
        return None
    if not request.path.startswith("/admin"):
        return None
    values: list[str] = [*request.args.values()]
    if request.method == "POST" and request.mimetype in FORM_TYPES:
        values += request.form.values()
    if any("\x00" in value for value in values):
        return error_page(400, "無法處理的輸入", MESSAGE)
    return None
