"""Every route refuses anonymous access unless it is deliberately public; roles are enforced."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from lianping.admin.auth import is_public
from lianping.context import Context
from lianping.storage.models import AuditEntry, Unit
from tests.admin_support import logged_in, staff

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def dummy_path(rule: Any) -> str:
    """The rule's URL with placeholder values for its arguments."""
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        kind = type(converter).__name__
        if kind == "IntegerConverter":
            values[name] = 1
        elif kind == "FloatConverter":
            values[name] = 1.0
        elif kind == "UUIDConverter":
            values[name] = "00000000-0000-0000-0000-000000000001"
        elif kind == "AnyConverter":
            values[name] = converter.items[0]
        else:
            values[name] = "1151121001"
    return str(rule.build(values, append_unknown=False)[1])


def all_routes(app: Any) -> list[tuple[str, str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in METHODS:
            if method in (rule.methods or ()):
                found.append((rule.endpoint, method, dummy_path(rule)))
    return found


def test_every_non_public_route_refuses_anonymous_access(app: Any, ctx: Context) -> None:
    client = app.test_client()
    checked = 0
    for endpoint, method, path in all_routes(app):
        if is_public(endpoint, method):
            continue
        response = client.open(path, method=method)
        status = response.status_code
        where = f"{method} {path} ({endpoint}) → {status}"
        assert status in (302, 401, 403, 405), where
        if status == 302:
            assert response.headers["Location"].startswith("/admin/login?next="), where
        if path.startswith("/api/"):
            assert status == 401, where
        checked += 1
    assert checked >= 10  # the settings pages alone give more


def test_only_the_intended_endpoints_are_public(app: Any) -> None:
    public = {endpoint for endpoint, method, _ in all_routes(app) if is_public(endpoint, method)}
    allowed = {"webhook.callback", "auth.login", "static", "admin.static", "health"}
    allowed |= {"second_step.code", "second_step.enrol"}
    assert public <= allowed | {e for e in public if e.startswith("public.")} | {
        e for e in public if e.startswith(("site.", "open311."))
    }
    # The public site (清廉共同監督專區) and Open311 only read: nothing there takes a POST.
    opened = [(e, m) for e, m, _ in all_routes(app) if e.startswith(("site.", "open311."))]
    assert opened and {m for _, m in opened} <= {"GET", "HEAD", "OPTIONS"}
    assert not is_public("health", "POST")
    assert not is_public(None, "GET")


def test_unknown_paths_need_a_login_too(client: Any, ctx: Context) -> None:
    response = client.get("/admin/no-such-page")
    assert response.status_code == 302
    assert client.post("/admin/no-such-page").status_code == 401
    assert client.post("/healthz").status_code == 401


def test_the_api_wants_a_bearer_token_not_a_cookie(app: Any, ctx: Context) -> None:
    admin = staff(ctx, "chief", "admin")
    client, csrf = logged_in(app, ctx, admin)
    assert client.get("/admin/settings/units").status_code == 200  # the cookie is good
    paths = [path for _, method, path in all_routes(app) if path.startswith("/api/")]
    paths += ["/api/v1/cases", "/api/anything"]
    for path in paths:
        for headers in ({}, {"X-CSRF-Token": csrf}, {"Authorization": "Basic Y2hpZWY6eA=="}):
            response = client.get(path, headers=headers)
            assert response.status_code == 401, path
            body = response.get_json()
            assert body["error"]["code"] == "unauthorized" and body["error"]["message"]
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    bad = client.get("/api/v1/cases", headers={"Authorization": "Bearer lp_not-a-token"})
    assert bad.status_code == 401


SETTINGS_PAGES = [
    "/admin/settings/units",
    "/admin/settings/agencies",
    "/admin/settings/templates",
    "/admin/settings/texts",
    "/admin/settings/privacy",
    "/admin/settings/users",
    "/admin/audit",
]


@pytest.mark.parametrize("role", ["viewer", "officer", "supervisor"])
def test_settings_and_audit_are_for_administrators_only(app: Any, ctx: Context, role: str) -> None:
    user = staff(ctx, f"{role}1", role, ethics=True)
    client, csrf = logged_in(app, ctx, user)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("settings."):
            continue
        path = dummy_path(rule)
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            response = client.open(path, method=method, data={"csrf_token": csrf})
            assert response.status_code == 403, (method, path)
            checked += 1
    assert checked >= 2 * len(SETTINGS_PAGES)  # each page is read and posted to, at least
    for path in SETTINGS_PAGES:
        response = client.get(path)
        assert response.status_code == 403
        text = response.get_data(as_text=True)
        assert "沒有權限" in text and "僅系統管理者可執行" in text
        assert client.get(path, headers={"Accept": "application/json"}).get_json() == {
            "error": {"code": "forbidden", "message": "僅系統管理者可執行"}
        }
    posted = client.post(
        "/admin/settings/units", data={"csrf_token": csrf, "action": "add", "name": "民政課"}
    )
    assert posted.status_code == 403
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Unit)) == 0
        assert session.scalar(select(func.count()).where(AuditEntry.action == "unit.create")) == 0


def test_administrators_reach_every_settings_page(app: Any, ctx: Context) -> None:
    admin = staff(ctx, "chief", "admin")
    client, _ = logged_in(app, ctx, admin)
    for path in SETTINGS_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert re.search(r"<h1>[^<]+</h1>", html), path
        # Every visible form control has a label.
        ids = set(
            re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', html)
        )
        labelled = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
        controls = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*>', html)
        assert len(ids) == len(controls), path  # every control has an id …
        assert ids <= labelled, (path, ids - labelled)  # … and a label for it
    assert client.get("/admin/settings/").headers["Location"].endswith("/admin/settings/units")
