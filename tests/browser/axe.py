"""Run axe-core (vendored under ``vendor/axe-core``) on a page, against WCAG 2.1 A and AA.

The script is served to the page at a same-origin path routed by the browser context, so the
app's Content-Security-Policy (``script-src 'self'``) allows it and no CDN is involved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
ROUTE = "/__tests__/axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def serve(context: Any) -> None:
    """Answer the axe path from the vendored file in every page of ``context``."""
    body = AXE.read_bytes()
    context.route(
        f"**{ROUTE}",
        lambda route: route.fulfill(status=200, body=body, content_type="application/javascript"),
    )


def violations(page: Any) -> list[str]:
    """The WCAG 2.1 AA violations axe finds on the page, one line each (empty: none)."""
    page.add_script_tag(url=ROUTE)
    page.wait_for_function("() => window.axe !== undefined")
    found = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then((r) => r.violations.map((v) => ({id: v.id, help: v.help, "
        "nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))})))",
        TAGS,
    )
    return [f"{v['id']}: {v['help']} at {v['nodes']}" for v in found]
