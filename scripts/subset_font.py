"""Regenerate the rich menu's font subsets from the system's Noto Sans CJK.

The rich menu image (``lianping/bot/richmenu.py``) is drawn with two small
subsets of Noto Sans CJK TC — Bold for the labels, Regular for the helper
lines — shipped in ``lianping/bot/assets/`` beside ``OFL.txt`` (the font's SIL
Open Font License). A fresh machine has no CJK font and the product downloads
nothing at run time, so it only ever reads those shipped files. This script
is the development step that rebuilds them; run it after changing a label or
helper line of the menu (``richmenu.render_image`` refuses to draw a character
the subset lacks and names this script).

Needs the Debian/Ubuntu package ``fonts-noto-cjk`` (``NotoSansCJK-Bold.ttc`` and
``NotoSansCJK-Regular.ttc`` under ``/usr/share/fonts/opentype/noto/``) and
fontTools from the ``dev`` extra::

    .venv/bin/pip install -e '.[dev]'
    .venv/bin/python scripts/subset_font.py [--source-dir /usr/share/fonts/opentype/noto]

Each subset keeps the Traditional Chinese (TC) face of the collection and only
the glyphs of: every character the menu draws (``richmenu.required_text()``),
printable ASCII, full-width digits and common CJK punctuation. The result is
byte-for-byte reproducible from the same source font.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lianping.bot import richmenu  # noqa: E402

SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
FAMILY = "Noto Sans CJK TC"
EXTRA = (
    "".join(chr(c) for c in range(0x20, 0x7F))  # printable ASCII
    + "０１２３４５６７８９"
    + "，。、：；！？「」『』（）【】《》〈〉・…—～／％＋－＝"
)
# name IDs kept: family/style/full/version/PostScript names, copyright, license text and URL.
NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]
TARGETS = {
    "NotoSansCJK-Bold.ttc": richmenu.BOLD_FONT,
    "NotoSansCJK-Regular.ttc": richmenu.REGULAR_FONT,
}


def tc_face(collection_path: Path) -> TTFont:
    """The Traditional Chinese face of a Noto Sans CJK collection (found by family name)."""
    collection = TTCollection(str(collection_path))
    for font in collection.fonts:
        if font["name"].getDebugName(1) == FAMILY:
            return font
    raise SystemExit(f"{collection_path}: no face named {FAMILY!r}")


def make_subset(source: Path, target: Path, characters: str) -> None:
    font = tc_face(source)
    font.recalcTimestamp = False  # keep the source's date: the output is reproducible
    options = subset.Options()
    options.name_IDs = NAME_IDS
    options.name_languages = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(ch) for ch in characters})
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))
    missing = sorted({ch for ch in characters if ord(ch) not in font.getBestCmap()})
    if missing:
        raise SystemExit(f"{source.name} itself lacks {''.join(missing)!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=SOURCE_DIR)
    args = parser.parse_args()
    characters = "".join(sorted(set(richmenu.required_text() + richmenu.CHAT_BAR_TEXT + EXTRA)))
    for name, target in TARGETS.items():
        make_subset(args.source_dir / name, target, characters)
        print(f"{target.relative_to(ROOT)}: {len(characters)} characters, "
              f"{target.stat().st_size:,} bytes")  # fmt: skip
    richmenu.font_codepoints.cache_clear()
    richmenu.check_glyphs(characters, richmenu.BOLD_FONT)
    richmenu.check_glyphs(characters, richmenu.REGULAR_FONT)


if __name__ == "__main__":
    main()
