"""The 保存期限 page: administrators set each period (validated, audited), see what the
next purge removes and the last runs; nobody else may open it."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from lianping.context import Context
from lianping.jobs import purge as purge_job
from lianping.services import content, retention
from lianping.services.access import SYSTEM
from lianping.storage.models import AuditEntry
from tests.admin_support import logged_in, staff
from tests.test_retention_purge import EXPECTED, NOW, seed

PAGE = "/admin/settings/retention"


class Admin:
    def __init__(self, app: Any, ctx: Context) -> None:
        self.client, self.csrf = logged_in(app, ctx, staff(ctx, "keeper", "admin"))

    def post(self, code: str, value: str, csrf: bool = True) -> Any:
        data = {"value": value, **({"csrf_token": self.csrf} if csrf else {})}
        return self.client.post(f"{PAGE}/{code}", data=data)

    def page(self) -> str:
        response = self.client.get(PAGE)
        assert response.status_code == 200
        return unescape(response.get_data(as_text=True))


@pytest.fixture
def admin(app: Any, ctx: Context) -> Admin:
    return Admin(app, ctx)


def _period(ctx: Context, code: str) -> int:
    with ctx.sessions() as session:
        return retention.periods(session)[code]


def _updates(ctx: Context) -> list[AuditEntry]:
    with ctx.sessions() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == "retention.update"))
        )


def test_the_page_shows_each_kind_the_dry_run_and_the_last_runs(admin: Admin, ctx: Context) -> None:
    seed(ctx)
    html = admin.page()
    for kind in retention.SCHEDULE:
        assert kind.label in html and kind.removed in html and kind.kept in html
    assert "尚未執行過清除" in html
    # The seeded rows are years in the past of today, so at least the due ones show.
    rows = re.findall(r'<th scope="row"><a href="#(\w+)">[^<]+</a></th>\s*<td[^>]*>[^<]+</td>'
                      r'\s*<td[^>]*>([\d,]+) 筆</td>', html)  # fmt: skip
    assert [code for code, _ in rows] == [kind.code for kind in retention.SCHEDULE]
    assert all(int(n.replace(",", "")) >= EXPECTED[code] for code, n in rows)

    purge_job.run(ctx, SYSTEM, now=NOW)
    html = admin.page()
    assert "依保存期限清除個人資料（未附入案件的照片及檔案 3 筆" in html
    assert "尚未執行過清除" not in html


def test_a_period_is_saved_and_audited(admin: Admin, ctx: Context) -> None:
    response = admin.post("cases", " 10 ")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/admin/settings/retention?kind=cases&done=saved#cases"
    )
    assert _period(ctx, "cases") == 10
    [entry] = _updates(ctx)
    assert (entry.target_id, entry.before, entry.after) == (
        "retention_case_years", {"value": 5}, {"value": 10},
    )  # fmt: skip
    shown = admin.client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="cases".*?role="status"><p>已儲存，立即生效。', shown, re.S)


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("drafts", "25", "未完成的反映草稿的保存期限須介於1至24小時之間。"),
        ("orphan_media", "0", "未附入案件的照片及檔案的保存期限須介於1至90日之間。"),
        ("cases", "五", "已結束案件的反映者個人資料的保存期限請輸入1至30之間的整數（單位：年）。"),
        ("payloads", "", "LINE 原始事件內容的保存期限請輸入1至365之間的整數（單位：日）。"),
        ("outbox", "30", "已送出訊息的內容的保存期限未變更。"),
        (
            "cases",
            "7",
            "已結束案件的反映者個人資料的保存期限須為檔案保存年限的級距之一：1、3、5、10、15、20、25、30年。",
        ),
    ],
)
def test_bad_periods_are_refused_in_words_and_change_nothing(
    admin: Admin, ctx: Context, code: str, value: str, message: str
) -> None:
    response = admin.post(code, value)
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    assert _period(ctx, code) == content.DEFAULTS[retention.KINDS[code].setting]
    assert _updates(ctx) == []


def test_only_administrators_with_a_form_token(app: Any, admin: Admin, ctx: Context) -> None:
    assert admin.post("cases", "10", csrf=False).status_code in (400, 403)
    assert admin.client.post(f"{PAGE}/nothing", data={"csrf_token": admin.csrf}).status_code == 404
    for role in ("supervisor", "officer", "viewer"):
        client, csrf = logged_in(app, ctx, staff(ctx, f"not-{role}", role))
        assert client.get(PAGE).status_code == 403
        assert (
            client.post(f"{PAGE}/cases", data={"value": "1", "csrf_token": csrf}).status_code == 403
        )
    assert _period(ctx, "cases") == 5 and _updates(ctx) == []
