"""Who may do what, and what personal data each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from lianping.storage import cases
from lianping.storage.models import Case, User

WRITERS = frozenset({"admin", "supervisor", "officer"})
REVEALERS = frozenset({"admin", "supervisor", "officer"})


class PermissionDenied(Exception):
    """The actor's role does not allow this (HTTP 403)."""


@dataclass(frozen=True)
class Actor:
    """The person (or token) acting, as the services see them."""

    user_id: int | None
    username: str
    display_name: str
    role: str
    ethics: bool = False
    ip: str | None = None

    @classmethod
    def of(cls, user: User, ip: str | None = None) -> Actor:
        return cls(user.id, user.username, user.display_name, user.role, user.ethics, ip)

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
    """Tips (檢舉) are need-to-know: only ethics staff open them.

    A case stays confidential once it was a tip, even after ethics staff reclassify
    it: the reporter's identity stays protected (公益揭弊者保護法).
    """
    return not case.confidential or actor.ethics


def require_open(actor: Actor, case: Case) -> None:
    if not can_open(actor, case):
        raise PermissionDenied("此案件為檢舉案件，僅政風人員可檢視")


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


def mask_address(address: str | None) -> str | None:
    """Keep the city and district, hide the rest: 臺北市中正區＊＊＊."""
    if not address:
        return address
    for marker in ("區", "鄉", "鎮", "市"):
        index = address.find(marker, 2)
        if 0 < index < 10:
            return address[: index + 1] + "＊＊＊"
    return address[:3] + "＊＊＊"


def personal_data(case: Case, revealed: bool) -> dict[str, str | None]:
    """附件1's reporter fields, masked unless ``revealed``."""
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
