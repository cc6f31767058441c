"""What every staff page shares: the acting user, lookups, errors and display helpers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask import Flask, g, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.admin.auth import current_actor
from lianping.bot.conversation.phone import display_phone
from lianping.reports.work_record import Names
from lianping.services.access import Actor
from lianping.storage.models import Agency, Unit, User

__all__ = ["Lookups", "current_actor", "init_app", "not_found"]

EMPTY = "—"


@dataclass(frozen=True)
class Lookups:
    """Names of staff, units and agencies, for selects and for showing ids as words."""

    users: dict[int, User]
    units: dict[int, Unit]
    agencies: dict[int, Agency]

    @classmethod
    def load(cls, session: Session) -> Lookups:
        return cls(
            users={u.id: u for u in session.scalars(select(User).order_by(User.display_name))},
            units={u.id: u for u in session.scalars(select(Unit).order_by(Unit.name))},
            agencies={a.id: a for a in session.scalars(select(Agency).order_by(Agency.name))},
        )

    def user_name(self, user_id: int | None) -> str:
        user = self.users.get(user_id) if user_id else None
        return user.display_name if user else EMPTY

    def unit_name(self, unit_id: int | None) -> str:
        unit = self.units.get(unit_id) if unit_id else None
        return unit.name if unit else EMPTY

    def agency_name(self, agency_id: int | None) -> str:
        agency = self.agencies.get(agency_id) if agency_id else None
        return agency.name if agency else EMPTY

    def names(self) -> Names:
        """The same names as the reports' plain words, for the rules they share (簽辦機關)."""
        return Names(
            users={i: user.display_name for i, user in self.users.items()},
            units={i: unit.name for i, unit in self.units.items()},
            agencies={i: agency.name for i, agency in self.agencies.items()},
        )

    def officers(self, ethics_only: bool = False) -> list[User]:
        """Staff who may handle cases (tips go to ethics staff only)."""
        return [
            u
            for u in self.users.values()
            if u.active and u.role != "viewer" and (u.ethics or not ethics_only)
        ]


def roc_date(value: date | datetime | None) -> str:
    return rocdate.roc_date(value) if value else EMPTY


def roc_datetime(value: datetime | None) -> str:
    return rocdate.roc_datetime(value) if value else EMPTY


def roc_moment(value: datetime) -> str:
    """A moment, or its date alone at 00:00 Taipei: a report written up with only its 收件日期
    is kept at that day's start (``casework.received_at``), and no time of day is made up."""
    if rocdate.to_taipei(value).time() == time(0):
        return rocdate.roc_date(value)
    return rocdate.roc_datetime(value)


def sub_item_label(code: str | None) -> str:
    return codes.SUB_ITEMS[code].wording if code in codes.SUB_ITEMS else EMPTY


NAV_SECTIONS = (
    ("/admin/cases/new", "intake"),
    ("/admin/cases", "inbox"),
    ("/admin/notices", "notices"),
    ("/admin/status", "status"),
    ("/admin/settings", "settings"),
    ("/admin/audit", "audit"),
)


def _nav() -> dict[str, Any]:
    """The signed-in user (the login page has none) and the section the page belongs to."""
    actor = g.get("actor")
    path = request.path.rstrip("/") or "/"
    section = "inbox" if path == "/admin" else ""
    for prefix, name in NAV_SECTIONS:
        if path == prefix or path.startswith(prefix + "/"):
            section = name
            break
    return {"nav_actor": actor if isinstance(actor, Actor) else None, "nav_section": section}


def not_found(error: Exception) -> tuple[str, int]:
    """A 404 inside the staff pages, in words (register on each blueprint)."""
    message = "找不到這筆案件或檔案，可能編號有誤，或檔案已被民眾收回。"
    return render_template("admin/not_found.html", message=message), 404


def init_app(app: Flask) -> None:
    """Filters and globals every admin template may use."""
    app.add_template_filter(roc_date, "roc_date")
    app.add_template_filter(roc_datetime, "roc_datetime")
    app.add_template_filter(roc_moment, "roc_moment")
    app.add_template_filter(sub_item_label, "sub_item_label")
    app.add_template_filter(display_phone, "phone")
    app.context_processor(_nav)
    app.jinja_env.globals.update(
        NATURES=codes.NATURES,
        NATURE_SHORT=codes.NATURE_SHORT,
        MEDIA_KINDS=codes.MEDIA_KINDS,
        SUB_ITEMS=codes.SUB_ITEMS,
        THEMES=codes.THEMES,
        STATUSES=codes.STATUSES,
        CHANNELS=codes.CHANNELS,
        ROLES=codes.ROLES,
        NOTICE_METHOD_SHORT=codes.NOTICE_METHOD_SHORT,
        NOTICE_KINDS=codes.NOTICE_KINDS,
        NOTICE_DELIVERIES=codes.NOTICE_DELIVERIES,
    )
