"""Every colour the bot's Flex messages write text in reads at 4.5:1 or more on the white
bubble (WCAG 2.1 AA, 1.4.3); the grey the cards once used (#888888) did not."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lianping.bot import cards, promotion_list, promotion_messages

COLOUR = re.compile(r"#[0-9A-Fa-f]{6}\b")
BOT = Path(cards.__file__).resolve().parent


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str = "#FFFFFF") -> float:
    """The WCAG contrast ratio of two colours."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_formula_knows_the_old_grey_fails() -> None:
    assert contrast("#888888") < 4.5 < contrast("#666666")


@pytest.mark.parametrize("module", [cards, promotion_list, promotion_messages])
def test_every_colour_in_the_bots_cards_reads_on_white(module: object) -> None:
    source = Path(module.__file__).read_text(encoding="utf-8")  # type: ignore[attr-defined]
    for colour in set(COLOUR.findall(source)):
        assert contrast(colour) >= 4.5, f"{module.__name__}: {colour}"  # type: ignore[attr-defined]


def test_no_python_file_of_the_bot_writes_a_low_contrast_colour() -> None:
    for path in BOT.rglob("*.py"):
        for colour in set(COLOUR.findall(path.read_text(encoding="utf-8"))):
            assert contrast(colour) >= 4.5, f"{path.name}: {colour}"


def test_a_built_summary_card_uses_only_readable_colours() -> None:
    card = cards.report_summary({"nature": "need", "description": "路燈不亮已兩週。"}, 30)
    for colour in set(COLOUR.findall(json.dumps(card))):
        assert contrast(colour) >= 4.5, colour
