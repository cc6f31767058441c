"""The dashboard in a real browser: every chart draws from the page's data, with no errors.

Seeds the demo data set (cases over two years, sent broadcasts with quiz answers and link
taps), signs a supervisor in through the login page and opens the dashboard; the charts
must be drawn by the vendored Chart.js (canvas not blank, the drawn numbers equal to the
embedded JSON) with nothing on the console. Without scripts the same figures are tables.
Leaves ``docs/screenshots/dashboard.png`` for the README.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from lianping.context import Context
from lianping_dev import demo

pytestmark = pytest.mark.e2e

# README pictures: SCREENSHOT_DIR=docs/screenshots python3 dev.py test tests/browser
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/lianping-screenshots"))
PASSWORD = "demo-password-1"
CHARTS = ("weekly", "status", "theme", "satisfaction", "unit", "agency", "broadcasts")

# For each chart: its canvas has pixels drawn, and what Chart.js drew is what the page says.
DRAWN = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked += 1;
  const chart = window.Chart.getChart(canvas);
  return {
    name: canvas.dataset.chart,
    width: canvas.width,
    share: inked / (canvas.width * canvas.height),
    labels: chart ? chart.data.labels : null,
    data: chart ? chart.data.datasets.map((d) => d.data) : null,
  };
})"""


def _problem(message: Any) -> str:
    return f"{message.text} ({message.location.get('url', '')})"


def _log_in(browser: Any, web: str, **options: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(locale="zh-TW", timezone_id="Asia/Taipei", **options)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(_problem(m)) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{web}/admin/login")
    page.get_by_label("帳號").fill("demo-supervisor")
    page.get_by_label("密碼").fill(PASSWORD)
    page.get_by_role("button", name="登入").click()
    page.wait_for_url("**/admin/cases**")
    # The browser asks for /favicon.ico on its own; the app has none (not this page's doing).
    problems.clear()
    return context, page, problems


def test_the_charts_draw_what_the_page_says(browser: Any, ctx: Context, web: str) -> None:
    with ctx.sessions.begin() as session:
        demo.seed(session, 1500, seed=7, password=PASSWORD)
    context, page, problems = _log_in(
        browser, web, viewport={"width": 1280, "height": 900}, device_scale_factor=1
    )
    try:
        page.get_by_role("link", name="統計儀表板").click()
        page.get_by_role("heading", name="統計儀表板", level=1).wait_for()
        page.wait_for_function("() => window.Chart && document.querySelectorAll('canvas').length")
        data = json.loads(page.locator("#dashboard-data").text_content() or "{}")
        drawn = {chart["name"]: chart for chart in page.evaluate(DRAWN)}

        assert set(drawn) == set(CHARTS)
        for name, chart in drawn.items():
            assert chart["width"] > 200, name
            assert chart["share"] > 0.01, f"{name}: canvas is blank"
        weekly = drawn["weekly"]
        assert weekly["labels"] == [w["label"] for w in data["weeks"]]
        assert weekly["data"] == [row["counts"] for row in data["weekly"]]
        assert drawn["status"]["data"] == [[c["count"] for c in data["by_status"]]]
        assert drawn["unit"]["labels"] == [c["label"] for c in data["by_unit"]]
        assert drawn["agency"]["labels"] == [c["label"] for c in data["by_agency"]]
        assert drawn["satisfaction"]["data"] == [
            [c["count"] for c in data["satisfaction"]["by_score"]]
        ]
        recipients = [b["recipients"] for b in data["broadcasts"]["items"]]
        assert drawn["broadcasts"]["data"][0] == recipients and sum(recipients) > 0
        assert sum(data["weekly"][0]["counts"]) > 0
        assert [row["key"] for row in data["weekly"]] == ["need", "reform"]  # no tips
        # Drawn charts fold their tables away; the tables are still there to open.
        assert page.locator("details.chart-data[open]").count() == 0
        assert page.locator("details.chart-data table").count() == len(CHARTS)
        assert [p for p in problems if "/favicon.ico" not in p] == []

        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

        # A quick range reloads the page for that period.
        page.get_by_role("link", name="近4週").click()
        page.wait_for_url("**/admin/dashboard?from=*")
        assert page.get_by_role("link", name="近4週").get_attribute("aria-current") == "true"
        assert len(json.loads(page.locator("#dashboard-data").text_content() or "{}")["weeks"]) == 4
        assert [p for p in problems if "/favicon.ico" not in p] == []
    finally:
        context.close()


def test_without_scripts_the_figures_are_tables(browser: Any, ctx: Context, web: str) -> None:
    with ctx.sessions.begin() as session:
        demo.seed(session, 200, seed=8, password=PASSWORD)
    context, page, _ = _log_in(browser, web, java_script_enabled=False)
    try:
        page.goto(f"{web}/admin/dashboard")
        assert page.locator("details.chart-data[open]").count() == len(CHARTS)
        assert not page.locator("canvas").first.is_visible()
        header = page.locator("details[data-chart-table=weekly] thead").inner_text()
        assert "民情需求事項" in header and "貪瀆不法檢舉" not in header
    finally:
        context.close()


def test_if_the_chart_library_fails_the_tables_stay_open(
    browser: Any, ctx: Context, web: str
) -> None:
    with ctx.sessions.begin() as session:
        demo.seed(session, 200, seed=9, password=PASSWORD)
    context, page, _ = _log_in(browser, web)
    try:
        page.route("**/chart.umd.min.js", lambda route: route.abort())
        page.goto(f"{web}/admin/dashboard")
        page.wait_for_function("() => document.querySelector('.chart-box').hidden")
        assert page.locator("details.chart-data[open]").count() == len(CHARTS)
        assert page.locator(".chart-box:visible").count() == 0
        # The one console error is the load this test aborted on purpose.
        assert len(browser.problems) == 1 and "chart.umd.min.js" in browser.problems[0]
        browser.problems.clear()
    finally:
        context.close()
