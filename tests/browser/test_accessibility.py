"""WCAG 2.1 AA by axe-core in Chromium: no violations on any public page, nor on the staff's
inbox, case page, biweekly report, dashboard and 公開 panel. Leaves screenshots of the public
pages for the README (``SCREENSHOT_DIR``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lianping.context import Context
from lianping.services import public_cache
from lianping.storage.models import Case, CasePublication, MisconductPattern
from lianping_dev import demo
from tests.browser import axe

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/lianping-screenshots"))
PASSWORD = "demo-password-1"


def _ids(ctx: Context) -> tuple[str, int, str]:
    with ctx.sessions() as session:
        published = session.scalar(
            select(Case.number).join(CasePublication).order_by(Case.id).limit(1)
        )
        pattern = session.scalar(
            select(MisconductPattern.id).where(MisconductPattern.status == "approved").limit(1)
        )
        case = session.scalar(
            select(Case.number).where(Case.confidential.is_(False)).order_by(Case.id.desc())
        )
    assert published and pattern and case
    return published, pattern, case


def _check(page: Any, url: str, shot: str | None = None) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("load")
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
    return [f"{url}: {v}" for v in axe.violations(page)]


def test_public_and_staff_pages_have_no_axe_violations(
    browser: Any, ctx: Context, web: str
) -> None:
    with ctx.sessions.begin() as session:
        demo.seed(session, 600, seed=11, password=PASSWORD)
    public_cache.invalidate(ctx.redis)
    published, pattern, case = _ids(ctx)
    found: list[str] = []
    for width, suffix in ((390, "-mobile"), (1280, "")):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, locale="zh-TW", timezone_id="Asia/Taipei"
        )
        axe.serve(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        for url, shot in (
            ("/public/", "public-home"),
            ("/public/statistics", "public-statistics"),
            ("/public/cases", "public-cases"),
            (f"/public/cases/{published}", "public-case"),
            ("/public/patterns", "public-patterns"),
            (f"/public/patterns/{pattern}", None),
            ("/public/promotions", "public-promotions"),
            ("/public/data", None),
        ):
            # Phone-width pictures of two pages are enough for the README.
            wanted = shot and (not suffix or shot in ("public-home", "public-case"))
            found += _check(page, f"{web}{url}", f"{shot}{suffix}.png" if wanted else None)
        context.close()

    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-TW", timezone_id="Asia/Taipei"
    )
    axe.serve(context)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{web}/admin/login")
    page.get_by_label("帳號").fill("demo-supervisor")
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()
    page.wait_for_url("**/admin/cases**")
    for url, shot in (
        ("/admin/cases", None),
        (f"/admin/cases/{case}", None),
        ("/admin/reports/biweekly", None),
        ("/admin/dashboard", None),
        (f"/admin/cases/{published}/public", "admin-public-panel.png"),
        ("/admin/public", None),
        ("/admin/public/patterns", None),
    ):
        found += _check(page, f"{web}{url}", shot)
    context.close()
    assert found == []
