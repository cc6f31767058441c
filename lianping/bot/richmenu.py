"""The LINE rich menu: six tiles (3 × 2) whose taps post back ``menu=<item>``.

The menu image is drawn here with Pillow — tiles, line icons made of Pillow
primitives and Traditional Chinese text — using the Noto Sans CJK TC subsets
shipped in ``assets/`` (SIL OFL 1.1, see ``assets/OFL.txt``). The subsets hold
only the glyphs this menu draws; ``scripts/subset_font.py`` regenerates them
from the system font after a label or helper line changes. Every character is
checked against the font's cmap before drawing, so an edit can never draw
missing-glyph boxes silently.

``install(client)`` creates the menu, uploads its image, makes it the default
for every user and removes the menus an earlier install left behind.
"""

from __future__ import annotations

import contextlib
import io
import math
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw, ImageFont

from lianping.bot import texts
from lianping.bot.messages import menu_postback_data, postback_action

if TYPE_CHECKING:
    from lianping.line.client import LineClient

ASSETS = Path(__file__).resolve().parent / "assets"
BOLD_FONT = ASSETS / "NotoSansCJKtc-Bold-subset.otf"
REGULAR_FONT = ASSETS / "NotoSansCJKtc-Regular-subset.otf"

MENU_NAME = "lianping-main-menu"
CHAT_BAR_TEXT = texts.CHAT_BAR_TEXT
WIDTH, HEIGHT = 2500, 1686  # LINE's "large" size: 3 columns × 2 rows of ~833 × 843
COLUMNS, ROWS = 3, 2

# Drawn at twice the size and scaled down, so strokes and curves are smooth.
_SUPERSAMPLE = 2

# Palette: deep teal tiles on a pale grey-blue ground, white text and icons.
_GROUND = (226, 234, 237)
_TILE = (16, 86, 102)
_ACCENT = (232, 184, 92)
_ICON_DISC = (36, 114, 130)
_WHITE = (255, 255, 255)
_HELPER = (206, 230, 234)

# Geometry, in final (1×) pixels.
_GAP = 10  # half the space between tiles; also the margin at the image's edge
_RADIUS = 30
_DISC_RADIUS = 128
_ICON_UNIT = 84  # half the icon's drawing box
_STROKE = 15
_RING = 9
_LABEL_SIZE = 132
_HELPER_SIZE_MAX = 60
_HELPER_SIZE_MIN = 44  # still legible on a phone
_HELPER_MARGIN = 36
_DISC_TO_LABEL = 64
_LABEL_TO_HELPER = 50


class GlyphMissingError(ValueError):
    """Text to be drawn has characters the shipped font subset does not contain."""


Icon = Callable[[ImageDraw.ImageDraw, float, float, float, float, tuple[int, int, int]], None]


@dataclass(frozen=True)
class MenuItem:
    """One tile: the menu item code, its label (the postback's displayText) and a helper line."""

    item: str
    label: str
    helper: str
    icon: Icon


# -- icons -----------------------------------------------------------------------------------
# Each icon is drawn centred on (cx, cy) in a box of half-size u with stroke width w, in white
# on the icon disc whose colour is ``bg`` (used to cut shapes out of filled ones).

Point = tuple[float, float]


def _icon_report(d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, w: float, bg: Any) -> None:
    """A speech bubble with three lines of text: say something."""
    box = (cx - u, cy - 0.86 * u, cx + u, cy + 0.5 * u)
    d.rounded_rectangle(box, radius=0.32 * u, outline=_WHITE, width=round(w))
    base = box[3] - w / 2
    d.polygon([(cx - 0.56 * u, base), (cx - 0.6 * u, cy + 0.98 * u), (cx - 0.14 * u, base)],
              fill=_WHITE)  # fmt: skip
    for i, length in enumerate((1.16, 1.16, 0.66)):
        y = box[1] + (0.4 + 0.28 * i) * u
        _stroke(d, (cx - 0.58 * u, y), (cx + (length - 0.58) * u, y), 0.8 * w)


def _icon_status(d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, w: float, bg: Any) -> None:
    """A case document under a magnifying glass: look a case up."""
    d.rounded_rectangle(
        (cx - 0.85 * u, cy - u, cx + 0.45 * u, cy + 0.8 * u),
        radius=0.16 * u, outline=_WHITE, width=round(w),
    )  # fmt: skip
    for y, right in ((-0.6, 0.15), (-0.3, -0.1), (0.0, -0.42)):
        _stroke(d, (cx - 0.55 * u, cy + y * u), (cx + right * u, cy + y * u), 0.8 * w)
    gx, gy, r = cx + 0.3 * u, cy + 0.3 * u, 0.42 * u
    _disc(d, (gx, gy), r + 1.25 * w, bg)
    _disc(d, (gx, gy), r + w / 2, _WHITE)
    _disc(d, (gx, gy), r - w / 2, bg)
    k = r / math.sqrt(2)
    _stroke(d, (gx + k, gy + k), (cx + 1.0 * u, cy + 1.0 * u), 1.15 * w)


def _icon_channels(
    d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, w: float, bg: Any
) -> None:
    """An envelope: where and how to file a report."""
    left, right, top, bottom = cx - u, cx + u, cy - 0.68 * u, cy + 0.68 * u
    d.rounded_rectangle((left, top, right, bottom), radius=0.14 * u, outline=_WHITE, width=round(w))
    corner = 0.25 * w
    fold = (cx, cy + 0.12 * u)
    _stroke(d, (left + w + corner, top + w + corner), fold, w)
    _stroke(d, (right - w - corner, top + w + corner), fold, w)


def _icon_promotion(
    d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, w: float, bg: Any
) -> None:
    """A loudspeaker with sound waves: news and campaigns."""
    ox = cx - 0.22 * u
    horn = [
        (ox - 0.5 * u, cy - 0.3 * u),
        (ox + 0.42 * u, cy - 0.82 * u),
        (ox + 0.42 * u, cy + 0.82 * u),
        (ox - 0.5 * u, cy + 0.3 * u),
    ]
    d.polygon(horn, fill=_WHITE)
    d.polygon(_inset(horn, w), fill=bg)
    d.rounded_rectangle(
        (ox - 0.86 * u, cy - 0.3 * u, ox - 0.5 * u, cy + 0.3 * u), radius=0.1 * u, fill=_WHITE
    )
    for r in (0.4, 0.72):
        box = (ox + 0.42 * u - r * u, cy - r * u, ox + 0.42 * u + r * u, cy + r * u)
        d.arc(box, start=-42, end=42, fill=_WHITE, width=round(w))


def _icon_privacy(
    d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, w: float, bg: Any
) -> None:
    """A padlock: personal data kept safe."""
    sx = 0.46 * u
    d.arc((cx - sx, cy - 1.02 * u, cx + sx, cy - 0.1 * u), start=180, end=360, fill=_WHITE,
          width=round(w))  # fmt: skip
    d.rectangle((cx - sx, cy - 0.56 * u, cx - sx + w, cy - 0.12 * u), fill=_WHITE)
    d.rectangle((cx + sx - w, cy - 0.56 * u, cx + sx, cy - 0.12 * u), fill=_WHITE)
    d.rounded_rectangle(
        (cx - 0.8 * u, cy - 0.16 * u, cx + 0.8 * u, cy + 0.98 * u),
        radius=0.16 * u, outline=_WHITE, width=round(w),
    )  # fmt: skip
    _disc(d, (cx, cy + 0.28 * u), 0.14 * u, _WHITE)
    _stroke(d, (cx, cy + 0.3 * u), (cx, cy + 0.62 * u), 0.9 * w)


def _icon_help(d: ImageDraw.ImageDraw, cx: float, cy: float, u: float, w: float, bg: Any) -> None:
    """An information sign: how to use the service."""
    _disc(d, (cx, cy), 0.98 * u, _WHITE)
    _disc(d, (cx, cy), 0.98 * u - w, bg)
    _disc(d, (cx, cy - 0.5 * u), 0.13 * u, _WHITE)
    _stroke(d, (cx, cy - 0.14 * u), (cx, cy + 0.54 * u), 1.15 * w)


def _disc(d: ImageDraw.ImageDraw, centre: Point, r: float, fill: Any) -> None:
    x, y = centre
    d.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def _stroke(d: ImageDraw.ImageDraw, a: Point, b: Point, w: float) -> None:
    """A straight stroke of width ``w`` with round caps."""
    (ax, ay), (bx, by) = a, b
    length = math.hypot(bx - ax, by - ay) or 1.0
    nx, ny = -(by - ay) / length * w / 2, (bx - ax) / length * w / 2
    d.polygon([(ax + nx, ay + ny), (bx + nx, by + ny), (bx - nx, by - ny), (ax - nx, ay - ny)],
              fill=_WHITE)  # fmt: skip
    _disc(d, a, w / 2, _WHITE)
    _disc(d, b, w / 2, _WHITE)


def _inset(points: list[Point], w: float) -> list[Point]:
    """A convex polygon shrunk so each edge moves ``w`` inwards (to cut an outline out of it)."""
    n = len(points)
    area = sum(points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1]
               for i in range(n))  # fmt: skip
    sign = 1.0 if area > 0 else -1.0
    lines = []
    for i in range(n):
        (x0, y0), (x1, y1) = points[i], points[(i + 1) % n]
        length = math.hypot(x1 - x0, y1 - y0)
        # Inward normal of edge i (left of the edge for counter-clockwise order).
        nx, ny = -(y1 - y0) / length * sign, (x1 - x0) / length * sign
        lines.append(((x0 + nx * w, y0 + ny * w), (x1 - x0, y1 - y0)))
    result = []
    for i in range(n):
        (px, py), (dx, dy) = lines[i - 1]
        (qx, qy), (ex, ey) = lines[i]
        t = ((qx - px) * ey - (qy - py) * ex) / (dx * ey - dy * ex)
        result.append((px + t * dx, py + t * dy))
    return result


ITEMS: tuple[MenuItem, ...] = tuple(
    MenuItem(item, texts.MENU_LABELS[item], texts.MENU_HELPERS[item], icon)
    for item, icon in (
        ("report", _icon_report),
        ("status", _icon_status),
        ("channels", _icon_channels),
        ("promotion", _icon_promotion),
        ("privacy", _icon_privacy),
        ("help", _icon_help),
    )
)
PRIMARY_ITEM = "report"


# -- the menu object -------------------------------------------------------------------------


def area_bounds(index: int) -> dict[str, int]:
    """The tappable rectangle of tile ``index`` (row-major); the six cover the image exactly."""
    row, col = divmod(index, COLUMNS)
    x0, x1 = WIDTH * col // COLUMNS, WIDTH * (col + 1) // COLUMNS
    y0, y1 = HEIGHT * row // ROWS, HEIGHT * (row + 1) // ROWS
    return {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}


def menu_body(items: tuple[MenuItem, ...] = ITEMS) -> dict[str, Any]:
    """The RichMenuRequest: six postback areas ``menu=<item>`` showing the label as sent text."""
    if len(items) != COLUMNS * ROWS:
        raise ValueError(f"the menu has {COLUMNS * ROWS} tiles, got {len(items)} items")
    return {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,
        "name": MENU_NAME,
        "chatBarText": CHAT_BAR_TEXT,
        "areas": [
            {
                "bounds": area_bounds(i),
                "action": postback_action(item.label, menu_postback_data(item.item)),
            }
            for i, item in enumerate(items)
        ],
    }


# -- fonts and glyph coverage ----------------------------------------------------------------


def required_text(items: Iterable[MenuItem] = ITEMS) -> str:
    """Every string the image draws (what the font subset must cover)."""
    return "".join(item.label + item.helper for item in items)


@cache
def font_codepoints(path: Path) -> frozenset[int]:
    """The code points mapped to a real glyph by the font's Unicode ``cmap`` subtables."""
    data = path.read_bytes()
    (num_tables,) = struct.unpack_from(">H", data, 4)
    for i in range(num_tables):
        tag, _checksum, offset, _length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if tag == b"cmap":
            break
    else:
        raise GlyphMissingError(f"{path.name} has no cmap table")
    (count,) = struct.unpack_from(">H", data, offset + 2)
    found: set[int] = set()
    for j in range(count):
        platform, encoding, sub = struct.unpack_from(">HHI", data, offset + 4 + 8 * j)
        if platform == 0 or (platform == 3 and encoding in (1, 10)):
            found |= _subtable_codepoints(data, offset + sub)
    return frozenset(found)


def _subtable_codepoints(data: bytes, at: int) -> set[int]:
    (fmt,) = struct.unpack_from(">H", data, at)
    found: set[int] = set()
    if fmt == 4:
        (seg_x2,) = struct.unpack_from(">H", data, at + 6)
        ends = at + 14
        starts = ends + seg_x2 + 2
        deltas = starts + seg_x2
        range_offsets = deltas + seg_x2
        for s in range(seg_x2 // 2):
            (end,) = struct.unpack_from(">H", data, ends + 2 * s)
            (start,) = struct.unpack_from(">H", data, starts + 2 * s)
            (delta,) = struct.unpack_from(">H", data, deltas + 2 * s)
            (range_offset,) = struct.unpack_from(">H", data, range_offsets + 2 * s)
            for code in range(start, end + 1):
                if code == 0xFFFF:
                    continue
                if range_offset == 0:
                    glyph = (code + delta) & 0xFFFF
                else:
                    where = range_offsets + 2 * s + range_offset + 2 * (code - start)
                    (glyph,) = struct.unpack_from(">H", data, where)
                    glyph = (glyph + delta) & 0xFFFF if glyph else 0
                if glyph:
                    found.add(code)
    elif fmt == 12:
        (groups,) = struct.unpack_from(">I", data, at + 12)
        for g in range(groups):
            start, end, glyph = struct.unpack_from(">III", data, at + 16 + 12 * g)
            found.update(range(start + (glyph == 0), end + 1))
    return found


def check_glyphs(text: str, font_path: Path) -> None:
    """Raise ``GlyphMissingError`` naming every character of ``text`` the font cannot draw."""
    available = font_codepoints(font_path)
    missing = sorted({ch for ch in text if ord(ch) not in available})
    if missing:
        listed = ", ".join(f"{ch!r} U+{ord(ch):04X}" for ch in missing)
        raise GlyphMissingError(
            f"{font_path.name} has no glyph for {listed}; "
            "run scripts/subset_font.py to rebuild the font subset for the new text."
        )


def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


# -- the image -------------------------------------------------------------------------------


def render_image(items: tuple[MenuItem, ...] = ITEMS) -> Image.Image:
    """The menu image, WIDTH × HEIGHT RGB; raises ``GlyphMissingError`` before drawing tofu."""
    if len(items) != COLUMNS * ROWS:
        raise ValueError(f"the menu has {COLUMNS * ROWS} tiles, got {len(items)} items")
    check_glyphs("".join(item.label for item in items), BOLD_FONT)
    check_glyphs("".join(item.helper for item in items), REGULAR_FONT)

    k = _SUPERSAMPLE
    image = Image.new("RGB", (WIDTH * k, HEIGHT * k), _GROUND)
    draw = ImageDraw.Draw(image)
    label_font = _font(BOLD_FONT, _LABEL_SIZE * k)
    helper_font = _font(REGULAR_FONT, _helper_size(items) * k)
    for index, item in enumerate(items):
        b = area_bounds(index)
        box = (
            (b["x"] + _GAP) * k,
            (b["y"] + _GAP) * k,
            (b["x"] + b["width"] - _GAP) * k,
            (b["y"] + b["height"] - _GAP) * k,
        )
        _draw_tile(draw, box, item, label_font, helper_font, primary=item.item == PRIMARY_ITEM)
    return image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)


def _helper_size(items: tuple[MenuItem, ...]) -> int:
    """One helper size for all tiles: the largest that fits the longest line in a tile."""
    width = WIDTH // COLUMNS - 2 * _GAP - 2 * _HELPER_MARGIN
    for size in range(_HELPER_SIZE_MAX, _HELPER_SIZE_MIN - 1, -2):
        font = _font(REGULAR_FONT, size)
        if all(font.getlength(item.helper) <= width for item in items):
            return size
    longest = max((item.helper for item in items), key=len)
    raise ValueError(f"helper line {longest!r} is too long for a tile; shorten it")


def _draw_tile(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    item: MenuItem,
    label_font: ImageFont.FreeTypeFont,
    helper_font: ImageFont.FreeTypeFont,
    *,
    primary: bool,
) -> None:
    k = _SUPERSAMPLE
    x0, y0, x1, y1 = box
    draw.rounded_rectangle(box, radius=_RADIUS * k, fill=_TILE)

    label_box = label_font.getbbox(item.label, anchor="ls")
    helper_box = helper_font.getbbox(item.helper, anchor="ls")
    label_h = label_box[3] - label_box[1]
    helper_h = helper_box[3] - helper_box[1]
    disc = _DISC_RADIUS * k
    block = 2 * disc + _DISC_TO_LABEL * k + label_h + _LABEL_TO_HELPER * k + helper_h
    cx = (x0 + x1) / 2
    top = y0 + ((y1 - y0) - block) / 2

    cy = top + disc
    draw.ellipse((cx - disc, cy - disc, cx + disc, cy + disc), fill=_ICON_DISC)
    if primary:
        # A gold ring marks the main action.
        draw.ellipse((cx - disc, cy - disc, cx + disc, cy + disc), outline=_ACCENT, width=_RING * k)
    item.icon(draw, cx, cy, _ICON_UNIT * k, _STROKE * k, _ICON_DISC)

    label_base = cy + disc + _DISC_TO_LABEL * k - label_box[1]
    draw.text((cx, label_base), item.label, font=label_font, fill=_WHITE, anchor="ms")
    helper_base = label_base + label_box[3] + _LABEL_TO_HELPER * k - helper_box[1]
    draw.text((cx, helper_base), item.helper, font=helper_font, fill=_HELPER, anchor="ms")


def render_png(items: tuple[MenuItem, ...] = ITEMS) -> bytes:
    """The menu image as PNG bytes (well under LINE's 1 MB)."""
    buffer = io.BytesIO()
    render_image(items).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# -- installing ------------------------------------------------------------------------------


def install(client: LineClient, *, remove_old: bool = True) -> str:
    """Create the menu, upload its image, make it every user's default; its rich menu id.

    Running it again makes a fresh menu and switches the default to it; with
    ``remove_old`` the earlier menus of the same name are then deleted. A menu
    whose image upload failed is deleted again, so a failed run leaves nothing.
    """
    image = render_png()
    rich_menu_id = client.create_rich_menu(menu_body())
    try:
        client.upload_rich_menu_image(rich_menu_id, image, "image/png")
        client.set_default_rich_menu(rich_menu_id)
    except Exception:
        with contextlib.suppress(Exception):
            client.delete_rich_menu(rich_menu_id)
        raise
    if remove_old:
        for menu in client.list_rich_menus():
            if menu.get("name") == MENU_NAME and menu.get("richMenuId") != rich_menu_id:
                client.delete_rich_menu(menu["richMenuId"])
    return rich_menu_id
