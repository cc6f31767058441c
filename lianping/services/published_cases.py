"""The published cases as the public reads them (案件成果, its feed, open data, Open311).

Every query here carries ``VISIBLE``: published by staff, agreed by the reporter, never a tip
(nor a former tip), and at a stage with an outcome. The rule is checked on every read, so a
case reclassified as a tip, or moved to a status with nothing to publish, leaves the public
pages at once. What a ``PublicCase`` holds is all the public ever sees of a case: the staff's
words, the 區, the categories, dates and status; never the resident's text, name, contact
data, LINE id, exact place or media.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.services.publication import PUBLISHABLE_STATUSES
from lianping.storage.models import Case, CasePublication

# Bare boolean columns (not ``IS TRUE``): PostgreSQL then matches the partial index
# ``ix_cases_publishable`` (WHERE publish_consent) and reads a page without scanning cases.
VISIBLE = and_(
    CasePublication.published,
    Case.publish_consent,
    Case.confidential.is_(False),
    Case.nature != codes.TIP,
    Case.status.in_(PUBLISHABLE_STATUSES),
)
PAGE = 20


@dataclass(frozen=True)
class PublicCase:
    """One published case, as shown to the public."""

    number: str
    title: str
    summary: str
    outcome: str
    district: str | None
    nature: str
    sub_item: str | None
    theme: str | None
    status: str
    received_at: datetime
    updated_at: datetime
    published_at: datetime
    closed_at: datetime | None

    @property
    def nature_label(self) -> str:
        """民情需求事項 or 施政興革反映."""
        return codes.NATURES[self.nature]

    @property
    def sub_item_label(self) -> str | None:
        """The sub-item's short name."""
        item = codes.SUB_ITEMS.get(self.sub_item or "")
        return item.label if item else None

    @property
    def theme_label(self) -> str | None:
        """The theme's name (地方工程…)."""
        return codes.THEMES.get(self.theme or "")

    @property
    def status_label(self) -> str:
        """The status in the words residents read."""
        return codes.STATUS_FOR_RESIDENTS.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        """Still being handled (Open311's ``open``)."""
        return self.status != codes.CLOSED

    @property
    def received_on(self) -> str:
        """The ROC date it was received."""
        return rocdate.roc_date(self.received_at)

    @property
    def published_on(self) -> str:
        """The ROC date it was published."""
        return rocdate.roc_date(self.published_at)

    def to_json(self) -> dict[str, Any]:
        """The open-data record (schema in ``public.open_data``)."""
        return {
            "id": self.number,
            "title": self.title,
            "summary": self.summary,
            "outcome": self.outcome,
            "district": self.district,
            "nature": self.nature,
            "nature_label": self.nature_label,
            "sub_item": self.sub_item,
            "sub_item_label": self.sub_item_label,
            "theme": self.theme,
            "theme_label": self.theme_label,
            "status": self.status,
            "status_label": self.status_label,
            "received_at": self.received_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "published_at": self.published_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
        }


@dataclass(frozen=True)
class Filters:
    """What the list may be narrowed by; None is no filter."""

    nature: str | None = None
    sub_item: str | None = None
    theme: str | None = None
    district: str | None = None
    open: bool | None = None
    received_from: datetime | None = None
    received_before: datetime | None = None


def _select() -> Any:
    return (
        select(
            Case.number,
            CasePublication.title,
            CasePublication.summary,
            CasePublication.outcome,
            CasePublication.district,
            Case.nature,
            Case.sub_item,
            Case.theme,
            Case.status,
            Case.created_at,
            func.coalesce(CasePublication.updated_at, Case.updated_at),
            CasePublication.published_at,
            Case.closed_at,
        )
        .join(Case, Case.id == CasePublication.case_id)
        .where(VISIBLE)
    )


def _where(statement: Any, filters: Filters) -> Any:
    if filters.nature:
        statement = statement.where(Case.nature == filters.nature)
    if filters.sub_item:
        statement = statement.where(Case.sub_item == filters.sub_item)
    if filters.theme:
        statement = statement.where(Case.theme == filters.theme)
    if filters.district:
        statement = statement.where(CasePublication.district == filters.district)
    if filters.open is True:
        statement = statement.where(Case.status != codes.CLOSED)
    if filters.open is False:
        statement = statement.where(Case.status == codes.CLOSED)
    if filters.received_from is not None:
        statement = statement.where(Case.created_at >= filters.received_from)
    if filters.received_before is not None:
        statement = statement.where(Case.created_at < filters.received_before)
    return statement


def _record(row: Any) -> PublicCase:
    return PublicCase(*row)


NEWEST = (CasePublication.published_at.desc(), CasePublication.case_id.desc())


def listed(
    session: Session, filters: Filters = Filters(), *, limit: int = PAGE, offset: int = 0
) -> list[PublicCase]:
    """A page of published cases, newest publication first.

    The page's ids are found first (narrow rows, sorted in memory), then only those rows are
    read whole: sorting thousands of rows with their texts spilled to disk.
    """
    page = _where(
        select(CasePublication.case_id).join(Case, Case.id == CasePublication.case_id),
        filters,
    ).where(VISIBLE)
    ids = list(session.scalars(page.order_by(*NEWEST).limit(limit).offset(offset)))
    if not ids:
        return []
    rows = session.execute(_select().add_columns(CasePublication.case_id).where(
        CasePublication.case_id.in_(ids)
    ))  # fmt: skip
    found = {row[-1]: _record(row[:-1]) for row in rows}
    return [found[i] for i in ids if i in found]


def every(session: Session) -> list[PublicCase]:
    """Every published case, newest publication first (the open data)."""
    return [_record(row) for row in session.execute(_select().order_by(*NEWEST))]


def counted(session: Session, filters: Filters = Filters()) -> int:
    """How many published cases match."""
    statement = _where(select(func.count()).select_from(CasePublication).join(Case), filters).where(
        VISIBLE
    )
    return int(session.scalar(statement) or 0)


def by_number(session: Session, number: str) -> PublicCase | None:
    """One published case by its number (None if it is not public)."""
    row = session.execute(_select().where(Case.number == number)).first()
    return _record(row) if row else None


def districts(session: Session) -> list[str]:
    """The 區 that published cases name, for the filter."""
    statement = (
        select(CasePublication.district)
        .join(Case)
        .where(VISIBLE, CasePublication.district.is_not(None))
        .distinct()
        .order_by(CasePublication.district)
    )
    return [d for d in session.scalars(statement) if d]


def last_change(session: Session) -> datetime | None:
    """When the published set last changed (for the feeds' ``updated``)."""
    return session.scalar(select(func.max(CasePublication.updated_at)))


def day_bounds(
    day_from: date | None, day_to: date | None
) -> tuple[datetime | None, datetime | None]:
    """Taipei dates (both ends inclusive) as a half-open UTC range; either end may be open."""
    start = rocdate.taipei_midnight(day_from) if day_from else None
    end = rocdate.taipei_midnight(day_to + timedelta(days=1)) if day_to else None
    return start, end
