"""Regenerate the PDF reports' font subset from the system's Noto Sans CJK.

The PDF engine (``lianping/reports/pdf.py``) draws 附件1 and 附件2 with a subset of
Noto Sans CJK TC Regular shipped in ``lianping/reports/assets/`` beside ``OFL.txt``
(the font's SIL Open Font License): the product downloads nothing at run time and
a fresh machine has no CJK font. This script is the development step that rebuilds
the subset; the product itself only reads the shipped file.

Needs the Debian/Ubuntu package ``fonts-noto-cjk`` (``NotoSansCJK-Regular.ttc`` under
``/usr/share/fonts/opentype/noto/``) and fontTools (a dependency of fpdf2)::

    .venv/bin/python scripts/subset_report_font.py [--source-dir /usr/share/fonts/opentype/noto]

The subset keeps the Traditional Chinese (TC) face and the glyphs of every character of
Big5 (symbols, the 5,401 common and 7,652 less-common hanzi), the whole CJK Unified
Ideographs block (names such as 堃 and 喆 are outside Big5), printable ASCII and Latin-1,
the full-width forms, CJK punctuation, and the marks the reports use (○ of masked names,
〓 drawn for a character the subset lacks). The result is byte-for-byte reproducible
from the same source font.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "NotoSansCJK-Regular.ttc"
SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
FAMILY = "Noto Sans CJK TC"
TARGET = ROOT / "lianping" / "reports" / "assets" / "NotoSansCJKtc-Regular-reports.otf"
# name IDs kept: family/style/full/version/PostScript names, copyright, license text and URL.
NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]


def big5_characters() -> set[str]:
    """Every character Python's Big5 codec decodes (lead bytes A1–F9)."""
    found = set()
    trails = [*range(0x40, 0x7F), *range(0xA1, 0xFF)]
    for lead in range(0xA1, 0xFA):
        for trail in trails:
            try:
                found.add(bytes([lead, trail]).decode("big5"))
            except UnicodeDecodeError:
                continue
    return found


def wanted_characters() -> set[str]:
    """Big5, CJK Unified Ideographs, ASCII and Latin-1, full-width forms, CJK punctuation."""
    ranges = [(0x20, 0x7F), (0xA0, 0x100), (0x3000, 0x3040), (0x4E00, 0xA000), (0xFF01, 0xFFEF)]
    found = big5_characters()
    for start, stop in ranges:
        found.update(chr(c) for c in range(start, stop))
    found.update("○●□■△▲◇◆☆★〓※→←↑↓")
    return found


def tc_face(collection_path: Path) -> TTFont:
    """The Traditional Chinese face of a Noto CJK collection (found by family name)."""
    collection = TTCollection(str(collection_path))
    for font in collection.fonts:
        if font["name"].getDebugName(1) == FAMILY:
            return font
    raise SystemExit(f"{collection_path}: no face named {FAMILY!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--source-dir", type=Path, default=SOURCE_DIR)
    args = parser.parse_args()
    font = tc_face(args.source_dir / SOURCE)
    font.recalcTimestamp = False  # keep the source's date: the output is reproducible
    available = font.getBestCmap()
    characters = wanted_characters()
    # A few Big5 symbols (e.g. ‾ ∼) are not in Noto CJK: the PDF engine draws 〓 for them.
    lacking = sorted(ch for ch in characters if ord(ch) not in available)
    options = subset.Options()
    options.name_IDs = NAME_IDS
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = []  # the PDF engine shapes nothing: horizontal text only
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={ord(ch) for ch in characters} & set(available))
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    kept = len(characters) - len(lacking)
    print(
        f"{TARGET.relative_to(ROOT)}: {kept:,} characters, {TARGET.stat().st_size:,} bytes"
        f" (source lacks {len(lacking)}: {''.join(lacking)})"
    )


if __name__ == "__main__":
    main()
