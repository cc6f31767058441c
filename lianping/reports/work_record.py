"""附件1 村里廉政平臺工作紀錄表 as data: one record per case, as the actor may see it.

Rendered to ODT by ``reports.work_record_files`` and to PDF by ``reports.pdf``. The
rules are the print view's: a tip (or a former tip: any confidential case) never has
one, its reporter's identity being sealed (貪污治罪條例 §18); staff who may reveal the
case's personal data (``services.access.may_reveal``) get it in full, and each such
record is a reveal, logged on the case and in the audit log (``services.casework.reveal``);
everyone else gets it masked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot.conversation.phone import display_phone
from lianping.services import casework, content
from lianping.services.access import (
    Actor,
    PermissionDenied,
    has_reporter_data,
    may_reveal,
    personal_data,
    require_open,
)
from lianping.storage import case_search
from lianping.storage.case_search import NO_TIPS, CaseFilter
from lianping.storage.models import Agency, Case, Unit, User

# A period's batch is one file; beyond this many cases the form asks for a shorter period.
MAX_BATCH = 500
ANONYMOUS = "匿名"
TITLE = "村里廉政平臺工作紀錄表"
# The form's 性質 boxes, in its order; its box is U+25A1, filled (U+25A0) when checked.
NATURE_BOXES = (codes.NEED, codes.REFORM)
CHECKED, UNCHECKED = "■", "□"
NOTE = "【註】「宣揚反貪倡廉資訊」免記載於本紀錄表。"


# Why a full record is a reveal: printing or filing the form is the purpose (audit reason).
REVEAL_REASON = "製作工作紀錄表（附件1）"


def refuse_tip(case: Case) -> None:
    """A tip (or former tip) is never on a 工作紀錄表: refused in words (HTTP 403)."""
    if case.confidential:
        raise PermissionDenied("檢舉案件不製作工作紀錄表（附件1），以保護檢舉人身分。")


class TooManyRecords(ValueError):
    """The period holds more cases than one batch file takes; the message says so (zh-TW)."""


@dataclass(frozen=True)
class Names:
    """Staff, unit and agency names by id (small tables, read once per file)."""

    users: dict[int, str]
    units: dict[int, str]
    agencies: dict[int, str]

    @classmethod
    def load(cls, session: Session) -> Names:
        """Read the three tables' names."""
        return cls(
            users={key: name for key, name in session.execute(select(User.id, User.display_name))},
            units={key: name for key, name in session.execute(select(Unit.id, Unit.name))},
            agencies={key: name for key, name in session.execute(select(Agency.id, Agency.name))},
        )

    def signing_agency(
        self, recorded: str | None, agency_id: int | None, unit_id: int | None
    ) -> str:
        """簽辦機關: as recorded, else where the case was routed (the case page's rule)."""
        if recorded:
            return recorded
        if agency_id:
            return self.agencies.get(agency_id, "")
        if unit_id:
            return self.units.get(unit_id, "")
        return ""


@dataclass(frozen=True)
class WorkRecord:
    """The fields of one 工作紀錄表, already masked or revealed for the actor."""

    number: str
    agency: str  # (政風機構全銜)
    recorded_on: date  # the intake's Taipei date: the form's 年月日
    channel: str
    reporter_name: str
    occupation: str
    phone: str
    address: str
    nature: str  # a code of codes.NATURES
    sub_item: str  # seed 004's wording, or ""
    theme: str
    description: str
    opinion: str  # 處理意見
    recorder: str  # 紀錄人
    signing_agency: str  # 簽辦機關
    revealed: bool  # personal data shown in full (the file must be kept safe)
    # The agency's setting ``work_record_extras``: lines the form does not have (案件編號／
    # 受理管道, 細項／主題) are printed only when it is on.
    extras: bool = False

    @property
    def title(self) -> str:
        """``政風機構全銜村里廉政平臺工作紀錄表``: the form's 「（政風機構全銜）」 marks a fill-in,
        so the name goes in without the brackets."""
        return f"{self.agency}{TITLE}"

    @property
    def date_text(self) -> str:
        """The form's 「年 月 日」 on the title line, in 民國 form."""
        return rocdate.roc_date(self.recorded_on)

    @property
    def nature_boxes(self) -> list[tuple[bool, str]]:
        """The 性質 line: exactly the form's two boxes (a tip never has a record)."""
        return [(self.nature == code, codes.NATURES[code]) for code in NATURE_BOXES]

    @property
    def nature_notes(self) -> list[str]:
        """The lines under the boxes, 細項 and 主題, only where the agency turned extras on."""
        if not self.extras:
            return []
        notes = [f"細項：{self.sub_item}"] if self.sub_item else []
        return notes + ([f"主題：{self.theme}"] if self.theme else [])

    @property
    def number_line(self) -> str:
        """``案件編號：…　受理管道：…`` under the title, only where extras are on ("" else)."""
        return f"案件編號：{self.number}　受理管道：{self.channel}" if self.extras else ""


def box(checked: bool) -> str:
    """The form's box glyph: □ unchecked, ■ checked (every format draws these two)."""
    return CHECKED if checked else UNCHECKED


def for_case(
    session: Session, actor: Actor, case: Case, *, names: Names, agency: str, extras: bool = False
) -> WorkRecord:
    """The record of ``case`` for ``actor``; a full record is a logged reveal (caller commits)."""
    require_open(actor, case)
    refuse_tip(case)
    if may_reveal(session, actor, case) and has_reporter_data(session, case):
        person = casework.reveal(session, actor, case, REVEAL_REASON)
        revealed = True
    else:
        person, revealed = personal_data(case, revealed=False), False
    name = person["name"] or (ANONYMOUS if case.anonymous else "")
    sub_item = codes.SUB_ITEMS.get(case.sub_item or "")
    return WorkRecord(
        number=case.number,
        agency=agency,
        recorded_on=rocdate.taipei_date(case.created_at),
        channel=codes.CHANNELS.get(case.channel, case.channel),
        reporter_name=name,
        occupation=person["occupation"] or "",
        phone=display_phone(person["phone"]),
        address=person["address"] or "",
        nature=case.nature,
        sub_item=sub_item.wording if sub_item else "",
        theme=codes.THEMES.get(case.theme or "", ""),
        description=case.description,
        opinion=case.handling_opinion or "",
        recorder=case.recorder or "",
        signing_agency=names.signing_agency(case.signing_agency, case.agency_id, case.unit_id),
        revealed=revealed,
        extras=extras,
    )


def for_number(session: Session, actor: Actor, number: str) -> WorkRecord:
    """The record of the case numbered ``number`` (LookupError if none, PermissionDenied)."""
    case = casework.get_case(session, actor, number)
    return for_case(
        session,
        actor,
        case,
        names=Names.load(session),
        agency=content.get(session, "agency_name"),
        extras=bool(content.get(session, "work_record_extras")),
    )


def for_period(session: Session, actor: Actor, start: date, end: date) -> list[WorkRecord]:
    """The records of the cases received from ``start`` to ``end`` (Taipei dates), oldest first.

    Tips (and former tips) are never on it, whoever asks.
    """
    flt = CaseFilter(date_from=start, date_to=end, sort="oldest")
    page = case_search.search(session, flt, tips=NO_TIPS, limit=MAX_BATCH)
    if page.next_cursor is not None:
        raise TooManyRecords(f"此期間的案件超過{MAX_BATCH}件，請縮短期間後再下載。")
    names = Names.load(session)
    agency = content.get(session, "agency_name")
    extras = bool(content.get(session, "work_record_extras"))
    return [
        for_case(session, actor, case, names=names, agency=agency, extras=extras)
        for case in page.cases
    ]
