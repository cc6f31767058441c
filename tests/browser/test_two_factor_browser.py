"""An administrator enrols a second factor in the browser, signs out, signs in with the
password and a code, then with a recovery code, which is refused the second time."""

from __future__ import annotations

import time
from typing import Any

import pyotp

from lianping.context import Context
from lianping.services import two_factor
from tests.admin_support import PASSWORD, staff


def _password(page: Any, web: str) -> None:
    page.goto(f"{web}/admin/login")
    page.get_by_label("帳號").fill("tfa.browser")
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()


def _sign_out(page: Any) -> None:
    page.get_by_role("button", name="登出").click()
    page.get_by_text("您已登出").wait_for()


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code(
    browser: Any, ctx: Context, web: str
) -> None:
    staff(ctx, "tfa.browser", "admin")
    context = browser.new_context(locale="zh-TW", timezone_id="Asia/Taipei")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        _password(page, web)
        page.get_by_role("heading", name="設定雙重驗證").wait_for()
        assert page.locator(".qr-box svg").count() == 1
        secret = page.locator("#totp-secret").inner_text().strip()
        totp = pyotp.TOTP(secret)
        page.get_by_label("驗證器顯示的6位數驗證碼").fill(totp.now())
        page.get_by_role("button", name="確認並啟用").click()
        page.locator("#recovery-codes li").first.wait_for()  # the next page, not this one
        codes = page.locator("#recovery-codes li").all_inner_texts()
        assert len(codes) == 10
        page.get_by_role("link", name="已妥善保存，繼續").click()
        page.wait_for_url("**/admin/cases**")
        _sign_out(page)

        _password(page, web)
        page.get_by_role("heading", name="雙重驗證").wait_for()
        # The enrolment code's time step is spent: use the next one (one step of drift).
        page.get_by_label("驗證碼或備用碼").fill(totp.at(time.time() + two_factor.STEP_SECONDS))
        page.get_by_role("button", name="驗證並登入").click()
        page.wait_for_url("**/admin/cases**")
        _sign_out(page)

        for attempt in range(2):
            _password(page, web)
            page.get_by_label("驗證碼或備用碼").fill(codes[0])
            page.get_by_role("button", name="驗證並登入").click()
            if attempt == 0:
                page.wait_for_url("**/admin/cases**")
                _sign_out(page)
        page.get_by_text("驗證碼不正確或已使用過").wait_for()
        assert "/admin/login/code" in page.url
    finally:
        context.close()
