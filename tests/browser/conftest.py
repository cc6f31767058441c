"""Browser tests: Playwright driving the system's Chromium (no browser download)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


# The browser's own request for an icon the app does not serve is no page's doing.
IGNORED = ("favicon.ico",)
# A page answered with a refusal a test provokes (a wrong password or code) is logged too.
REFUSALS = tuple(
    f"Failed to load resource: the server responded with a status of {s}" for s in (400, 401, 429)
)


class CheckedBrowser:
    """The launched browser; every context it opens reports console errors (a
    Content-Security-Policy violation is one) and uncaught page errors into ``problems``."""

    def __init__(self, launched: Any) -> None:
        self._launched = launched
        self.problems: list[str] = []

    def new_context(self, **options: Any) -> Any:
        context = self._launched.new_context(**options)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(str(error.error)))
        return context

    def _console(self, message: Any) -> None:
        where = message.location.get("url", "")
        refused = message.text.startswith(REFUSALS)
        if message.type == "error" and not where.endswith(IGNORED) and not refused:
            self.problems.append(f"{message.text} ({where})")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._launched, name)


@pytest.fixture(autouse=True)
def no_console_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """A browser test fails on any console error or CSP violation in its pages."""
    if "browser" not in request.fixturenames:
        yield
        return
    checked = request.getfixturevalue("browser")
    checked.problems.clear()
    yield
    assert checked.problems == []


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield CheckedBrowser(launched)
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 420, "height": 860}, locale="zh-TW", timezone_id="Asia/Taipei"
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()
