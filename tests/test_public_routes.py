"""What LINE and residents fetch without a login: broadcast images and counted links."""

from __future__ import annotations

import io
import threading
from typing import Any

import requests
from PIL import Image
from sqlalchemy import select

from lianping.context import Context
from lianping.services import promotion_images
from lianping.services.access import Actor
from lianping.storage.models import Broadcast, BroadcastLink, PromotionImage
from tests.admin_support import staff
from tests.test_promotion_images import picture


def _image(ctx: Context, fmt: str = "JPEG") -> PromotionImage:
    actor = Actor.of(staff(ctx, f"pub.{fmt.lower()}", "officer"))
    with ctx.sessions.begin() as session:
        image = promotion_images.store(session, actor, ctx.settings.media_dir, picture(fmt))
        session.flush()
        session.expunge(image)
        return image


def _link(ctx: Context, url: str = "https://www.aac.moj.gov.tw/") -> str:
    with ctx.sessions.begin() as session:
        broadcast = Broadcast(title="反貪宣導", messages=[], audience={"kind": "all"})
        session.add(broadcast)
        session.flush()
        session.add(
            BroadcastLink(broadcast_id=broadcast.id, token="t0ken1", url=url, label="看更多")
        )
    return "t0ken1"


def _clicks(ctx: Context, token: str) -> int:
    with ctx.sessions() as session:
        clicks = session.scalar(select(BroadcastLink.clicks).where(BroadcastLink.token == token))
        assert clicks is not None
        return clicks


def test_images_are_served_to_anyone_with_their_type_and_a_long_cache(
    client: Any, ctx: Context
) -> None:
    for fmt, ext, content_type in (("JPEG", "jpg", "image/jpeg"), ("PNG", "png", "image/png")):
        image = _image(ctx, fmt)
        original = client.get(f"/promo/{image.token}.{ext}")
        assert original.status_code == 200
        assert original.mimetype == content_type
        assert original.data == (ctx.settings.media_dir / image.storage_path).read_bytes()
        assert "max-age=31536000" in original.headers["Cache-Control"]
        assert "public" in original.headers["Cache-Control"]
        assert original.headers["X-Content-Type-Options"] == "nosniff"
        assert "Set-Cookie" not in original.headers
        preview = client.get(f"/promo/{image.token}/preview.jpg")
        assert preview.status_code == 200 and preview.mimetype == "image/jpeg"
        assert "max-age=31536000" in preview.headers["Cache-Control"]
        assert len(preview.data) <= 1024 * 1024
        etag = original.headers["ETag"]
        again = client.get(f"/promo/{image.token}.{ext}", headers={"If-None-Match": etag})
        assert again.status_code == 304


def test_unknown_or_mismatched_images_are_a_404_in_words(client: Any, ctx: Context) -> None:
    image = _image(ctx, "JPEG")
    for path in (
        f"/promo/{image.token}.png",  # the wrong suffix for its type
        "/promo/0123456789abcdef0123456789abcdef.jpg",
        "/promo/nope/preview.jpg",
        "/promo/..%5C..%5Cpasswd.jpg",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "這張圖片不存在或已移除" in response.get_data(as_text=True), path
    # Not a route at all: the guard treats it like any unknown path (never the file).
    assert client.get(f"/promo/{image.token}.gif").status_code == 302


def test_a_file_missing_on_disk_is_a_404_not_a_500(client: Any, ctx: Context) -> None:
    image = _image(ctx, "JPEG")
    (ctx.settings.media_dir / image.storage_path).unlink()
    assert client.get(f"/promo/{image.token}.jpg").status_code == 404


def test_a_link_tap_is_counted_and_redirected(client: Any, ctx: Context) -> None:
    token = _link(ctx)
    for expected in (1, 2, 3):
        response = client.get(f"/l/{token}")
        assert response.status_code == 302
        assert response.headers["Location"] == "https://www.aac.moj.gov.tw/"
        assert response.headers["Cache-Control"] == "no-store"
        assert _clicks(ctx, token) == expected


def test_an_unknown_link_is_a_404_page_in_zh_tw(client: Any, ctx: Context) -> None:
    _link(ctx)
    response = client.get("/l/unknown")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "找不到這個網頁" in html and "連結不存在或已失效" in html
    assert _clicks(ctx, "t0ken1") == 0


def test_a_link_to_anything_but_http_is_never_followed(client: Any, ctx: Context) -> None:
    token = _link(ctx, "javascript:alert(1)")
    assert client.get(f"/l/{token}").status_code == 404


def test_concurrent_taps_are_all_counted(ctx: Context, web: str) -> None:
    token = _link(ctx)
    errors: list[BaseException] = []

    def tap() -> None:
        try:
            for _ in range(10):
                response = requests.get(f"{web}/l/{token}", allow_redirects=False, timeout=10)
                assert response.status_code == 302
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _clicks(ctx, token) == 40


def test_the_public_routes_need_no_login_and_set_no_session(web: str, ctx: Context) -> None:
    image = _image(ctx, "PNG")
    response = requests.get(f"{web}/promo/{image.token}.png", timeout=10)
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).format == "PNG"
    assert "lianping_session" not in response.headers.get("Set-Cookie", "")
