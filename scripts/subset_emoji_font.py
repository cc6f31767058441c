"""Regenerate the PDF reports' emoji font from Noto Emoji (monochrome, SIL OFL 1.1).

Residents write emoji; the PDF forms (``lianping/reports/pdf.py``) draw them in black
with Noto Emoji Regular, the fallback font for every character the CJK face lacks. The
product ships the result in ``lianping/reports/assets/`` beside ``OFL-NotoEmoji.txt`` and
downloads nothing at run time; this script is the development step that rebuilds it.

The source is the static Regular instance of Google's Noto Emoji, version 3.006, as the
npm package ``@expo-google-fonts/noto-emoji`` (0.4.7) carries it::

    npm pack @expo-google-fonts/noto-emoji@0.4.7 && tar xzf expo-google-fonts-noto-emoji-0.4.7.tgz
    .venv/bin/python scripts/subset_emoji_font.py package/400Regular/NotoEmoji_400Regular.ttf

The subset keeps every character the source draws except ASCII (the CJK face has it)
and the marks the PDF engine drops before drawing (``pdf.INVISIBLE``: joiners, variation
selectors, skin tones, tags; text is drawn without shaping, so the sequences they build
print as their parts). Without shaping the ligature table is of no use and goes, with the
glyphs only it reaches. The result is byte-for-byte reproducible from the same source.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lianping.reports import pdf  # noqa: E402

FAMILY = "Noto Emoji"
# name IDs kept: family/style/full/version/PostScript names, copyright, license text and URL.
NAME_IDS = [0, 1, 2, 3, 4, 5, 6, 13, 14]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoEmoji-Regular (static) TrueType file")
    args = parser.parse_args()
    font = TTFont(str(args.source))
    if font["name"].getDebugName(1) != FAMILY:
        raise SystemExit(f"{args.source}: not {FAMILY} (family {font['name'].getDebugName(1)!r})")
    font.recalcTimestamp = False  # keep the source's date: the output is reproducible
    kept = {cp for cp in font.getBestCmap() if cp > 0x7E and cp not in pdf.INVISIBLE}
    options = subset.Options()
    options.name_IDs = NAME_IDS
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.layout_features = []  # the PDF engine shapes nothing
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=kept)
    subsetter.subset(font)
    pdf.EMOJI_FONT_FILE.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(pdf.EMOJI_FONT_FILE))
    print(
        f"{pdf.EMOJI_FONT_FILE.relative_to(ROOT)}: {len(kept):,} characters, "
        f"{pdf.EMOJI_FONT_FILE.stat().st_size:,} bytes"
    )


if __name__ == "__main__":
    main()
