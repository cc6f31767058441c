"""The 弊端態樣與防制作為 library (seed 002): staff write entries, a supervisor approves them.

An entry is an abstracted, typified pattern (seed 002 第八階段: 「抽象化、類型化後之弊端類型」),
never a named case: the words are checked not to carry a phone number or an ID number. The
public reads approved entries only, by business area and keyword. Every change is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from lianping.services import audit
from lianping.services.access import Actor, PermissionDenied, require_write
from lianping.storage.models import MisconductPattern, utcnow

DRAFT, APPROVED = "draft", "approved"
APPROVERS = frozenset({"admin", "supervisor"})
SHORT, LONG = 100, 3000
PAGE = 20
# A national ID or a phone number has no place in an abstracted pattern.
_IDENTIFYING = re.compile(r"[A-Z][12]\d{8}|09\d{2}-?\d{3}-?\d{3}|0\d{1,2}-?\d{6,8}")


class PatternError(ValueError):
    """The entry cannot be saved as written; the message (zh-TW) says why."""


@dataclass(frozen=True)
class Fields:
    """What staff type for one entry."""

    misconduct_type: str
    business_area: str
    pattern: str
    risk: str
    countermeasures: str
    discussed_on: date | None
    discussed_at: str | None


def _checked(fields: Fields) -> Fields:
    short = {"弊端類型": fields.misconduct_type, "業務領域": fields.business_area}
    for name, value in short.items():
        if not value.strip() or len(value.strip()) > SHORT:
            raise PatternError(f"請填寫{name}（{SHORT}字以內）。")
    long = {"態樣": fields.pattern, "風險": fields.risk, "防制作為": fields.countermeasures}
    for name, value in long.items():
        if not value.strip() or len(value.strip()) > LONG:
            raise PatternError(f"請填寫{name}（{LONG}字以內）。")
    every = " ".join([*short.values(), *long.values(), fields.discussed_at or ""])
    if _IDENTIFYING.search(every):
        raise PatternError("內容含有身分證字號或電話號碼，請以抽象化、類型化的方式描述。")
    if fields.discussed_at and len(fields.discussed_at.strip()) > SHORT:
        raise PatternError(f"討論場合請在{SHORT}字以內。")
    return Fields(
        fields.misconduct_type.strip(),
        fields.business_area.strip(),
        fields.pattern.replace("\r\n", "\n").strip(),
        fields.risk.replace("\r\n", "\n").strip(),
        fields.countermeasures.replace("\r\n", "\n").strip(),
        fields.discussed_on,
        (fields.discussed_at or "").strip() or None,
    )


def _snapshot(row: MisconductPattern) -> dict[str, object]:
    return {
        "misconduct_type": row.misconduct_type,
        "business_area": row.business_area,
        "status": row.status,
        "discussed_on": row.discussed_on.isoformat() if row.discussed_on else None,
    }


def save(
    session: Session, actor: Actor, fields: Fields, row: MisconductPattern | None = None
) -> MisconductPattern:
    """Write a new entry or rewrite one; an approved entry shows the new words at once."""
    require_write(actor)
    checked = _checked(fields)
    before = _snapshot(row) if row else None
    now = utcnow()
    if row is None:
        row = MisconductPattern(status=DRAFT, created_by=actor.user_id, created_at=now)
        session.add(row)
    row.misconduct_type, row.business_area = checked.misconduct_type, checked.business_area
    row.pattern, row.risk, row.countermeasures = (
        checked.pattern,
        checked.risk,
        checked.countermeasures,
    )
    row.discussed_on, row.discussed_at = checked.discussed_on, checked.discussed_at
    row.updated_by, row.updated_at = actor.user_id, now
    session.flush()
    action = "pattern.update" if before else "pattern.create"
    audit.record(session, actor, action, "pattern", row.id, before=before, after=_snapshot(row))
    return row


def set_approved(
    session: Session, actor: Actor, row: MisconductPattern, approved: bool
) -> MisconductPattern:
    """Publish (approve) or withdraw an entry: supervisors and administrators."""
    require_write(actor)
    if actor.role not in APPROVERS:
        raise PermissionDenied("核定公開或撤下由主管或系統管理者辦理")
    before = _snapshot(row)
    now = utcnow()
    row.status = APPROVED if approved else DRAFT
    row.approved_by, row.approved_at = (actor.user_id, now) if approved else (None, None)
    row.updated_at = now
    action = "pattern.approve" if approved else "pattern.withdraw"
    audit.record(session, actor, action, "pattern", row.id, before=before, after=_snapshot(row))
    return row


def _escaped(keyword: str) -> str:
    return keyword.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def published(
    session: Session, area: str | None = None, keyword: str | None = None, *, offset: int = 0,
    limit: int = PAGE,
) -> tuple[list[MisconductPattern], int]:  # fmt: skip
    """Approved entries, newest discussed first, by business area and keyword; and the count."""
    statement = select(MisconductPattern).where(MisconductPattern.status == APPROVED)
    if area:
        statement = statement.where(MisconductPattern.business_area == area)
    if keyword:
        like = f"%{_escaped(keyword)}%"
        statement = statement.where(
            or_(
                *(
                    column.ilike(like, escape="\\")
                    for column in (
                        MisconductPattern.misconduct_type,
                        MisconductPattern.business_area,
                        MisconductPattern.pattern,
                        MisconductPattern.risk,
                        MisconductPattern.countermeasures,
                    )
                )
            )
        )
    total = int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)
    ordered = statement.order_by(
        MisconductPattern.discussed_on.desc().nulls_last(), MisconductPattern.id.desc()
    )
    return list(session.scalars(ordered.offset(offset).limit(limit))), total


def public_one(session: Session, pattern_id: int) -> MisconductPattern | None:
    """One approved entry."""
    row = session.get(MisconductPattern, pattern_id)
    return row if row is not None and row.status == APPROVED else None


def areas(session: Session) -> list[str]:
    """The business areas approved entries name, for the filter."""
    statement = (
        select(MisconductPattern.business_area)
        .where(MisconductPattern.status == APPROVED)
        .distinct()
        .order_by(MisconductPattern.business_area)
    )
    return list(session.scalars(statement))


def every(session: Session) -> list[MisconductPattern]:
    """Every entry, drafts included, for the editor's list."""
    statement = select(MisconductPattern).order_by(MisconductPattern.updated_at.desc())
    return list(session.scalars(statement.limit(500)))
