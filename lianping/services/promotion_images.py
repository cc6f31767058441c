"""Images uploaded for broadcasts: checked, stored under MEDIA_DIR/promo/ and served publicly.

LINE fetches a broadcast's images from our public URLs, so only what LINE accepts
is kept: JPEG or PNG (told by the bytes, never by the file name), at most 10 MB.
Each upload gets a random token (its public name) and a 240-px JPEG preview, the
size LINE shows in the chat list and notifications.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import warnings
from datetime import datetime, timedelta
from pathlib import Path

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping.services import audit
from lianping.services.access import Actor, require_write
from lianping.storage.models import Broadcast, PromotionImage

MAX_BYTES = 10 * 1024 * 1024
# Far beyond any poster; refuses decompression bombs before Pillow decodes them.
MAX_PIXELS = 40_000_000
PREVIEW_SIDE = 240
PROMO_DIR = "promo"
TOO_MANY_PIXELS = "圖片像素過大（上限 4,000 萬像素），請縮小後再上傳。"
# An upload no broadcast refers to after this long was abandoned (a draft refused or
# never saved) and is removed by the sweep.
UNUSED_AFTER = timedelta(days=1)

# Magic numbers: the only trustworthy statement of what a file is.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


class ImageRejected(ValueError):
    """The upload is not an image LINE can show; the message says why, in zh-TW."""


def sniff(data: bytes) -> str | None:
    """``image/jpeg`` or ``image/png`` from the first bytes, else None."""
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def extension(image: PromotionImage) -> str:
    """``jpg`` or ``png``: the suffix of the image's public URL."""
    return EXTENSIONS[image.content_type]


def original_path(image: PromotionImage) -> str:
    """Where the original is kept, relative to MEDIA_DIR."""
    return image.storage_path


def preview_path(image: PromotionImage) -> str:
    """Where the 240-px JPEG preview is kept, relative to MEDIA_DIR."""
    return f"{PROMO_DIR}/{image.token}-preview.jpg"


def original_url(base_url: str, image: PromotionImage) -> str:
    """``{base}/promo/{token}.jpg`` (or ``.png``): what LINE fetches."""
    return f"{base_url}/promo/{image.token}.{extension(image)}"


def preview_url(base_url: str, image: PromotionImage) -> str:
    """``{base}/promo/{token}/preview.jpg``."""
    return f"{base_url}/promo/{image.token}/preview.jpg"


def decode(data: bytes, content_type: str) -> Image.Image:
    """The decoded image, upright; ImageRejected when the bytes are not a whole image."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data), formats=[PIL_FORMATS[content_type]])
            if probe.width * probe.height > MAX_PIXELS:
                raise ImageRejected(TOO_MANY_PIXELS)
            probe.verify()  # checks structure and checksums without decoding pixels
            image = Image.open(io.BytesIO(data), formats=[PIL_FORMATS[content_type]])
            image.load()
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected(TOO_MANY_PIXELS) from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected("圖片檔案已損毀或不完整，請重新存檔後再上傳。") from exc
    # Phones store the camera's orientation in EXIF; LINE shows the image upright.
    return ImageOps.exif_transpose(image)


def _preview(image: Image.Image) -> bytes:
    """A JPEG whose longest side is at most PREVIEW_SIDE, transparency on white."""
    small = image.copy()
    small.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE))
    if small.mode in ("RGBA", "LA", "P", "PA"):
        rgba = small.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        small = flat
    elif small.mode != "RGB":
        small = small.convert("RGB")
    out = io.BytesIO()
    small.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def _write(path: Path, data: bytes) -> None:
    """Write whole or not at all: a reader never sees half a file."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def store(session: Session, actor: Actor, media_dir: Path, data: bytes) -> PromotionImage:
    """Check and keep an uploaded image; ImageRejected (nothing kept) when LINE could not use it."""
    require_write(actor)
    if not data:
        raise ImageRejected("沒有收到圖片檔案，請選擇 JPEG 或 PNG 圖片。")
    if len(data) > MAX_BYTES:
        raise ImageRejected(
            f"圖片大小 {len(data) / 1024 / 1024:.1f} MB，超過 LINE 的上限 10 MB，請壓縮後再上傳。"
        )
    content_type = sniff(data)
    if content_type is None:
        raise ImageRejected("僅接受 JPEG 或 PNG 圖片（LINE 不支援其他格式）。")
    image = decode(data, content_type)
    preview = _preview(image)
    token = secrets.token_hex(16)
    row = PromotionImage(
        token=token,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        width=image.width,
        height=image.height,
        storage_path=f"{PROMO_DIR}/{token}.{EXTENSIONS[content_type]}",
        uploaded_by=actor.user_id,
    )
    folder = media_dir / PROMO_DIR
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for relative, body in ((row.storage_path, data), (preview_path(row), preview)):
            target = media_dir / relative
            _write(target, body)
            written.append(target)
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "promotion_image.upload",
            "promotion_image",
            row.id,
            after={"sha256": row.sha256, "size": row.size, "content_type": content_type},
        )
    except BaseException:
        for target in written:
            target.unlink(missing_ok=True)
        raise
    return row


def by_token(session: Session, token: str) -> PromotionImage | None:
    """The image published under ``token``, if any."""
    return session.scalar(select(PromotionImage).where(PromotionImage.token == token))


def by_ids(session: Session, ids: set[int]) -> dict[int, PromotionImage]:
    """Images by id (unknown ids are left out)."""
    if not ids:
        return {}
    rows = session.scalars(select(PromotionImage).where(PromotionImage.id.in_(ids)))
    return {row.id: row for row in rows}


def forget_unused(session: Session, now: datetime) -> list[str]:
    """Delete the rows of uploads no broadcast refers to, older than ``UNUSED_AFTER``.

    Returns their files (relative to MEDIA_DIR), for the caller to delete once the
    transaction has committed.
    """
    used = {
        message.get("image_id")
        for messages in session.scalars(select(Broadcast.messages))
        for message in messages
    }
    stale = [
        image
        for image in session.scalars(
            select(PromotionImage).where(PromotionImage.created_at < now - UNUSED_AFTER)
        )
        if image.id not in used
    ]
    files = [path for image in stale for path in (original_path(image), preview_path(image))]
    for image in stale:
        session.delete(image)
    return files
