"""Residents' attachments for the demo data: photos, videos, recordings and files on disk.

The files are written under MEDIA_DIR where the media job would have put them
(``YYYY/MM/<LINE message id><extension>``), with the rows of ``media_files`` that point at
them: most stored, some unsent by the resident, too large to keep or failed, as real use
leaves them. Photos are small drawn street scenes (a few kinds, each written as its own file);
videos and recordings are short stand-in bytes of the right type; files are one-page PDFs.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

# What a LINE report carries besides its text: (kind, content type, weight).
KINDS = (
    ("image", "image/jpeg", 80),
    ("image", "image/png", 8),  # screenshots
    ("video", "video/mp4", 5),
    ("audio", "audio/m4a", 3),
    ("file", "application/pdf", 4),
)
# How a registered file ended (the media job's statuses).
OUTCOMES = (("stored", 92), ("unsent", 3), ("too_large", 3), ("failed", 2))
ERRORS = {
    "too_large": "檔案超過可保存的大小上限",
    "failed": "LINE 404: Not found",
}
PHOTO_VARIANTS = 12


@dataclass(frozen=True)
class Attachment:
    """One file a resident sent with a report, as its ``media_files`` row will hold it."""

    message_id: str
    kind: str
    content_type: str
    status: str
    created_at: datetime


def plan(rng: random.Random, case_created: datetime, count: int) -> list[Attachment]:
    """``count`` attachments sent in the minutes before the report was submitted."""
    kinds = rng.choices(KINDS, [k[2] for k in KINDS], k=count)
    planned = []
    for kind, content_type, _weight in kinds:
        status = rng.choices([o[0] for o in OUTCOMES], [o[1] for o in OUTCOMES])[0]
        if status == "too_large" and kind == "image":
            status = "stored"  # photos from a phone are well under LINE's and our limits
        sent = case_created - timedelta(minutes=rng.uniform(0.5, 12))
        message_id = str(rng.randrange(10**17, 10**18))
        planned.append(Attachment(message_id, kind, content_type, status, sent))
    return planned


def write(
    media_dir: Path, attachment: Attachment, case_id: int, resident_id: int, rng: random.Random
) -> dict[str, Any]:
    """Write the attachment's file (when stored) and return its ``media_files`` row."""
    row: dict[str, Any] = {
        "line_message_id": attachment.message_id,
        "resident_id": resident_id,
        "case_id": case_id,
        "kind": attachment.kind,
        "status": attachment.status,
        "content_type": None,
        "size": None,
        "sha256": None,
        "path": None,
        "error": ERRORS.get(attachment.status),
        "created_at": attachment.created_at,
        "stored_at": None,
    }
    if attachment.status != "stored":
        return row
    data = _content(attachment.content_type, rng)
    # Where lianping.jobs.media.download puts a file: the month it came in, the message id.
    suffix = mimetypes.guess_extension(attachment.content_type) or ".bin"
    relative = Path(f"{attachment.created_at:%Y/%m}") / f"{attachment.message_id}{suffix}"
    target = media_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    row.update(
        content_type=attachment.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        path=str(relative),
        stored_at=attachment.created_at + timedelta(seconds=rng.uniform(1, 20)),
    )
    return row


def _content(content_type: str, rng: random.Random) -> bytes:
    if content_type == "image/jpeg":
        return _photo(rng.randrange(PHOTO_VARIANTS))
    if content_type == "image/png":
        return _screenshot(rng.randrange(3))
    if content_type == "application/pdf":
        return _pdf()
    # A video or a recording: the container's first box and stand-in data of a plausible size.
    brand = b"M4A " if content_type.startswith("audio/") else b"isom"
    header = b"\x00\x00\x00\x18ftyp" + brand + b"\x00\x00\x02\x00" + brand + b"mp41"
    return header + rng.randbytes(rng.randint(20_000, 60_000))


def photo(variant: int) -> bytes:
    """One of the demo's JPEG street scenes (e.g. for a field activity's photos)."""
    return _photo(variant % PHOTO_VARIANTS)


@cache
def _photo(variant: int) -> bytes:
    """A small street scene (sky, road, a lamp post, a puddle) in one of a few lights."""
    rng = random.Random(f"demo-photo:{variant}")
    width, height = 480, 360
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    night = variant % 3 == 0
    top = (20, 24, 60) if night else (120 + rng.randint(0, 60), 170, 230)
    for y in range(height // 2):
        shade = y / (height / 2)
        draw.line(
            [(0, y), (width, y)],
            fill=tuple(int(c * (1 - 0.3 * shade)) for c in top),
        )
    ground = (70, 70, 75) if night else (120 + rng.randint(-20, 20), 118, 110)
    draw.rectangle([0, height // 2, width, height], fill=ground)
    road = [(width * 0.35, height // 2), (width * 0.65, height // 2), (width, height), (0, height)]
    draw.polygon(road, fill=(45, 45, 50) if night else (90, 90, 95))
    pole_x = rng.randint(60, width - 60)
    draw.rectangle([pole_x, 60, pole_x + 6, height // 2 + 40], fill=(150, 150, 150))
    lamp = (255, 230, 120) if night and variant % 2 else (90, 90, 90)
    draw.ellipse([pole_x - 14, 50, pole_x + 20, 70], fill=lamp)
    puddle_x = rng.randint(80, width - 160)
    draw.ellipse([puddle_x, 270, puddle_x + 120, 300], fill=(60, 80, 110))
    for _ in range(rng.randint(3, 8)):  # litter, leaves, broken tiles
        x, y = rng.randint(0, width), rng.randint(height // 2, height)
        draw.rectangle([x, y, x + rng.randint(4, 18), y + rng.randint(3, 10)], fill=_any(rng))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


@cache
def _screenshot(variant: int) -> bytes:
    """A phone screenshot: white screen, a title bar and grey lines of text."""
    image = Image.new("RGB", (270, 480), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 270, 40], fill=(6, 199, 85))
    for line in range(14 + variant * 3):
        y = 56 + line * 22
        if y > 460:
            break
        draw.rectangle([14, y, 14 + 120 + (line * 37 % 120), y + 10], fill=(190, 190, 190))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@cache
def _pdf() -> bytes:
    """A one-page PDF (a scanned notice, say), built by hand: header, objects, xref, trailer."""
    stream = b"BT /F1 18 Tf 72 720 Td (Notice) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _any(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
