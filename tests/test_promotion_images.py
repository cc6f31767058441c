"""Broadcast images: only what LINE accepts is kept, with its facts and a 240-px preview."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from lianping.context import Context
from lianping.services import promotion_images
from lianping.services.access import Actor, PermissionDenied
from lianping.services.promotion_images import ImageRejected
from lianping.storage.models import AuditEntry, Broadcast, PromotionImage, utcnow
from tests.admin_support import staff


def picture(fmt: str = "JPEG", size: tuple[int, int] = (1040, 585), mode: str = "RGB") -> bytes:
    """A real encoded image of ``size``."""
    image = Image.new(mode, size, (11, 92, 142) if mode == "RGB" else (11, 92, 142, 128))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def _officer(ctx: Context) -> Actor:
    return Actor.of(staff(ctx, "promo.officer", "officer"))


def _files(ctx: Context) -> list[Path]:
    folder = ctx.settings.media_dir / "promo"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_jpeg_is_stored_with_its_facts_and_a_preview(ctx: Context) -> None:
    actor = _officer(ctx)
    data = picture("JPEG", (1040, 585))
    with ctx.sessions.begin() as session:
        image = promotion_images.store(session, actor, ctx.settings.media_dir, data)
        image_id = image.id
    with ctx.sessions() as session:
        row = session.get(PromotionImage, image_id)
        assert row is not None
        assert (row.content_type, row.width, row.height, row.size) == (
            "image/jpeg",
            1040,
            585,
            len(data),
        )
        assert row.sha256 == hashlib.sha256(data).hexdigest()
        assert len(row.token) == 32 and row.uploaded_by == actor.user_id
        assert row.storage_path == f"promo/{row.token}.jpg"
        original = ctx.settings.media_dir / row.storage_path
        assert original.read_bytes() == data
        preview = Image.open(ctx.settings.media_dir / promotion_images.preview_path(row))
        assert preview.format == "JPEG" and max(preview.size) == 240
        assert preview.size == (240, 135)
        base = "https://lianping.example.gov.tw"
        assert promotion_images.original_url(base, row) == f"{base}/promo/{row.token}.jpg"
        assert promotion_images.preview_url(base, row) == f"{base}/promo/{row.token}/preview.jpg"
        audit = session.scalars(
            select(AuditEntry).where(AuditEntry.target_type == "promotion_image")
        )
        assert [entry.action for entry in audit] == ["promotion_image.upload"]


def test_a_transparent_png_keeps_png_and_gets_a_white_backed_jpeg_preview(ctx: Context) -> None:
    actor = _officer(ctx)
    data = picture("PNG", (300, 600), mode="RGBA")
    with ctx.sessions.begin() as session:
        image = promotion_images.store(session, actor, ctx.settings.media_dir, data)
        assert image.content_type == "image/png"
        assert image.storage_path.endswith(".png")
        preview = Image.open(ctx.settings.media_dir / promotion_images.preview_path(image))
        assert preview.format == "JPEG" and preview.size == (120, 240)
        assert preview.mode == "RGB"


def test_a_small_image_is_not_enlarged_for_its_preview(ctx: Context) -> None:
    with ctx.sessions.begin() as session:
        image = promotion_images.store(
            session, _officer(ctx), ctx.settings.media_dir, picture("PNG", (100, 50))
        )
        preview = Image.open(ctx.settings.media_dir / promotion_images.preview_path(image))
        assert preview.size == (100, 50)


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "沒有收到圖片檔案"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "僅接受 JPEG 或 PNG"),
        (_gif(), "僅接受 JPEG 或 PNG"),
        (b"GIF89a" + b"\x00" * 100, "僅接受 JPEG 或 PNG"),
        (b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10, "已損毀或不完整"),
        (picture("PNG")[:200], "已損毀或不完整"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * (10 * 1024 * 1024), "超過 LINE 的上限 10 MB"),
    ],
    ids=["empty", "svg", "gif", "gif-header", "broken-jpeg", "truncated-png", "too-large"],
)
def test_bad_uploads_are_refused_with_a_reason_and_nothing_is_kept(
    ctx: Context, data: bytes, message: str
) -> None:
    actor = _officer(ctx)
    before = _files(ctx)
    with ctx.sessions.begin() as session, pytest.raises(ImageRejected) as refused:
        promotion_images.store(session, actor, ctx.settings.media_dir, data)
    assert message in str(refused.value)
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PromotionImage)) == 0
    assert _files(ctx) == before


def test_a_decompression_bomb_is_refused_before_decoding(ctx: Context) -> None:
    # A tiny PNG whose header claims 9,000 × 9,000 pixels.
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")
    with ctx.sessions.begin() as session, pytest.raises(ImageRejected) as refused:
        promotion_images.store(session, _officer(ctx), ctx.settings.media_dir, out.getvalue())
    assert "像素過大" in str(refused.value)


def test_viewers_cannot_upload(ctx: Context) -> None:
    viewer = Actor.of(staff(ctx, "promo.viewer", "viewer"))
    with ctx.sessions.begin() as session, pytest.raises(PermissionDenied):
        promotion_images.store(session, viewer, ctx.settings.media_dir, picture())
    with ctx.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PromotionImage)) == 0


def test_sniffing_trusts_bytes_not_names() -> None:
    assert promotion_images.sniff(picture("JPEG")) == "image/jpeg"
    assert promotion_images.sniff(picture("PNG")) == "image/png"
    assert promotion_images.sniff(b"<html>") is None


def test_uploads_no_broadcast_uses_are_removed_after_a_day(ctx: Context) -> None:
    actor = _officer(ctx)
    with ctx.sessions.begin() as session:
        kept = promotion_images.store(
            session, actor, ctx.settings.media_dir, picture("PNG", (400, 300))
        )
        dropped = promotion_images.store(
            session, actor, ctx.settings.media_dir, picture("PNG", (400, 300))
        )
        session.add(
            Broadcast(
                title="用圖",
                messages=[{"type": "image", "image_id": kept.id}],
                audience={"kind": "test"},
            )
        )
        kept_id, dropped_id, dropped_file = kept.id, dropped.id, dropped.storage_path
    with ctx.sessions.begin() as session:
        assert promotion_images.forget_unused(session, utcnow()) == []  # too young to judge
    with ctx.sessions.begin() as session:
        files = promotion_images.forget_unused(session, utcnow() + timedelta(days=2))
    assert dropped_file in files and len(files) == 2
    with ctx.sessions() as session:
        assert session.get(PromotionImage, kept_id) is not None
        assert session.get(PromotionImage, dropped_id) is None
