"""The stable codes of DESIGN.md (API, exports and tests use them) and their zh-TW words."""

from __future__ import annotations

from dataclasses import dataclass

NEED, REFORM, TIP = "need", "reform", "tip"

NATURES: dict[str, str] = {
    NEED: "民情需求事項",
    REFORM: "施政興革反映",
    TIP: "貪瀆不法檢舉",
}
# The natures in short, where room is tight: buttons, pickers, dashboard tiles.
NATURE_SHORT: dict[str, str] = {NEED: "民情需求", REFORM: "施政興革", TIP: "貪瀆不法"}


@dataclass(frozen=True)
class SubItem:
    code: str
    nature: str
    label: str  # the staff's short name: pickers, the inbox, 附件2's facts
    wording: str  # seed 004's own words: 附件1, exports, the API
    plain: str  # what residents read and tap on LINE; ≤ 20 characters (a quick-reply label)

    @property
    def choice(self) -> str:
        """How a picker names it, nature first: 民情需求：公共設施欠缺或管理不當."""
        return f"{NATURE_SHORT[self.nature]}：{self.label}"


SUB_ITEMS: dict[str, SubItem] = {
    item.code: item
    for item in (
        SubItem(
            "need-1", NEED, "決策透明及落實", "機關對民眾福祉之決策透明度及落實情形",
            "攸關民眾福利的決策是否公開、落實",
        ),
        SubItem(
            "need-2", NEED, "公共設施欠缺或管理不當",
            "公共設施欠缺或設置管理不當，影響民眾權益之情", "公共設施不足或管理不當，影響生活權益",
        ),
        SubItem(
            "need-3", NEED, "申辦效率及服務品質", "民眾申辦案件作業效率、服務品質滿意度",
            "到機關辦事的效率或服務品質",
        ),
        SubItem(
            "need-4", NEED, "業務整合及流程簡化", "各機關行政業務整合、流程簡化需求建議",
            "辦事流程繁瑣，建議整合或簡化",
        ),
        SubItem(
            "reform-1", REFORM, "對施政作為的意見", "民眾對機關各項施政作為之意見",
            "對機關施政作為的意見",
        ),
        SubItem(
            "reform-2", REFORM, "法令或措施影響權益", "機關法令規章或行政措施，影響民眾權益情形",
            "法令規定或行政措施影響民眾權益",
        ),
        SubItem(
            "reform-3", REFORM, "政策涉及多數民眾權益爭議", "機關政策涉及多數民眾權益爭議事項",
            "政策引起許多民眾權益上的爭議",
        ),
    )
}  # fmt: skip


def sub_items_of(nature: str) -> list[SubItem]:
    """The sub-items of a nature, in seed 004's order."""
    return [item for item in SUB_ITEMS.values() if item.nature == nature]


# What a resident may send besides text (MediaFile.kind), in words.
MEDIA_KINDS: dict[str, str] = {"image": "照片", "video": "影片", "audio": "錄音", "file": "檔案"}


# Themes named by seed 004 (柒.二), plus 其他.
THEMES: dict[str, str] = {
    "works": "地方工程",
    "dredging": "河川疏濬",
    "disaster": "搶災搶險",
    "neighbourhood-funds": "里鄰經費",
    "subsidies": "補助款或回饋金運用",
    "other": "其他",
}

RECEIVED, ASSIGNED, IN_PROGRESS, TRANSFERRED = "received", "assigned", "in_progress", "transferred"
REPLIED, CLOSED, REJECTED, MERGED, WITHDRAWN = (
    "replied",
    "closed",
    "rejected",
    "merged",
    "withdrawn",
)

# Staff words and the words a resident reads for each status.
STATUSES: dict[str, str] = {
    RECEIVED: "新收",
    ASSIGNED: "已分案",
    IN_PROGRESS: "處理中",
    TRANSFERRED: "已函轉",
    REPLIED: "已回覆",
    CLOSED: "結案",
    REJECTED: "不予處理",
    MERGED: "併案",
    WITHDRAWN: "撤回",
}
STATUS_FOR_RESIDENTS: dict[str, str] = {
    RECEIVED: "已收件，待分案",
    ASSIGNED: "已分案，承辦人員處理中",
    IN_PROGRESS: "處理中",
    TRANSFERRED: "已函請權責機關處理",
    REPLIED: "已回覆",
    CLOSED: "已結案",
    REJECTED: "不予處理",
    MERGED: "已與其他案件合併處理",
    WITHDRAWN: "已撤回",
}
OPEN_STATUSES = frozenset({RECEIVED, ASSIGNED, IN_PROGRESS, TRANSFERRED, REPLIED})

CHANNELS: dict[str, str] = {
    "line": "LINE",
    "walk_in": "臨櫃",
    "meeting": "座談會／平臺訪談",
    "phone": "電話",
    "letter": "書面",
}

ROLES: dict[str, str] = {
    "admin": "系統管理者",
    "supervisor": "主管",
    "officer": "承辦人",
    "viewer": "檢視者",
}

# A broadcast's life: draft → scheduled (at a time) → sending → sent. A send that
# stops part way (LINE's monthly limit, or every retry failed) ends as ``stopped``
# with its reason; a draft or scheduled broadcast may be ``cancelled``.
BROADCAST_STATUSES: dict[str, str] = {
    "draft": "草稿",
    "scheduled": "已排程",
    "sending": "發送中",
    "sent": "已發送",
    "stopped": "已中止",
    "cancelled": "已取消",
}

# Who a broadcast goes to (Broadcast.audience["kind"]).
AUDIENCES: dict[str, str] = {
    "all": "全部追蹤者",
    "area": "依區／村里",
    "tag": "依標籤",
    "test": "測試對象（同仁 LINE 帳號）",
}

# What a broadcast message may be (Broadcast.messages[i]["type"]).
PROMOTION_MESSAGE_TYPES: dict[str, str] = {
    "text": "文字",
    "image": "圖片",
    "card": "圖文卡片",
    "quiz": "有獎徵答",
}

# How the 個資法 §8 notice was given to a reporter (Case.notice_method).
NOTICE_METHODS: dict[str, str] = {
    "line": "LINE 告知並經點選「已閱讀」",
    "printed": "交付書面告知事項",
    "read_out": "當面朗讀告知事項",
}
# How staff give the notice at a walk-in, meeting, phone or letter intake.
MANUAL_NOTICE_METHODS = {code: words for code, words in NOTICE_METHODS.items() if code != "line"}
# The case page's short words for each method.
NOTICE_METHOD_SHORT = {"line": "已閱讀", "printed": "交付書面", "read_out": "當面朗讀"}

# 個資法 §3: what a resident may ask of the data held about them (DataRequest.kind).
DATA_REQUEST_KINDS: dict[str, str] = {
    "access": "查詢或請求閱覽",
    "copy": "請求製給複製本",
    "correct": "請求補充或更正",
    "stop": "請求停止蒐集、處理或利用",
    "delete": "請求刪除",
}
# A request's life (DataRequest.status): pending → (extended →) granted | partly | refused.
DATA_REQUEST_STATUSES: dict[str, str] = {
    "pending": "待處理",
    "extended": "已延長",
    "granted": "已准予",
    "partly": "部分准予",
    "refused": "不予准許",
}
DATA_REQUEST_OPEN = frozenset({"pending", "extended"})

# Notices the law requires a reporter be given (CaseNotice.kind): 行政程序法 §171–173, the
# 處理人民陳情案件要點's extension notice, and a tip's acceptance and result notices.
NOTICE_KINDS: dict[str, str] = {
    "acceptance": "受理通知",
    "details": "補陳通知",
    "transfer": "移送通知",
    "extension": "延長處理期限通知",
    "refusal": "不予處理通知",
    "result": "處理結果通知",
}
# How a notice reached the reporter (CaseNotice.delivery); ``pending``: printed, not yet out.
NOTICE_DELIVERIES: dict[str, str] = {
    "line": "LINE",
    "mail": "郵寄",
    "in_person": "當面交付",
    # A reply recorded as given by phone or e-mail (casework.record_reply).
    "phone": "電話",
    "email": "電子郵件",
    "pending": "尚未寄送",
}

# 平臺地點 (seed 004 伍) and their 聯絡人 (陸).
PLACE_KINDS: dict[str, str] = {
    "village_office": "村里辦公處",
    "community": "社區發展協會",
    "school": "學校",
    "association": "公益社團",
    "other": "其他",
}
CONTACT_ROLES: dict[str, str] = {
    "chief": "村里長",
    "clerk": "村里幹事",
    "volunteer": "廉政志工",
    "community": "社區組織",
    "school": "學校人員",
    "other": "其他",
}
# Field activities (seed 004 柒.一), in its order.
ACTIVITY_KINDS: dict[str, str] = {
    "interview": "個別晤談",
    "visit": "親往拜會",
    "briefing": "說明會",
    "forum": "小型座談",
    "local_meeting": "列席地方集會",
    "leaflets": "分發文宣",
    "other": "其他",
}
