"""Draft the biweekly 工作成果彙報表 (seed 004 附件2) for a period from the database.

What is counted (decided here, stated in the report's rows):

- a case belongs to the period when it was received (``created_at``) on a Taipei
  date within the inclusive range, whatever its status now;
- 民情需求事項 counts ``need`` cases, 施政興革反映 ``reform`` cases. A corruption tip is
  not a 民情需求事項: nature ``tip`` is on neither form nor counted (its reporter's
  protection, 貪污治罪條例 §18). A former tip staff reclassified as a need or reform stays
  confidential: it is counted in its row, never summarised and never called a tip — one
  line says how many cases are kept confidential;
- 反貪倡廉宣導 counts the field activities marked ``promotion`` held in the period
  (座談, 拜會, 文宣發放…: seed 004 柒) and the broadcasts that went out
  (``storage.promotions.went_out``) whose sending started in it.

The texts are drafted as an officer's summary, never the residents' own words: 內容摘要
groups a row's cases by seed 004's sub-items, in its （一）（二）… order, each with its count
and the main matters in a line (themes and 區, with counts); 處理意見 says in sentences how
the cases stand (answered, 簽會 which units, 函請 which agencies, in progress, waiting for
the resident's 補陳, not handled under 行政程序法 §173, merged, withdrawn). The officer edits
both before 送出 (``reports.drafts``); counts are always computed.

Every query is set-based (grouped counts, and one row of a few columns per case to tell
its 區), so the cost grows only slowly with the number of cases in the period.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.reports import drafts
from lianping.reports.biweekly_model import ROW_TITLES, BiweeklyReport, ReportRow
from lianping.reports.cells import printable
from lianping.services import content
from lianping.services.report_periods import utc_bounds
from lianping.storage import areas, promotions
from lianping.storage.models import (
    Agency,
    Broadcast,
    Case,
    FieldActivity,
    Place,
    Unit,
)

# Activities and broadcasts listed one by one in row 3; beyond this the row says how many more.
SUMMARY_LIMIT = 30
# Themes and 區 named in a sub-item's line, most cases first.
MATTERS_LIMIT = 3
# 「（一）」…「（七）」: a sub-item's number is its place in seed 004's list of its nature.
NUMERALS = "一二三四五六七八九十"

CONFIDENTIAL_LINE = "另有{count}案依規定保密，不予摘述。"
CONFIDENTIAL_HANDLING = "另有{count}案依規定保密處理。"
NO_CASES = "本期未受理{title}。"
NO_HANDLING = "本期無待處理案件。"
NO_PROMOTION = "本期未辦理反貪倡廉宣導。"
NO_PROMOTION_HANDLING = "本期未辦理宣導活動，亦未以LINE官方帳號發送宣導訊息。"

# What the officer did at each kind of activity, as a summary line says it.
ACTIVITY_VERBS: dict[str, str] = {
    "interview": "進行個別晤談",
    "visit": "親往拜會",
    "briefing": "舉辦說明會",
    "forum": "舉辦小型座談",
    "local_meeting": "列席地方集會",
    "leaflets": "分發文宣",
    "other": "辦理宣導",
}


def build(
    session: Session, period_from: date, period_to: date, *, edited: bool = True
) -> BiweeklyReport:
    """The report of the period (Taipei dates, both inclusive); ranges are checked by callers.

    With ``edited`` (the default) the officer's saved edits of the period replace the
    drafted texts of the rows they edited (``reports.drafts``).
    """
    start, end = utc_bounds(period_from, period_to)
    groups = _case_groups(session, start, end)
    matters = _matters(session, start, end)
    report = BiweeklyReport(
        agency=str(content.get(session, "agency_name")),
        period_from=period_from,
        period_to=period_to,
        rows=(
            _case_row(codes.NEED, groups, matters),
            _case_row(codes.REFORM, groups, matters),
            _promotion_row(session, period_from, period_to, start, end),
        ),
    )
    if not edited:
        return report
    return report.with_edits(drafts.texts_of(session, period_from, period_to))


# -- cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """Cases of one nature and status, routed to one unit or agency (names, not ids)."""

    nature: str
    confidential: bool
    status: str
    unit: str | None
    agency: str | None
    awaiting_details: bool  # 補陳 asked and not yet answered
    count: int


def _in_period(start: datetime, end: datetime) -> Any:
    return and_(Case.created_at >= start, Case.created_at < end)


def _case_groups(session: Session, start: datetime, end: datetime) -> list[_Group]:
    """Counts of the period's need and reform cases by status, unit and agency (one query)."""
    awaiting = Case.details_requested_at.is_not(None)
    statement = (
        select(
            Case.nature,
            Case.confidential,
            Case.status,
            Unit.name,
            Agency.name,
            awaiting,
            func.count(),
        )
        .outerjoin(Unit, Unit.id == Case.unit_id)
        .outerjoin(Agency, Agency.id == Case.agency_id)
        .where(_in_period(start, end), Case.nature.in_((codes.NEED, codes.REFORM)))
        .group_by(Case.nature, Case.confidential, Case.status, Unit.name, Agency.name, awaiting)
    )
    return [
        _Group(nature, bool(secret), status, unit, agency, bool(waits), count)
        for nature, secret, status, unit, agency, waits, count in session.execute(statement)
    ]


@dataclass(frozen=True)
class _Matter:
    """What one case tells the summary: its sub-item, theme and 區 (never its text)."""

    nature: str
    sub_item: str | None
    theme: str | None
    district: str | None


def _matters(session: Session, start: datetime, end: datetime) -> list[_Matter]:
    """The period's open-to-tell cases, a few columns each: the 區 of the matter is where it
    is (its location's address), else where it was reported (the activity's, or its
    place's). Never the resident's own: where someone lives is theirs, not the matter's
    (and the retention purge removes it, which must not change a report)."""
    statement = (
        select(
            Case.nature,
            Case.sub_item,
            Case.theme,
            Case.location,
            FieldActivity.district,
            Place.district,
        )
        .outerjoin(FieldActivity, FieldActivity.id == Case.activity_id)
        .outerjoin(Place, Place.id == FieldActivity.place_id)
        .where(
            _in_period(start, end),
            Case.nature.in_((codes.NEED, codes.REFORM)),
            Case.confidential.is_(False),
        )
    )
    found = []
    for nature, sub_item, theme, location, activity_area, place_area in session.execute(statement):
        area = areas.place_district(location)
        found.append(_Matter(nature, sub_item, theme, area or activity_area or place_area))
    return found


def _ranked(counter: Counter[str]) -> str:
    """``地方工程5案、河川疏濬3案`` (most first, then by name), ``等`` when more are left out."""
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    words = "、".join(f"{name}{n}案" for name, n in ranked[:MATTERS_LIMIT])
    return words + ("等" if len(ranked) > MATTERS_LIMIT else "")


def sub_item_line(code: str | None, matters: list[_Matter]) -> str:
    """One sub-item's line: 「（二）公共設施欠缺或設置管理不當12案：地方工程5案；大安區4案。」"""
    item = codes.SUB_ITEMS.get(code or "")
    if item is None:
        head = "（未分細項）"
    else:
        place = [i.code for i in codes.sub_items_of(item.nature)].index(item.code)
        # Its heading in seed 004 up to the first comma: 「公共設施欠缺或設置管理不當」.
        head = f"（{NUMERALS[place]}）{item.wording.split('，')[0]}"
    themes = Counter(
        codes.THEMES[m.theme] for m in matters if m.theme in codes.THEMES and m.theme != "other"
    )
    areas = Counter(m.district for m in matters if m.district)
    details = "；".join(_ranked(counter) for counter in (themes, areas) if counter)
    return f"{head}{len(matters)}案" + (f"：{details}" if details else "") + "。"


def _case_summaries(nature: str, matters: list[_Matter], secret: int) -> list[str]:
    """內容摘要 of a case row: a line per sub-item in seed 004's order, unclassified last."""
    by_item: dict[str | None, list[_Matter]] = defaultdict(list)
    for matter in matters:
        if matter.nature == nature:
            by_item[matter.sub_item if matter.sub_item in codes.SUB_ITEMS else None].append(matter)
    order = [item.code for item in codes.sub_items_of(nature)]
    lines = [sub_item_line(code, by_item[code]) for code in order if by_item.get(code)]
    if by_item.get(None):
        lines.append(sub_item_line(None, by_item[None]))
    if secret:
        lines.append(CONFIDENTIAL_LINE.format(count=secret))
    return lines or [NO_CASES.format(title=ROW_TITLES[nature])]


def _case_row(nature: str, groups: list[_Group], matters: list[_Matter]) -> ReportRow:
    """The row of ``nature``; confidential cases counted, never told."""
    told = [g for g in groups if g.nature == nature and not g.confidential]
    secret = sum(g.count for g in groups if g.nature == nature and g.confidential)
    count = sum(group.count for group in told)
    handling = handling_lines(told)
    if secret:
        handling.append(CONFIDENTIAL_HANDLING.format(count=secret))
    return ReportRow(
        nature,
        count + secret,
        tuple(_case_summaries(nature, matters, secret)),
        tuple(handling or [NO_HANDLING]),
    )


def _named(groups: Iterable[_Group], attribute: str) -> str:
    """``臺北市政府工務局2案、新北市政府1案`` (most cases first)."""
    totals: dict[str, int] = defaultdict(int)
    for group in groups:
        totals[getattr(group, attribute) or "未指定"] += group.count
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return "、".join(f"{name}{n}案" for name, n in ranked)


def handling_lines(groups: list[_Group]) -> list[str]:
    """處理意見 of one row, a sentence each: how the cases stand now and where they went.

    Each sentence counts a case once; a case 函轉 and since answered is in both.
    """
    by_status: dict[str, list[_Group]] = defaultdict(list)
    for group in groups:
        by_status[group.status].append(group)

    def total(*statuses: str) -> int:
        return sum(group.count for status in statuses for group in by_status[status])

    lines: list[str] = []
    answered, closed = total(codes.REPLIED, codes.CLOSED), total(codes.CLOSED)
    if answered:
        note = f"，其中{closed}案已結案" if closed else ""
        lines.append(f"已回復反映者{answered}案{note}。")
    if total(codes.IN_PROGRESS):
        units = _named(by_status[codes.IN_PROGRESS], "unit")
        lines.append(f"簽會本機關權責單位處理中{total(codes.IN_PROGRESS)}案（{units}）。")
    transferred = [group for group in groups if group.agency is not None]
    if transferred:
        count = sum(group.count for group in transferred)
        lines.append(f"函請相關機關參處{count}案（{_named(transferred, 'agency')}）。")
    if total(codes.ASSIGNED):
        lines.append(f"已分案由承辦人處理中{total(codes.ASSIGNED)}案。")
    if total(codes.RECEIVED):
        lines.append(f"新收待分案{total(codes.RECEIVED)}案。")
    waiting = sum(g.count for g in groups if g.awaiting_details and g.status in codes.OPEN_STATUSES)
    if waiting:
        lines.append(f"已請反映者補陳資料{waiting}案，俟補正後續行處理。")
    if total(codes.REJECTED):
        lines.append(f"依行政程序法第173條規定不予處理{total(codes.REJECTED)}案。")
    if total(codes.MERGED):
        lines.append(f"與其他案件併案處理{total(codes.MERGED)}案。")
    if total(codes.WITHDRAWN):
        lines.append(f"反映者撤回{total(codes.WITHDRAWN)}案。")
    return lines


# -- 反貪倡廉宣導: field activities and broadcasts -----------------------------------------------


def _promotion_row(
    session: Session, period_from: date, period_to: date, start: datetime, end: datetime
) -> ReportRow:
    held = list(
        session.execute(
            select(FieldActivity, Place.name)
            .outerjoin(Place, Place.id == FieldActivity.place_id)
            .where(
                FieldActivity.promotion.is_(True),
                FieldActivity.held_on >= period_from,
                FieldActivity.held_on <= period_to,
            )
            .order_by(FieldActivity.held_on, FieldActivity.id)
        )
    )
    sent = promotions.started_between(session, start, end)
    if not held and not sent:
        return ReportRow("promotion", 0, (NO_PROMOTION,), (NO_PROMOTION_HANDLING,))
    summaries = [activity_summary(activity, place) for activity, place in held[:SUMMARY_LIMIT]]
    if len(held) > SUMMARY_LIMIT:
        summaries.append(f"另有{len(held) - SUMMARY_LIMIT}場宣導活動未逐場列載。")
    handling = [activities_handling(session, [activity for activity, _ in held])] if held else []
    listed = sent[:SUMMARY_LIMIT]
    answers, links = promotions.responses(session, [b.id for b in listed])
    summaries += [broadcast_summary(b) for b in listed]
    handling += [broadcast_handling(b, answers.get(b.id), links.get(b.id)) for b in listed]
    if len(sent) > len(listed):
        more = f"另有{len(sent) - len(listed)}則LINE宣導未逐則列載。"
        summaries.append(more)
        handling.append(more)
    numbered = [f"{n}. {line}" for n, line in enumerate(summaries, start=1)]
    return ReportRow("promotion", len(held) + len(sent), tuple(numbered), tuple(handling))


def _materials(activity: FieldActivity) -> list[tuple[str, int]]:
    """The 宣導 materials handed out, as (name, quantity); entries without both left out."""
    found = []
    for item in activity.materials or []:
        name, quantity = str(item.get("name") or "").strip(), item.get("quantity")
        if name and isinstance(quantity, int) and quantity > 0:
            found.append((name, quantity))
    return found


def activity_summary(activity: FieldActivity, place: str | None) -> str:
    """「115年12月1日於○○里辦公處舉辦小型座談（河川疏濬），參加30人，發放反貪宣導摺頁50份。」"""
    where = " ".join(printable(place or activity.venue or "").split())
    verb = ACTIVITY_VERBS.get(activity.kind, ACTIVITY_VERBS["other"])
    topic = " ".join(printable(activity.topic or "").split())
    theme = codes.THEMES.get(activity.theme or "") if activity.theme != "other" else None
    if theme and theme not in topic:
        topic = f"{theme}：{topic}" if topic else theme
    parts = [
        rocdate.roc_date(activity.held_on)
        + (f"於{where}" if where else "")
        + verb
        + (f"（{topic}）" if topic else "")
    ]
    if activity.participants:
        parts.append(f"參加{activity.participants:,}人")
    materials = _materials(activity)
    if materials:
        parts.append("發放" + "、".join(f"{name}{n:,}份" for name, n in materials))
    return "，".join(parts) + "。"


def activities_handling(session: Session, held: list[FieldActivity]) -> str:
    """One sentence for the period's 宣導 activities: how many, people, materials, reports taken."""
    people = sum(activity.participants or 0 for activity in held)
    handed = sum(n for activity in held for _, n in _materials(activity))
    taken = session.scalar(
        select(func.count()).where(
            Case.activity_id.in_([activity.id for activity in held]),
            Case.nature.in_((codes.NEED, codes.REFORM)),
        )
    )
    parts = [f"辦理宣導活動{len(held)}場"]
    if people:
        parts.append(f"參加計{people:,}人次")
    if handed:
        parts.append(f"發放宣導品計{handed:,}份")
    line = "，".join(parts)
    if taken:
        line += f"；現場受理民眾反映{taken}案，已分別列入民情需求事項或施政興革反映列管"
    return line + "。"


def _audience_words(broadcast: Broadcast) -> str:
    kind = str(broadcast.audience.get("kind", "all"))
    return codes.AUDIENCES.get(kind, codes.AUDIENCES["all"])


def broadcast_summary(broadcast: Broadcast) -> str:
    """``115年11月12日以LINE發送「反賄選有獎徵答」（全部追蹤者）。``."""
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
