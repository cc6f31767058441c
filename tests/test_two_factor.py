"""TOTP two-factor sign-in: enrolment at sign-in, the code step, recovery codes, lockout,
an administrator's reset; and who must have it."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
import pytest
from sqlalchemy import select

from lianping.admin.auth import second_step, throttle
from lianping.context import Context
from lianping.services import two_factor
from lianping.storage.models import AuditEntry, TwoFactor, User, WebSession
from tests.admin_support import PASSWORD, SESSION_COOKIE, logged_in, staff

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET = re.compile(r'id="totp-secret">([A-Z2-7]+)<')
CODES = re.compile(r"<li>([A-Z2-9]{5}-[A-Z2-9]{5})</li>")


@pytest.fixture(autouse=True)
def no_throttle_left(ctx: Context) -> None:
    for key in ctx.redis.scan_iter(throttle.KEY_PREFIX + "*"):
        ctx.redis.delete(key)


def _csrf(client: Any, path: str) -> str:
    found = CSRF.search(client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1)


def _password(client: Any, username: str) -> Any:
    data = {"csrf_token": _csrf(client, "/admin/login"), "username": username}
    return client.post("/admin/login", data={**data, "password": PASSWORD})


def _post(client: Any, path: str, code: str) -> Any:
    return client.post(path, data={"csrf_token": _csrf(client, path), "code": code})


def _has_session(client: Any) -> bool:
    return client.get_cookie(SESSION_COOKIE) is not None


def _enrol(app: Any, username: str) -> tuple[str, list[str], Any]:
    """Sign ``username`` in for the first time: enrol, and return the secret, the recovery
    codes and the signed-in client."""
    client = app.test_client()
    response = _password(client, username)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/enrol")
    assert not _has_session(client)
    page = client.get("/admin/login/enrol").get_data(as_text=True)
    found = SECRET.search(page)
    assert found and "<svg" in page
    secret = found.group(1)
    assert _post(client, "/admin/login/enrol", "000000").status_code == 400
    assert not _has_session(client)
    done = _post(client, "/admin/login/enrol", pyotp.TOTP(secret).now())
    assert done.status_code == 200
    codes = CODES.findall(done.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert _has_session(client)
    return secret, codes, client


def test_an_administrator_enrols_at_first_sign_in_and_then_needs_a_code(
    app: Any, ctx: Context
) -> None:
    admin = staff(ctx, "tfa.chief", "admin")
    secret, codes, client = _enrol(app, "tfa.chief")
    assert client.get("/admin/settings/units").status_code == 200
    with ctx.sessions() as session:
        row = session.get(TwoFactor, admin.id)
        assert row is not None and row.enrolled_at is not None
        assert secret not in row.secret_encrypted  # stored encrypted
        assert not set(codes) & set(row.recovery_code_hashes)  # only digests
    # The secret is never shown again, not on the enrolment page nor on the account page.
    assert client.get("/admin/login/enrol").status_code in (302, 401)
    assert secret not in client.get("/admin/account").get_data(as_text=True)

    # The next sign-in: password, then the code step; the code used at enrolment is spent.
    other = app.test_client()
    response = _password(other, "tfa.chief")
    assert response.headers["Location"].startswith("/admin/login/code")
    assert not _has_session(other)
    totp = pyotp.TOTP(secret)
    assert _post(other, "/admin/login/code", totp.now()).status_code == 401
    assert not _has_session(other)
    later = totp.at(time.time() + two_factor.STEP_SECONDS)  # the next step (drift allowed)
    assert _post(other, "/admin/login/code", later).status_code == 302
    assert _has_session(other)

    # A recovery code works once.
    third = app.test_client()
    _password(third, "tfa.chief")
    assert _post(third, "/admin/login/code", codes[0].lower()).status_code == 302
    fourth = app.test_client()
    _password(fourth, "tfa.chief")
    assert _post(fourth, "/admin/login/code", codes[0]).status_code == 401
    assert not _has_session(fourth)
    with ctx.sessions() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target_id == str(admin.id))
        ).all()
    assert actions.count("user.two_factor_enrol") == 1
    assert actions.count("user.two_factor_recovery_used") == 1


def test_an_officer_signs_in_without_and_may_enrol_from_the_account_page(
    app: Any, ctx: Context
) -> None:
    staff(ctx, "tfa.officer", "officer")
    client = app.test_client()
    assert _password(client, "tfa.officer").headers["Location"] == "/admin/"
    assert _has_session(client)
    page = client.get("/admin/account/two-factor").get_data(as_text=True)
    found = SECRET.search(page)
    assert found
    done = _post(client, "/admin/account/two-factor", pyotp.TOTP(found.group(1)).now())
    assert len(CODES.findall(done.get_data(as_text=True))) == 10
    again = app.test_client()
    assert _password(again, "tfa.officer").headers["Location"].startswith("/admin/login/code")


def test_ethics_staff_must_enrol_too(app: Any, ctx: Context) -> None:
    staff(ctx, "tfa.ethics", "officer", ethics=True)
    response = _password(app.test_client(), "tfa.ethics")
    assert response.headers["Location"].startswith("/admin/login/enrol")


def test_the_code_step_without_a_password_first_goes_back_to_the_login(app: Any) -> None:
    client = app.test_client()
    client.set_cookie(second_step.PENDING_COOKIE, "forged")
    response = _post(client, "/admin/login/code", "123456")
    assert response.status_code == 401
    assert "請重新輸入帳號及密碼" in response.get_data(as_text=True)
    assert not _has_session(client)


def test_wrong_codes_lock_the_account(app: Any, ctx: Context) -> None:
    user = staff(ctx, "tfa.locked", "admin")
    _enrol(app, "tfa.locked")
    client = app.test_client()
    _password(client, "tfa.locked")
    for _ in range(two_factor.MAX_FAILED_CODES - 1):
        assert _post(client, "/admin/login/code", "999999").status_code == 401
    last = _post(client, "/admin/login/code", "999999")
    assert "暫停登入" in last.get_data(as_text=True)
    with ctx.sessions() as session:
        locked = session.get(User, user.id)
        assert locked is not None and locked.locked_until is not None
    # Locked: the right password does not even reach the code step.
    assert _password(app.test_client(), "tfa.locked").status_code == 401


def test_an_administrator_resets_it_and_the_user_enrols_again(app: Any, ctx: Context) -> None:
    chief = staff(ctx, "tfa.reset.chief", "admin", ethics=True)
    plain = staff(ctx, "tfa.reset.plain", "admin")
    victim = staff(ctx, "tfa.reset.ethics", "officer", ethics=True)
    _enrol(app, "tfa.reset.ethics")
    # An administrator who is not ethics staff cannot reset an ethics user's second factor.
    client, token = logged_in(app, ctx, plain)
    data = {"csrf_token": token, "action": "two_factor_reset", "id": str(victim.id)}
    refused = client.post("/admin/settings/users", data=data)
    assert refused.status_code == 400 and "重設政風人員的雙重驗證" in refused.get_data(as_text=True)
    with ctx.sessions() as session:
        assert session.get(TwoFactor, victim.id) is not None
        attempt = session.scalars(select(AuditEntry).where(AuditEntry.action == "user.refused"))
        assert [e.after["attempted"] for e in attempt] == ["two_factor"]
    client, token = logged_in(app, ctx, chief)
    data["csrf_token"] = token
    assert client.post("/admin/settings/users", data=data).status_code == 302
    with ctx.sessions() as session:
        assert session.get(TwoFactor, victim.id) is None
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset")
        ).one()
        assert entry.target_id == str(victim.id)
    assert (
        _password(app.test_client(), "tfa.reset.ethics")
        .headers["Location"]
        .startswith("/admin/login/enrol")
    )
    # Nothing to reset: a clear message, nothing changed.
    again = client.post("/admin/settings/users", data=data)
    assert again.status_code == 400 and "未設定雙重驗證" in again.get_data(as_text=True)


def test_sessions_and_api_tokens_are_untouched(app: Any, ctx: Context) -> None:
    """A session opened before (or by the CLI's first admin) keeps working; tokens too."""
    admin = staff(ctx, "tfa.api", "admin")
    client, _ = logged_in(app, ctx, admin)
    assert client.get("/admin/settings/units").status_code == 200
    with ctx.sessions() as session:
        assert session.scalars(select(WebSession).where(WebSession.user_id == admin.id)).first()
