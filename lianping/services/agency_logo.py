"""The agency's logo on the public site: checked, redrawn as a small PNG, kept as a setting."""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from lianping.services import content

SETTING = "agency_logo"
MAX_UPLOAD_BYTES = 1024 * 1024
# Drawn at most this tall (the header shows it at a third of that): sharp on a phone.
HEIGHT = 144
ACCEPTED = {"PNG", "JPEG"}


class LogoError(ValueError):
    """The upload is not a logo we can use; the message says why, in zh-TW."""


@dataclass(frozen=True)
class Logo:
    """The stored logo: PNG bytes and a version for caches."""

    png: bytes
    version: str


def prepare(upload: bytes) -> dict[str, str]:
    """The setting's value for an uploaded PNG or JPEG: redrawn (no metadata, at most
    ``HEIGHT`` pixels tall) as PNG. Raises :class:`LogoError`."""
    if not upload:
        raise LogoError("請選擇標誌圖檔。")
    if len(upload) > MAX_UPLOAD_BYTES:
        raise LogoError("標誌圖檔請小於 1 MB。")
    try:
        with Image.open(io.BytesIO(upload)) as image:
            if image.format not in ACCEPTED:
                raise LogoError("標誌請使用 PNG 或 JPEG 圖檔。")
            if image.width * image.height > 4096 * 4096:
                raise LogoError("標誌圖檔的尺寸過大。")
            image.load()
            drawn = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise LogoError("無法讀取這個圖檔，請使用 PNG 或 JPEG。") from exc
    if drawn.height > HEIGHT:
        width = max(1, round(drawn.width * HEIGHT / drawn.height))
        drawn = drawn.resize((width, HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    drawn.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    return {
        "png": base64.b64encode(png).decode("ascii"),
        "version": hashlib.sha256(png).hexdigest()[:16],
    }


def current(session: Session) -> Logo | None:
    """The agency's logo, or None when none was set."""
    value = content.get(session, SETTING)
    if not value:
        return None
    return Logo(base64.b64decode(value["png"]), str(value["version"]))
