"""A notice the law requires (受理, 補陳, 移送, 延長, 不予處理, 結果) as an official letter (函).

Rendered to ODT and PDF by ``reports.notice_letter_files``. The letterhead is the agency
the letter goes out under and 「函」: the 政風機構 itself (``agency_name``), or, where a 政風室
writes in its agency's name as most do, that agency (``letter_sender``, e.g. 臺北市大同區公所),
the 政風單位 then named as 承辦單位 beside its address, phone and e-mail; 受文者 is the
reporter. The reporter's name and address are personal data: staff who may reveal the
case's (``access.may_reveal``) get them, and each such letter is a reveal, logged on the
case and in the audit log as 附件1 is; everyone else gets the letter without the address
block and with the name masked, to be completed by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot import texts
from lianping.services import casework, content
from lianping.services.access import Actor, has_reporter_data, mask_name, may_reveal, require_open
from lianping.services.access import reporter_fields as clear_fields
from lianping.services.notice_delivery import get_notice
from lianping.storage.models import Case, CaseNotice

# Why a letter with the reporter's name and address is a reveal (audit reason).
REVEAL_REASON = "製作書面通知（郵寄或當面交付）"
# 主旨 by kind: the matter ({matter}: 陳情 or 檢舉) and what the letter tells.
SUBJECTS: dict[str, str] = {
    "acceptance": "臺端{matter}案（案件編號{number}），本機關已受理，請查照。",
    "details": "臺端{matter}案（案件編號{number}），請補充陳述相關內容，請查照。",
    "transfer": "臺端{matter}案（案件編號{number}），已移請權責機關處理，請查照。",
    "extension": "臺端{matter}案（案件編號{number}），延長處理期限，請查照。",
    "refusal": "臺端{matter}案（案件編號{number}），依行政程序法第173條規定不予處理，請查照。",
    "result": "臺端{matter}案（案件編號{number}）之處理結果，請查照。",
}
# The LINE heading a notice's body starts with (【案件 … 通知】): the letter has its 主旨.
_HEADING = ("【", "】")


@dataclass(frozen=True)
class NoticeLetter:
    """The fields of one letter, the reporter's already revealed or left out for the actor."""

    notice_id: int
    kind: str
    number: str  # the case number
    agency: str  # 政風機構全銜
    sender: str  # the agency the letter goes out under (blank: the 政風機構 itself)
    address: str  # the 政風單位's
    phone: str
    email: str
    recipient: str  # 受文者
    recipient_address: str  # blank when not revealed
    revealed: bool
    issued_on: date  # 發文日期: the day the notice was made
    subject: str  # 主旨
    body: str  # 說明: the notice as the reporter reads it

    @property
    def letterhead(self) -> list[str]:
        """The heading: the agency the letter goes out under, then 「函」."""
        return [f"{self.sender or self.agency}　函"]

    @property
    def contact(self) -> list[str]:
        """承辦單位 (when the letter goes out under another name), 地址, 聯絡電話 and
        電子信箱, each when set."""
        unit = self.agency if self.sender and self.sender != self.agency else ""
        found = [
            ("承辦單位", unit),
            ("地址", self.address),
            ("聯絡電話", self.phone),
            ("電子信箱", self.email),
        ]
        return [f"{label}：{value}" for label, value in found if value]

    @property
    def issued_text(self) -> str:
        """發文日期 in the letter's form: 中華民國115年12月2日."""
        return f"中華民國{rocdate.roc_date(self.issued_on)}"

    @property
    def title(self) -> str:
        """The document's title (file metadata)."""
        return f"{codes.NOTICE_KINDS.get(self.kind, '通知')}（案件編號{self.number}）"

    @property
    def paragraphs(self) -> list[str]:
        """說明 as paragraphs: the notice's lines, its LINE heading left out. Our own notices
        address the reporter as a letter does, 臺端 as in 主旨; a result is the officer's
        reply, printed as they wrote it."""
        body = self.body if self.kind == "result" else self.body.replace("您", "臺端")
        lines = [line.strip() for line in body.replace("\r\n", "\n").split("\n")]
        if lines and lines[0].startswith(_HEADING[0]) and lines[0].endswith(_HEADING[1]):
            lines = lines[1:]
        return [line for line in lines if line]

    @property
    def numbered(self) -> list[str]:
        """說明's paragraphs numbered 一、二、… as a letter's are (one paragraph: unnumbered)."""
        found = self.paragraphs
        if len(found) < 2:
            return found
        return [f"{chinese_number(index)}、{text}" for index, text in enumerate(found, start=1)]


_DIGITS = "〇一二三四五六七八九"


def chinese_number(value: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (a letter's 說明 numbering)."""
    tens, ones = divmod(value, 10)
    if value < 10:
        return _DIGITS[value]
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def _recipient(session: Session, actor: Actor, case: Case) -> tuple[str, str, bool]:
    """受文者 and the address; in full (a logged reveal) for those who may reveal."""
    if may_reveal(session, actor, case) and has_reporter_data(session, case):
        person = casework.reveal(session, actor, case, REVEAL_REASON)
        name = person["name"] or ("陳情人" if not case.confidential else "檢舉人")
        return name, person["address"] or "", True
    masked = mask_name(clear_fields(session, case)["name"]) if not case.confidential else None
    return masked or ("陳情人" if not case.confidential else "檢舉人"), "", False


def for_notice(session: Session, actor: Actor, case: Case, notice: CaseNotice) -> NoticeLetter:
    """The letter of ``notice`` for ``actor``; a full one is a logged reveal (caller commits)."""
    require_open(actor, case)
    values = content.all_values(session)
    recipient, address, revealed = _recipient(session, actor, case)
    matter = "檢舉" if case.confidential else "陳情"
    subject = SUBJECTS.get(notice.kind, SUBJECTS["result"])
    return NoticeLetter(
        notice_id=notice.id,
        kind=notice.kind,
        number=case.number,
        agency=str(values["agency_name"] or texts.AGENCY_FALLBACK),
        sender=str(values["letter_sender"] or "").strip(),
        address=str(values["ethics_address"] or "").strip(),
        phone=str(values["ethics_phone"] or "").strip(),
        email=str(values["ethics_email"] or "").strip(),
        recipient=recipient,
        recipient_address=address,
        revealed=revealed,
        issued_on=rocdate.taipei_date(notice.created_at),
        subject=subject.format(matter=matter, number=case.number),
        body=notice.body,
    )


def for_number(session: Session, actor: Actor, number: str, notice_id: int) -> NoticeLetter:
    """The letter of notice ``notice_id`` of the case ``number`` (LookupError: no such case
    the actor may open, or the notice is not of that case)."""
    case = casework.get_case(session, actor, number)
    return for_notice(session, actor, case, get_notice(session, case, notice_id))
