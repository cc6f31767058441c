"""The audit log in words: every action the product records, and how each entry reads.

``ACTIONS`` is the one table: an action's words (the filter lists them) and the
sentence an entry of it reads as, built from the values it recorded. Entries are
never rewritten, so an action the code no longer writes keeps its words here.
A test holds the table to every ``audit.record`` call in the code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.admin.pages.inbox import FILTER_LABELS, SORT_LABELS
from lianping.reports.public_statistics import BREAKDOWNS
from lianping.services import retention
from lianping.services.administration import CONTENT_FIELDS, ETHICS_ONLY
from lianping.services.broadcasts import audience_words
from lianping.services.casework import REJECTION_CLAUSES, REJECTION_REASONS
from lianping.storage.models import Agency, AuditEntry, Broadcast, Case, ReplyTemplate, Unit, User

# What an entry is about (AuditEntry.target_type), for the filter.
TARGET_TYPES: dict[str, str] = {
    "case": "案件",
    "export": "案件匯出",
    "user": "使用者",
    "unit": "簽會單位",
    "agency": "函轉機關",
    "template": "回覆範本",
    "setting": "設定",
    "privacy_notice": "個資告知",
    "report": "工作成果彙報表",
    "broadcast": "推播",
    "promotion_image": "宣導圖片",
    "tag": "追蹤者標籤",
    "pattern": "弊端態樣與防制作為",
    "retention": "保存期限清除",
    "data_request": "個資請求",
    "resident": "民眾",
    "place": "平臺地點",
    "place_contact": "平臺聯絡人",
    "activity": "平臺活動",
}
# A text longer than this, or on several lines, is shown under the sentence, not in it.
INLINE_TEXT = 40
# 附件2's rows, as the report counts them.
REPORT_ROWS = {codes.NEED: ("民情需求事項", "案"), codes.REFORM: ("施政興革反映", "案"),
               "promotion": ("反貪倡廉宣導", "案")}  # fmt: skip
REPORT_FIELDS = {"summary": "內容摘要", "handling": "處理意見"}
PERSONAL_FIELDS = {"name": "姓名", "phone": "電話", "address": "地址", "occupation": "職業"}
EXPORT_FORMATS = {"csv": "CSV", "xlsx": "XLSX", "ods": "ODS"}


@dataclass(frozen=True)
class Names:
    """What the entries of one page refer to by id, in words (loaded once per page)."""

    users: dict[int, str] = field(default_factory=dict)
    units: dict[int, str] = field(default_factory=dict)
    agencies: dict[int, str] = field(default_factory=dict)
    templates: dict[int, str] = field(default_factory=dict)
    broadcasts: dict[int, str] = field(default_factory=dict)
    cases: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Facts:
    """One entry as a sentence reads it: its target and recorded values, and the names."""

    target: str
    before: dict[str, Any]
    after: dict[str, Any]
    names: Names

    def value(self, key: str) -> Any:
        """The value after the change, else the one before it."""
        return self.after.get(key, self.before.get(key))

    def changed(self, key: str) -> bool:
        return key in self.after and self.before.get(key) != self.after[key]

    def move(self, key: str, words: Callable[[Any], str]) -> str:
        """「由「A」改為「B」」, or 「改為「B」」 when the entry kept no value before."""
        after = _quote(words(self.after.get(key)))
        if self.before.get(key) is None:
            return f"改為{after}"
        return f"由{_quote(words(self.before[key]))}改為{after}"


@dataclass(frozen=True)
class Described:
    """An entry in words: one sentence, and long texts shown beneath it (label, text)."""

    sentence: str
    texts: list[tuple[str, str]] = field(default_factory=list)


Render = Callable[[Facts], Described | str]


@dataclass(frozen=True)
class ActionWords:
    """An action's words in the filter, its group there, and how an entry of it reads."""

    label: str
    group: str
    render: Render


# -- words for values ---------------------------------------------------------------------


def _quote(text: Any) -> str:
    return f"「{_blank(text)}」"


def _number(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _id(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _named(table: dict[int, str], value: Any) -> str:
    """A name by id, quoted; an id no longer known is named by its number."""
    key = _id(value)
    if key is not None and key in table:
        return _quote(table[key])
    return f"（編號 {value}）" if value not in (None, "") else "（未指定）"


def _user(facts: Facts) -> str:
    return _named(facts.names.users, facts.target)


def _moment(value: Any) -> str:
    """A recorded date or time (ISO text, as entries keep it) in ROC form."""
    if isinstance(value, datetime | date):
        moment: date | datetime = value
    else:
        text = str(value or "")
        try:
            moment = datetime.fromisoformat(text) if len(text) > 10 else date.fromisoformat(text)
        except ValueError:
            return text or "—"
    if isinstance(moment, datetime):
        return rocdate.roc_datetime(moment) if moment.tzinfo else rocdate.roc_date(moment)
    return rocdate.roc_date(moment)


def _role(value: Any) -> str:
    return codes.ROLES.get(str(value), _blank(value))


def _status(value: Any) -> str:
    return codes.STATUSES.get(str(value), _blank(value))


def _short(text: Any) -> bool:
    value = "" if text is None else str(text)
    return len(value) <= INLINE_TEXT and "\n" not in value


def _blank(text: Any) -> str:
    return "（空白）" if text in (None, "") else str(text)


def _change_texts(label: str, before: Any, after: Any) -> list[tuple[str, str]]:
    return [(f"{label}（修改前）", _blank(before)), (f"{label}（修改後）", _blank(after))]


# -- sign-in and accounts -----------------------------------------------------------------


SECOND_FACTOR = {"totp": "以驗證碼", "recovery": "以備用碼", "enrolled": "設定雙重驗證後"}


def _login(facts: Facts) -> str:
    return f"{SECOND_FACTOR.get(facts.after.get('second_factor') or '', '')}登入管理介面。"


def _logout(facts: Facts) -> str:
    return "登出管理介面。"


def _lock(facts: Facts) -> str:
    until = facts.after.get("locked_until")
    what = "輸入驗證碼錯誤" if facts.after.get("reason") == "failed_codes" else "登入失敗"
    return f"使用者{_user(facts)}連續{what}，暫停登入至{_moment(until)}。"


def _two_factor_enrol(facts: Facts) -> str:
    return f"使用者{_user(facts)}啟用雙重驗證。"


def _two_factor_reset(facts: Facts) -> str:
    return f"重設使用者{_user(facts)}的雙重驗證，須重新設定。"


def _recovery_used(facts: Facts) -> str:
    left = facts.after.get("recovery_codes_left")
    return f"使用者{_user(facts)}以備用碼登入，尚餘{left}組。"


def _refused(facts: Facts) -> str:
    attempted = ETHICS_ONLY.get(facts.after.get("attempted") or "", "")
    what = f"{attempted}（對象：{_user(facts)}）" if attempted else f"變更使用者{_user(facts)}"
    return f"拒絕{what}：僅具政風人員身分的系統管理者可以辦理。"


def _user_create(facts: Facts) -> str:
    words = [f"帳號 {facts.after['username']}"] if facts.after.get("username") else []
    words += [_role(facts.after["role"])] if facts.after.get("role") else []
    words += ["政風人員"] if facts.after.get("ethics") else []
    return f"新增使用者{_user(facts)}" + (f"（{'，'.join(words)}）。" if words else "。")


def _user_activate(facts: Facts) -> str:
    return f"重新啟用使用者{_user(facts)}。"


def _ended(facts: Facts) -> str:
    """The sessions ended and tokens revoked with a change, if any."""
    parts = []
    if facts.after.get("sessions_closed"):
        parts.append(f"結束其登入階段 {_number(facts.after['sessions_closed'])} 個")
    if facts.after.get("tokens_revoked"):
        parts.append(f"撤銷其 API 權杖 {_number(facts.after['tokens_revoked'])} 組")
    return "，並" + "、".join(parts) if parts else ""


def _user_deactivate(facts: Facts) -> str:
    return f"停用使用者{_user(facts)}{_ended(facts)}。"


def _password_reset(facts: Facts) -> str:
    return f"重設使用者{_user(facts)}的密碼{_ended(facts)}。"


def _unlock(facts: Facts) -> str:
    return f"解除使用者{_user(facts)}的暫停登入。"


def _user_role(facts: Facts) -> str:
    parts = []
    if facts.changed("role"):
        parts.append(f"角色{facts.move('role', _role)}")
    if facts.changed("ethics"):
        parts.append("設為政風人員" if facts.after["ethics"] else "取消政風人員身分")
    return f"變更使用者{_user(facts)}的權限：{'；'.join(parts) or '未變更'}。"


def _line_id(facts: Facts) -> str:
    value = facts.after.get("line_user_id")
    if value:
        return f"將使用者{_user(facts)}的 LINE 使用者 ID 設為 {value}。"
    return f"清除使用者{_user(facts)}的 LINE 使用者 ID。"


def _line_link_code(facts: Facts) -> str:
    until = facts.after.get("expires_at")
    return f"使用者{_user(facts)}產生 LINE 連結碼（有效至{_moment(until)}）。"


def _line_link(facts: Facts) -> str:
    return f"使用者{_user(facts)}以連結碼連結 LINE 帳號。"


def _line_unlink(facts: Facts) -> str:
    return f"解除使用者{_user(facts)}的 LINE 帳號連結。"


def _token(facts: Facts) -> str:
    token = facts.after.get("token")
    return f"為使用者{_user(facts)}核發 API 權杖" + (f"（權杖編號 {token}）。" if token else "。")


# -- followers ----------------------------------------------------------------------------


def _tag(add: bool) -> Render:
    def render(facts: Facts) -> str:
        chosen = len(facts.after.get("residents") or [])
        tag, changed = _quote(facts.after.get("tag", facts.target)), facts.after.get("changed", 0)
        if add:
            return f"為 {_number(chosen)} 位追蹤者加上標籤{tag}（實際新增 {_number(changed)} 位）。"
        return f"移除 {_number(chosen)} 位追蹤者的標籤{tag}（實際移除 {_number(changed)} 位）。"

    return render


# -- units, agencies, templates, settings, privacy notice ----------------------------------


def _name_create(kind: str) -> Render:
    return lambda facts: f"新增{kind}{_quote(facts.after.get('name', ''))}。"


def _name_rename(kind: str) -> Render:
    def render(facts: Facts) -> str:
        before, after = facts.before.get("name", ""), facts.after.get("name", "")
        return f"將{kind}{_quote(before)}更名為{_quote(after)}。"

    return render


def _name_active(kind: str, table: str, active: bool) -> Render:
    """(Re-)enabling a unit (``table`` units) or an agency (agencies), named by its id."""
    verb = "重新啟用" if active else "停用"
    return lambda facts: f"{verb}{kind}{_named(getattr(facts.names, table), facts.target)}。"


def _template_title(facts: Facts) -> str:
    title = facts.after.get("title") or facts.before.get("title")
    return _quote(title) if title else _named(facts.names.templates, facts.target)


def _template_create(facts: Facts) -> Described:
    return Described(
        f"新增回覆範本{_template_title(facts)}。", [("範本內容", _blank(facts.after.get("body")))]
    )


def _template_update(facts: Facts) -> Described:
    parts, texts = [], []
    if facts.changed("title"):
        parts.append(f"標題由{_quote(facts.before.get('title'))}改為{_quote(facts.after['title'])}")
    if facts.changed("body"):
        parts.append("修改內容")
        texts = _change_texts("範本內容", facts.before.get("body"), facts.after["body"])
    return Described(
        f"修改回覆範本{_template_title(facts)}：{'；'.join(parts) or '未變更'}。", texts
    )


def _template_active(active: bool) -> Render:
    verb = "重新啟用" if active else "停用"
    return lambda facts: f"{verb}回覆範本{_named(facts.names.templates, facts.target)}。"


def _setting(facts: Facts) -> Described:
    found = CONTENT_FIELDS.get(facts.target)
    label = found.label if found else facts.target
    before, after = facts.before.get("value"), facts.after.get("value")
    if _short(before) and _short(after):
        return Described(
            f"修改設定{_quote(label)}：由{_quote(_blank(before))}改為{_quote(_blank(after))}。"
        )
    return Described(f"修改設定{_quote(label)}。", _change_texts(label, before, after))


def _privacy(facts: Facts) -> Described:
    was = facts.before.get("version")
    sentence = f"發布個資告知第 {facts.after.get('version') or facts.target} 版" + (
        f"（取代第 {was} 版）。" if was else "。"
    )
    return Described(sentence, [("告知內容", _blank(facts.after.get("body")))])


def _retention_update(facts: Facts) -> str:
    kind = retention.BY_SETTING.get(facts.target)
    label, unit = (kind.label, kind.unit) if kind else ("個人資料", "")
    before, after = facts.before.get("value"), facts.after.get("value")
    since = f"由 {_number(before)} {unit}" if before is not None else ""
    return f"將{_quote(label)}的保存期限{since}改為 {_number(after)} {unit}。"


def _retention_purge(facts: Facts) -> str:
    counts = facts.after.get("counts")
    counts = counts if isinstance(counts, dict) else {}
    parts = [
        f"{kind.label} {_number(counts[kind.code])} 筆"
        for kind in retention.SCHEDULE
        if counts.get(kind.code) is not None
    ]
    if facts.after.get("files") is not None:
        parts.append(f"刪除檔案 {_number(facts.after['files'])} 個")
    if facts.after.get("complete") is False:
        parts.append("執行時間已到，其餘由下一次執行接續清除")
    return f"依保存期限清除個人資料（{'；'.join(parts) or '未記錄筆數'}）。"


# -- cases --------------------------------------------------------------------------------


def _case(facts: Facts) -> str:
    return f"案件 {facts.target} "


def _category(nature: Any, sub_item: Any, theme: Any) -> str:
    words = [codes.NATURES.get(str(nature), str(nature or "未分類"))]
    if sub_item in codes.SUB_ITEMS:
        words.append(codes.SUB_ITEMS[sub_item].label)
    if theme in codes.THEMES:
        words.append(f"主題{codes.THEMES[theme]}")
    return "／".join(words)


def _status_move(facts: Facts) -> str:
    if not facts.changed("status"):
        return ""
    return f"，狀態{facts.move('status', _status)}"


def _case_create(facts: Facts) -> str:
    channel = codes.CHANNELS.get(str(facts.after.get("channel")), "")
    nature = codes.NATURES.get(str(facts.after.get("nature")), "")
    received = facts.after.get("received_at")
    when = f"，收件時間{_moment(received)}" if received else ""
    return f"登錄{channel}受理的{_case(facts)}（{nature}{when}）。"


def _case_classify(facts: Facts) -> str:
    keys = ("nature", "sub_item", "theme")
    after = _category(*(facts.value(key) for key in keys))
    if all(key in facts.before for key in keys):
        before = _category(*(facts.before[key] for key in keys))
        return f"將{_case(facts)}的分類由{_quote(before)}改為{_quote(after)}。"
    return f"將{_case(facts)}分類為{_quote(after)}。"


def _case_assign(facts: Facts) -> str:
    who = [
        _named(facts.names.users, facts.after[key])
        if key == "officer_id"
        else _named(facts.names.units, facts.after[key])
        for key in ("officer_id", "unit_id")
        if facts.after.get(key)
    ]
    return f"將{_case(facts)}分案給{'、'.join(who) or '（未指定）'}{_status_move(facts)}。"


def _approved(facts: Facts) -> str:
    """首長核可 of a 簽會 or 函轉, when the entry records one."""
    by = facts.after.get("approved_by")
    if not by:
        return ""
    return f"，{by}於{_moment(facts.after.get('approved_on'))}核可"


def _route_internal(facts: Facts) -> str:
    unit = _named(facts.names.units, facts.after.get("unit_id"))
    return f"將{_case(facts)}簽會{unit}{_approved(facts)}{_status_move(facts)}。"


def _route_external(facts: Facts) -> str:
    agency = _named(facts.names.agencies, facts.after.get("agency_id"))
    letter = [_moment(facts.after["letter_date"])] if facts.after.get("letter_date") else []
    letter += [str(facts.after["letter_number"])] if facts.after.get("letter_number") else []
    detail = f"（{''.join(letter)}）" if letter else ""
    return f"將{_case(facts)}函轉{agency}{detail}{_approved(facts)}{_status_move(facts)}。"


def _case_opinion(facts: Facts) -> Described:
    texts = []
    if "handling_opinion" in facts.after:
        texts = _change_texts(
            "處理意見", facts.before.get("handling_opinion"), facts.after["handling_opinion"]
        )
    agency = ""
    if facts.changed("signing_agency"):
        agency = f"，簽辦機關改為{_quote(_blank(facts.after['signing_agency']))}"
    return Described(f"更新{_case(facts)}的處理意見{agency}。", texts)


def _case_note(facts: Facts) -> Described:
    return Described(
        f"在{_case(facts)}新增內部註記。", [("註記內容", _blank(facts.after.get("note")))]
    )


def _case_reply(facts: Facts) -> str:
    return f"以 LINE 回覆{_case(facts)}的反映者{_status_move(facts)}。"


def _reply_recorded(facts: Facts) -> str:
    return f"記錄{_case(facts)}已以書面、電話或當面回覆反映者{_status_move(facts)}。"


def _reply_failed(facts: Facts) -> str:
    return f"{_case(facts)}的 LINE 回覆未能送達{_status_move(facts)}。"


def _case_refer(facts: Facts) -> str:
    letter = [_moment(facts.after["letter_date"])] if facts.after.get("letter_date") else []
    letter += [str(facts.after["letter_number"])] if facts.after.get("letter_number") else []
    detail = f"（{''.join(letter)}）" if letter else ""
    to = facts.after.get("referred_to") or "—"
    return f"將檢舉{_case(facts)}移送{to}{detail}{_status_move(facts)}。"


def _extension_propose(facts: Facts) -> str:
    due = _moment(facts.after.get("extension_due_on"))
    return f"提出將{_case(facts)}的處理期限延至{due}，待主管核定。"


def _extension_decline(facts: Facts) -> str:
    return f"不同意{_case(facts)}的延長處理期限提議。"


def _details_request(facts: Facts) -> str:
    return f"請{_case(facts)}的反映者補陳，處理期限暫停計算。"


def _details_resume(facts: Facts) -> str:
    due = _moment(facts.after.get("due_at"))
    return f"{_case(facts)}收到補陳資料，處理期限恢復計算並延至{due}。"


def _case_status(facts: Facts) -> str:
    why = ""
    reason = facts.after.get("rejection_reason")
    if reason:
        clause = REJECTION_CLAUSES.get(reason)
        where = f"第{clause}款" if clause else ""
        why = f"（行政程序法第173條{where}：{REJECTION_REASONS.get(reason, reason)}）"
    if facts.after.get("merged_into_id"):
        why = f"（併入案件 {facts.names.cases.get(_id(facts.after['merged_into_id']) or 0, '—')}）"
    move = _status_move(facts).removeprefix("，")
    if not move:
        return f"變更{_case(facts)}的狀態{why}。"
    return f"將{_case(facts)}的{move}{why}。"


def _case_extend(facts: Facts) -> str:
    before, after = facts.before.get("due_at"), facts.after.get("due_at")
    since = f"由{_moment(before)}" if before else ""
    return f"將{_case(facts)}的處理期限{since}延至{_moment(after)}。"


def _personal(values: Any) -> str:
    if not values:
        return "個人資料"
    return "、".join(PERSONAL_FIELDS.get(str(v), str(v)) for v in values)


def _case_reveal(facts: Facts) -> str:
    fields = _personal(facts.after.get("fields"))
    via = str(facts.after.get("via", ""))
    if via.startswith("export."):
        kind = EXPORT_FORMATS.get(via.removeprefix("export."), via.removeprefix("export."))
        return f"匯出案件清單（{kind}）時一併取得檢舉案件 {facts.target} 檢舉人的{fields}。"
    reason = facts.after.get("reason")
    why = f"，原因：{_quote(reason)}" if reason else ""
    return f"檢視{_case(facts)}反映者的{fields}{why}。"


# Where a tip was looked at (tip.view's ``via``); a media file is ``media.<id>``.
TIP_VIEWS = {"page": "案件頁面", "api": "API 案件明細"}
TIP_NOTICES = {"acceptance": "受理通知", "result": "結果通知"}
TIP_NOTICE_METHODS = {"line": "以 LINE 傳送", "in_person": "當面交付", "mail": "郵寄"}


def _tip_view(facts: Facts) -> str:
    via = str(facts.after.get("via") or "page")
    if via.startswith("export."):
        kind = EXPORT_FORMATS.get(via.removeprefix("export."), via.removeprefix("export."))
        return f"匯出案件清單（{kind}）時包含檢舉案件 {facts.target}。"
    if via.startswith("media."):
        return f"開啟檢舉案件 {facts.target} 的附件（編號 {via.removeprefix('media.')}）。"
    return f"檢視檢舉案件 {facts.target}（{TIP_VIEWS.get(via, via)}）。"


def _tip_notice(facts: Facts) -> str:
    kind = TIP_NOTICES.get(str(facts.after.get("kind")), "通知")
    method = TIP_NOTICE_METHODS.get(str(facts.after.get("method")), "")
    return f"{method}檢舉案件 {facts.target} 的{kind}。"


def _notice_delivery(facts: Facts) -> str:
    kind = codes.NOTICE_KINDS.get(str(facts.after.get("kind")), "通知")
    how = codes.NOTICE_DELIVERIES.get(str(facts.after.get("delivery")), "寄送")
    return f"登錄案件 {facts.target} 的書面{kind}已{how}（{_moment(facts.after.get('on'))}）。"


def _insider(facts: Facts) -> str:
    if facts.after.get("insider"):
        return f"將檢舉案件 {facts.target} 標記為機關內部人員檢舉（適用公益揭弊者保護法）。"
    return f"取消檢舉案件 {facts.target} 的機關內部人員標記。"


def _user_unit(facts: Facts) -> str:
    unit = facts.after.get("unit_id")
    if unit is None:
        return f"取消使用者{_user(facts)}的所屬單位。"
    return f"將使用者{_user(facts)}的所屬單位設為{_named(facts.names.units, unit)}。"


def _head_of_ethics(facts: Facts) -> str:
    if facts.after.get("head_of_ethics"):
        return f"將使用者{_user(facts)}設為政風單位主管（可開啟全部檢舉案件）。"
    return f"取消使用者{_user(facts)}的政風單位主管身分。"


def _case_read(facts: Facts) -> str:
    return f"將{_case(facts)}的民眾補充標示為已讀。"


def _filter_value(key: str, value: Any, names: Names) -> str:
    if key == "status":
        return "未結案件" if value == "open" else _status(value)
    tables: dict[str, dict[str, str]] = {
        "nature": codes.NATURES,
        "theme": codes.THEMES,
        "channel": codes.CHANNELS,
        "sort": SORT_LABELS,
    }
    if key in tables:
        return tables[key].get(str(value), str(value))
    if key == "sub_item":
        return codes.SUB_ITEMS[value].label if value in codes.SUB_ITEMS else str(value)
    by_id = {"officer_id": names.users, "unit_id": names.units, "agency_id": names.agencies}
    if key in by_id:
        return by_id[key].get(_id(value) or 0, f"編號 {value}")
    if key in ("date_from", "date_to"):
        return _moment(value)
    if key in ("overdue", "resident_update", "extension_pending"):
        return "是"
    return str(value)


def _export(facts: Facts) -> str:
    kind = EXPORT_FORMATS.get(facts.target, facts.target.upper())
    chosen = facts.after.get("filter") or {}
    words = [
        f"{FILTER_LABELS[key]}{_quote(_filter_value(key, value, facts.names))}"
        for key, value in chosen.items()
        if key in FILTER_LABELS and value not in (None, "")
    ]
    personal = "，含反映者個人資料" if facts.after.get("personal_data") else ""
    return (
        f"匯出案件清單（{kind} 檔{personal}）；篩選條件：{'、'.join(words) or '無（全部案件）'}。"
    )


# -- reports, broadcasts, images ----------------------------------------------------------


def _report(facts: Facts) -> str:
    start, end = facts.after.get("period_from"), facts.after.get("period_to")
    parts = [f"資料統計期間{_moment(start)}至{_moment(end)}"] if start and end else []
    counts = facts.after.get("counts") or {}
    rows = [
        f"{words}{_number(counts[key])}{unit}"
        for key, (words, unit) in REPORT_ROWS.items()
        if counts.get(key) is not None
    ]
    parts += ["、".join(rows)] if rows else []
    if facts.after.get("approved_by"):
        parts.append(
            f"核可人{facts.after['approved_by']}，核可日期{_moment(facts.after.get('approved_on'))}"
        )
    edited = [
        REPORT_ROWS[key][0] for key in facts.after.get("edited_rows") or [] if key in REPORT_ROWS
    ]
    if edited:
        parts.append(f"編修之列：{'、'.join(edited)}")
    if facts.after.get("sha256"):
        parts.append(f"ODS 檔 SHA-256 前 12 碼 {str(facts.after['sha256'])[:12]}")
    return "送出工作成果彙報表" + (f"（{'；'.join(parts)}）" if parts else "") + "。"


def _report_draft(reverted: bool) -> Render:
    """An edit of 附件2's texts, or its revert to the product's draft: the period and the row."""

    def render(facts: Facts) -> str:
        start, end = facts.after.get("period_from"), facts.after.get("period_to")
        row = REPORT_ROWS.get(str(facts.after.get("row")), ("", ""))[0]
        fields = "及".join(
            REPORT_FIELDS[name] for name in facts.after.get("fields") or [] if name in REPORT_FIELDS
        )
        period = f"（資料統計期間{_moment(start)}至{_moment(end)}）" if start and end else ""
        if reverted:
            return f"工作成果彙報表「{row}」還原為系統草稿{period}。"
        return f"編修工作成果彙報表「{row}」{fields}{period}。"

    return render


def _broadcast(facts: Facts) -> str:
    """The broadcast by the title the entry recorded, else by its id."""
    title = facts.after.get("title")
    return _quote(title) if title else _named(facts.names.broadcasts, facts.target)


def _draft(verb: str) -> Render:
    def render(facts: Facts) -> str:
        audience = facts.after.get("audience")
        who = f"，發送對象：{audience_words(audience)}" if isinstance(audience, dict) else ""
        kinds = facts.after.get("messages")
        what = f"，內容：{kinds}" if kinds else ""
        return f"{verb}推播草稿{_broadcast(facts)}{what}{who}。"

    return render


def _quota(facts: Facts) -> str:
    """The estimate and quota recorded with a send, when they were (older entries lack them)."""
    parts = []
    if facts.after.get("estimated_recipients") is not None:
        parts.append(f"預估 {_number(facts.after['estimated_recipients'])} 人")
    if facts.after.get("quota_remaining") is not None:
        parts.append(f"本月剩餘額度 {_number(facts.after['quota_remaining'])} 則")
    if facts.after.get("over_quota_confirmed"):
        parts.append("經系統管理者確認超出本月額度仍發送")
    return "（" + "，".join(parts) + "）" if parts else ""


def _schedule(facts: Facts) -> str:
    at = _moment(facts.after.get("scheduled_at"))
    return f"排定推播{_broadcast(facts)}於{at}發送{_quota(facts)}。"


def _send(facts: Facts) -> str:
    return f"開始發送推播{_broadcast(facts)}{_quota(facts)}。"


def _cancel(facts: Facts) -> str:
    was = codes.BROADCAST_STATUSES.get(str(facts.before.get("status")))
    parts = [f"原為{was}"] if was else []
    if facts.before.get("scheduled_at"):
        parts.append(f"原排定{_moment(facts.before['scheduled_at'])}發送")
    detail = "（" + "，".join(parts) + "）" if parts else ""
    return f"取消推播{_broadcast(facts)}{detail}。"


def _duplicate(facts: Facts) -> str:
    source = _named(facts.names.broadcasts, facts.after.get("from"))
    return f"將推播{source}複製為新草稿{_broadcast(facts)}。"


def _image(facts: Facts) -> str:
    kind = str(facts.after.get("content_type", "")).removeprefix("image/").upper()
    size = facts.after.get("size")
    kilobytes = f"，{_number(round(size / 1024))} KB" if isinstance(size, int) else ""
    return f"上傳宣導圖片（{kind or '圖片'}{kilobytes}）。"


# -- 個資請求 (個資法 §3 requests) -----------------------------------------------------------


def _request(facts: Facts) -> str:
    return f"個資請求 {facts.target} "


def _request_kind(facts: Facts) -> str:
    kind = facts.value("kind")
    return _quote(codes.DATA_REQUEST_KINDS.get(str(kind), str(kind or "")))


def _request_file(facts: Facts) -> str:
    case = facts.after.get("case")
    about = f"（案件 {case}）" if case else ""
    due = _moment(facts.after.get("due_at"))
    return f"民眾在 LINE 提出{_request_kind(facts)}請求{about}，為{_request(facts)}，期限{due}。"


def _request_access(facts: Facts) -> str:
    return f"系統於 LINE 對話中即時答覆民眾的查詢（{_request(facts).strip()}）。"


def _request_extend(facts: Facts) -> Described:
    sentence = f"將{_request(facts)}的決定期限延至{_moment(facts.after.get('due_at'))}。"
    return Described(sentence, [("延長理由", str(facts.after.get("reason", "")))])


def _request_decide(facts: Facts) -> Described:
    status = codes.DATA_REQUEST_STATUSES.get(str(facts.after.get("status")), "")
    sentence = f"決定{_request(facts)}（{_request_kind(facts)}）：{status}。"
    return Described(sentence, [("理由", str(facts.after.get("reason", "")))])


def _request_download(facts: Facts) -> str:
    return f"民眾下載{_request(facts)}的個人資料複製本。"


def _request_view(facts: Facts) -> str:
    return f"檢視{_request(facts)}所請求更正的{_personal(facts.after.get('fields'))}。"


def _deferred_erase(facts: Facts) -> str:
    return (
        f"已無處理中案件，刪除 {_number(facts.after.get('count'))} 位申請刪除者保留的 LINE 識別碼。"
    )


def _case_correct(facts: Facts) -> str:
    request = facts.after.get("request_id")
    via = f"依個資請求 {request} " if request else "依個資請求"
    return f"{via}更正{_case(facts)}反映者的{_personal(facts.after.get('fields'))}。"


# -- 平臺地點, 聯絡人 and field activities ----------------------------------------------------


def _place(verb: str) -> Render:
    def render(facts: Facts) -> str:
        kind = codes.PLACE_KINDS.get(str(facts.value("kind")), "")
        about = f"（{kind}）" if verb == "新增" and kind else ""
        return f"{verb}平臺地點{_quote(facts.value('name'))}{about}。"

    return render


def _place_update(facts: Facts) -> str:
    labels = {"name": "名稱", "kind": "類別", "district": "區", "village": "村里",
              "address": "地址", "note": "備註"}  # fmt: skip
    changed = "、".join(label for key, label in labels.items() if facts.changed(key))
    return f"修改平臺地點{_quote(facts.before.get('name'))}的{changed or '資料'}。"


def _contact_role(facts: Facts) -> str:
    return codes.CONTACT_ROLES.get(str(facts.value("role")), "")


def _contact_create(facts: Facts) -> str:
    return f"於平臺地點{_quote(facts.after.get('place'))}新增聯絡人（{_contact_role(facts)}）。"


def _contact_update(facts: Facts) -> str:
    labels = {"role": "角色", "name": "姓名", "phone": "電話", "email": "電子郵件", "note": "備註"}
    fields = facts.after.get("fields") or []
    changed = "、".join(labels[key] for key in labels if key in fields)
    return f"修改平臺聯絡人 {facts.target}（{_contact_role(facts)}）的{changed or '資料'}。"


def _contact_end(facts: Facts) -> str:
    who = f"平臺聯絡人 {facts.target}（{_contact_role(facts)}）"
    return f"結束與{who}的聯繫；其個人資料於保存期限屆滿後刪除。"


def _activity(verb: str) -> Render:
    def render(facts: Facts) -> str:
        return f"{verb}平臺活動 {facts.target}{_quote(facts.value('topic'))}。"

    return render


def _activity_photo(added: bool) -> Render:
    def render(facts: Facts) -> str:
        return f"{'上傳' if added else '刪除'}平臺活動 {facts.target} 的照片。"

    return render


def _publication(verb: str) -> Render:
    def render(facts: Facts) -> str:
        return f"{verb}案件 {facts.target} 的公開內容{_quote(facts.value('title'))}。"

    return render


def _pattern(verb: str) -> Render:
    def render(facts: Facts) -> str:
        area, kind = facts.value("business_area"), facts.value("misconduct_type")
        what = f"{_quote(f'{area}：{kind}')}" if area and kind else ""
        return f"{verb}弊端態樣與防制作為第 {facts.target} 則{what}。"

    return render


def _public_statistics(facts: Facts) -> str:
    shown = (
        "、".join(BREAKDOWNS.get(key, key) for key in facts.value("public_breakdowns") or [])
        or "無"
    )
    return f"修改公開統計設定：門檻 {_number(facts.value('public_threshold'))}，顯示分類：{shown}。"


def _agency_logo(facts: Facts) -> str:
    return (
        "移除公開頁面的機關標誌。" if facts.value("version") is None else "更換公開頁面的機關標誌。"
    )


# -- the table ----------------------------------------------------------------------------

CASES, ACCOUNTS, SETTINGS, PROMOTION = "案件", "帳號與登入", "設定", "宣導與追蹤者"
PERSONAL_DATA = "個人資料保護"
FIELDWORK = "平臺地點與活動"
PUBLIC = "清廉共同監督專區"
REQUESTS = TARGET_TYPES["data_request"]
UNIT, AGENCY = TARGET_TYPES["unit"], TARGET_TYPES["agency"]

ACTIONS: dict[str, ActionWords] = {
    "case.create": ActionWords("登錄案件", CASES, _case_create),
    "case.classify": ActionWords("案件分類", CASES, _case_classify),
    "case.assign": ActionWords("分案", CASES, _case_assign),
    "case.route_internal": ActionWords("簽會", CASES, _route_internal),
    "case.route_external": ActionWords("函轉", CASES, _route_external),
    "case.opinion": ActionWords("處理意見", CASES, _case_opinion),
    "case.note": ActionWords("內部註記", CASES, _case_note),
    "case.reply": ActionWords("以 LINE 回覆", CASES, _case_reply),
    "case.reply_recorded": ActionWords("記錄書面／電話回覆", CASES, _reply_recorded),
    "case.reply_failed": ActionWords("LINE 回覆未送達", CASES, _reply_failed),
    "case.refer": ActionWords("檢舉案件移送", CASES, _case_refer),
    "case.extension_propose": ActionWords("提出延長處理期限", CASES, _extension_propose),
    "case.extension_decline": ActionWords("不同意延長處理期限", CASES, _extension_decline),
    "case.details_request": ActionWords("請民眾補陳", CASES, _details_request),
    "case.details_resume": ActionWords("收到補陳資料", CASES, _details_resume),
    "case.status": ActionWords("變更狀態", CASES, _case_status),
    "case.extend": ActionWords("延長處理期限", CASES, _case_extend),
    "case.reveal": ActionWords("檢視個人資料", CASES, _case_reveal),
    "case.read_update": ActionWords("民眾補充標示已讀", CASES, _case_read),
    "tip.view": ActionWords("檢視檢舉案件", CASES, _tip_view),
    "tip.notice": ActionWords("檢舉案件受理／結果通知", CASES, _tip_notice),
    "case.insider": ActionWords("機關內部人員檢舉標記", CASES, _insider),
    "notice.delivery": ActionWords("登錄書面通知寄送", CASES, _notice_delivery),
    "publication.save": ActionWords("撰寫案件公開內容", PUBLIC, _publication("儲存")),
    "publication.publish": ActionWords("公開案件", PUBLIC, _publication("公開")),
    "publication.unpublish": ActionWords("撤下公開案件", PUBLIC, _publication("撤下")),
    "pattern.create": ActionWords("新增弊端態樣", PUBLIC, _pattern("新增")),
    "pattern.update": ActionWords("修改弊端態樣", PUBLIC, _pattern("修改")),
    "pattern.approve": ActionWords("核定公開弊端態樣", PUBLIC, _pattern("核定公開")),
    "pattern.withdraw": ActionWords("撤下弊端態樣", PUBLIC, _pattern("撤下")),
    "setting.public_statistics": ActionWords("修改公開統計設定", PUBLIC, _public_statistics),
    "setting.agency_logo": ActionWords("更換機關標誌", PUBLIC, _agency_logo),
    "cases.export": ActionWords("匯出案件（含個人資料）", CASES, _export),
    "case.correct": ActionWords("依個資請求更正個人資料", REQUESTS, _case_correct),
    "data_request.file": ActionWords("民眾提出個資請求", REQUESTS, _request_file),
    "data_request.access": ActionWords("即時答覆個資查詢", REQUESTS, _request_access),
    "data_request.extend": ActionWords("延長個資請求期限", REQUESTS, _request_extend),
    "data_request.decide": ActionWords("決定個資請求", REQUESTS, _request_decide),
    "data_request.view": ActionWords("檢視個資請求內容", REQUESTS, _request_view),
    "data_request.download": ActionWords("下載個資複製本", REQUESTS, _request_download),
    "data_request.deferred_erase": ActionWords("刪除保留的LINE識別碼", REQUESTS, _deferred_erase),
    "report.submit": ActionWords("送出工作成果彙報表", CASES, _report),
    "report.draft": ActionWords("編修工作成果彙報表", CASES, _report_draft(reverted=False)),
    "report.draft_revert": ActionWords(
        "工作成果彙報表還原為系統草稿", CASES, _report_draft(reverted=True)
    ),
    "auth.login": ActionWords("登入", ACCOUNTS, _login),
    "auth.logout": ActionWords("登出", ACCOUNTS, _logout),
    "user.lock": ActionWords("帳號暫停登入", ACCOUNTS, _lock),
    "user.create": ActionWords("新增使用者", ACCOUNTS, _user_create),
    "user.role": ActionWords("變更角色或政風人員身分", ACCOUNTS, _user_role),
    "user.head_of_ethics": ActionWords("政風單位主管", ACCOUNTS, _head_of_ethics),
    "user.unit": ActionWords("變更使用者所屬單位", ACCOUNTS, _user_unit),
    "user.deactivate": ActionWords("停用使用者", ACCOUNTS, _user_deactivate),
    "user.activate": ActionWords("重新啟用使用者", ACCOUNTS, _user_activate),
    "user.password_reset": ActionWords("重設密碼", ACCOUNTS, _password_reset),
    "user.unlock": ActionWords("解除暫停登入", ACCOUNTS, _unlock),
    "user.refused": ActionWords("拒絕授予政風權限", ACCOUNTS, _refused),
    "user.two_factor_enrol": ActionWords("啟用雙重驗證", ACCOUNTS, _two_factor_enrol),
    "user.two_factor_reset": ActionWords("重設雙重驗證", ACCOUNTS, _two_factor_reset),
    "user.two_factor_recovery_used": ActionWords("使用備用碼", ACCOUNTS, _recovery_used),
    "user.line_id": ActionWords("設定 LINE 使用者 ID（舊功能）", ACCOUNTS, _line_id),
    "user.line_link_code": ActionWords("產生 LINE 連結碼", ACCOUNTS, _line_link_code),
    "user.line_link": ActionWords("連結 LINE 帳號", ACCOUNTS, _line_link),
    "user.line_unlink": ActionWords("解除 LINE 帳號連結", ACCOUNTS, _line_unlink),
    "token.create": ActionWords("核發 API 權杖", ACCOUNTS, _token),
    "unit.create": ActionWords("新增簽會單位", SETTINGS, _name_create(UNIT)),
    "unit.rename": ActionWords("簽會單位更名", SETTINGS, _name_rename(UNIT)),
    "unit.deactivate": ActionWords("停用簽會單位", SETTINGS, _name_active(UNIT, "units", False)),
    "unit.activate": ActionWords("重新啟用簽會單位", SETTINGS, _name_active(UNIT, "units", True)),
    "agency.create": ActionWords("新增函轉機關", SETTINGS, _name_create(AGENCY)),
    "agency.rename": ActionWords("函轉機關更名", SETTINGS, _name_rename(AGENCY)),
    "agency.deactivate": ActionWords(
        "停用函轉機關", SETTINGS, _name_active(AGENCY, "agencies", False)
    ),
    "agency.activate": ActionWords(
        "重新啟用函轉機關", SETTINGS, _name_active(AGENCY, "agencies", True)
    ),
    "template.create": ActionWords("新增回覆範本", SETTINGS, _template_create),
    "template.update": ActionWords("修改回覆範本", SETTINGS, _template_update),
    "template.deactivate": ActionWords("停用回覆範本", SETTINGS, _template_active(False)),
    "template.activate": ActionWords("重新啟用回覆範本", SETTINGS, _template_active(True)),
    "setting.update": ActionWords("修改設定", SETTINGS, _setting),
    "privacy_notice.publish": ActionWords("發布個資告知", SETTINGS, _privacy),
    "retention.update": ActionWords("修改保存期限", PERSONAL_DATA, _retention_update),
    "retention.purge": ActionWords("依保存期限清除", PERSONAL_DATA, _retention_purge),
    "broadcast.create": ActionWords("建立推播草稿", PROMOTION, _draft("建立")),
    "broadcast.update": ActionWords("修改推播草稿", PROMOTION, _draft("修改")),
    "broadcast.schedule": ActionWords("排程推播", PROMOTION, _schedule),
    "broadcast.send": ActionWords("發送推播", PROMOTION, _send),
    "broadcast.cancel": ActionWords("取消推播", PROMOTION, _cancel),
    "broadcast.duplicate": ActionWords("複製推播", PROMOTION, _duplicate),
    "promotion_image.upload": ActionWords("上傳宣導圖片", PROMOTION, _image),
    "place.create": ActionWords("新增平臺地點", FIELDWORK, _place("新增")),
    "place.update": ActionWords("修改平臺地點", FIELDWORK, _place_update),
    "place.deactivate": ActionWords("停用平臺地點", FIELDWORK, _place("停用")),
    "place.activate": ActionWords("重新啟用平臺地點", FIELDWORK, _place("重新啟用")),
    "contact.create": ActionWords("新增平臺聯絡人", FIELDWORK, _contact_create),
    "contact.update": ActionWords("修改平臺聯絡人", FIELDWORK, _contact_update),
    "contact.end": ActionWords("結束與平臺聯絡人的聯繫", FIELDWORK, _contact_end),
    "activity.create": ActionWords("登錄平臺活動", FIELDWORK, _activity("登錄")),
    "activity.update": ActionWords("修改平臺活動", FIELDWORK, _activity("修改")),
    "activity.delete": ActionWords("刪除平臺活動", FIELDWORK, _activity("刪除")),
    "activity.photo_add": ActionWords("上傳平臺活動照片", FIELDWORK, _activity_photo(True)),
    "activity.photo_delete": ActionWords("刪除平臺活動照片", FIELDWORK, _activity_photo(False)),
    "resident.tag_add": ActionWords("追蹤者加上標籤", PROMOTION, _tag(add=True)),
    "resident.tag_remove": ActionWords("追蹤者移除標籤", PROMOTION, _tag(add=False)),
}


def groups() -> dict[str, dict[str, str]]:
    """The filter's choices: group → action → words, in the table's order."""
    found: dict[str, dict[str, str]] = {}
    for action, words in ACTIONS.items():
        found.setdefault(words.group, {})[action] = words.label
    return found


def describe(entry: AuditEntry, names: Names) -> Described:
    """The entry as a sentence (an action the table lacks is named, never shown as code)."""
    words = ACTIONS.get(entry.action)
    if words is None:
        return Described(f"其他操作（{entry.action}）：{TARGET_TYPES.get(entry.target_type, '')}"
                         f" {entry.target_id}。")  # fmt: skip
    facts = Facts(entry.target_id, dict(entry.before or {}), dict(entry.after or {}), names)
    found = words.render(facts)
    return found if isinstance(found, Described) else Described(found)


# Names.field → the model and the column that names it.
NAME_MODELS: dict[str, tuple[Any, Any]] = {
    "users": (User, User.display_name),
    "units": (Unit, Unit.name),
    "agencies": (Agency, Agency.name),
    "templates": (ReplyTemplate, ReplyTemplate.title),
    "broadcasts": (Broadcast, Broadcast.title),
    "cases": (Case, Case.number),
}


def load_names(session: Session, entries: Iterable[AuditEntry]) -> Names:
    """The names the entries refer to by id, fetched once for the whole page."""
    wanted: dict[str, set[int]] = {key: set() for key in NAME_MODELS}
    by_target = {"user": "users", "unit": "units", "agency": "agencies",
                 "template": "templates", "broadcast": "broadcasts"}  # fmt: skip
    by_field = {"officer_id": "users", "unit_id": "units", "agency_id": "agencies",
                "merged_into_id": "cases", "from": "broadcasts"}  # fmt: skip
    for entry in entries:
        if entry.target_type in by_target and _id(entry.target_id) is not None:
            wanted[by_target[entry.target_type]].add(int(entry.target_id))
        values = [*(entry.before or {}).items(), *(entry.after or {}).items()]
        values += list(((entry.after or {}).get("filter") or {}).items())
        for key, value in values:
            if key in by_field and _id(value) is not None:
                wanted[by_field[key]].add(int(value))
    found: dict[str, dict[int, str]] = {}
    for key, (model, column) in NAME_MODELS.items():
        ids = wanted[key]
        found[key] = (
            {
                row[0]: row[1]
                for row in session.execute(select(model.id, column).where(model.id.in_(ids)))
            }
            if ids
            else {}
        )
    return Names(**found)
