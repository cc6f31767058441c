"""Queries over the field activities (seed 004 柒) and what hangs on them: 聯絡人 who took part,
photos, and the cases taken at them. They take a session and never commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from lianping.storage.models import (
    ActivityContact,
    ActivityPhoto,
    Case,
    FieldActivity,
    Place,
    PlaceContact,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class ActivityFilter:
    """The list's filters: a period (held on, both days included), kind, 區 and place."""

    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    district: str | None = None
    place_id: int | None = None


def _filtered(flt: ActivityFilter) -> Select[Any]:
    statement = select(FieldActivity)
    if flt.date_from:
        statement = statement.where(FieldActivity.held_on >= flt.date_from)
    if flt.date_to:
        statement = statement.where(FieldActivity.held_on <= flt.date_to)
    if flt.kind:
        statement = statement.where(FieldActivity.kind == flt.kind)
    if flt.place_id:
        statement = statement.where(FieldActivity.place_id == flt.place_id)
    if flt.district:
        # An activity's 區 is its place's, or the one typed with a free-text venue.
        at_place = select(Place.id).where(Place.district == flt.district)
        statement = statement.where(
            or_(FieldActivity.district == flt.district, FieldActivity.place_id.in_(at_place))
        )
    return statement


def search(
    session: Session, flt: ActivityFilter, limit: int = PAGE_SIZE, offset: int = 0
) -> list[FieldActivity]:
    """Activities newest first (by the day held, then the latest recorded)."""
    statement = (
        _filtered(flt)
        .order_by(FieldActivity.held_on.desc(), FieldActivity.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(statement))


def count(session: Session, flt: ActivityFilter) -> int:
    """How many activities match."""
    subquery = _filtered(flt).with_only_columns(FieldActivity.id).subquery()
    return int(session.scalar(select(func.count()).select_from(subquery)) or 0)


def contact_ids(session: Session, activity_id: int) -> list[int]:
    """The 聯絡人 named as taking part."""
    return list(
        session.scalars(
            select(ActivityContact.contact_id)
            .where(ActivityContact.activity_id == activity_id)
            .order_by(ActivityContact.contact_id)
        )
    )


def contacts(session: Session, activity_id: int) -> list[PlaceContact]:
    """The 聯絡人 named as taking part, in the order entered."""
    return list(
        session.scalars(
            select(PlaceContact)
            .join(ActivityContact, ActivityContact.contact_id == PlaceContact.id)
            .where(ActivityContact.activity_id == activity_id)
            .order_by(PlaceContact.id)
        )
    )


def photos(session: Session, activity_id: int) -> list[ActivityPhoto]:
    """An activity's photos in the order uploaded."""
    return list(
        session.scalars(
            select(ActivityPhoto)
            .where(ActivityPhoto.activity_id == activity_id)
            .order_by(ActivityPhoto.id)
        )
    )


def cases(session: Session, activity_id: int) -> list[Case]:
    """The cases taken at an activity, in the order received (tips included: callers filter
    by who may open them)."""
    return list(
        session.scalars(
            select(Case).where(Case.activity_id == activity_id).order_by(Case.created_at, Case.id)
        )
    )


def case_counts(session: Session, activity_ids: list[int]) -> dict[int, int]:
    """How many ordinary (non-confidential) cases each activity took."""
    if not activity_ids:
        return {}
    rows = session.execute(
        select(Case.activity_id, func.count())
        .where(Case.activity_id.in_(activity_ids), Case.confidential.is_(False))
        .group_by(Case.activity_id)
    )
    return {activity_id: int(n) for activity_id, n in rows if activity_id is not None}


def for_place(session: Session, place_id: int, limit: int = 100) -> list[FieldActivity]:
    """The activities held at a place, newest first."""
    return search(session, ActivityFilter(place_id=place_id), limit=limit)
