"""Every GET route answers with the strict Content-Security-Policy and its companions,
signed in or not, found or not (the routes come from the app's URL map)."""

from __future__ import annotations

from typing import Any

from lianping.app import CONTENT_SECURITY_POLICY
from lianping.context import Context
from tests.admin_support import logged_in, staff

SANDBOXED = "default-src 'none'; sandbox"  # residents' files: stricter still


def _sample_path(rule: Any) -> str:
    values = {name: ("1" if "int" in type(conv).__name__.lower() else "x")
              for name, conv in rule._converters.items()}  # fmt: skip
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", value)
        for conv in ("int", "string", "path", "any"):
            path = path.replace(f"<{conv}:{name}>", value)
    return path


def test_every_get_route_carries_the_policy(app: Any, ctx: Context) -> None:
    admin = staff(ctx, "csp.admin", "admin")
    client, _ = logged_in(app, ctx, admin)
    anonymous = app.test_client()
    paths = sorted(
        {_sample_path(rule) for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    )
    assert len(paths) > 50
    for path in paths:
        for who in (client, anonymous):
            response = who.get(path)
            policy = response.headers.get("Content-Security-Policy")
            assert policy in (CONTENT_SECURITY_POLICY, SANDBOXED), (path, response.status_code)
            assert response.headers.get("X-Content-Type-Options") == "nosniff", path
            assert response.headers.get("Referrer-Policy"), path
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
