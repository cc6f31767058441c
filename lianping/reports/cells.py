"""Text as a document cell takes it: without the characters XML 1.0 and spreadsheets refuse.

Residents' messages may carry control characters (a pasted bell, a stray NUL); ODF,
XLSX and PDF writers reject them, so every file this package writes goes through here.
"""

from __future__ import annotations

import re

_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def printable(value: str | None) -> str:
    """``value`` without the refused characters ('' for None)."""
    return _REFUSED.sub("", value) if value else ""
