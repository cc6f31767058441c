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
Big5 (symbols, the 5,401 common and 7,652 less-common hanzi), every ideograph the font
has in the CJK Unified Ideographs block and its Extensions A to H and in the two
compatibility blocks (names such as 堃 and 喆 are outside Big5, 𡘙 and 𠮷 in Extension B),
printable ASCII and Latin-1, the full-width forms, CJK punctuation, and the marks the
reports use (○ of masked names, 〓 drawn for a character the subset lacks). Every face of
the collection maps the same characters (they differ only in which glyph a shared
character gets), so the TC face alone is the source. The result is byte-for-byte
reproducible from the same source font.
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


# Ideograph blocks, [start, stop): Extension A, the Unified block, compatibility ideographs,
# Extensions B to F and I, the compatibility supplement, Extensions G and H. The font has some
# of each extension (2,108 of Extension B's 42,720): those are kept, the rest print as 〓.
IDEOGRAPHS = [
    (0x3400, 0x4DC0),
    (0x4E00, 0xA000),
    (0xF900, 0xFB00),
    (0x20000, 0x2EE60),
    (0x2F800, 0x2FA20),
    (0x30000, 0x323B0),
]


def wanted_characters() -> set[str]:
    """Big5, CJK ideographs, ASCII and Latin-1, full-width forms, CJK punctuation."""
    ranges = [(0x20, 0x7F), (0xA0, 0x100), (0x3000, 0x3040), (0xFF01, 0xFFEF), *IDEOGRAPHS]
    found = big5_characters()
    for start, stop in ranges:
        found.update(chr(c) for c in range(start, stop))
    # ・ and • head residents' and the bot's own lists (e.g. the copy of one's personal data).
    found.update("○●□■△▲◇◆☆★〓※→←↑↓・•")
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
    # A few Big5 symbols (e.g. ‾ ∼) and most of the extensions' ideographs are not in Noto
    # CJK: the PDF engine draws 〓 for them.
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
    lacking_symbols = "".join(ch for ch in lacking if not _ideograph(ch))
    print(
        f"{TARGET.relative_to(ROOT)}: {kept:,} characters, {TARGET.stat().st_size:,} bytes"
        f" (source lacks {len(lacking) - len(lacking_symbols):,} ideographs"
        f" and {len(lacking_symbols)} others: {lacking_symbols})"
    )


def _ideograph(ch: str) -> bool:
    return any(start <= ord(ch) < stop for start, stop in IDEOGRAPHS)


if __name__ == "__main__":
    main()
