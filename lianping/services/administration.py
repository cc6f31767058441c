"""What the administrator changes, validated and audited; the caller commits.

Every function checks the actor is an administrator, refuses bad input with a
``SettingsError`` (a zh-TW message) before changing anything, and writes one
audit entry with the values before and after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from lianping import codes
from lianping.bot.conversation.phone import parse_office_phone
from lianping.line.limits import utf16_units
from lianping.services import accounts, audit, content, report_periods
from lianping.services.access import Actor, require_admin
from lianping.storage import areas
from lianping.storage.models import (
    Agency,
    ApiToken,
    Case,
    PrivacyNotice,
    ReplyTemplate,
    Unit,
    User,
    WebSession,
    utcnow,
)

# Texts the bot sends as one LINE text message (≤ 5,000 UTF-16 units, with room for hints).
MAX_BOT_TEXT = 4000
MAX_TEMPLATE_BODY = 4000
MAX_AGENCY_NAME = 100
# An address as mail servers take it (RFC 5321's 254 characters), ASCII only.
MAX_EMAIL = 254
MAX_ADDRESS = 100
# The printed notices' sender line (e.g. 政風室), under the agency's name.
MAX_LETTER_SENDER = 30
_EMAIL_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL = re.compile(
    rf"{_EMAIL_ATOM}(?:\.{_EMAIL_ATOM})*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}"
)
DUE_DAYS_RANGE = (1, 90)


class SettingsError(ValueError):
    """Bad input; the message (zh-TW) says what to correct. Nothing was changed."""


# What only an administrator who is ethics staff may do to accounts (each could open tips,
# or let someone sign in as one who can), in the words of the refusal and the audit log.
ETHICS_ONLY: dict[str, str] = {
    "create": "新增具政風人員身分的帳號",
    "role": "授予政風人員身分或變更政風人員的角色",
    "head_of_ethics": "變更政風單位主管身分",
    "password": "重設政風人員的密碼",
    "activate": "重新啟用政風人員的帳號",
    "unlock": "解除政風人員帳號的暫停登入",
    "two_factor": "重設政風人員的雙重驗證",
}


class EthicsRequired(SettingsError):
    """Refused: only an administrator with the ethics flag may do this. Nothing was changed;
    the caller records the attempt (``record_refusal``) in a transaction of its own."""

    def __init__(self, attempted: str, target_id: int | str) -> None:
        super().__init__(
            f"只有具政風人員身分的系統管理者可以{ETHICS_ONLY[attempted]}"
            "（為保護檢舉人身分）；本次操作未執行，並已記錄於稽核紀錄。"
        )
        self.attempted = attempted
        self.target_id = target_id


def require_ethics_admin(actor: Actor, attempted: str, target_id: int | str) -> None:
    """Refuse ``attempted`` to an administrator without the ethics flag. The command line
    (the install's first account, run by whoever runs the server) is trusted."""
    if actor.user_id is not None and not actor.ethics:
        raise EthicsRequired(attempted, target_id)


def record_refusal(session: Session, actor: Actor, refused: EthicsRequired) -> None:
    """Audit an attempt ``require_ethics_admin`` refused."""
    audit.record(
        session, actor, "user.refused", "user", refused.target_id,
        after={"attempted": refused.attempted, "reason": "ethics_required"},
    )  # fmt: skip


def clean_line(value: str | None) -> str:
    """One line of text: surrounding spaces (also full-width) removed, inner runs collapsed."""
    return " ".join((value or "").split())


def clean_text(value: str | None) -> str:
    """Multi-line text: unified line ends, trailing spaces removed, no empty ends."""
    lines = (value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n").strip()


# -- units and agencies ---------------------------------------------------------------------


@dataclass(frozen=True)
class NameKind:
    """簽會單位 or 函轉機關: a list of names staff choose from."""

    key: str
    model: type[Unit] | type[Agency]
    label: str
    max_length: int
    audit_type: str


NAME_KINDS: dict[str, NameKind] = {
    "units": NameKind("units", Unit, "簽會單位", 100, "unit"),
    "agencies": NameKind("agencies", Agency, "函轉機關", 200, "agency"),
}


def _valid_name(session: Session, kind: NameKind, raw: str, exclude_id: int | None = None) -> str:
    name = clean_line(raw)
    if not name:
        raise SettingsError(f"請輸入{kind.label}名稱。")
    if len(name) > kind.max_length:
        raise SettingsError(f"{kind.label}名稱不得超過{kind.max_length}個字。")
    model = kind.model
    found = cast(Unit | Agency | None, session.scalar(select(model).where(model.name == name)))
    if found is not None and found.id != exclude_id:
        state = "" if found.active else "（已停用，可直接重新啟用）"
        raise SettingsError(f"已有相同名稱的{kind.label}「{name}」{state}，請勿重複建立。")
    return name


def _named(session: Session, kind: NameKind, item_id: int) -> Unit | Agency:
    row = cast(Unit | Agency | None, session.get(kind.model, item_id))
    if row is None:
        raise SettingsError(f"找不到指定的{kind.label}，可能已被刪除。")
    return row


def add_name(session: Session, actor: Actor, kind: NameKind, raw: str) -> Unit | Agency:
    require_admin(actor)
    name = _valid_name(session, kind, raw)
    row = kind.model(name=name, active=True)
    session.add(row)
    session.flush()
    audit.record(
        session, actor, f"{kind.audit_type}.create", kind.audit_type, row.id,
        after={"name": name, "active": True},
    )  # fmt: skip
    return row


def rename(session: Session, actor: Actor, kind: NameKind, item_id: int, raw: str) -> None:
    require_admin(actor)
    row = _named(session, kind, item_id)
    name = _valid_name(session, kind, raw, exclude_id=row.id)
    if name == row.name:
        raise SettingsError("名稱未變更。")
    before = row.name
    row.name = name
    audit.record(
        session, actor, f"{kind.audit_type}.rename", kind.audit_type, row.id,
        before={"name": before}, after={"name": name},
    )  # fmt: skip


def set_name_active(
    session: Session, actor: Actor, kind: NameKind, item_id: int, active: bool
) -> None:
    require_admin(actor)
    row = _named(session, kind, item_id)
    if row.active == active:
        raise SettingsError(f"此{kind.label}已是{'啟用' if active else '停用'}狀態。")
    row.active = active
    action = "activate" if active else "deactivate"
    audit.record(
        session, actor, f"{kind.audit_type}.{action}", kind.audit_type, row.id,
        before={"active": not active}, after={"active": active},
    )  # fmt: skip


# -- reply templates ------------------------------------------------------------------------


def _valid_template(
    session: Session, raw_title: str, raw_body: str, exclude_id: int | None = None
) -> tuple[str, str]:
    title = clean_line(raw_title)
    body = clean_text(raw_body)
    if not title:
        raise SettingsError("請輸入範本標題。")
    if len(title) > 100:
        raise SettingsError("範本標題不得超過100個字。")
    if not body:
        raise SettingsError("請輸入範本內容。")
    if utf16_units(body) > MAX_TEMPLATE_BODY:
        raise SettingsError(f"範本內容不得超過{MAX_TEMPLATE_BODY:,}字（LINE 訊息長度限制）。")
    found = session.scalar(select(ReplyTemplate).where(ReplyTemplate.title == title))
    if found is not None and found.id != exclude_id:
        raise SettingsError(f"已有相同標題的回覆範本「{title}」，請改用其他標題。")
    return title, body


def _template(session: Session, template_id: int) -> ReplyTemplate:
    row = session.get(ReplyTemplate, template_id)
    if row is None:
        raise SettingsError("找不到指定的回覆範本。")
    return row


def add_template(session: Session, actor: Actor, title: str, body: str) -> ReplyTemplate:
    require_admin(actor)
    title, body = _valid_template(session, title, body)
    row = ReplyTemplate(title=title, body=body, active=True)
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "template.create", "template", row.id,
        after={"title": title, "body": body, "active": True},
    )  # fmt: skip
    return row


def edit_template(session: Session, actor: Actor, template_id: int, title: str, body: str) -> None:
    require_admin(actor)
    row = _template(session, template_id)
    title, body = _valid_template(session, title, body, exclude_id=row.id)
    if (title, body) == (row.title, row.body):
        raise SettingsError("範本內容未變更。")
    before = {"title": row.title, "body": row.body}
    row.title, row.body = title, body
    audit.record(
        session, actor, "template.update", "template", row.id,
        before=before, after={"title": title, "body": body},
    )  # fmt: skip


def set_template_active(session: Session, actor: Actor, template_id: int, active: bool) -> None:
    require_admin(actor)
    row = _template(session, template_id)
    if row.active == active:
        raise SettingsError(f"此範本已是{'啟用' if active else '停用'}狀態。")
    row.active = active
    audit.record(
        session, actor, "template.activate" if active else "template.deactivate", "template",
        row.id, before={"active": not active}, after={"active": active},
    )  # fmt: skip


# -- editable content -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContentField:
    key: str
    label: str
    hint: str
    multiline: bool
    optional: bool = False  # may be left empty (then not shown to residents)
    input_type: str = "text"  # the single-line input's type on the settings page; "switch": yes/no


# A yes/no setting's two choices on the settings page.
SWITCH = {"on": True, "off": False}

CONTENT_FIELDS: dict[str, ContentField] = {
    f.key: f
    for f in (
        ContentField(
            "agency_name", "政風機構全銜",
            "用於工作紀錄表、工作成果彙報表表頭及個資告知，例如「臺北市政府政風處」。", False,
        ),
        ContentField(
            "letter_sender", "書面通知發文機關",
            "書面通知（函）以哪個機關名義發文。政風室以所屬機關名義發文時，填該機關全銜，"
            "例如「臺北市大同區公所」，函內另列政風機構全銜為承辦單位；留空則以政風機構全銜發文。",
            False, optional=True,
        ),
        ContentField(
            "due_days", "處理期限預設日數",
            "新案件自收件日起算的處理期限（日曆天），1至90日，常用30日。", False,
        ),
        ContentField(
            "reporting_channels", "檢舉管道",
            "民眾點選「檢舉管道」時，LINE 官方帳號回覆的內容。", True,
        ),
        ContentField(
            "ethics_phone", "政風單位電話",
            "列於「檢舉管道」之後，民眾可直接來電；留空則不顯示。"
            "可加分機，例如「02-2345-6789 分機 123」。",
            False, optional=True, input_type="tel",
        ),
        ContentField(
            "ethics_email", "政風單位電子郵件",
            "列於「檢舉管道」之後，民眾可來信檢舉；留空則不顯示。例如「ethics@example.gov.tw」。",
            False, optional=True, input_type="email",
        ),
        ContentField(
            "ethics_address", "政風單位地址",
            "列於個資告知及「不經由LINE提供」的說明，民眾可書面郵寄或親至提出反映及個資請求；"
            "留空則不列出地址。例如「220242 新北市板橋區中山路一段161號 政風處」。",
            False, optional=True,
        ),
        ContentField(
            "promotion", "廉政宣導",
            "民眾點選「廉政宣導」時，LINE 官方帳號回覆的內容。", True,
        ),
        ContentField(
            "help", "使用說明",
            "民眾點選「使用說明」或輸入「說明」時，LINE 官方帳號回覆的內容。", True,
        ),
        ContentField(
            "areas", "轄區區及村里",
            "民眾在「訂閱設定」選擇的區及村里，也是依區／村里發送宣導的對象。每行一區，"
            "寫成「區名：里名、里名」，例如「中正區：建國里、文北里」。預設內容為範例，"
            "請依轄區實際情形修改。",
            True,
        ),
        ContentField(
            "work_record_extras", "工作紀錄表附加欄位",
            "工作紀錄表（附件1）預設與實施計畫附件格式完全相同；選擇「列印」時，另加印案件編號、"
            "受理管道、細項、主題及列印人員。",
            False, input_type="switch",
        ),
        ContentField(
            "report_anchor_date", "工作成果彙報表起算日",
            "每二週為一統計期間，自此日起算（建議為星期一）；彙報表預設為最近一個已結束的期間。",
            False,
        ),
    )
}  # fmt: skip


def _valid_content(key: str, raw: str) -> Any:
    field = CONTENT_FIELDS[key]
    if key == "due_days":
        text = clean_line(raw)
        low, high = DUE_DAYS_RANGE
        try:
            days = int(text)
        except ValueError:
            raise SettingsError(f"{field.label}請輸入{low}至{high}之間的整數。") from None
        if not low <= days <= high:
            raise SettingsError(f"{field.label}須介於{low}至{high}日之間。")
        return days
    if key == "report_anchor_date":
        return _valid_anchor_date(field.label, clean_line(raw))
    if field.input_type == "switch":
        if raw not in SWITCH:
            raise SettingsError(f"請選擇{field.label}是否列印。")
        return SWITCH[raw]
    if key == "areas":
        return _valid_areas(field.label, raw)
    if key == "ethics_phone":
        return _valid_office_phone(field.label, clean_line(raw))
    if key == "ethics_email":
        return valid_email(field.label, clean_line(raw))
    if key == "ethics_address":
        address = clean_line(raw)
        if len(address) > MAX_ADDRESS:
            raise SettingsError(f"{field.label}不得超過{MAX_ADDRESS}個字。")
        return address
    if key == "letter_sender":
        sender = clean_line(raw)
        if len(sender) > MAX_LETTER_SENDER:
            raise SettingsError(f"{field.label}不得超過{MAX_LETTER_SENDER}個字。")
        return sender
    if key == "agency_name":
        name = clean_line(raw)
        if not name:
            raise SettingsError("請輸入政風機構全銜。")
        if len(name) > MAX_AGENCY_NAME:
            raise SettingsError(f"政風機構全銜不得超過{MAX_AGENCY_NAME}個字。")
        return name
    text = clean_text(raw)
    if not text:
        raise SettingsError(f"請輸入{field.label}內容。")
    if utf16_units(text) > MAX_BOT_TEXT:
        raise SettingsError(f"{field.label}不得超過{MAX_BOT_TEXT:,}字（LINE 訊息長度限制）。")
    return text


def _valid_office_phone(label: str, text: str) -> str:
    """The unit's phone as it is shown (empty: not shown)."""
    if not text:
        return ""
    shown = parse_office_phone(text)
    if shown is None:
        raise SettingsError(
            f"{label}格式不正確，請輸入市話（含區碼）、手機或0800免付費電話，可加分機，"
            "例如「02-2345-6789 分機 123」。"
        )
    return shown


def valid_email(label: str, text: str) -> str:
    """The unit's e-mail address (empty: not shown)."""
    if not text:
        return ""
    if len(text) > MAX_EMAIL or not _EMAIL.fullmatch(text):
        raise SettingsError(f"{label}格式不正確，例如「ethics@example.gov.tw」。")
    return text


def _valid_anchor_date(label: str, text: str) -> str:
    """An ISO date within the ROC calendar, stored as text (the setting is JSON)."""
    try:
        day = report_periods.parse_day(text, "起算日")
        report_periods.validate(day, day)
    except report_periods.PeriodError:
        raise SettingsError(f"{label}請以西元年-月-日輸入，例如 2026-01-05。") from None
    return day.isoformat()


def _valid_areas(label: str, raw: str) -> str:
    """The areas in their canonical text (one 區 per line, full-width punctuation)."""
    try:
        parsed = areas.parse(raw)
    except areas.AreasError as exc:
        raise SettingsError(f"{label}：{exc}") from None
    if not parsed:
        raise SettingsError(f"請輸入{label}，每行一區，寫成「區名：里名、里名」。")
    return areas.format_text(parsed)


def update_content(session: Session, actor: Actor, key: str, raw: str) -> None:
    require_admin(actor)
    if key not in CONTENT_FIELDS:
        raise SettingsError("無此設定項目。")
    value = _valid_content(key, raw)
    before = content.get(session, key)
    if value == before:
        raise SettingsError(f"{CONTENT_FIELDS[key].label}未變更。")
    content.put(session, key, value, by=actor.username)
    audit.record(
        session, actor, "setting.update", "setting", key,
        before={"value": before}, after={"value": value},
    )  # fmt: skip


# -- privacy notice -------------------------------------------------------------------------


def publish_privacy_notice(session: Session, actor: Actor, raw: str) -> PrivacyNotice:
    """A new version; earlier versions stay as they were (cases refer to them)."""
    require_admin(actor)
    body = clean_text(raw)
    if not body:
        raise SettingsError("請輸入個人資料蒐集告知內容。")
    if utf16_units(body) > MAX_BOT_TEXT:
        raise SettingsError(f"個人資料蒐集告知不得超過{MAX_BOT_TEXT:,}字（LINE 訊息長度限制）。")
    left = content.notice_placeholders(body)
    if left:
        words = "、".join(f"「{word}」" for word in left)
        raise SettingsError(
            f"告知內容仍有待填寫的文字（{words}），請改為本機關的名稱及資料後再發布。"
        )
    current = content.current_privacy_notice(session)
    if body == current.body:
        raise SettingsError("內容與目前版本相同，未發布新版本。")
    notice = content.add_privacy_notice(session, body, by=actor.username)
    audit.record(
        session, actor, "privacy_notice.publish", "privacy_notice", notice.version,
        before={"version": current.version},
        after={"version": notice.version, "body": body},
    )  # fmt: skip
    return notice


def privacy_history(session: Session) -> list[PrivacyNotice]:
    content.current_privacy_notice(session)  # version 1 exists from the first look on
    return list(session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.version.desc())))


# -- users ----------------------------------------------------------------------------------


def _check_new_password(password: str, confirm: str, personal: tuple[str, ...]) -> None:
    """A new password typed twice: accounts' rule, then the two must match."""
    try:
        accounts.check_password(password, personal)
    except accounts.AccountError as exc:
        raise SettingsError(f"{exc}。") from exc
    if password != confirm:
        raise SettingsError("兩次輸入的密碼不一致。")


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise SettingsError("找不到指定的使用者。")
    return user


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    role: str,
    ethics: bool,
    password: str,
    confirm: str,
) -> User:
    """A staff account from the users page; the username rule is the one accounts applies."""
    require_admin(actor)
    try:
        # In the form's order, so the first wrong field is the one named.
        username = accounts.valid_username(username)
        name = accounts.valid_display_name(display_name, username)
        if role not in codes.ROLES:
            raise SettingsError("請選擇角色。")
        if ethics:
            require_ethics_admin(actor, "create", username)
        _check_new_password(password, confirm, (username, name))
        return accounts.create_user(
            session, username, password, role, display_name=name, ethics=ethics, actor=actor
        )
    except accounts.AccountError as exc:
        raise SettingsError(f"{exc}。") from exc


def _end_sessions(session: Session, user_id: int) -> int:
    result = session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


def _open_cases_of(session: Session, user_id: int, *, tips_only: bool = False) -> int:
    """How many open cases the user is the officer of (only tips, if asked)."""
    statement = select(func.count(Case.id)).where(
        Case.officer_id == user_id, Case.status.in_(codes.OPEN_STATUSES)
    )
    if tips_only:
        statement = statement.where(Case.confidential.is_(True))
    return int(session.scalar(statement) or 0)


def change_role(session: Session, actor: Actor, user_id: int, role: str, ethics: bool) -> None:
    """A user's role and ethics flag. Refused for one's own account, for the last active
    administrator, and while the user handles open cases the new rights could not handle.

    Sessions stay: every request reads the user's role afresh, so the change applies from
    the user's next request on.
    """
    require_admin(actor)
    user = _user(session, user_id)
    if role not in codes.ROLES:
        raise SettingsError("請選擇角色。")
    if (role, ethics) == (user.role, user.ethics):
        raise SettingsError("角色及政風人員身分均未變更。")
    if ethics or user.ethics:
        require_ethics_admin(actor, "role", user.id)
    if user.id == actor.user_id:
        raise SettingsError("無法變更目前登入帳號的角色或政風人員身分，請由另一位系統管理者辦理。")
    if user.role == "admin" and role != "admin" and user.active:
        others = session.scalar(
            select(func.count(User.id)).where(
                User.role == "admin", User.active.is_(True), User.id != user.id
            )
        )
        if not others:
            raise SettingsError(
                f"「{user.display_name}」是唯一啟用中的系統管理者；"
                "請先將另一位同仁設為系統管理者，再變更此帳號的角色。"
            )
    if role == "viewer" and user.role != "viewer":
        held = _open_cases_of(session, user.id)
        if held:
            raise SettingsError(
                f"此帳號仍承辦 {held} 件未結案件，檢視者無法承辦；請先將這些案件改分給其他同仁。"
            )
    if user.ethics and not ethics:
        held = _open_cases_of(session, user.id, tips_only=True)
        if held:
            raise SettingsError(
                f"此帳號仍承辦 {held} 件未結的檢舉案件，檢舉案件只能由政風人員承辦；"
                "請先改分給其他政風人員。"
            )
    before = {"role": user.role, "ethics": user.ethics}
    user.role, user.ethics = role, ethics
    audit.record(
        session, actor, "user.role", "user", user.id,
        before=before, after={"role": role, "ethics": ethics},
    )  # fmt: skip
    if user.head_of_ethics and not ethics:  # the head of ethics is ethics staff first
        _set_head(session, actor, user, False)


def _set_head(session: Session, actor: Actor, user: User, head: bool) -> None:
    audit.record(
        session, actor, "user.head_of_ethics", "user", user.id,
        before={"head_of_ethics": user.head_of_ethics}, after={"head_of_ethics": head},
    )  # fmt: skip
    user.head_of_ethics = head


def set_user_unit(session: Session, actor: Actor, user_id: int, unit_id: int | None) -> None:
    """The 單位 a staff member belongs to: a supervisor reveals the personal data of the cases
    of their own unit's officers (need-to-know). Administrators only; audited."""
    require_admin(actor)
    user = _user(session, user_id)
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit_id is not None and (unit is None or not unit.active):
        raise SettingsError("請選擇啟用中的單位。")
    if user.unit_id == unit_id:
        raise SettingsError("所屬單位未變更。")
    audit.record(
        session, actor, "user.unit", "user", user.id,
        before={"unit_id": user.unit_id}, after={"unit_id": unit_id},
    )  # fmt: skip
    user.unit_id = unit_id


def set_head_of_ethics(session: Session, actor: Actor, user_id: int, head: bool) -> None:
    """Make an ethics user the head of ethics (政風單位主管: opens and assigns every tip), or
    no longer. Administrators only; refused for one's own account and for non-ethics users."""
    require_admin(actor)
    user = _user(session, user_id)
    if user.head_of_ethics == head:
        raise SettingsError("政風單位主管身分未變更。")
    require_ethics_admin(actor, "head_of_ethics", user.id)
    if user.id == actor.user_id:
        raise SettingsError("無法變更目前登入帳號的政風單位主管身分，請由另一位系統管理者辦理。")
    if head and not (user.ethics and user.active):
        raise SettingsError("只有啟用中的政風人員可設為政風單位主管。")
    _set_head(session, actor, user, head)


def set_user_active(session: Session, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivating ends the user's sessions and revokes their API tokens."""
    require_admin(actor)
    user = _user(session, user_id)
    if user.active == active:
        raise SettingsError(f"此帳號已是{'啟用' if active else '停用'}狀態。")
    if not active and user.id == actor.user_id:
        raise SettingsError("無法停用目前登入的帳號。")
    # Deactivating an ethics account is left to every administrator: it only takes access away.
    if active and user.ethics:
        require_ethics_admin(actor, "activate", user.id)
    user.active = active
    after: dict[str, Any] = {"active": active}
    if not active:
        after["sessions_closed"] = _end_sessions(session, user.id)
        revoked = session.execute(
            update(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        after["tokens_revoked"] = int(getattr(revoked, "rowcount", 0) or 0)
    audit.record(
        session, actor, "user.activate" if active else "user.deactivate", "user", user.id,
        before={"active": not active}, after=after,
    )  # fmt: skip


def reset_password(
    session: Session, actor: Actor, user_id: int, password: str, confirm: str
) -> None:
    """A new password chosen by the administrator; the user's sessions end."""
    require_admin(actor)
    user = _user(session, user_id)
    if user.ethics:
        require_ethics_admin(actor, "password", user.id)
    personal = (user.username, user.display_name)
    _check_new_password(password, confirm, personal)
    user.password_hash = accounts.password_hash(password, personal)
    user.failed_logins, user.locked_until = 0, None
    closed = _end_sessions(session, user.id)
    audit.record(
        session, actor, "user.password_reset", "user", user.id, after={"sessions_closed": closed}
    )


def unlock_user(session: Session, actor: Actor, user_id: int) -> None:
    require_admin(actor)
    user = _user(session, user_id)
    if not (user.locked_until and user.locked_until > utcnow()) and not user.failed_logins:
        raise SettingsError("此帳號目前未被暫停登入。")
    if user.ethics:
        require_ethics_admin(actor, "unlock", user.id)
    before = {"locked_until": user.locked_until, "failed_logins": user.failed_logins}
    user.failed_logins, user.locked_until = 0, None
    audit.record(
        session, actor, "user.unlock", "user", user.id,
        before=before, after={"locked_until": None, "failed_logins": 0},
    )  # fmt: skip


def unlink_line(session: Session, actor: Actor, user_id: int) -> None:
    """Forget a staff member's LINE account; they link one again with a new code."""
    require_admin(actor)
    try:
        accounts.unlink_line(session, actor, _user(session, user_id))
    except accounts.AccountError as exc:
        raise SettingsError(str(exc)) from exc


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.active.desc(), User.username)))
