"""The case inbox query: filters, search, sort and keyset pagination, plus per-status counts.

Shared by the admin inbox, the JSON API and exports, so a filter means the
same everywhere. Confidential tips are listed only to those who may open them
(``TipScope``, from ``services.access.tip_scope``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.storage import ids, keyset
from lianping.storage.models import Case, utcnow

AnySelect = TypeVar("AnySelect", bound=Select)  # type: ignore[type-arg]

SORTS = ("newest", "oldest", "due")
CASE_NUMBER_PREFIX = re.compile(r"^\d{3,7}(-\d{0,4})?$")
PAGE_SIZE = 50
# Open and still waiting for an answer (a reply ends the wait): past due, such a case is overdue.
AWAITING_ANSWER = codes.OPEN_STATUSES - {codes.REPLIED}


@dataclass(frozen=True)
class TipScope:
    """Which confidential cases (tips, former tips) a viewer's lists hold: every one
    (``every``), those assigned to ``officer_id``, or none."""

    every: bool = False
    officer_id: int | None = None

    def condition(self) -> ColumnElement[bool] | None:
        if self.every:
            return None
        if self.officer_id is not None:
            return or_(Case.confidential.is_(False), Case.officer_id == self.officer_id)
        return Case.confidential.is_(False)


NO_TIPS = TipScope()
ALL_TIPS = TipScope(every=True)


class FilterError(ValueError):
    """A filter value that cannot be used; the message names it."""


@dataclass(frozen=True)
class CaseFilter:
    """Everything the inbox can filter by (all optional)."""

    status: str | None = None  # a status code, or "open"
    nature: str | None = None
    sub_item: str | None = None
    theme: str | None = None
    unit_id: int | None = None
    agency_id: int | None = None
    officer_id: int | None = None
    channel: str | None = None
    overdue: bool = False
    resident_update: bool = False
    extension_pending: bool = False  # an officer's extension waiting for a supervisor
    date_from: date | None = None  # created on or after (Taipei date)
    date_to: date | None = None  # created on or before (Taipei date)
    q: str | None = None
    sort: str = "newest"

    @classmethod
    def from_args(cls, args: Any) -> CaseFilter:
        """Parse query-string style arguments (a mapping of strings); bad values raise."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = args.get(f.name)
            if raw in (None, ""):
                continue
            values[f.name] = _parse(f.name, str(raw))
        found = cls(**values)
        found.validate()
        return found

    def validate(self) -> None:
        checks = {
            "status": (self.status, {*codes.STATUSES, "open"}),
            "nature": (self.nature, set(codes.NATURES)),
            "sub_item": (self.sub_item, set(codes.SUB_ITEMS)),
            "theme": (self.theme, set(codes.THEMES)),
            "channel": (self.channel, set(codes.CHANNELS)),
            "sort": (self.sort, set(SORTS)),
        }
        for name, (value, allowed) in checks.items():
            if value is not None and value not in allowed:
                raise FilterError(f"{name}: {value!r} is not one of {sorted(allowed)}")
        for name in ("date_from", "date_to"):
            day = getattr(self, name)
            if day is not None and not rocdate.FIRST_DAY <= day <= rocdate.LAST_DAY:
                raise FilterError(f"{name}: {day} is out of range")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise FilterError("date_from is after date_to")

    def without_status(self) -> CaseFilter:
        return replace(self, status=None)


def overdue(now: datetime) -> ColumnElement[bool]:
    """The overdue rule as SQL: waiting for an answer past the due date, the clock running
    (not paused for a 補陳)."""
    return and_(
        Case.status.in_(AWAITING_ANSWER), Case.due_at < now, Case.details_requested_at.is_(None)
    )


def is_overdue(
    status: str, due_at: datetime, now: datetime, details_requested_at: datetime | None
) -> bool:
    """The overdue rule for a case already read (a row of a list or of an export)."""
    return status in AWAITING_ANSWER and due_at < now and details_requested_at is None


def _parse(name: str, raw: str) -> Any:
    try:
        if name in ("unit_id", "agency_id", "officer_id"):
            found = ids.parse_id(raw)
            if found is None:
                raise ValueError(raw)
            return found
        if name in ("overdue", "resident_update", "extension_pending"):
            return raw.lower() in ("1", "true", "yes", "on")
        if name in ("date_from", "date_to"):
            return date.fromisoformat(raw)
    except ValueError as exc:
        raise FilterError(f"{name}: {raw!r} is not valid") from exc
    return raw.strip()[:100]


def filtered(statement: AnySelect, flt: CaseFilter, tips: TipScope) -> AnySelect:
    """``statement`` narrowed to the cases ``flt`` lists, holding only the tips ``tips`` allows."""
    conditions: list[Any] = []
    # Every tip is confidential, and a former tip stays so (services.access.can_open).
    sealed = tips.condition()
    if sealed is not None:
        conditions.append(sealed)
    if flt.status == "open":
        conditions.append(Case.status.in_(codes.OPEN_STATUSES))
    elif flt.status:
        conditions.append(Case.status == flt.status)
    for name in ("nature", "sub_item", "theme", "unit_id", "agency_id", "officer_id", "channel"):
        value = getattr(flt, name)
        if value is not None:
            conditions.append(getattr(Case, name) == value)
    if flt.overdue:
        conditions.append(overdue(utcnow()))
    if flt.resident_update:
        conditions.append(Case.resident_update_at.is_not(None))
    if flt.extension_pending:
        conditions.append(Case.extension_due_on.is_not(None))
    if flt.date_from:
        conditions.append(Case.created_at >= rocdate.taipei_midnight(flt.date_from))
    if flt.date_to:
        conditions.append(
            Case.created_at < rocdate.taipei_midnight(flt.date_to + timedelta(days=1))
        )
    if flt.q:
        escaped = flt.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        if CASE_NUMBER_PREFIX.match(flt.q):
            # A case number (or its start): an indexed prefix match, not a scan.
            conditions.append(Case.number.like(escaped + "%", escape="\\"))
        else:
            conditions.append(Case.description.ilike("%" + escaped + "%", escape="\\"))
    return statement.where(*conditions) if conditions else statement


@dataclass(frozen=True)
class Page:
    cases: list[Case]
    next_cursor: str | None


def _cursor_after(case: Case, sort: str) -> str:
    return keyset.encode(case.due_at if sort == "due" else case.created_at, case.id)


def _decode(cursor: str) -> tuple[datetime, int]:
    try:
        return keyset.decode(cursor)
    except ValueError as exc:
        raise FilterError("cursor is not valid") from exc


def search(
    session: Session,
    flt: CaseFilter,
    *,
    tips: TipScope,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page:
    """One page of cases; pass ``next_cursor`` back for the next page (keyset, no OFFSET)."""
    column = Case.due_at if flt.sort == "due" else Case.created_at
    ascending = flt.sort in ("oldest", "due")
    statement = filtered(select(Case), flt, tips)
    if cursor:
        moment, case_id = _decode(cursor)
        if ascending:
            statement = statement.where(
                or_(column > moment, and_(column == moment, Case.id > case_id))
            )
        else:
            statement = statement.where(
                or_(column < moment, and_(column == moment, Case.id < case_id))
            )
    order = (column.asc(), Case.id.asc()) if ascending else (column.desc(), Case.id.desc())
    rows = list(session.scalars(statement.order_by(*order).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, _cursor_after(rows[-1], flt.sort) if more and rows else None)


def status_counts(session: Session, flt: CaseFilter, *, tips: TipScope) -> dict[str, int] | None:
    """How many cases each status tab holds under the other filters.

    None for a text search: counting every match of a short word means reading
    the whole table, and the list itself (newest first) stays fast.
    """
    if flt.q:
        return None
    statement = filtered(
        select(Case.status, func.count()).group_by(Case.status), flt.without_status(), tips
    )
    counts = {status: 0 for status in codes.STATUSES}
    counts.update({status: n for status, n in session.execute(statement).all()})
    return counts
