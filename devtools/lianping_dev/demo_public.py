"""Demo data for 清廉共同監督專區: residents' agreement to publish, published cases with
staff-written words, and the 弊端態樣與防制作為 library.

Kept apart from ``demo`` and drawn from its own random stream, so adding it changed none of
the other demo data.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from lianping import codes
from lianping.services.publication import PUBLISHABLE_STATUSES
from lianping.storage import areas
from lianping.storage.models import Case, CasePublication, MisconductPattern, User

# About one report in three agrees to publication; staff publish about half of those.
AGREE = 0.3
PUBLISH = 0.5
UNNAMED_PLACE = 0.3  # a case with no location is given a 區 this often (the officer knew it)


def mark(row: dict[str, Any], districts: tuple[str, ...], rng: random.Random) -> None:
    """Set a case row's 區 (its location's, else sometimes one of ``districts``) and whether
    its reporter agreed to publication (never a tip)."""
    district = areas.place_district(row.get("location"))
    if district is None and rng.random() < UNNAMED_PLACE:
        district = rng.choice(districts)
    row["district"] = district
    row["publish_consent"] = not row["confidential"] and rng.random() < AGREE


def _words(case: Any) -> tuple[str, str, str]:
    item = codes.SUB_ITEMS.get(case.sub_item or "")
    what = item.label if item else codes.NATURES[case.nature]
    theme = codes.THEMES.get(case.theme or "")
    place = case.district or "轄內"
    title = f"{place}{theme or ''}{what}案件"[:60]
    about = f"（{theme}）" if theme else ""
    summary = f"民眾反映{place}有關「{what}」的事項{about}，請求本機關協助處理。"
    if case.status == codes.TRANSFERRED:
        outcome = "本案屬他機關權責，已函請權責機關處理並副知本機關。"
    elif case.status == codes.IN_PROGRESS:
        outcome = "已簽會權責單位處理中，完成後將更新處理結果。"
    else:
        outcome = "經簽會權責單位查明並處理，已將處理情形回復反映者。"
    return title, summary, outcome


def publish(session: Session, publisher: User, now: datetime, rng: random.Random) -> int:
    """Publish about half of the agreed cases that have an outcome; returns how many."""
    found = session.execute(
        select(Case.id, Case.nature, Case.sub_item, Case.theme, Case.status, Case.district,
               Case.updated_at)
        .outerjoin(CasePublication, CasePublication.case_id == Case.id)
        .where(Case.publish_consent.is_(True), Case.confidential.is_(False),
               Case.status.in_(PUBLISHABLE_STATUSES), CasePublication.case_id.is_(None))
        .order_by(Case.id)
    ).all()  # fmt: skip
    rows = []
    for case in found:
        if rng.random() >= PUBLISH:
            continue
        title, summary, outcome = _words(case)
        at = min(now, case.updated_at + timedelta(days=rng.uniform(0.5, 10)))
        rows.append(
            {"case_id": case.id, "title": title, "summary": summary, "outcome": outcome,
             "district": case.district, "published": True, "published_at": at,
             "published_by": publisher.id, "unpublished_at": None, "updated_by": publisher.id,
             "created_at": at, "updated_at": at}
        )  # fmt: skip
    for start in range(0, len(rows), 1000):
        session.execute(insert(CasePublication), rows[start : start + 1000])
    return len(rows)


PATTERNS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "採購圍標",
        "工程採購",
        (
            "數家廠商事先協議輪流得標，以陪標方式參與小額採購；承辦人未比對投標文件，"
            "致文件雷同未被發現。"
        ),
        "採購價格偏高、公帑浪費，並有洩漏底價之虞。",
        (
            "開標時比對投標文件、押標金來源及聯絡資訊；定期辦理採購稽核；向廠商宣導政"
            "府採購法第87條。"
        ),
        "廉政會報",
    ),
    (
        "驗收不實",
        "工程採購",
        ("承辦人員未實地查驗，僅依廠商提供之照片及文件辦理驗收，致材料數量與契約不符。"),
        "公帑浪費、工程品質不良，影響民眾安全。",
        "驗收時會同主驗、監驗人員實地查驗並拍照存證；抽驗材料；主管不定期複驗。",
        "廉政小組會議",
    ),
    (
        "里鄰經費浮報",
        "里鄰建設",
        "申請里鄰建設經費時，以不實單據或重複單據核銷活動費用。",
        "經費遭挪用，損及機關信譽及民眾權益。",
        ("核銷時比對活動照片及簽到資料；建立單據號碼重複檢核；辦理里辦公處經費核銷說明會。"),
        "廉政會報",
    ),
    (
        "補助款重複申請",
        "社會福利",
        "申請人以同一事由向不同機關重複申請補助，機關間未勾稽資料。",
        "補助資源分配不公，排擠真正需要者。",
        "建立跨機關補助資料勾稽機制；申請書加註不得重複申請及法律責任。",
        "主管會報",
    ),
    (
        "搶災工程浮報數量",
        "搶災搶險",
        ("緊急搶修工程事後補辦採購時，廠商浮報機具及人力數量，承辦人未留存現場紀錄。"),
        "緊急狀況下監督鬆散，易生浮報。",
        "搶修期間以工作日誌及照片逐日記錄機具人力；事後由政風單位抽核。",
        "廉政小組會議",
    ),
    (
        "違規收受招待",
        "建築管理",
        "承辦人員於審查期間接受申請人飲宴招待，影響審查公正。",
        "行政決定受不當影響，損害機關公正形象。",
        "落實公務員廉政倫理規範登錄；審查案件隨機分案；宣導請託關說登錄。",
        "廉政會報",
    ),
)


def patterns(session: Session, author: User, approver: User, now: datetime) -> int:
    """The library: every entry but the last approved; returns how many were added."""
    for index, (kind, area, pattern, risk, counter, meeting) in enumerate(PATTERNS):
        discussed = date(now.year, 1, 1) + timedelta(days=40 * index)
        approved = index < len(PATTERNS) - 1
        session.add(
            MisconductPattern(
                misconduct_type=kind, business_area=area, pattern=pattern, risk=risk,
                countermeasures=counter, discussed_on=min(discussed, now.date()),
                discussed_at=meeting, status="approved" if approved else "draft",
                approved_by=approver.id if approved else None,
                approved_at=now if approved else None, created_by=author.id,
                updated_by=author.id, created_at=now, updated_at=now,
            )
        )  # fmt: skip
    return len(PATTERNS)
