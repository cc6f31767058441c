"""Queries over residents (LINE users). They take a session and never commit."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from lianping.storage.db import dialect_insert, insert_ignoring_duplicates
from lianping.storage.models import Resident, ResidentTag, utcnow

# Built once: every drained batch reads its residents with it.
_BY_LINE_USER_IDS = select(Resident).where(
    Resident.line_user_id.in_(bindparam("b_ids", expanding=True))
)


def by_line_user_ids(session: Session, line_user_ids: Collection[str]) -> dict[str, Resident]:
    """The residents known by these LINE user ids (one query), by LINE user id."""
    if not line_user_ids:
        return {}
    found = session.scalars(_BY_LINE_USER_IDS, {"b_ids": list(line_user_ids)})
    return {resident.line_user_id: resident for resident in found}


def get_or_create_many(session: Session, line_user_ids: Collection[str]) -> dict[str, Resident]:
    """The residents with these LINE user ids, those not known yet created (first contact):
    at most three statements for any number."""
    found = by_line_user_ids(session, line_user_ids)
    missing = [line_user_id for line_user_id in line_user_ids if line_user_id not in found]
    if missing:
        insert_ignoring_duplicates(
            session.connection(), Resident, [_first_contact(i) for i in missing], "line_user_id"
        )
        found.update(by_line_user_ids(session, missing))
    return found


def _first_contact(line_user_id: str) -> dict[str, Any]:
    now = utcnow()
    return {
        "line_user_id": line_user_id,
        "following": True,
        "conversation": {},
        "created_at": now,
        "updated_at": now,
    }


def get_or_create(
    session: Session, line_user_id: str, known: dict[str, Resident] | None = None
) -> Resident:
    """The resident with this LINE user id, created on first contact.

    ``known`` (from :func:`get_or_create_many`) spares the query for residents loaded
    already; a resident created here is added to it."""
    resident = (known or {}).get(line_user_id) or session.scalar(
        select(Resident).where(Resident.line_user_id == line_user_id)
    )
    if resident is not None:
        return resident
    insert_ignoring_duplicates(
        session.connection(), Resident, [_first_contact(line_user_id)], "line_user_id"
    )
    created = session.scalars(select(Resident).where(Resident.line_user_id == line_user_id)).one()
    if known is not None:
        known[line_user_id] = created
    return created


def set_following(resident: Resident, following: bool) -> None:
    """Record a follow or an unfollow/block with its time."""
    resident.following = following
    if following:
        resident.followed_at = utcnow()
    else:
        resident.unfollowed_at = utcnow()


def set_area(resident: Resident, district: str, village: str | None) -> None:
    """Record the 區 and 村里 the resident chose in 訂閱設定 (None: the whole 區)."""
    resident.district, resident.village = district, village


def set_promotions_opt_out(resident: Resident, opt_out: bool, at: datetime) -> None:
    """Stop or resume promotions; the time is that of the latest change."""
    if resident.promotions_opt_out != opt_out:
        resident.promotions_opt_out, resident.promotions_opt_out_at = opt_out, at


def record_profiles(session: Session, profiles: dict[str, dict[str, Any]]) -> None:
    """Store LINE profiles (by LINE user id) in one statement: display name and fetch time.

    An empty profile (LINE had none to give) only records the time.
    """
    if not profiles:
        return
    table = cast(Table, Resident.__table__)
    statement = (
        update(table)
        .where(table.c.line_user_id == bindparam("b_user"))
        .values(
            display_name=func.coalesce(bindparam("b_name", type_=table.c.display_name.type),
                                       table.c.display_name),
            profile_fetched_at=utcnow(),
        )
    )  # fmt: skip
    session.execute(
        statement,
        [
            {
                "b_user": user_id,
                "b_name": str(profile["displayName"])[:200] if profile.get("displayName") else None,
            }
            for user_id, profile in profiles.items()
        ],
    )


# -- followers (the admin's 追蹤者 page) --------------------------------------------------


@dataclass(frozen=True)
class FollowerFilter:
    """Which followers to list: by 區, 村里, tag and promotions opt-out (None: any)."""

    district: str | None = None
    village: str | None = None
    tag: str | None = None
    opt_out: bool | None = None


def _followers(flt: FollowerFilter) -> Select[Any]:
    statement = select(Resident).where(Resident.following.is_(True))
    if flt.district:
        statement = statement.where(Resident.district == flt.district)
    if flt.village:
        statement = statement.where(Resident.village == flt.village)
    if flt.opt_out is not None:
        statement = statement.where(Resident.promotions_opt_out.is_(flt.opt_out))
    if flt.tag:
        tagged = select(ResidentTag.resident_id).where(
            ResidentTag.resident_id == Resident.id, ResidentTag.tag == flt.tag
        )
        statement = statement.where(tagged.exists())
    return statement


def followers(
    session: Session, flt: FollowerFilter, *, before_id: int | None, limit: int
) -> list[Resident]:
    """Followers matching ``flt``, newest first, keyset-paged by id (ids below ``before_id``)."""
    statement = _followers(flt).order_by(Resident.id.desc()).limit(limit)
    if before_id is not None:
        statement = statement.where(Resident.id < before_id)
    return list(session.scalars(statement))


def count_followers(session: Session, flt: FollowerFilter) -> int:
    """How many followers match ``flt``."""
    ids = _followers(flt).with_only_columns(Resident.id).subquery()
    return int(session.scalar(select(func.count()).select_from(ids)) or 0)


def tags_of(session: Session, resident_ids: list[int]) -> dict[int, list[str]]:
    """The tags of each resident (sorted), for the residents shown on one page."""
    found: dict[int, list[str]] = {}
    if not resident_ids:
        return found
    rows = session.execute(
        select(ResidentTag.resident_id, ResidentTag.tag)
        .where(ResidentTag.resident_id.in_(resident_ids))
        .order_by(ResidentTag.tag)
    )
    for resident_id, tag in rows:
        found.setdefault(resident_id, []).append(tag)
    return found


def all_tags(session: Session) -> list[str]:
    """Every tag in use, sorted."""
    return list(session.scalars(select(ResidentTag.tag).distinct().order_by(ResidentTag.tag)))


def existing_ids(session: Session, resident_ids: list[int]) -> set[int]:
    """Which of ``resident_ids`` are residents."""
    if not resident_ids:
        return set()
    return set(session.scalars(select(Resident.id).where(Resident.id.in_(resident_ids))))


def clean_tag(raw: str | None) -> str:
    """A tag as stored and matched: surrounding spaces removed, inner runs collapsed."""
    return " ".join((raw or "").split())


def add_tag(session: Session, resident_ids: list[int], tag: str) -> int:
    """Give ``tag`` to the residents; returns how many did not have it yet."""
    if not resident_ids:
        return 0
    now = utcnow()
    statement = (
        dialect_insert(session)(ResidentTag)
        .values([{"resident_id": rid, "tag": tag, "created_at": now} for rid in resident_ids])
        .on_conflict_do_nothing(index_elements=["resident_id", "tag"])
        # The rows inserted, counted: a multi-row INSERT's rowcount is not reliable everywhere.
        .returning(ResidentTag.resident_id)
    )
    return len(session.execute(statement).all())


def remove_tag(session: Session, resident_ids: list[int], tag: str) -> int:
    """Take ``tag`` away from the residents; returns how many had it."""
    if not resident_ids:
        return 0
    result = session.execute(
        delete(ResidentTag).where(ResidentTag.resident_id.in_(resident_ids), ResidentTag.tag == tag)
    )
    return int(getattr(result, "rowcount", 0) or 0)
