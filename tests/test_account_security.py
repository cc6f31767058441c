"""Accounts an attacker cannot take: lockout and throttling that hold under parallel bursts,
ethics granted only by ethics administrators, strong passwords, the idle timeout, and the
client address and scheme behind a reverse proxy."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import threading
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from lianping.admin.auth import throttle
from lianping.app import create_app
from lianping.config import ConfigError, Settings
from lianping.context import Context
from lianping.services import accounts, passwords
from lianping.storage.models import AuditEntry, User, WebSession, utcnow
from tests.admin_support import PASSWORD, api_token, logged_in, staff
from tests.support import LIANPING
from tests.test_admin_pages import line_case

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
WEAK = ["aaaaaaaaaa", "1234567890", "password12", " " * 10]
STRONG = "薄霧中的紅色郵筒 river"


@pytest.fixture(autouse=True)
def no_throttle_left(ctx: Context) -> None:
    for key in ctx.redis.scan_iter(throttle.KEY_PREFIX + "*"):
        ctx.redis.delete(key)


def login_client(app: Any) -> tuple[Any, str]:
    """A browser that has opened the login page, and the form's CSRF token."""
    client = app.test_client()
    found = CSRF.search(client.get("/admin/login").get_data(as_text=True))
    assert found
    return client, found.group(1)


def post_login(app: Any, username: str, password: str, ip: str = "10.1.1.1", **kw: Any) -> Any:
    client, token = login_client(app)
    data = {"csrf_token": token, "username": username, "password": password}
    return client.post("/admin/login", data=data, environ_base={"REMOTE_ADDR": ip}, **kw)


def parallel_logins(app: Any, tries: list[tuple[str, str, str]]) -> Counter[int]:
    """(username, password, address) tries sent at once, one thread each; statuses counted."""
    ready = [login_client(app) for _ in tries]
    start = threading.Barrier(len(tries))
    statuses: list[int] = []

    def attempt(index: int) -> None:
        (client, token), (username, password, ip) = ready[index], tries[index]
        data = {"csrf_token": token, "username": username, "password": password}
        start.wait()
        response = client.post("/admin/login", data=data, environ_base={"REMOTE_ADDR": ip})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(tries))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(statuses) == len(tries)
    return Counter(statuses)


def stored(ctx: Context, username: str) -> User:
    with ctx.sessions() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        return user


def audit_count(ctx: Context, action: str) -> int:
    with ctx.sessions() as session:
        count = select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
        return int(session.scalar(count) or 0)


# -- lockout and throttling -----------------------------------------------------------------


def test_a_hundred_parallel_guesses_lock_the_account_after_exactly_the_limit(
    app: Any, ctx: Context
) -> None:
    staff(ctx, "target")
    tries = [("target", f"wrong guess {i}", f"10.40.{i // 50}.{i % 50 + 1}") for i in range(100)]
    assert parallel_logins(app, tries) == Counter({401: 100})
    user = stored(ctx, "target")
    assert user.failed_logins == accounts.MAX_FAILED_LOGINS
    assert user.locked_until is not None and user.locked_until > utcnow()
    assert audit_count(ctx, "user.lock") == 1
    # Not one try got through the lock: the right password is refused from a fresh address.
    assert post_login(app, "target", PASSWORD, ip="10.41.0.1").status_code == 401


def test_the_lock_comes_with_the_limit_th_failure_and_a_new_count_after_it(
    app: Any, ctx: Context
) -> None:
    staff(ctx, "target")
    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        assert post_login(app, "target", "a wrong password").status_code == 401
    user = stored(ctx, "target")
    assert (user.failed_logins, user.locked_until) == (accounts.MAX_FAILED_LOGINS - 1, None)
    assert post_login(app, "target", "a wrong password").status_code == 401
    assert stored(ctx, "target").locked_until is not None
    with ctx.sessions.begin() as session:
        ended = utcnow() - timedelta(seconds=1)
        session.execute(update(User).where(User.username == "target").values(locked_until=ended))
    assert post_login(app, "target", "a wrong password").status_code == 401
    assert (stored(ctx, "target").failed_logins, stored(ctx, "target").locked_until) == (1, None)
    assert post_login(app, "target", PASSWORD).status_code == 302
    assert stored(ctx, "target").failed_logins == 0


def test_a_parallel_burst_from_one_address_gets_exactly_its_limit(app: Any, ctx: Context) -> None:
    tries = [(f"nobody{i}", "a wrong password", "10.50.0.1") for i in range(40)]
    statuses = parallel_logins(app, tries)
    assert statuses == Counter({401: throttle.MAX_FAILURES, 429: 40 - throttle.MAX_FAILURES})
    assert 0 < ctx.redis.ttl(throttle.KEY_PREFIX + "10.50.0.1") <= throttle.WINDOW_SECONDS


def test_a_successful_login_does_not_count_against_its_address(app: Any, ctx: Context) -> None:
    staff(ctx, "clerk")
    for i in range(throttle.MAX_FAILURES - 1):
        assert post_login(app, f"nobody{i}", "a wrong password", ip="10.51.0.1").status_code == 401
    assert post_login(app, "clerk", PASSWORD, ip="10.51.0.1").status_code == 302
    assert post_login(app, "nobody", "a wrong password", ip="10.51.0.1").status_code == 401
    assert post_login(app, "clerk", PASSWORD, ip="10.51.0.1").status_code == 429


# -- ethics is granted only by ethics administrators ----------------------------------------


class Admin:
    def __init__(self, app: Any, ctx: Context, user: User) -> None:
        self.user = user
        self.client, self.csrf = logged_in(app, ctx, user)

    def users(self, **data: str) -> Any:
        return self.client.post("/admin/settings/users", data={"csrf_token": self.csrf, **data})


def accounts_state(ctx: Context) -> list[tuple[Any, ...]]:
    with ctx.sessions() as session:
        return [
            (u.username, u.role, u.ethics, u.head_of_ethics, u.active, u.password_hash,
             u.failed_logins, u.locked_until)
            for u in session.scalars(select(User).order_by(User.username))
        ]  # fmt: skip


def new_user(**fields: str) -> dict[str, str]:
    return {
        "action": "create", "username": "mole", "display_name": "內應", "role": "admin",
        "password": STRONG, "confirm": STRONG, **fields,
    }  # fmt: skip


def test_an_administrator_without_ethics_cannot_grant_or_take_over_ethics(
    app: Any, ctx: Context
) -> None:
    boss = Admin(app, ctx, staff(ctx, "boss", "admin"))
    ethics = staff(ctx, "inspector", "officer", ethics=True)
    plain = staff(ctx, "plain", "officer")
    tip = line_case(ctx, "Utipsecret", nature="tip", sub_item=None, description="收受回扣。")
    with ctx.sessions.begin() as session:
        session.execute(
            update(User).where(User.id == ethics.id).values(locked_until=utcnow() + timedelta(1))
        )
    # Deactivating is open to every administrator (it only takes access away) ...
    assert boss.users(action="deactivate", id=str(ethics.id)).status_code == 302
    attempts = [
        ("create", new_user(ethics="1")),
        ("role", {"action": "role", "id": str(plain.id), "role": "officer", "ethics": "1"}),
        ("role", {"action": "role", "id": str(ethics.id), "role": "supervisor", "ethics": "1"}),
        ("role", {"action": "role", "id": str(ethics.id), "role": "officer"}),
        ("head_of_ethics", {"action": "head_of_ethics", "id": str(ethics.id),
                            "head_of_ethics": "1"}),
        ("password", {"action": "password", "id": str(ethics.id), "password": STRONG,
                      "confirm": STRONG}),
        # ... bringing the account back is not, nor lifting its lock.
        ("activate", {"action": "activate", "id": str(ethics.id)}),
        ("unlock", {"action": "unlock", "id": str(ethics.id)}),
    ]  # fmt: skip
    before = accounts_state(ctx)
    for _, form in attempts:
        refused = boss.users(**form)
        assert refused.status_code == 400, form
        assert "只有具政風人員身分的系統管理者" in refused.get_data(as_text=True), form
        assert accounts_state(ctx) == before, form
    with ctx.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.refused").order_by(AuditEntry.id)
        ).all()
    assert [e.after["attempted"] for e in entries] == [a for a, _ in attempts]
    assert {e.actor for e in entries} == {"boss"}
    assert entries[0].target_id == "mole" and entries[1].target_id == str(plain.id)
    # What needs no ethics still works for this administrator.
    assert boss.users(**new_user(username="helper", role="officer")).status_code == 302
    reset = {"action": "password", "id": str(plain.id), "password": STRONG, "confirm": STRONG}
    assert boss.users(**reset).status_code == 302
    # No path opens the tip to them: the page and the API answer as for no such case.
    assert boss.client.get(f"/admin/cases/{tip}").status_code == 404
    api = app.test_client().get(f"/api/v1/cases/{tip}", headers=api_token(ctx, boss.user))
    assert api.status_code == 404
    # An administrator who is ethics staff may do each of these.
    chief = Admin(app, ctx, staff(ctx, "chief", "admin", ethics=True))
    for _, form in attempts[:2] + attempts[:4:-1]:  # unlock before the reset that also unlocks
        assert chief.users(**form).status_code == 302, form
    assert stored(ctx, "mole").ethics and stored(ctx, "plain").ethics
    assert post_login(app, "inspector", STRONG).status_code == 302


def test_the_command_line_still_creates_the_first_ethics_administrator(
    ctx: Context, env: dict[str, str]
) -> None:
    made = subprocess.run(
        [LIANPING, "create-user", "founder", "--role", "admin", "--ethics"],
        input=STRONG + "\n", env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert stored(ctx, "founder").ethics


# -- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", WEAK)
def test_guessable_passwords_are_refused_with_what_would_be_accepted(weak: str) -> None:
    with pytest.raises(accounts.AccountError) as refused:
        accounts.check_password(weak)
    assert "容易被猜中" in str(refused.value) and "數個不相關的詞語" in str(refused.value)


def test_the_common_list_is_shipped_and_read_once() -> None:
    common = passwords.common_passwords()
    assert common is passwords.common_passwords()
    assert len(common) > 1500 and "1234567890" in common and "woaini1314" in common
    # One zxcvbn does not know, refused by the list alone.
    assert passwords.weakness("ji32k7au4a83") == passwords.TOO_COMMON
    assert passwords.weakness(STRONG) is None
    assert passwords.weakness("inspector2024", ["inspector"]) == passwords.TOO_WEAK


def test_weak_passwords_are_refused_on_the_pages_and_the_command_line(
    app: Any, ctx: Context, env: dict[str, str]
) -> None:
    chief = Admin(app, ctx, staff(ctx, "chief", "admin", ethics=True))
    clerk = staff(ctx, "clerk")
    before = accounts_state(ctx)
    for weak in WEAK:
        created = chief.users(**new_user(password=weak, confirm=weak))
        reset = chief.users(action="password", id=str(clerk.id), password=weak, confirm=weak)
        for refused in (created, reset):
            assert refused.status_code == 400, weak
            assert "容易被猜中" in refused.get_data(as_text=True), weak
    assert accounts_state(ctx) == before
    cli = subprocess.run(
        [LIANPING, "create-user", "weakling", "--role", "viewer"],
        input="password12\n", env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert cli.returncode != 0 and "容易被猜中" in cli.stderr
    assert accounts_state(ctx) == before


# -- idle timeout ---------------------------------------------------------------------------


def idle_for(ctx: Context, minutes: float) -> None:
    """Every session last seen ``minutes`` ago (the clock moved on, no sleeping)."""
    with ctx.sessions.begin() as session:
        session.execute(
            update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=minutes))
        )


def test_an_idle_session_is_signed_out_and_the_login_page_says_why(app: Any, ctx: Context) -> None:
    client, token = logged_in(app, ctx, staff(ctx, "chief", "admin"))
    idle_for(ctx, 29)
    assert client.get("/admin/settings/units").status_code == 200
    idle_for(ctx, 31)
    response = client.get("/admin/settings/units")
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/login?next=/admin/settings/units&idle=1"
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "超過30分鐘未操作" in page and "自動登出" in page
    assert client.post("/admin/settings/units", data={"csrf_token": token}).status_code == 401


def test_the_idle_timeout_is_a_setting(settings: Settings, ctx: Context) -> None:
    app = create_app(dataclasses.replace(settings, session_idle_minutes=5))
    client, token = logged_in(app, ctx, staff(ctx, "chief", "admin"))
    idle_for(ctx, 6)
    refused = client.post("/admin/settings/units", data={"csrf_token": token})
    assert refused.status_code == 401 and "超過5分鐘未操作" in refused.get_data(as_text=True)
    defaults = Settings.from_env({"LIANPING_DEV": "1"})
    assert (defaults.session_idle_minutes, defaults.trusted_proxies) == (30, 0)
    read = Settings.from_env(
        {"LIANPING_DEV": "1", "SESSION_IDLE_MINUTES": "15", "TRUSTED_PROXIES": "2"}
    )
    assert (read.session_idle_minutes, read.trusted_proxies) == (15, 2)
    for name, value in [("SESSION_IDLE_MINUTES", "0"), ("TRUSTED_PROXIES", "one"),
                        ("TRUSTED_PROXIES", "-1")]:  # fmt: skip
        with pytest.raises(ConfigError, match=name):
            Settings.from_env({"LIANPING_DEV": "1", name: value})


# -- behind a reverse proxy -----------------------------------------------------------------


def test_the_client_address_comes_from_trusted_proxies_only(
    settings: Settings, ctx: Context
) -> None:
    staff(ctx, "clerk")
    forwarded = {"X-Forwarded-For": "203.0.113.9, 198.51.100.7"}
    direct = create_app(settings)
    assert post_login(direct, "nobody", "a wrong password", ip="10.60.0.1",
                      headers=forwarded).status_code == 401  # fmt: skip
    # No proxy trusted: the header is the client's own word, the peer is who counts.
    assert ctx.redis.get(throttle.KEY_PREFIX + "10.60.0.1") == b"1"
    assert not ctx.redis.exists(throttle.KEY_PREFIX + "198.51.100.7")

    proxied = create_app(dataclasses.replace(settings, trusted_proxies=1))
    assert post_login(proxied, "nobody", "a wrong password", ip="10.60.0.1",
                      headers=forwarded).status_code == 401  # fmt: skip
    # One proxy trusted: the address it saw, not the one the client wrote before it.
    assert ctx.redis.get(throttle.KEY_PREFIX + "198.51.100.7") == b"1"
    assert not ctx.redis.exists(throttle.KEY_PREFIX + "203.0.113.9")
    assert post_login(proxied, "clerk", PASSWORD, ip="10.60.0.1",
                      headers=forwarded).status_code == 302  # fmt: skip
    with ctx.sessions() as session:
        login = session.scalars(select(AuditEntry).where(AuditEntry.action == "auth.login")).all()[
            -1
        ]
    assert login.ip == "198.51.100.7"


def test_hsts_only_over_https(settings: Settings) -> None:
    https = {"X-Forwarded-Proto": "https"}
    direct = create_app(settings).test_client()
    assert "Strict-Transport-Security" not in direct.get("/admin/login").headers
    assert "Strict-Transport-Security" not in direct.get("/admin/login", headers=https).headers
    secure = direct.get("/admin/login", base_url="https://localhost").headers
    assert secure["Strict-Transport-Security"] == "max-age=31536000"
    proxied = create_app(dataclasses.replace(settings, trusted_proxies=1)).test_client()
    assert (
        "max-age" in proxied.get("/admin/login", headers=https).headers["Strict-Transport-Security"]
    )
    assert "Strict-Transport-Security" not in proxied.get("/admin/login").headers
