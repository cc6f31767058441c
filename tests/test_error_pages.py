"""Every error page a person can reach is in zh-TW; machines keep their JSON; no traceback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from lianping.app import create_app
from lianping.config import Settings
from lianping.context import Context
from tests.admin_support import api_token, logged_in, staff

# Werkzeug's own pages, and what a traceback or an exception would show.
ENGLISH = re.compile(
    r"Not Found|Method Not Allowed|Bad Request|Internal Server Error|Forbidden|"
    r"Request Entity Too Large|Content Too Large|Traceback|RuntimeError|lianping/"
)
SECRET_DETAIL = "kaboom-detail-9f3"


def _boom() -> str:
    raise RuntimeError(f"{SECRET_DETAIL} in lianping/some_module.py")


@pytest.fixture(scope="module")
def failing_app(settings: Settings) -> Iterator[Flask]:
    """The real app with two views that fail as a bug would: one staff page, one public."""
    app = create_app(settings)
    app.add_url_rule("/admin/boom", endpoint="boom", view_func=_boom)
    app.add_url_rule("/promo-boom", endpoint="public.boom", view_func=_boom)
    yield app


def _html(response: Any) -> str:
    assert response.mimetype == "text/html", response.mimetype
    return str(response.get_data(as_text=True))


def _is_zh_tw_page(response: Any, *words: str) -> str:
    html = _html(response)
    assert 'lang="zh-Hant-TW"' in html
    assert not ENGLISH.search(html), ENGLISH.search(html)
    for word in words:
        assert word in html, word
    return html


def test_staff_error_pages_are_in_words(app: Any, ctx: Context) -> None:
    client, csrf = logged_in(app, ctx, staff(ctx, "err-admin", role="admin"))

    missing = client.get("/admin/no-such-page")
    assert missing.status_code == 404
    _is_zh_tw_page(missing, "找不到這個網頁", "回到案件收件匣")

    wrong_method = client.get("/admin/logout")
    assert wrong_method.status_code == 405
    assert "POST" in wrong_method.headers["Allow"]
    _is_zh_tw_page(wrong_method, "無法以這種方式開啟")

    bad_request = client.post(
        "/admin/settings/units", data={"csrf_token": csrf, "action": "rename", "id": "x"}
    )
    assert bad_request.status_code == 400
    _is_zh_tw_page(bad_request, "無法處理這項請求")

    # A multipart form field (the broadcast composer's kind) over Werkzeug's 500 kB is a 413.
    too_large = client.post(
        "/admin/cases/new",
        data={"csrf_token": csrf, "description": "字" * 200_000},
        content_type="multipart/form-data",
    )
    assert too_large.status_code == 413
    _is_zh_tw_page(too_large, "送出的資料過大")


def test_a_bug_is_a_zh_tw_500_without_a_traceback(
    failing_app: Flask, ctx: Context, caplog: pytest.LogCaptureFixture
) -> None:
    client, _ = logged_in(failing_app, ctx, staff(ctx, "err-officer"))
    staff_page = client.get("/admin/boom")
    assert staff_page.status_code == 500
    html = _is_zh_tw_page(staff_page, "系統發生錯誤", "系統管理者")
    assert SECRET_DETAIL not in html
    # The staff page keeps its navigation: the officer can go on working.
    assert "案件收件匣" in html
    # Staff and operators still learn what went wrong: the log has the traceback.
    assert SECRET_DETAIL in caplog.text

    public = failing_app.test_client().get("/promo-boom")
    assert public.status_code == 500
    html = _is_zh_tw_page(public, "系統暫時無法處理")
    assert SECRET_DETAIL not in html
    # A resident is not shown the staff site's navigation or a login link.
    assert "案件收件匣" not in html and "/admin" not in html


def test_public_visitors_get_the_public_page(app: Any, ctx: Context) -> None:
    client = app.test_client()
    gone = client.get("/l/no-such-token")
    assert gone.status_code == 404
    html = _is_zh_tw_page(gone, "這個連結不存在或已失效")
    assert "/admin" not in html
    # Anything else needs a staff login, and says so in words.
    other = client.delete("/promo/abc.jpg")
    assert other.status_code == 401
    _is_zh_tw_page(other, "請先登入")


def test_machines_keep_their_json(app: Any, ctx: Context) -> None:
    client, _ = logged_in(app, ctx, staff(ctx, "err-json"))
    callback = client.get("/callback")
    assert callback.status_code == 405
    assert callback.mimetype == "application/json"
    assert "message" in callback.get_json()
    # The webhook's own answers to LINE are unchanged.
    unsigned = app.test_client().post("/callback", data=b"{}", headers={"X-Line-Signature": "x"})
    assert unsigned.status_code == 400
    assert unsigned.get_json() == {"message": "invalid signature"}

    headers = api_token(ctx, staff(ctx, "err-api"))
    api = app.test_client().get("/api/v1/no-such-thing", headers=headers)
    assert api.status_code == 404
    assert api.get_json()["error"]["code"] == "not_found"

    # A script asking for JSON from a staff page gets JSON, in words.
    scripted = client.get("/admin/no-such-page", headers={"Accept": "application/json"})
    assert scripted.status_code == 404
    assert scripted.get_json()["error"]["message"]
