"""Row ids as a URL, a query string or a form spells them.

Every id column is a PostgreSQL ``bigint`` (SQLite's integer holds the same range): a number
beyond it fails in the database, not as "no such row". Reading ids here, once, keeps such
input a plain "not found" or "not valid" wherever it arrives.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1
MAX_DIGITS = len(str(MAX_ID))


def parse_id(raw: str | None) -> int | None:
    """The id ``raw`` spells (ASCII digits, surrounding spaces ignored, 1 … ``MAX_ID``),
    else None."""
    text = (raw or "").strip()
    # ASCII only: str.isdigit() also takes "²", which int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
