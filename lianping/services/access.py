"""Who may do what, and what personal data each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping.storage import cases
from lianping.storage.case_search import ALL_TIPS, NO_TIPS, TipScope
from lianping.storage.models import Case, TipReporter, User

WRITERS = frozenset({"admin", "supervisor", "officer"})
REVEALERS = frozenset({"admin", "supervisor", "officer"})


class PermissionDenied(Exception):
    """The actor's role does not allow this (HTTP 403)."""


class CaseHidden(LookupError):
    """A tip the actor may not open: answered exactly like a case that does not exist (404),
    so nobody learns that a tip exists from its number."""


@dataclass(frozen=True)
class Actor:
    """The person (or token) acting, as the services see them."""

    user_id: int | None
    username: str
    display_name: str
    role: str
    ethics: bool = False
    ip: str | None = None
    # 政風單位主管: opens every tip; other ethics staff only the tips assigned to them.
    head_of_ethics: bool = False
    unit_id: int | None = None

    @classmethod
    def of(cls, user: User, ip: str | None = None) -> Actor:
        return cls(
            user.id,
            user.username,
            user.display_name,
            user.role,
            user.ethics,
            ip,
            head_of_ethics=user.ethics and user.head_of_ethics,
            unit_id=user.unit_id,
        )

    @property
    def can_write(self) -> bool:
        return self.role in WRITERS

    @property
    def can_reveal(self) -> bool:
        return self.role in REVEALERS

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


SYSTEM = Actor(None, "system", "系統", "admin")
CLI = Actor(None, "cli", "命令列工具", "admin")  # the ``lianping`` command
# A resident acting on their own case from LINE (e.g. 撤回); never a staff role.
RESIDENT = Actor(None, cases.RESIDENT, "反映者", "resident")


def require_write(actor: Actor) -> None:
    if not actor.can_write:
        raise PermissionDenied("檢視者無法變更資料")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDenied("僅系統管理者可執行")


def can_open(actor: Actor, case: Case) -> bool:
    """Tips (檢舉) are need-to-know: only the ethics officer the tip is assigned to and the
    head of ethics open one (貪污治罪條例 §18), not every ethics user nor an administrator.

    A case stays confidential once it was a tip, even after ethics staff reclassify
    it: the reporter's identity stays protected.
    """
    if not case.confidential:
        return True
    if not actor.ethics:
        return False
    return actor.head_of_ethics or (actor.user_id is not None and case.officer_id == actor.user_id)


def require_open(actor: Actor, case: Case) -> None:
    """Refuse a tip the actor may not open as if it did not exist (``CaseHidden``, a 404)."""
    if not can_open(actor, case):
        raise CaseHidden(case.number)


def tip_scope(actor: Actor) -> TipScope:
    """The confidential cases the actor's lists, counts and exports may hold (``can_open``)."""
    if not actor.ethics:
        return NO_TIPS
    if actor.head_of_ethics:
        return ALL_TIPS
    return TipScope(officer_id=actor.user_id if actor.user_id is not None else 0)


def may_reveal(session: Session, actor: Actor, case: Case) -> bool:
    """Need-to-know for the reporter's personal data (個資法 §5, §16).

    A tip: whoever may open it (the assigned ethics officer, the head of ethics). Any
    other case: its assigned officer, a supervisor of that officer's unit, administrators.
    Viewers never.
    """
    if not actor.can_reveal or not can_open(actor, case):
        return False
    if case.confidential:
        return True
    officers = revealable_officers(session, actor)
    return officers is None or case.officer_id in officers


def mask_name(name: str | None) -> str | None:
    """王小明 → 王○明; 王明 → 王○."""
    if not name:
        return name
    if len(name) <= 2:
        return name[0] + "○"
    return name[0] + "○" * (len(name) - 2) + name[-1]


def mask_phone(phone: str | None) -> str | None:
    """+886912345678 → ******5678 (the last four digits only)."""
    if not phone:
        return phone
    digits = [c for c in phone if c.isdigit()]
    return "*" * 6 + "".join(digits[-4:])


def mask_email(email: str | None) -> str | None:
    """li.ming@example.gov.tw → l＊＊＊@example.gov.tw (the first character and the domain)."""
    if not email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}＊＊＊@{domain}" if domain else local[:1] + "＊＊＊"


def mask_address(address: str | None) -> str | None:
    """Keep the city and district, hide the rest: 臺北市中正區＊＊＊."""
    if not address:
        return address
    for marker in ("區", "鄉", "鎮", "市"):
        index = address.find(marker, 2)
        if 0 < index < 10:
            return address[: index + 1] + "＊＊＊"
    return address[:3] + "＊＊＊"


def revealable_officers(session: Session, actor: Actor) -> frozenset[int] | None:
    """The officers whose (ordinary) cases' personal data the actor may see: their own, and
    a supervisor's unit's; None is every case (administrators). ``may_reveal`` and the
    lists and exports all use this one rule."""
    if actor.is_admin:
        return None
    if not actor.can_reveal or actor.user_id is None:
        return frozenset()
    ids = {actor.user_id}
    if actor.role == "supervisor" and actor.unit_id is not None:
        ids.update(session.scalars(select(User.id).where(User.unit_id == actor.unit_id)))
    return frozenset(ids)


def reporter_fields(session: Session, case: Case) -> dict[str, str | None]:
    """附件1's reporter fields in clear: a confidential case's from ``tip_reporters``."""
    if case.confidential:
        row = session.get(TipReporter, case.id)
        return {
            "name": row.name if row else None,
            "phone": row.phone if row else None,
            "address": row.address if row else None,
            "occupation": row.occupation if row else None,
        }
    return {
        "name": case.reporter_name,
        "phone": case.reporter_phone,
        "address": case.reporter_address,
        "occupation": case.reporter_occupation,
    }


def has_reporter_data(session: Session, case: Case) -> bool:
    """Whether the case holds a reporter's name, phone or address to reveal."""
    fields = reporter_fields(session, case)
    return bool(fields["name"] or fields["phone"] or fields["address"])


def personal_data(case: Case, revealed: bool) -> dict[str, str | None]:
    """附件1's reporter fields of an ordinary case, masked unless ``revealed``.

    A confidential case holds none here (they are in ``tip_reporters``): all sealed.
    """
    if case.confidential:
        return {"name": None, "phone": None, "address": None, "occupation": None}
    fields = {
        "name": case.reporter_name,
        "phone": case.reporter_phone,
        "address": case.reporter_address,
        "occupation": case.reporter_occupation,
    }
    if revealed:
        return fields
    return {
        "name": mask_name(fields["name"]),
        "phone": mask_phone(fields["phone"]),
        "address": mask_address(fields["address"]),
        "occupation": fields["occupation"],
    }
