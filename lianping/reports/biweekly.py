"""Build the biweekly 工作成果彙報表 (seed 004 附件2) for a period from the database.

What is counted (decided here, stated in the report's rows):

- a case belongs to the period when it was received (``created_at``) on a Taipei
  date within the inclusive range, whatever its status now;
- 民情需求事項 counts ``need`` cases, 施政興革反映 ``reform`` cases; tips are on neither
  form (their reporters' protection: 貪污治罪條例 §18). A former tip staff reclassified
  stays confidential: it is counted in its new row but never summarised nor named in
  處理意見, one generic line per row says how many there were, nothing more;
- 反貪倡廉宣導 counts broadcasts that went out (``storage.promotions.went_out``: sent,
  or stopped after some of it was sent; not the staff test sends) whose sending
  started in the period.

Every query is set-based (grouped counts, one bounded page of summaries per row),
so the cost does not grow with the number of cases in the period. Summaries never
carry personal data: the reporter's own name, phone and address, and anything
shaped like a phone number, an e-mail address or a LINE id, are blotted out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.reports.biweekly_model import BiweeklyReport, ReportRow
from lianping.reports.cells import printable
from lianping.services import content
from lianping.services.report_periods import utc_bounds
from lianping.storage import promotions
from lianping.storage.models import (
    Agency,
    Broadcast,
    Case,
    Unit,
)

# Lines listed one by one per row; beyond this the row says how many more, by sub-item.
SUMMARY_LIMIT = 30
# Characters of a case's 內容概述 kept in its summary line.
EXCERPT_CHARS = 60
BLOT = "＊＊＊"

TIP_LINE = "另受理檢舉案件{count}案，依法保密，不予摘述。"
TIP_HANDLING = "檢舉案件{count}案依規定保密處理。"
NO_CASES = "本期未受理此類反映事項。"
NO_BROADCASTS = "本期未以LINE官方帳號發送宣導訊息。"

_PHONE_LIKE = re.compile(r"\+?\d(?:[\s\-－()（）]?\d){6,}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINE_ID = re.compile(r"\bU[0-9a-f]{32}\b")
_SPACES = re.compile(r"\s+")


def build(session: Session, period_from: date, period_to: date) -> BiweeklyReport:
    """The report of the period (Taipei dates, both inclusive); ranges are checked by callers."""
    start, end = utc_bounds(period_from, period_to)
    groups = _case_groups(session, start, end)
    sub_items = _sub_item_counts(session, start, end)
    return BiweeklyReport(
        agency=str(content.get(session, "agency_name")),
        period_from=period_from,
        period_to=period_to,
        rows=(
            _case_row(session, (codes.NEED,), start, end, groups, sub_items),
            _case_row(session, (codes.REFORM,), start, end, groups, sub_items),
            _promotion_row(session, start, end),
        ),
    )


# -- cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """Cases of one nature and status, routed to one unit or agency (names, not ids)."""

    nature: str
    confidential: bool
    status: str
    unit: str | None
    agency: str | None
    count: int


def _in_period(start: datetime, end: datetime) -> Any:
    return and_(Case.created_at >= start, Case.created_at < end)


def _case_groups(session: Session, start: datetime, end: datetime) -> list[_Group]:
    """Counts of the period's cases by nature, status, unit and agency (one grouped query)."""
    statement = (
        select(Case.nature, Case.confidential, Case.status, Unit.name, Agency.name, func.count())
        .outerjoin(Unit, Unit.id == Case.unit_id)
        .outerjoin(Agency, Agency.id == Case.agency_id)
        .where(_in_period(start, end))
        .group_by(Case.nature, Case.confidential, Case.status, Unit.name, Agency.name)
    )
    return [_Group(*row) for row in session.execute(statement)]


def _sub_item_counts(session: Session, start: datetime, end: datetime) -> dict[str, list[Any]]:
    """Per nature, (sub-item, count) pairs of the period's open-to-tell cases, most first."""
    statement = (
        select(Case.nature, Case.sub_item, func.count())
        .where(_in_period(start, end), Case.confidential.is_(False))
        .group_by(Case.nature, Case.sub_item)
    )
    found: dict[str, list[Any]] = defaultdict(list)
    for nature, sub_item, count in session.execute(statement):
        found[nature].append((sub_item, count))
    for pairs in found.values():
        pairs.sort(key=lambda pair: (-pair[1], pair[0] or "~"))
    return found


def _case_row(
    session: Session,
    natures: tuple[str, ...],
    start: datetime,
    end: datetime,
    groups: list[_Group],
    sub_items: dict[str, list[Any]],
) -> ReportRow:
    """The row of ``natures`` (the first names it); confidential cases counted, never told."""
    told = [g for g in groups if g.nature in natures and not g.confidential]
    secret = sum(g.count for g in groups if g.nature in natures and g.confidential)
    count = sum(group.count for group in told)
    statement = (
        select(Case)
        .where(_in_period(start, end), Case.nature.in_(natures), Case.confidential.is_(False))
        .order_by(Case.created_at, Case.id)
        .limit(SUMMARY_LIMIT)
    )
    summaries = [case_summary(case) for case in session.scalars(statement)]
    if count > len(summaries):
        breakdown = "、".join(
            f"{_sub_item_words(code)}{n}案"
            for nature in natures
            for code, n in sub_items.get(nature, [])
        )
        summaries.append(f"另有{count - len(summaries)}案未逐案列載（全期依細項：{breakdown}）。")
    handling = handling_lines(told)
    if secret:
        summaries.append(TIP_LINE.format(count=secret))
        handling.append(TIP_HANDLING.format(count=secret))
    return ReportRow(natures[0], count + secret, tuple(summaries), tuple(handling or [NO_CASES]))


def _sub_item_words(code: str | None) -> str:
    return codes.SUB_ITEMS[code].label if code in codes.SUB_ITEMS else "未分細項"


def case_summary(case: Case) -> str:
    """One line of 內容摘要: number, ROC date, sub-item, theme and a cleaned excerpt."""
    facts = [rocdate.roc_date(case.created_at)]
    if case.sub_item in codes.SUB_ITEMS:
        facts.append(codes.SUB_ITEMS[case.sub_item].label)
    if case.theme in codes.THEMES and case.theme != "other":
        facts.append(codes.THEMES[case.theme])
    excerpt = excerpt_of(
        case.description, (case.reporter_name, case.reporter_phone, case.reporter_address)
    )
    return f"{case.number}（{'，'.join(facts)}）：{excerpt}"


def excerpt_of(description: str, personal: Iterable[str | None]) -> str:
    """The description on one line, personal data blotted out, cut to ``EXCERPT_CHARS``."""
    text = _SPACES.sub(" ", printable(description)).strip()
    for value in personal:
        # Single characters would blot ordinary words; a name has at least two.
        if value and len(value.strip()) >= 2:
            text = text.replace(value.strip(), BLOT)
    for pattern in (_EMAIL, _LINE_ID, _PHONE_LIKE):
        text = pattern.sub(BLOT, text)
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1].rstrip() + "…"
    return text


def _named(groups: Iterable[_Group], attribute: str) -> str:
    """``臺北市政府工務局2案、新北市政府1案`` (most cases first)."""
    totals: dict[str, int] = defaultdict(int)
    for group in groups:
        totals[getattr(group, attribute) or "未指定"] += group.count
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return "、".join(f"{name}{n}案" for name, n in ranked)


def handling_lines(groups: list[_Group]) -> list[str]:
    """處理意見 of one row: how the cases stand now, and whom they were transferred to.

    Each line counts a case once; a case 函轉 and since answered is in both lines.
    """
    by_status: dict[str, list[_Group]] = defaultdict(list)
    for group in groups:
        by_status[group.status].append(group)

    def total(*statuses: str) -> int:
        return sum(group.count for status in statuses for group in by_status[status])

    lines: list[str] = []
    answered, closed = total(codes.REPLIED, codes.CLOSED), total(codes.CLOSED)
    if answered:
        note = f"（其中已結案{closed}案）" if closed else ""
        lines.append(f"已回覆反映者{answered}案{note}。")
    transferred = [group for group in groups if group.agency is not None]
    if transferred:
        count = sum(group.count for group in transferred)
        agencies = _named(transferred, "agency")
        lines.append(f"已函請相關機關參處{count}案（{agencies}）。")
    if total(codes.IN_PROGRESS):
        units = _named(by_status[codes.IN_PROGRESS], "unit")
        lines.append(f"已簽會權責單位處理中{total(codes.IN_PROGRESS)}案（{units}）。")
    if total(codes.ASSIGNED):
        lines.append(f"已分案，承辦中{total(codes.ASSIGNED)}案。")
    if total(codes.RECEIVED):
        lines.append(f"新收待分案{total(codes.RECEIVED)}案。")
    if total(codes.REJECTED):
        lines.append(f"依行政程序法第173條不予處理{total(codes.REJECTED)}案。")
    if total(codes.MERGED):
        lines.append(f"與其他案件併案處理{total(codes.MERGED)}案。")
    if total(codes.WITHDRAWN):
        lines.append(f"反映者撤回{total(codes.WITHDRAWN)}案。")
    return lines


# -- broadcasts ----------------------------------------------------------------------------


def _promotion_row(session: Session, start: datetime, end: datetime) -> ReportRow:
    sent = promotions.started_between(session, start, end)
    if not sent:
        return ReportRow("promotion", 0, (), (NO_BROADCASTS,))
    listed = sent[:SUMMARY_LIMIT]
    answers, links = promotions.responses(session, [b.id for b in listed])
    summaries = [broadcast_summary(b) for b in listed]
    handling = [broadcast_handling(b, answers.get(b.id), links.get(b.id)) for b in listed]
    if len(sent) > len(listed):
        more = f"另有{len(sent) - len(listed)}則宣導未逐則列載。"
        summaries.append(more)
        handling.append(more)
    return ReportRow("promotion", len(sent), tuple(summaries), tuple(handling))


def _audience_words(broadcast: Broadcast) -> str:
    kind = str(broadcast.audience.get("kind", "all"))
    return codes.AUDIENCES.get(kind, codes.AUDIENCES["all"])


def broadcast_summary(broadcast: Broadcast) -> str:
    """``115年11月12日以LINE發送「反賄選有獎徵答」（全部追蹤者）``."""
    when = rocdate.roc_date(broadcast.started_at) if broadcast.started_at else ""
    return f"{when}以LINE發送「{broadcast.title}」（{_audience_words(broadcast)}）。"


def broadcast_handling(
    broadcast: Broadcast, answers: tuple[int, int] | None, clicks: int | None
) -> str:
    """How one broadcast went: sent to how many, quiz answers, link taps."""
    if broadcast.status == "stopped":
        planned = f"（預定{broadcast.recipients:,}人）" if broadcast.recipients else ""
        parts = [f"「{broadcast.title}」發送中止，已送出{broadcast.reached:,}人{planned}"]
    elif broadcast.recipients:
        parts = [f"「{broadcast.title}」已發送，發送對象{broadcast.recipients:,}人"]
    else:
        parts = [f"「{broadcast.title}」已發送{_audience_words(broadcast)}"]
    if answers:
        parts.append(f"有獎徵答{answers[0]:,}人作答，答對{answers[1]:,}人")
    if clicks:
        parts.append(f"連結點閱{clicks:,}次")
    return "；".join(parts) + "。"
