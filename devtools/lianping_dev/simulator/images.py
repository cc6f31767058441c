"""Tiny image helpers: make PNGs without dependencies and read PNG/JPEG dimensions."""

from __future__ import annotations

import struct
import zlib

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers that carry the image size (not DHT/JPG/DAC).
_JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(
    width: int,
    height: int,
    rows: list[bytes] | None = None,
    rgb: tuple[int, int, int] = (6, 199, 85),
) -> bytes:
    """An RGB PNG; ``rows`` are raw RGB rows, default a solid ``rgb`` fill."""
    if rows is None:
        rows = [bytes(rgb) * width] * height
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        _PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def sample_photo(width: int = 320, height: int = 240) -> bytes:
    """A small landscape-like PNG (sky, hills, road) standing in for a resident's photo."""
    rows = []
    for y in range(height):
        row = bytearray()
        for x in range(width):
            hill = height * 0.55 + 18 * ((x * 7 // width) % 2)
            if y < hill:
                pixel = (150 + y * 80 // height, 200, 240)
            elif abs(x - width // 2) < (y - hill) * 0.8:
                pixel = (120, 120, 125)
            else:
                pixel = (70, 150 - y * 40 // height, 80)
            row += bytes(pixel)
        rows.append(bytes(row))
    return png(width, height, rows)


def dimensions(data: bytes) -> tuple[str, int, int] | None:
    """``(content type, width, height)`` of a PNG or JPEG, or None for anything else."""
    if data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return "image/png", width, height
    if data.startswith(b"\xff\xd8"):
        return _jpeg_dimensions(data)
    return None


def _jpeg_dimensions(data: bytes) -> tuple[str, int, int] | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker in _JPEG_SOF and pos + 9 <= len(data):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return "image/jpeg", width, height
        pos += 2 + length
    return None
