"""Bar charts drawn on the server as SVG: no script, and a table beside each one.

The SVG is decorative for assistive technology (``aria-hidden``): the table next to it holds
the same figures. Suppressed counts (「<3」) are drawn as a hatched stub, not as a number.
"""

from __future__ import annotations

from dataclasses import dataclass

from lianping.reports.public_statistics import Row

WIDTH = 640
BAR = 22
GAP = 8
LABEL = 190
# Colours with at least 4.5:1 contrast against white (text) and 3:1 (bars).
BAR_COLOUR = "#1f5fa8"
SUPPRESSED_COLOUR = "#6b7280"
TEXT_COLOUR = "#1b2430"


@dataclass(frozen=True)
class Bar:
    """One drawn bar: its label, length in px and the figure written after it."""

    y: int
    label: str
    width: int
    shown: str
    suppressed: bool


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart ready for the template."""

    width: int
    height: int
    label_width: int
    bars: tuple[Bar, ...]
    bar_height: int = BAR
    colour: str = BAR_COLOUR
    suppressed_colour: str = SUPPRESSED_COLOUR
    text_colour: str = TEXT_COLOUR


def bars(rows: tuple[Row, ...]) -> Chart:
    """A chart of ``rows``: bar lengths proportional to the largest unsuppressed count."""
    largest = max((r.cell.count for r in rows if not r.cell.suppressed), default=0) or 1
    room = WIDTH - LABEL - 60
    drawn = []
    for index, row in enumerate(rows):
        # A suppressed count is drawn as a short grey stub, its size not told.
        width = 6 if row.cell.suppressed else round(room * row.cell.count / largest)
        label = row.label if len(row.label) <= 12 else row.label[:11] + "…"
        drawn.append(Bar(index * (BAR + GAP), label, width, row.cell.shown, row.cell.suppressed))
    return Chart(WIDTH, max(len(rows), 1) * (BAR + GAP), LABEL, tuple(drawn))
