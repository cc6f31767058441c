"""Administrator-editable content: bot texts, reporting channels, due days, privacy notices.

Defaults live here; a row in ``settings`` overrides one. The privacy notice is
versioned: editing it adds a version, and each case keeps the version its reporter read.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from lianping.bot import texts
from lianping.bot.conversation.defaults import RETENTION
from lianping.bot.conversation.model import Content
from lianping.storage import areas
from lianping.storage.models import PrivacyNotice, Setting, utcnow

DEFAULTS: dict[str, Any] = {
    # 政風機構全銜: heads the forms and the reports, and names the agency in the notice.
    "agency_name": texts.AGENCY_FALLBACK,
    "due_days": 30,
    "reporting_channels": texts.REPORTING_CHANNELS,
    # The local 政風單位's own phone and e-mail, shown under the channels once set.
    "ethics_phone": "",
    "ethics_email": "",
    # Where residents exercise their 個資法 §3 rights in person (the notice names it).
    "ethics_address": "",
    # Retention schedule (個資法 §11, 檔案法): how long each kind of personal data is kept.
    # services.retention documents each; the agency's 檔案 unit confirms the case years.
    **RETENTION,
    # Tips: the acceptance notice is due this many days after the tip arrives.
    "tip_acceptance_days": 20,
    # 處理人民陳情案件要點 as the agency adopted it: the most days one approved extension
    # may add to the answer deadline (services.casework).
    "extension_max_days": 30,
    # Printed notices (reports.notice_letter): the agency a letter goes out under, e.g. the
    # 區公所 whose 政風室 writes it; blank: the 政風機構 itself (agency_name).
    "letter_sender": "",
    # 附件1: print the lines the form does not have (案件編號／受理管道, 細項／主題, the
    # printing footer); off by default, so the form is exactly seed 004's.
    "work_record_extras": False,
    "promotion": texts.PROMOTION,
    "help": texts.HELP,
    # 工作成果彙報表: periods of two weeks start on this date (ISO, a Monday) and every 14 days.
    "report_anchor_date": "2026-01-05",
    # 訂閱設定 and broadcasts by area: one 區 per line, "區名：里名、里名" (see storage.areas).
    "areas": areas.SAMPLE,
    # 清廉共同監督專區's 成果統計: a count below this is shown as 「<3」, and the breakdowns
    # shown (reports.public_statistics.BREAKDOWNS).
    "public_threshold": 3,
    "public_breakdowns": ["week", "nature", "sub_item", "theme", "district"],
    # The agency's logo in the public site's header (services.agency_logo), or none.
    "agency_logo": None,
}


# Every change of a setting or the notice writes a new random token under this key (not
# one of DEFAULTS: no page shows it), so a process keeps what the conversation engine
# loaded and knows by one small query whether it still holds. A token, not a timestamp:
# hosts' clocks differ, and a change stamped earlier than the last would go unseen.
VERSION_KEY = "content_version"


def get(session: Session, key: str) -> Any:
    """The value of an editable setting, or its default."""
    value = session.scalar(select(Setting.value).where(Setting.key == key))
    return DEFAULTS[key] if value is None else value


def put(session: Session, key: str, value: Any, by: str | None) -> None:
    """Set an editable setting (known keys only)."""
    if key not in DEFAULTS:
        raise KeyError(f"unknown setting {key!r}")
    _write(session, key, value, by)
    _write(session, VERSION_KEY, uuid.uuid4().hex, by)


def _write(session: Session, key: str, value: Any, by: str | None) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value, updated_by=by))
    else:
        row.value, row.updated_by = value, by


def default_privacy_notice(values: dict[str, Any]) -> str:
    """The built-in 個資法 §8 notice filled in from the settings ``values`` (all_values):
    the agency, its 政風單位's contact details and the retention periods."""
    contact = texts.notice_contact(
        str(values["ethics_phone"]), str(values["ethics_email"]), str(values["ethics_address"])
    )
    retention = {key: int(values[key]) for key in texts.NOTICE_RETENTION_FIELDS.values()}
    return texts.privacy_notice(str(values["agency_name"]), contact, retention)


# Words a published notice must not keep: the agency fallback and template marks.
_PLACEHOLDERS = (texts.AGENCY_FALLBACK, "○○", "{", "}")


def notice_placeholders(body: str) -> list[str]:
    """The placeholder words a notice still holds (the agency fallback, 「○○」, braces)."""
    return [word for word in _PLACEHOLDERS if word in body]


def current_privacy_notice(session: Session) -> PrivacyNotice:
    """The newest privacy notice; version 1 is written from the default on first use."""
    notice = session.scalar(select(PrivacyNotice).order_by(PrivacyNotice.version.desc()).limit(1))
    if notice is None:
        body = default_privacy_notice(all_values(session))
        notice = add_privacy_notice(session, body, by="system")
    return notice


def add_privacy_notice(session: Session, body: str, by: str | None) -> PrivacyNotice:
    """Publish a new version of the privacy notice."""
    last = session.scalar(select(func.max(PrivacyNotice.version))) or 0
    notice = PrivacyNotice(version=last + 1, body=body, created_by=by, created_at=utcnow())
    session.add(notice)
    _write(session, VERSION_KEY, uuid.uuid4().hex, by)
    session.flush()
    return notice


def all_values(session: Session) -> dict[str, Any]:
    """Every editable setting (defaults where not set), in one query."""
    stored: dict[str, Any] = {
        key: value for key, value in session.execute(select(Setting.key, Setting.value))
    }
    return {key: stored.get(key, default) for key, default in DEFAULTS.items()}


# Every batch reads it: built once, on the table (a Core statement skips the ORM's
# compilation of an entity's column).
_SETTINGS = cast(Table, Setting.__table__)
_TOKEN = select(_SETTINGS.c.value).where(_SETTINGS.c.key == VERSION_KEY)
# What for_conversation loaded last in this process, with the version token it was read under.
_loaded: tuple[str, Content] | None = None


def for_conversation(session: Session) -> Content:
    """Everything editable that the conversation engine shows or applies: one small query
    while nothing changed since this process last loaded it, three when something did."""
    global _loaded
    # The token is read first: a change committed between the two reads then leaves a
    # token older than the content, which costs one more load, never a stale hit.
    token = session.scalar(_TOKEN)
    loaded = _loaded
    if token is not None and loaded is not None and loaded[0] == token:
        return loaded[1]
    editable = _load(session)
    if token is not None:  # none yet: the first load writes the notice (and the token)
        _loaded = (str(token), editable)
    return editable


def _load(session: Session) -> Content:
    notice = current_privacy_notice(session)
    values = all_values(session)
    return Content(
        privacy_notice=notice.body,
        privacy_version=notice.version,
        reporting_channels=texts.reporting_channels(
            str(values["reporting_channels"]),
            str(values["agency_name"]),
            str(values["ethics_phone"]),
            str(values["ethics_email"]),
        ),
        promotion=str(values["promotion"]),
        help=str(values["help"]),
        due_days=int(values["due_days"]),
        offline_ways=texts.offline_ways(
            str(values["agency_name"]),
            str(values["ethics_phone"]),
            str(values["ethics_email"]),
            str(values["ethics_address"]),
        ),
        areas=areas.read(values["areas"]),
    )
