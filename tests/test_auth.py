"""Login, logout, sessions, throttling, cookies, redirects, CSRF and the account CLI."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from werkzeug.routing.converters import NumberConverter

from lianping.admin.auth import PUBLIC_ENDPOINTS, throttle
from lianping.app import create_app
from lianping.config import Settings
from lianping.context import Context
from lianping.services import accounts
from lianping.storage.models import AuditEntry, Base, Setting, User, WebSession, utcnow
from lianping_dev.redis_server import free_port
from tests.admin_support import PASSWORD, SESSION_COOKIE, logged_in, staff
from tests.support import LIANPING

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BAD_CREDENTIALS = "帳號或密碼不正確"


@pytest.fixture(autouse=True)
def no_throttle_left(ctx: Context) -> None:
    """Each test starts with no failed logins counted for any address."""
    for key in ctx.redis.scan_iter(throttle.KEY_PREFIX + "*"):
        ctx.redis.delete(key)


def login_token(client: Any) -> str:
    page = client.get("/admin/login")
    assert page.status_code == 200
    found = CSRF.search(page.get_data(as_text=True))
    assert found, "the login form carries a CSRF field"
    return found.group(1)


def post_login(
    client: Any, username: str, password: str, *, next_url: str | None = None, ip: str = "10.1.1.1"
) -> Any:
    data = {"csrf_token": login_token(client), "username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/admin/login", data=data, environ_base={"REMOTE_ADDR": ip})


def error_text(response: Any) -> str:
    found = re.search(r'class="lp-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return found.group(1) if found else ""


def cookie_header(response: Any, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    assert headers, f"no {name} cookie set"
    return headers[0]


# -- login ----------------------------------------------------------------------------------


def test_login_opens_a_session_and_goes_to_the_admin_home(app: Any, ctx: Context) -> None:
    staff(ctx, "chief", "supervisor")  # password only: no second factor required
    client = app.test_client()
    response = post_login(client, "chief", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/account").status_code == 200
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 1
        user = session.scalar(select(User).where(User.username == "chief"))
        assert user is not None and user.last_login_at is not None
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "auth.login" in actions


def test_wrong_password_and_unknown_user_get_the_same_answer(app: Any, ctx: Context) -> None:
    staff(ctx, "clerk")
    wrong = post_login(app.test_client(), "clerk", "not the password")
    unknown = post_login(app.test_client(), "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert BAD_CREDENTIALS in error_text(wrong)
    assert error_text(wrong) == error_text(unknown)
    assert "不存在" not in wrong.get_data(as_text=True)
    assert post_login(app.test_client(), "clerk", "").status_code == 400


def test_five_failures_lock_the_account_even_for_the_right_password(app: Any, ctx: Context) -> None:
    staff(ctx, "clerk")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert post_login(app.test_client(), "clerk", "guess guess guess").status_code == 401
    locked = post_login(app.test_client(), "clerk", PASSWORD)
    assert locked.status_code == 401
    assert BAD_CREDENTIALS in error_text(locked)  # the same words: no hint the account exists
    assert SESSION_COOKIE not in locked.headers.get("Set-Cookie", "")
    with ctx.sessions() as session:
        assert accounts.is_locked(session, "clerk")
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "user.lock"))
    # Fifteen minutes later the right password works again.
    with ctx.sessions.begin() as session:
        session.execute(
            update(User)
            .where(User.username == "clerk")
            .values(locked_until=utcnow() - timedelta(seconds=1))
        )
    assert post_login(app.test_client(), "clerk", PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_are_answered_429(app: Any, ctx: Context) -> None:
    staff(ctx, "clerk")
    client = app.test_client()
    for attempt in range(throttle.MAX_FAILURES):
        response = post_login(client, f"nobody{attempt}", "wrong password", ip="10.9.9.9")
        assert response.status_code == 401
    refused = post_login(client, "clerk", PASSWORD, ip="10.9.9.9")
    assert refused.status_code == 429
    assert "登入失敗次數過多" in error_text(refused)
    assert 0 < ctx.redis.ttl(throttle.KEY_PREFIX + "10.9.9.9") <= throttle.WINDOW_SECONDS
    # Another address is not affected, and the account itself is not locked.
    assert post_login(app.test_client(), "clerk", PASSWORD, ip="10.9.9.10").status_code == 302


def test_without_redis_the_account_lockout_still_applies(settings: Settings, ctx: Context) -> None:
    dead = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    app = create_app(dead)
    staff(ctx, "clerk")
    assert post_login(app.test_client(), "clerk", PASSWORD).status_code == 302
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert post_login(app.test_client(), "clerk", "wrong password").status_code == 401
    assert post_login(app.test_client(), "clerk", PASSWORD).status_code == 401


# -- sessions -------------------------------------------------------------------------------


def test_logout_deletes_the_session_and_the_old_cookie_stops_working(
    app: Any, ctx: Context
) -> None:
    user = staff(ctx, "chief", "admin")
    client, token = logged_in(app, ctx, user)
    cookie = client.get_cookie(SESSION_COOKIE).value
    assert client.get("/admin/settings/units").status_code == 200

    assert client.post("/admin/logout").status_code == 400  # no CSRF token: still signed in
    assert client.get("/admin/settings/units").status_code == 200

    response = client.post("/admin/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")
    assert "Max-Age=0" in cookie_header(response, SESSION_COOKIE)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0

    replay = app.test_client()
    replay.set_cookie(SESSION_COOKIE, cookie)
    again = replay.get("/admin/settings/units")
    assert again.status_code == 302
    assert again.headers["Location"].startswith("/admin/login")


def test_an_expired_session_is_refused(app: Any, ctx: Context) -> None:
    user = staff(ctx, "chief", "admin")
    client, _ = logged_in(app, ctx, user)
    assert client.get("/admin/settings/units").status_code == 200
    with ctx.sessions.begin() as session:
        session.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = client.get("/admin/settings/units")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login?next=/admin/settings/units"
    assert client.post("/admin/settings/units", data={}).status_code == 401


def test_session_lifetime_is_bounded(app: Any, ctx: Context) -> None:
    user = staff(ctx, "chief", "admin")
    logged_in(app, ctx, user)
    with ctx.sessions() as session:
        web = session.scalars(select(WebSession)).one()
        assert web.expires_at - web.created_at == accounts.SESSION_LIFETIME


def test_session_cookie_flags(app: Any, ctx: Context, settings: Settings) -> None:
    staff(ctx, "chief", "supervisor")
    header = cookie_header(post_login(app.test_client(), "chief", PASSWORD), SESSION_COOKIE)
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Path=/" in header
    assert "Secure" not in header  # the test base URL is http

    https_app = create_app(
        dataclasses.replace(settings, public_base_url="https://lianping.example")
    )
    secure = cookie_header(post_login(https_app.test_client(), "chief", PASSWORD), SESSION_COOKIE)
    assert "Secure" in secure and "HttpOnly" in secure and "SameSite=Lax" in secure


def test_anonymous_pages_redirect_to_login_with_next(client: Any, ctx: Context) -> None:
    response = client.get("/admin/audit?target=1151121001")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login?next=/admin/audit?target%3D1151121001"
    api_like = client.get("/admin/audit", headers={"Accept": "application/json"})
    assert api_like.status_code == 401
    assert api_like.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/admin/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/admin/\r\nSet-Cookie: x=1",
        "admin/settings",
    ],
)
def test_next_must_be_a_local_path(app: Any, ctx: Context, target: str) -> None:
    staff(ctx, "chief", "supervisor")
    response = post_login(app.test_client(), "chief", PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_next_local_path_is_followed(app: Any, ctx: Context) -> None:
    staff(ctx, "chief", "supervisor")
    response = post_login(app.test_client(), "chief", PASSWORD, next_url="/admin/audit?action=x")
    assert response.headers["Location"] == "/admin/audit?action=x"


# -- CSRF -----------------------------------------------------------------------------------


def _dummy_path(rule: Any) -> str:
    values: dict[str, Any] = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        # By kind, not name: the app's <int:…> is its own RowIdConverter.
        numeric = isinstance(rule._converters[name], NumberConverter)
        values[name] = 1 if numeric else "x"
        if converter == "UUIDConverter":
            values[name] = "00000000-0000-0000-0000-000000000001"
        if converter == "AnyConverter":
            values[name] = rule._converters[name].items[0]
    return str(rule.build(values, append_unknown=False)[1])


def _row_counts(ctx: Context) -> dict[str, Any]:
    with ctx.sessions() as session:
        counts: dict[str, Any] = {
            table.name: session.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }
        counts["settings_values"] = sorted(
            (row.key, repr(row.value)) for row in session.scalars(select(Setting))
        )
        counts["users"] = sorted(
            (u.username, u.active, u.password_hash, u.role) for u in session.scalars(select(User))
        )
    return counts


def test_every_unsafe_route_refuses_a_request_without_a_valid_csrf_token(
    app: Any, ctx: Context
) -> None:
    admin = staff(ctx, "chief", "admin")
    client, token = logged_in(app, ctx, admin)
    client.get("/admin/settings/privacy")  # writes version 1 of the notice before counting
    before = _row_counts(ctx)
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "webhook.callback" or rule.rule.startswith("/api"):
            continue
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
            path = _dummy_path(rule)
            data = {"action": "add", "name": "CSRF測試", "value": "5", "body": "x", "id": "1"}
            missing = client.open(path, method=method, data=data)
            assert missing.status_code == 400, (method, path, missing.status_code)
            assert "表單驗證碼" in missing.get_data(as_text=True)
            forged = client.open(path, method=method, data={**data, "csrf_token": token + "x"})
            assert forged.status_code == 400, (method, path)
            header = client.open(path, method=method, data=data, headers={"X-CSRF-Token": "bad"})
            assert header.status_code == 400, (method, path)
            checked.append(f"{method} {rule.rule}")
    assert "POST /admin/logout" in checked and "POST /admin/settings/units" in checked
    assert _row_counts(ctx) == before
    # The right token in the field or the header is accepted.
    ok = client.post(
        "/admin/settings/units", data={"action": "add", "name": "政風室", "csrf_token": token}
    )
    assert ok.status_code == 302
    by_header = client.post(
        "/admin/settings/agencies",
        data={"action": "add", "name": "臺北市政府工務局"},
        headers={"X-CSRF-Token": token},
    )
    assert by_header.status_code == 302


def test_login_form_needs_its_pre_session_token(app: Any, ctx: Context) -> None:
    staff(ctx, "chief", "admin")
    client = app.test_client()
    client.get("/admin/login")
    data = {"username": "chief", "password": PASSWORD}
    no_token = client.post("/admin/login", data=data)
    assert no_token.status_code == 400
    assert "表單驗證碼" in error_text(no_token)
    # A token signed for another browser's cookie value does not fit this browser's cookie.
    other = app.test_client()
    foreign = login_token(other)
    assert client.post("/admin/login", data={**data, "csrf_token": foreign}).status_code == 400
    # A token without its cookie is refused too.
    bare = app.test_client()
    assert bare.post("/admin/login", data={**data, "csrf_token": foreign}).status_code == 400
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    assert (
        client.post("/admin/login", data={**data, "csrf_token": login_token(client)}).status_code
        == 302
    )


def test_public_routes_stay_public(client: Any, ctx: Context) -> None:
    second_step = {"second_step.code", "second_step.enrol"}
    assert {"webhook.callback", "auth.login", "static", "admin.static"} | second_step >= set(
        PUBLIC_ENDPOINTS
    )
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login").status_code == 200
    # The webhook answers LINE itself: no login, no CSRF (its signature protects it).
    assert client.post("/callback", data=b"{}").status_code == 400


# -- CLI ------------------------------------------------------------------------------------


def _run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LIANPING, *args], input=stdin, env=env, capture_output=True, text=True, timeout=120
    )


def test_cli_creates_users_and_tokens(app: Any, ctx: Context, env: dict[str, str]) -> None:
    made = _run(
        env, "create-user", "clerk", "--role", "officer", "--ethics", "--display-name", "王承辦",
        stdin="a long enough password\n",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    with ctx.sessions.begin() as session:
        user = accounts.authenticate(session, "clerk", "a long enough password")
        assert user is not None
        assert (user.role, user.ethics, user.display_name) == ("officer", True, "王承辦")

    duplicate = _run(env, "create-user", "clerk", "--role", "officer", stdin="another password 1\n")
    assert duplicate.returncode != 0 and "已存在" in duplicate.stderr
    short = _run(env, "create-user", "short", "--role", "viewer", stdin="short\n")
    assert short.returncode != 0 and "密碼至少需" in short.stderr
    bad_role = _run(env, "create-user", "x", "--role", "boss", stdin="long enough password\n")
    assert bad_role.returncode != 0 and "角色" in bad_role.stderr

    issued = _run(env, "create-token", "clerk", "--name", "報表匯出")
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    assert token.startswith("lp_")
    with ctx.sessions.begin() as session:
        owner = accounts.token_user(session, token)
        assert owner is not None and owner.username == "clerk"
    # The token opens the API (any GET route without arguments the API offers).
    api_rules = [
        r for r in app.url_map.iter_rules()
        if r.rule.startswith("/api/") and "GET" in (r.methods or ()) and not r.arguments
    ]  # fmt: skip
    assert len(api_rules) >= 3
    for rule in api_rules[:3]:
        response = app.test_client().get(rule.rule, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, rule.rule
    unknown = _run(env, "create-token", "nobody")
    assert unknown.returncode != 0 and "找不到帳號" in unknown.stderr
