"""The agency's logo: an administrator uploads it, the public site shows it beside the
agency's name, and a file that is not a usable image changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from lianping.context import Context
from lianping.services import agency_logo, content, public_cache
from lianping.storage.models import AuditEntry
from tests.admin_support import staff
from tests.test_admin_pages import Staff


@pytest.fixture(autouse=True)
def no_logo(ctx: Context) -> None:
    """Each test starts with no logo (the database outlives a test)."""
    with ctx.sessions.begin() as session:
        content.put(session, agency_logo.SETTING, None, "tests")
    public_cache.invalidate(ctx.redis)


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", (width, height), (24, 70, 120))
    image.info["comment"] = "內部備註"
    image.save(out, format="PNG")
    return out.getvalue()


def _upload(admin: Staff, data: bytes, name: str = "logo.png") -> Any:
    return admin.client.post(
        "/admin/public/logo",
        data={"csrf_token": admin.csrf, "logo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_uploaded_logo_shows_on_the_public_site_redrawn(app: Any, ctx: Context) -> None:
    admin = Staff(app, ctx, staff(ctx, "logo-admin", role="admin"))
    public = app.test_client()
    assert public.get("/public/logo.png").status_code == 404
    assert 'class="agency-logo"' not in public.get("/public/").get_data(as_text=True)

    response = _upload(admin, _png(600, 300))
    assert response.status_code == 302

    for page in ("/public/", "/public/statistics", "/public/cases", "/public/patterns",
                 "/public/promotions", "/public/data"):  # fmt: skip
        assert 'class="agency-logo"' in public.get(page).get_data(as_text=True), page
    served = public.get("/public/logo.png")
    assert served.status_code == 200 and served.content_type == "image/png"
    with Image.open(io.BytesIO(served.data)) as image:
        assert (image.size, image.format) == ((288, 144), "PNG")
        assert "comment" not in image.info
    again = public.get("/public/logo.png", headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304
    with ctx.sessions() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "setting.agency_logo")
        ).all()
    assert actions == ["setting.agency_logo"]

    removed = admin.client.post(
        "/admin/public/logo", data={"csrf_token": admin.csrf, "remove": "1"}
    )
    assert removed.status_code == 302
    assert public.get("/public/logo.png").status_code == 404
    assert 'class="agency-logo"' not in public.get("/public/").get_data(as_text=True)


def test_a_file_that_is_not_a_logo_is_refused_and_changes_nothing(app: Any, ctx: Context) -> None:
    admin = Staff(app, ctx, staff(ctx, "logo-admin2", role="admin"))
    assert _upload(admin, _png(100, 50)).status_code == 302
    before = app.test_client().get("/public/logo.png").data

    for data, words in (
        (b"%PDF-1.4 not an image", "無法讀取這個圖檔"),
        (b"", "請選擇標誌圖檔"),
        (b"x" * (1024 * 1024 + 1), "小於 1 MB"),
    ):
        response = _upload(admin, data, "bad.png")
        assert response.status_code == 400
        assert words in response.get_data(as_text=True)
    assert app.test_client().get("/public/logo.png").data == before


def test_only_administrators_change_the_logo(app: Any, ctx: Context) -> None:
    officer = Staff(app, ctx, staff(ctx, "logo-officer", role="officer"))
    assert _upload(officer, _png(100, 50)).status_code == 403
    assert app.test_client().get("/public/logo.png").status_code == 404
