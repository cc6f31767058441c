"""Every cookie the staff site sets or clears carries the same attributes (a clear that does
not match the set may be ignored by the browser)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from lianping.admin.auth import csrf
from lianping.app import create_app
from lianping.config import Settings
from lianping.context import Context
from tests.admin_support import PASSWORD, SESSION_COOKIE, staff

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
ATTRIBUTES = ("Path=/", "HttpOnly", "SameSite=Lax", "Secure")


def _attributes(response: Any) -> dict[str, set[str]]:
    """Each cookie the response sets or clears, with the attributes above it carries."""
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        parts = [part.strip() for part in header.split(";")]
        found[parts[0].split("=")[0]] = {a for a in ATTRIBUTES if a in parts}
    return found


def test_set_and_cleared_alike_over_https(ctx: Context, settings: Settings) -> None:
    staff(ctx, "chief", "supervisor")  # signs in by password alone
    app = create_app(dataclasses.replace(settings, public_base_url="https://lianping.example"))
    client = app.test_client()
    form = client.get("/admin/login")
    found = CSRF.search(form.get_data(as_text=True))
    assert found is not None
    login = client.post(
        "/admin/login",
        data={"csrf_token": found.group(1), "username": "chief", "password": PASSWORD},
    )
    assert login.status_code == 302
    logout = client.post("/admin/logout", data={"csrf_token": _csrf_of(client)})
    every = set(ATTRIBUTES)
    assert _attributes(form) == {csrf.PRE_SESSION_COOKIE: every}
    assert _attributes(login) == {SESSION_COOKIE: every, csrf.PRE_SESSION_COOKIE: every}
    assert _attributes(logout)[SESSION_COOKIE] == every


def _csrf_of(client: Any) -> str:
    page = client.get("/admin/account")
    found = CSRF.search(page.get_data(as_text=True))
    assert found is not None
    return found.group(1)
