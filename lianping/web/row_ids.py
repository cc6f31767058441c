"""The ``<int:…>`` of every route: a row id the id columns can hold, else the route does not match.

Werkzeug's own converter takes any run of digits, so ``/admin/media/99999999999999999999999``
reached the view and failed in PostgreSQL (bigint out of range) as a 500; bounded here, such a
path is a 404 like any id that does not exist.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from lianping.storage.ids import MAX_DIGITS, MAX_ID


class RowIdConverter(IntegerConverter):
    """Matches 1 … ``MAX_ID`` in ASCII digits (Werkzeug's ``\\d`` also takes other scripts')."""

    regex = rf"[0-9]{{1,{MAX_DIGITS}}}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
