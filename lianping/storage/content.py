"""Administrator-editable content: bot texts, reporting channels, due days, privacy notices.

Defaults live here; a row in ``settings`` overrides one. The privacy notice is
versioned: editing it adds a version, and each case keeps the version accepted.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lianping.bot.conversation.model import Content
from lianping.storage.models import PrivacyNotice, Setting, utcnow

DEFAULTS: dict[str, Any] = {
    # 政風機構全銜: heads the forms and the reports.
    "agency_name": "○○政風處",
    "due_days": 30,
    "reporting_channels": (
        "檢舉管道\n"
        "・法務部廉政署檢舉專線：0800-286-586\n"
        "・書面郵寄：100006 國史館郵局第153號信箱\n"
        "・傳真：02-2381-1234\n"
        "檢舉人的身分依法保密，請安心提供資料。"
    ),
    "promotion": (
        "廉政宣導｜清廉，從你我做起\n"
        "地方工程、採購、補助款與回饋金的運用，都需要大家一起關心。"
        "發現公務員涉嫌貪污或不法，歡迎透過「檢舉管道」告訴我們，檢舉人身分依法保密。"
    ),
    "help": (
        "使用說明\n"
        "・我要反映：反映生活周遭公共事務的需求，或對機關施政的建議，約2分鐘可完成。\n"
        "・查詢案件：查看您反映案件的處理進度，也可以補充說明。\n"
        "・檢舉管道：貪瀆不法的檢舉方式，也可以在這裡保密檢舉。\n"
        "・廉政宣導：最新的反貪倡廉訊息與活動。\n"
        "・個資說明：我們如何蒐集及使用您的個人資料。\n"
        "填寫過程中，隨時可以輸入「上一步」、「取消」或「說明」。"
    ),
}

PRIVACY_NOTICE_TEMPLATE = (
    "個人資料蒐集告知事項\n"
    "{agency}（以下簡稱本機關）依個人資料保護法第8條，告知您下列事項：\n"
    "一、蒐集目的：受理及處理您的陳情、建議或檢舉，並回覆處理情形。\n"
    "二、個人資料類別：姓名、職業、聯絡電話、聯絡地址、LINE使用者識別碼及顯示名稱，"
    "以及您提供的文字、照片與位置。\n"
    "三、利用期間、地區、對象及方式：於案件處理及依法保存期間內，在我國境內，"
    "由本機關及受移請處理的權責機關，以電子或書面方式利用。\n"
    "四、您可以依個人資料保護法第3條，向本機關請求查詢、閱覽、製給複本、補充或更正、"
    "停止蒐集處理利用或刪除您的個人資料。\n"
    "五、您可以自由選擇是否提供。若不提供姓名及聯絡方式，本機關只能透過LINE回覆您；"
    "依行政程序法第173條，無具體內容或未具真實姓名、住址的陳情，得不予處理。"
)


def get(session: Session, key: str) -> Any:
    """The value of an editable setting, or its default."""
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return DEFAULTS[key] if value is None else value


def put(session: Session, key: str, value: Any, by: str | None) -> None:
    """Set an editable setting (known keys only)."""
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}")
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_by=by))
    else:
        row.value, row.updated_by = value, by


def current_privacy_notice(session: Session) -> PrivacyNotice:
    """The newest privacy notice; version 1 is written from the default on first use."""
    notice = session.scalar(select(PrivacyNotice).order_by(PrivacyNotice.version.desc()).limit(1))
    if notice is None:
        body = PRIVACY_NOTICE_TEMPLATE.format(agency=get(session, "agency_name"))
        notice = add_privacy_notice(session, body, by="system")
    return notice


def add_privacy_notice(session: Session, body: str, by: str | None) -> PrivacyNotice:
    """Publish a new version of the privacy notice."""
    last = session.scalar(select(func.max(PrivacyNotice.version))) or 0
    notice = PrivacyNotice(version=last + 1, body=body, created_by=by, created_at=utcnow())
    session.add(notice)
    session.flush()
    return notice


def for_conversation(session: Session) -> Content:
    """Everything editable that the conversation engine shows or applies."""
    notice = current_privacy_notice(session)
    return Content(
        privacy_notice=notice.body,
        privacy_version=notice.version,
        reporting_channels=str(get(session, "reporting_channels")),
        promotion=str(get(session, "promotion")),
        help=str(get(session, "help")),
        due_days=int(get(session, "due_days")),
    )
