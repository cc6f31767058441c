"""The retention schedule (個資法 §11; records per 檔案法) and the purge over it.

One row per kind of personal data: its words for staff, the setting that holds its
period, what the purge removes and what it keeps. ``plan`` is the dry run, ``purge``
one bounded batch of every kind; both take a session and never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping.bot.conversation import state as conversation_state
from lianping.services import audit, content
from lianping.services.access import Actor, require_admin
from lianping.services.administration import SettingsError, clean_line
from lianping.storage import purge as queries
from lianping.storage.models import AuditEntry

# The action of a run's audit entry (the last runs are read back by it).
PURGE_ACTION = "retention.purge"


def _years_before(now: datetime, years: int) -> datetime:
    """The same moment ``years`` calendar years earlier (29 February becomes the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


@dataclass(frozen=True)
class Kind:
    """One kind of personal data on the schedule."""

    code: str
    label: str
    setting: str
    unit: str  # 小時, 日 or 年
    low: int
    high: int
    removed: str
    kept: str
    cutoff: Callable[[datetime, int], datetime]
    # Only these values, when the law fixes the steps (empty: any in low–high).
    steps: tuple[int, ...] = ()

    @property
    def default(self) -> int:
        return int(content.DEFAULTS[self.setting])


def _hours(now: datetime, n: int) -> datetime:
    return now - timedelta(hours=n)


def _days(now: datetime, n: int) -> datetime:
    return now - timedelta(days=n)


RECORD_YEARS = (1, 3, 5, 10, 15, 20, 25, 30)

# In purge order: media no case took go before drafts, so each kind removes exactly
# what its dry run counted (a draft's media old enough are the media rule's).
SCHEDULE: tuple[Kind, ...] = (
    Kind(
        "orphan_media",
        "未附入案件的照片及檔案",
        "retention_orphan_media_days",
        "日",
        1,
        90,
        "草稿中的照片、未在反映流程中傳送的照片、已收回或下載失敗的檔案：刪除檔案，"
        "紀錄標示為已清除。",
        "檔案類型、大小及收到時間（不含內容與指紋）。",
        _days,
    ),
    Kind(
        "drafts",
        "未完成的反映草稿",
        "retention_draft_hours",
        "小時",
        1,
        24,
        "民眾未送出的反映內容、姓名、電話、地址、職業、地點，以及草稿中尚未附入案件的照片。",
        "無；民眾下次傳訊息時從主選單重新開始。",
        _hours,
    ),
    Kind(
        "payloads",
        "LINE 原始事件內容",
        "retention_payload_days",
        "日",
        1,
        365,
        "處理完成（或放棄重試）後的事件原文：文字、位置、LINE 使用者 ID、回覆權杖；"
        "以及因格式不符而拒收的事件原文。",
        "事件編號、類型、時間、訊息編號與類型，拒收事件的時間與原因，以供稽核。",
        _days,
    ),
    Kind(
        "outbox",
        "已送出訊息的內容",
        "retention_outbox_days",
        "日",
        1,
        365,
        "已送達或確定失敗的訊息內容、收件人 LINE 使用者 ID 及回覆權杖。",
        "送達狀態、方式、次數與時間（案件歷程仍可查知是否送達）。",
        _days,
    ),
    Kind(
        "unfollowed",
        "已封鎖帳號的追蹤者",
        "retention_unfollowed_days",
        "日",
        7,
        3650,
        "封鎖帳號逾期，且沒有仍保有其個人資料的案件、也沒有處理中的個資請求者："
        "LINE 使用者 ID、顯示名稱、區／村里、標籤及對話狀態。",
        "不具名的紀錄列，使有獎徵答及推播統計不變。",
        _days,
    ),
    Kind(
        "cases",
        "已結束案件的反映者個人資料",
        "retention_case_years",
        "年",
        1,
        30,
        "結案、不予處理、併案或撤回逾期後（自結案時起算；其他結束方式自案件最後異動時起算）："
        "反映者姓名、電話、地址、職業、檢舉人身分資料、"
        "與 LINE 帳號的連結、地點的地址與座標、案件的照片及檔案，以及反映內容與民眾補充中"
        "出現的反映者本人姓名、電話、地址（以＊＊＊遮蔽）。",
        "案件紀錄：編號、性質、細項、主題、管道、狀態、反映內容、處理經過、日期、滿意度，"
        "各項統計及工作成果彙報表不變。",
        _years_before,
        # 機關檔案保存年限及銷毀辦法 §4: fixed-term records are kept 1, 3, 5, 10 … 30 years.
        RECORD_YEARS,
    ),
    Kind(
        "contacts",
        "已結束聯繫的平臺聯絡人",
        "retention_contact_years",
        "年",
        1,
        30,
        "結束聯繫逾期的平臺聯絡人（村里長、村里幹事、廉政志工等）：姓名、電話、電子郵件及備註。",
        "角色、所屬平臺地點及結束聯繫日期，過去活動的紀錄不變。",
        _years_before,
        RECORD_YEARS,
    ),
)
KINDS: dict[str, Kind] = {kind.code: kind for kind in SCHEDULE}
BY_SETTING: dict[str, Kind] = {kind.setting: kind for kind in SCHEDULE}


@dataclass(frozen=True)
class KindPlan:
    """What the next run removes of one kind."""

    kind: Kind
    period: int
    cutoff: datetime
    due: queries.Due


@dataclass
class Batch:
    """One batch's removals: rows per kind, and files to delete after commit."""

    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def periods(session: Session) -> dict[str, int]:
    """Each kind's period, as set (or its default)."""
    values = content.all_values(session)
    return {kind.code: int(values[kind.setting]) for kind in SCHEDULE}


def cutoffs(session: Session, now: datetime) -> dict[str, datetime]:
    """Each kind's cutoff: what is older is due."""
    chosen = periods(session)
    return {kind.code: kind.cutoff(now, chosen[kind.code]) for kind in SCHEDULE}


def plan(session: Session, now: datetime) -> list[KindPlan]:
    """The dry run: per kind, how many rows the next run removes and the oldest one's date."""
    chosen = periods(session)
    cut = {kind.code: kind.cutoff(now, chosen[kind.code]) for kind in SCHEDULE}
    due = {
        "orphan_media": queries.due_orphan_media(session, cut["orphan_media"], cut["drafts"]),
        "drafts": queries.due_drafts(session, cut["drafts"]),
        "payloads": queries.due_payloads(session, cut["payloads"]),
        "outbox": queries.due_outbox(session, cut["outbox"]),
        "unfollowed": queries.due_unfollowed(session, cut["unfollowed"], cut["cases"]),
        "cases": queries.due_cases(session, cut["cases"]),
        "contacts": queries.due_contacts(session, cut["contacts"]),
    }
    return [KindPlan(k, chosen[k.code], cut[k.code], due[k.code]) for k in SCHEDULE]


def _reset_draft(conversation: dict[str, Any]) -> dict[str, Any]:
    # The engine's own way back to the main menu: the draft goes, old buttons expire.
    return conversation_state.idle(conversation, int(conversation.get("at") or 0))


def purge(session: Session, now: datetime, limit: int) -> Batch:
    """Remove at most ``limit`` rows of every kind that is due; idempotent."""
    cut = cutoffs(session, now)
    batch = Batch()
    removals = {
        "orphan_media": lambda: queries.purge_orphan_media(
            session, cut["orphan_media"], cut["drafts"], now, limit
        ),
        "drafts": lambda: queries.purge_drafts(
            session, cut["drafts"], now, limit, _reset_draft, cut["orphan_media"]
        ),
        "payloads": lambda: queries.purge_payloads(session, cut["payloads"], now, limit),
        "outbox": lambda: queries.purge_outbox(session, cut["outbox"], now, limit),
        "unfollowed": lambda: queries.purge_unfollowed(
            session, cut["unfollowed"], cut["cases"], now, limit
        ),
        "cases": lambda: queries.purge_cases(session, cut["cases"], now, limit),
        "contacts": lambda: queries.purge_contacts(session, cut["contacts"], now, limit),
    }
    for kind in SCHEDULE:
        removed = removals[kind.code]()
        batch.counts[kind.code] = removed.count
        batch.files += removed.files
    return batch


def record_run(
    session: Session, actor: Actor, now: datetime, counts: dict[str, int], files: int,
    complete: bool,
) -> AuditEntry:  # fmt: skip
    """The run's one audit entry: counts per kind and files deleted, never contents."""
    return audit.record(
        session, actor, "retention.purge", "retention", now.date().isoformat(),
        after={"counts": {kind.code: counts.get(kind.code, 0) for kind in SCHEDULE},
               "files": files, "complete": complete},
    )  # fmt: skip


def last_runs(session: Session, limit: int = 10) -> list[AuditEntry]:
    """The latest purge runs, newest first (from the audit log)."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == PURGE_ACTION)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


def update_period(session: Session, actor: Actor, code: str, raw: str) -> int:
    """Set one kind's period (administrators only; validated; audited)."""
    require_admin(actor)
    kind = KINDS.get(code)
    if kind is None:
        raise SettingsError("無此保存期限項目。")
    text = clean_line(raw)
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(
            f"{kind.label}的保存期限請輸入{kind.low}至{kind.high}之間的整數（單位：{kind.unit}）。"
        ) from None
    if not kind.low <= value <= kind.high:
        raise SettingsError(f"{kind.label}的保存期限須介於{kind.low}至{kind.high}{kind.unit}之間。")
    if kind.steps and value not in kind.steps:
        allowed = "、".join(str(step) for step in kind.steps)
        raise SettingsError(
            f"{kind.label}的保存期限須為檔案保存年限的級距之一：{allowed}{kind.unit}。"
        )
    before = int(content.get(session, kind.setting))
    if value == before:
        raise SettingsError(f"{kind.label}的保存期限未變更。")
    content.put(session, kind.setting, value, by=actor.username)
    audit.record(
        session, actor, "retention.update", "setting", kind.setting,
        before={"value": before}, after={"value": value},
    )  # fmt: skip
    return value
