"""Who a broadcast reaches: the followers matching its audience filter, or the staff test list.

Followers of all/area/tag audiences are residents who follow the account and have
not opted out of promotions, ordered by id so a frozen audience is reproducible.
A test audience is the active staff with a LINE id; it ignores opt-outs (staff
check what residents will see).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from lianping.storage.models import Resident, ResidentTag, User


def _followers(audience: dict[str, Any]) -> Select[Any]:
    statement = select(Resident.line_user_id).where(
        Resident.following.is_(True), Resident.promotions_opt_out.is_(False)
    )
    kind = audience["kind"]
    if kind == "area":
        statement = statement.where(Resident.district == audience["district"])
        villages = audience.get("villages") or []
        if villages:
            statement = statement.where(Resident.village.in_(villages))
    elif kind == "tag":
        tagged = exists().where(
            ResidentTag.resident_id == Resident.id, ResidentTag.tag.in_(audience["tags"])
        )
        statement = statement.where(tagged)
    return statement


def _staff() -> Select[Any]:
    return select(User.line_user_id).where(
        User.active.is_(True), User.line_user_id.is_not(None), User.line_user_id != ""
    )


def recipient_ids(session: Session, audience: dict[str, Any]) -> list[str]:
    """LINE user ids of the audience, each once, in a stable order."""
    if audience["kind"] == "test":
        found: list[str] = list(session.scalars(_staff().order_by(User.id)))
        return list(dict.fromkeys(found))
    return list(session.scalars(_followers(audience).order_by(Resident.id)))


def count(session: Session, audience: dict[str, Any]) -> int:
    """How many LINE users the audience reaches now."""
    if audience["kind"] == "test":
        inner = _staff().distinct().subquery()
    else:
        inner = _followers(audience).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def everyone_opted_in(session: Session) -> bool:
    """No follower has opted out: LINE's broadcast endpoint reaches exactly the audience "all"."""
    opted_out = select(Resident.id).where(
        Resident.following.is_(True), Resident.promotions_opt_out.is_(True)
    )
    return session.scalar(select(exists(opted_out))) is False
