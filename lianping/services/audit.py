"""The append-only audit log: every change and every reveal of personal data."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping.services.access import Actor
from lianping.storage.models import AuditEntry, utcnow


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: str | int,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry (never updated or deleted afterwards)."""
    entry = AuditEntry(
        at=utcnow(),
        user_id=actor.user_id,
        actor=actor.username,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=_jsonable(before),
        after=_jsonable(after),
        ip=actor.ip,
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Newest first, keyset-paged by id."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if target_type:
        statement = statement.where(AuditEntry.target_type == target_type)
    if target_id:
        statement = statement.where(AuditEntry.target_id == target_id)
    if before_id:
        statement = statement.where(AuditEntry.id < before_id)
    return list(session.scalars(statement))


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: value if _plain(value) else str(value) for key, value in values.items()}


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)
