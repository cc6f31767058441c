"""Keyset cursors: the sort moment and id of a page's last row, opaque to the reader.

The inbox, the API's case list and the broadcast list page with them, so a
cursor one of them gives out is read back the same way everywhere.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

from lianping.storage.ids import MAX_ID


def encode(moment: datetime, row_id: int) -> str:
    """The cursor after a row sorted at ``moment`` (timezone-aware) with id ``row_id``."""
    key = json.dumps([moment.isoformat(), row_id])
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    """The moment and id a cursor holds; ``ValueError`` for anything ``encode`` did not make."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment, row_id = json.loads(base64.urlsafe_b64decode(padded))
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None or isinstance(row_id, bool) or not 0 < int(row_id) <= MAX_ID:
            raise ValueError(cursor)
        parsed.astimezone(UTC)  # a moment that cannot be placed in UTC (year 1 at +08:00)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError("cursor is not valid") from exc
    return parsed, int(row_id)
