"""Queries over the 平臺地點 and their 聯絡人 (seed 004 伍, 陸). They take a session and never
commit."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lianping.storage.models import FieldActivity, Place, PlaceContact


def listed(
    session: Session, district: str | None = None, include_inactive: bool = False
) -> list[Place]:
    """Places by 區, then 村里 and name; ``district`` narrows to one 區."""
    statement = select(Place).order_by(Place.district, Place.village, Place.name, Place.id)
    if district:
        statement = statement.where(Place.district == district)
    if not include_inactive:
        statement = statement.where(Place.active.is_(True))
    return list(session.scalars(statement))


def districts(session: Session) -> list[str]:
    """The 區 that have a place, in order."""
    return list(session.scalars(select(Place.district).distinct().order_by(Place.district)))


def contacts(session: Session, place_id: int, include_ended: bool = True) -> list[PlaceContact]:
    """A place's 聯絡人: the active first, then the ended, each in the order entered."""
    statement = (
        select(PlaceContact)
        .where(PlaceContact.place_id == place_id)
        .order_by(PlaceContact.active.desc(), PlaceContact.id)
    )
    if not include_ended:
        statement = statement.where(PlaceContact.active.is_(True))
    return list(session.scalars(statement))


def contact_counts(session: Session, place_ids: list[int]) -> dict[int, int]:
    """How many active 聯絡人 each place has."""
    if not place_ids:
        return {}
    rows = session.execute(
        select(PlaceContact.place_id, func.count())
        .where(PlaceContact.place_id.in_(place_ids), PlaceContact.active.is_(True))
        .group_by(PlaceContact.place_id)
    )
    return {place_id: int(count) for place_id, count in rows}


def activity_counts(session: Session, place_ids: list[int]) -> dict[int, int]:
    """How many activities were held at each place."""
    if not place_ids:
        return {}
    rows = session.execute(
        select(FieldActivity.place_id, func.count())
        .where(FieldActivity.place_id.in_(place_ids))
        .group_by(FieldActivity.place_id)
    )
    return {place_id: int(count) for place_id, count in rows if place_id is not None}


def by_ids(session: Session, ids: set[int]) -> dict[int, Place]:
    """Places by id (unknown ids are left out)."""
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Place).where(Place.id.in_(ids)))}
