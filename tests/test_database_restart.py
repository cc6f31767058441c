"""After the database drops the web app's connections (a restart, a failover), the next
page is served as usual: the web app tests a pooled connection before using it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from lianping.context import Context
from tests.admin_support import logged_in, staff


def test_the_first_page_after_the_database_dropped_its_connections_is_served(
    app: Any, ctx: Context, database_url: str
) -> None:
    if not database_url.startswith("postgres"):
        pytest.skip("a SQLite file has no connections to drop")
    client, _ = logged_in(app, ctx, staff(ctx, "restart-officer"))
    assert client.get("/admin/cases").status_code == 200
    web_engine = app.extensions["lianping"].engine
    with web_engine.connect() as conn:  # the pool's one connection, as the page used it
        backend = conn.scalar(text("SELECT pg_backend_pid()"))
    with ctx.engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})

    response = client.get("/admin/cases")

    assert response.status_code == 200
    with web_engine.connect() as conn:
        assert conn.scalar(text("SELECT pg_backend_pid()")) != backend
