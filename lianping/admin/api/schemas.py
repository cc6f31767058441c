"""JSON Schemas (OpenAPI 3.1 = JSON Schema 2020-12) of every request and response body.

Enums come from ``lianping.codes`` and the services; string lengths follow the
database columns, so a body that validates here always fits the database.
Request bodies are validated against these very schemas (see ``validation``).
"""

from __future__ import annotations

from typing import Any

from lianping import codes
from lianping.bot.texts import REMEDIES, REMEDY_LABELS
from lianping.services.casework import (
    REFERRAL_TARGETS,
    REJECTION_CLAUSES,
    REJECTION_REASONS,
    REPLY_METHODS,
)
from lianping.storage.case_search import PAGE_SIZE, SORTS
from lianping.storage.ids import MAX_ID
from lianping.storage.models import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENT

Schema = dict[str, Any]

# No U+0000: PostgreSQL text cannot hold it.
NO_NUL = "^[^\\u0000]*$"
# ISO dates from 民國元年 (1912) to 2999: every one has an ROC form.
DATE_PATTERN = "^(19(1[2-9]|[2-9][0-9])|2[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
MANUAL_CHANNELS = [c for c in codes.CHANNELS if c != "line"]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """The schema, or null."""
    if "enum" in schema:
        return {
            **schema,
            "type": [schema.get("type", "string"), "null"],
            "enum": [*schema["enum"], None],
        }
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def text(max_length: int, min_length: int = 0, description: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "maxLength": max_length, "pattern": NO_NUL}
    if min_length:
        schema["minLength"] = min_length
    if description:
        schema["description"] = description
    return schema


def enum(values: Any, description: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "enum": list(values)}
    if description:
        schema["description"] = description
    return schema


def words(mapping: dict[str, str]) -> str:
    return "；".join(f"`{code}` {label}" for code, label in mapping.items())


def identifier(description: str) -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": description}


def obj(properties: dict[str, Schema], required: list[str] | None = None, **extra: Any) -> Schema:
    """A closed object: unknown fields are refused."""
    schema: Schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    schema.update(extra)
    return schema


DATE: Schema = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
DATE_TIME: Schema = {"type": "string", "format": "date-time"}
STRING: Schema = {"type": "string"}
ROC: Schema = {"type": "string", "description": "民國日期（時間）供人閱讀，例：115年11月21日 14:05"}

NATURE = enum(codes.NATURES, "性質：" + words(codes.NATURES))
SUB_ITEM = enum(
    codes.SUB_ITEMS, "細項：" + words({k: v.wording for k, v in codes.SUB_ITEMS.items()})
)
THEME = enum(codes.THEMES, "主題：" + words(codes.THEMES))
STATUS = enum(codes.STATUSES, "狀態：" + words(codes.STATUSES))
CHANNEL = enum(codes.CHANNELS, "受理管道：" + words(codes.CHANNELS))
REASON = enum(
    REJECTION_REASONS,
    "行政程序法第173條事由："
    + "、".join(
        f"{code}（第{REJECTION_CLAUSES[code]}款：{words}）"
        for code, words in REJECTION_REASONS.items()
    ),
)
REMEDY = enum(REMEDIES, "附加的救濟途徑說明（行政程序法第172條第2項）：" + words(REMEDY_LABELS))
APPROVAL: dict[str, Schema] = {
    "approved_by": text(100, 1, "首長核可人（職稱及姓名，例：局長 王○○）"),
    "approved_on": {**DATE, "description": "核可日期（不得晚於今天）"},
}
DELIVERY_STATE = enum(
    [OUTBOX_PENDING, OUTBOX_SENT, OUTBOX_FAILED, "missing"],
    "LINE 送達狀態：pending 待送、sent 已送達、failed 失敗、missing 查無紀錄",
)

# ---------------------------------------------------------------- requests

REQUESTS: dict[str, Schema] = {
    "ManualIntakeRequest": obj(
        {
            "channel": enum(MANUAL_CHANNELS, "受理管道（LINE 以外）：臨櫃、座談會、電話、書面"),
            "nature": NATURE,
            "sub_item": nullable(SUB_ITEM),
            "theme": nullable(THEME),
            "description": text(5000, 5, "需求／反映內容概述（至少 5 字）"),
            "reporter_name": nullable(text(100, description="反映者姓名；空白為匿名")),
            "reporter_phone": nullable(text(32, description="聯絡電話")),
            "reporter_address": nullable(text(300, description="聯絡地址")),
            "reporter_occupation": nullable(text(100, description="職業")),
            "recorder": text(100, 1, "紀錄人"),
            "activity_id": nullable(identifier("於平臺活動受理時，該活動的 id")),
            "petition_confirmed": {
                "type": "boolean",
                "default": False,
                "description": "言詞陳情已向陳情人朗讀或使其閱覽，並經其簽名或蓋章確認"
                "（行政程序法第169條）；臨櫃、座談會、電話須為 true",
            },
            "publish_consent": {
                "type": "boolean",
                "default": False,
                "description": "反映者表示處理結果可以去識別化後公開（檢舉案件不適用，一律不公開）",
            },
            "notice_method": {
                "type": "string",
                "enum": list(codes.MANUAL_NOTICE_METHODS),
                "description": "個人資料蒐集告知的方式（個人資料保護法第8條）：printed 交付書面、"
                "read_out 當面朗讀；案件記錄使用中的告知版本",
            },
            "received_on": nullable(
                {
                    **DATE,
                    "description": "收件日期（民眾實際反映之日，一年內、不晚於今天）；省略為今天",
                }
            ),
            "received_time": nullable(
                {
                    "type": "string",
                    "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$",
                    "description": "收件時間（臺北時間 HH:MM）；"
                    "省略時，今天為登錄當時，其他日期僅記日期",
                }
            ),
        },
        required=["channel", "nature", "description", "recorder", "notice_method"],
        description="臨櫃、座談會、電話或書面反映的登錄（附件1 工作紀錄表）",
    ),
    "ClassifyRequest": obj(
        {"nature": NATURE, "sub_item": nullable(SUB_ITEM), "theme": nullable(THEME)},
        description="分類；三個欄位一併設定，null 為清除。細項須屬於該性質。",
    ),
    "AssignRequest": obj(
        {
            "officer_id": nullable(identifier("承辦人（使用者 id）；null 為不指定")),
            "unit_id": nullable(identifier("承辦單位 id；null 為不指定")),
        },
        description="分案；新收案件改為已分案。",
    ),
    "RouteToUnit": obj(
        {
            "to": {"type": "string", "const": "unit"},
            "unit_id": identifier("簽會的內部單位 id（GET /units）"),
            "note": text(2000, description="簽會說明（內部）"),
            **APPROVAL,
        },
        required=["to", "unit_id", "approved_by", "approved_on"],
        description="簽會本機關權責單位（實施計畫玖.一）；案件改為處理中。",
    ),
    "RouteToAgency": obj(
        {
            "to": {"type": "string", "const": "agency"},
            "agency_id": identifier("受文機關 id（GET /agencies）"),
            "letter_number": text(64, 1, "函文文號"),
            "letter_date": {**DATE, "description": "發文日期（不得晚於今天）"},
            **APPROVAL,
        },
        description="函請相關機關參處（實施計畫玖.二）；案件改為已函轉。反映者仍追蹤本帳號的"
        " LINE 案件，依行政程序法第172條以 LINE 通知反映者（見回應 notices）。",
    ),
    "RouteRequest": {
        "oneOf": [ref("RouteToUnit"), ref("RouteToAgency")],
        "discriminator": {
            "propertyName": "to",
            "mapping": {
                "unit": "#/components/schemas/RouteToUnit",
                "agency": "#/components/schemas/RouteToAgency",
            },
        },
    },
    "ReplyRequest": obj(
        {
            "text": text(4900, 1, "回覆內容；以 LINE 推播給反映者（行政程序法第171條）"),
            "remedy": nullable(REMEDY),
        },
        required=["text"],
    ),
    "RecordReplyRequest": obj(
        {
            "text": text(5000, 1, "已以書面、電話等方式回覆的內容"),
            "method": enum(REPLY_METHODS, "回覆方式：" + words(REPLY_METHODS)),
            "date": {**DATE, "description": "回覆日期（不早於收件日、不晚於今天；省略為今天）"},
            "remedy": nullable(REMEDY),
        },
        required=["text", "method"],
        description="記錄書面／電話回覆：案件改為已回覆，回覆內容記為處理結果通知（已送達）。",
    ),
    "DetailsRequest": obj(
        {"text": text(2000, 1, "請民眾補充的資料")},
        description="請民眾補陳：以 LINE 通知（無法以 LINE 通知時建立待寄送的書面通知），"
        "案件狀態不變，處理期限暫停計算。",
    ),
    "DetailsAnswerRequest": obj(
        {
            "text": text(2000, 1, "民眾補充的內容（電話、書面或當面）"),
            "date": {**DATE, "description": "收到日期（不早於請求補陳日、不晚於今天；省略為今天）"},
        },
        required=["text"],
        description="記錄民眾補陳：處理期限依暫停的日數順延並恢復計算。",
    ),
    "ExtensionDecisionRequest": obj(
        {
            "approve": {"type": "boolean", "description": "true 核定延長；false 不同意"},
            "note": text(500, description="意見（不同意時說明）"),
        },
        required=["approve"],
    ),
    "ReferTipRequest": obj(
        {
            "target": enum(REFERRAL_TARGETS, "移送機關：" + words(REFERRAL_TARGETS)),
            "name": nullable(
                text(200, description="機關全名：prosecutor 須為某地方檢察署，other 必填")
            ),
            "letter_number": text(64, 1, "移送函文文號"),
            "letter_date": {**DATE, "description": "發文日期（不得晚於今天；省略為今天）"},
        },
        required=["target", "letter_number"],
        description="檢舉案件移送法務部廉政署、地方檢察署或其他權責機關；案件改為已移送（內部紀錄）。",
    ),
    "StatusRequest": obj(
        {
            "status": STATUS,
            "reason": nullable(REASON),
            "merge_into": nullable(text(20, description="併案：併入的案件編號")),
        },
        required=["status"],
        description="狀態變更；不予處理（rejected）須附第173條事由，併案（merged）須附案件編號。",
    ),
    "NoteRequest": obj({"text": text(5000, 1, "內部註記；不會顯示給反映者")}),
    "OpinionRequest": obj(
        {
            "text": text(5000, description="處理意見（附件1）；空字串為清除"),
            "signing_agency": nullable(
                text(200, description="簽辦機關（附件1）；省略或 null 為不變，空字串為清除")
            ),
        },
        required=["text"],
    ),
    "ExtendRequest": obj(
        {
            "due_date": {
                **DATE,
                "description": "新的處理期限（臺北日期，須晚於原期限，延長日數不得超過設定的上限）",
            },
            "reason": text(500, 1, "延長理由；核定後以 LINE 或書面通知反映者"),
        },
    ),
    "EmptyRequest": obj({}, description="不需內容；可省略或送空物件 {}"),
    "NoticeDeliveryRequest": obj(
        {
            "method": enum(["mail", "in_person"], "寄送方式：mail 已郵寄、in_person 已當面交付"),
            "on": {
                **DATE,
                "description": "寄送或交付日期（臺北日期；不晚於今天、不早於通知製作日）",
            },
        },
        required=["method", "on"],
        description="登錄書面通知已郵寄或當面交付；LINE 通知或已登錄者 422。",
    ),
    "RevealRequest": obj(
        {"reason": text(200, 1, "檢視個人資料的原因；記入稽核紀錄")}, required=["reason"]
    ),
}

# ---------------------------------------------------------------- responses

PERSONAL_FIELDS = ["name", "phone", "address", "occupation"]

RESPONSES: dict[str, Schema] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "description": "穩定的錯誤代碼（見說明）"},
                    "message": {"type": "string", "description": "繁體中文說明"},
                    "details": {"description": "選填：欄位錯誤清單等"},
                },
            }
        },
    },
    "PersonalData": obj(
        {name: nullable(STRING) for name in PERSONAL_FIELDS},
        description="反映者個人資料（遮罩）",
    ),
    "RevealedPersonalData": obj(
        {name: nullable(STRING) for name in [*PERSONAL_FIELDS, "line_user_id"]},
        description="反映者個人資料（未遮罩；每次檢視皆記錄於稽核紀錄）",
    ),
    "Named": obj({"id": {"type": "integer"}, "name": STRING}),
    "CaseSummary": obj(
        {
            "number": {**STRING, "description": "案件編號，例：1151121-0001"},
            "channel": CHANNEL,
            "channel_label": STRING,
            "nature": NATURE,
            "nature_label": STRING,
            "sub_item": nullable(SUB_ITEM),
            "theme": nullable(THEME),
            "status": STATUS,
            "status_label": STRING,
            "summary": {**STRING, "description": "內容摘要（前 80 字）"},
            "anonymous": {"type": "boolean"},
            "confidential": {"type": "boolean"},
            "reporter": ref("PersonalData"),
            "officer_id": nullable({"type": "integer"}),
            "unit_id": nullable({"type": "integer"}),
            "agency_id": nullable({"type": "integer"}),
            "due_at": DATE_TIME,
            "due_at_roc": ROC,
            "overdue": {"type": "boolean"},
            "resident_update_at": nullable(DATE_TIME),
            "created_at": DATE_TIME,
            "created_at_roc": ROC,
            "updated_at": DATE_TIME,
        }
    ),
    "Delivery": obj(
        {
            "outbox_id": {"type": "integer"},
            "state": DELIVERY_STATE,
            "sent_via": nullable(enum(["reply", "push", "unconfirmed"])),
            "attempts": {"type": "integer"},
            "sent_at": nullable(DATE_TIME),
            "last_error": nullable(STRING),
        },
        description="此事件送給反映者的 LINE 訊息（回覆、函轉與延期通知、結案滿意度詢問）送達狀態",
    ),
    "TimelineEvent": obj(
        {
            "id": {"type": "integer"},
            "kind": {
                **STRING,
                "description": "created、classified、assigned、routed、"
                "transferred、reply、status、note、opinion、extended、reveal、"
                "notice_delivered（書面通知登錄寄送）…；法定通知另列於案件的 notices",
            },
            "public": {"type": "boolean", "description": "反映者是否看得到（內部註記為 false）"},
            "actor": {**STRING, "description": "帳號，或 resident（反映者）、system"},
            "body": nullable(STRING),
            "data": {"type": "object"},
            "at": DATE_TIME,
            "at_roc": ROC,
            "delivery": nullable(ref("Delivery")),  # LINE messages the event sent
        }
    ),
    "Notice": obj(
        {
            "id": {"type": "integer"},
            "case_number": STRING,
            "kind": enum(codes.NOTICE_KINDS, "通知種類：" + words(codes.NOTICE_KINDS)),
            "kind_label": STRING,
            "body": {**STRING, "description": "通知內容（反映者讀到的文字）"},
            "delivery": enum(
                codes.NOTICE_DELIVERIES,
                "送達方式：line 以 LINE 傳送（見 outbox）、mail 已郵寄、in_person 已當面交付、"
                "phone 以電話答復、email 以電子郵件答復、pending 書面通知尚未寄送",
            ),
            "delivery_label": {**STRING, "description": "送達情形，例：郵寄（115年12月2日）"},
            "outbox": nullable(ref("Delivery")),
            "delivered_at": nullable(DATE_TIME),
            "delivered_at_roc": nullable(STRING),
            "delivered_by": nullable(STRING),
            "created_by": STRING,
            "created_at": DATE_TIME,
            "created_at_roc": ROC,
            "letters": nullable(
                obj(
                    {"pdf": STRING, "odt": STRING},
                    description="書面通知（函）的下載網址；LINE 通知為 null",
                )
            ),
        },
        description="法定通知（受理、補陳、移送、延長、不予處理、處理結果）及其送達情形",
    ),
    "Media": obj(
        {
            "id": {"type": "integer"},
            "kind": STRING,
            "status": STRING,
            "content_type": nullable(STRING),
            "size": nullable({"type": "integer"}),
        }
    ),
}

DETAIL_EXTRA: dict[str, Schema] = {
    "description": STRING,
    "location": nullable({"type": "object"}),
    "officer": nullable(ref("Named")),
    "unit": nullable(ref("Named")),
    "agency": nullable(ref("Named")),
    "letter_number": nullable(STRING),
    "letter_date": nullable(DATE),
    "letter_date_roc": nullable(STRING),
    "handling_opinion": nullable(STRING),
    "recorder": nullable(STRING),
    "activity_id": nullable({"type": "integer", "description": "受理反映的平臺活動 id"}),
    "signing_agency": nullable(STRING),
    "petition_confirmed": {"type": "boolean"},
    "publish_consent": {"type": "boolean"},
    "rejection_reason": nullable(REASON),
    "rejection_reason_label": nullable(STRING),
    "rejection_clause": nullable({"type": "integer", "minimum": 1, "maximum": 3}),
    "details_requested_at": nullable(
        {**DATE_TIME, "description": "請民眾補陳的時間；非 null 時處理期限暫停計算、不列逾期"}
    ),
    "extension_proposal": nullable(
        obj(
            {
                "due_date": DATE,
                "reason": STRING,
                "proposed_by": nullable(STRING),
                "proposed_at": DATE_TIME,
            },
            description="承辦人提出、待主管核定的延長期限",
        )
    ),
    "approved_by": nullable({**STRING, "description": "簽會或函轉的首長核可人"}),
    "approved_on": nullable(DATE),
    "referred_to": nullable({**STRING, "description": "檢舉案件的移送機關"}),
    "merged_into": nullable(STRING),
    "satisfaction": nullable({"type": "integer", "minimum": 1, "maximum": 5}),
    "notice_version": nullable({"type": "integer"}),
    "notice_method": nullable(enum(codes.NOTICE_METHODS, "個資告知方式：line、printed、read_out")),
    "insider": {"type": "boolean", "description": "檢舉人為機關內部人員（適用公益揭弊者保護法）"},
    "acceptance_due_at": nullable({**DATE_TIME, "description": "檢舉案件受理通知期限"}),
    "accepted_at": nullable({**DATE_TIME, "description": "檢舉案件受理通知寄送時間"}),
    "result_notified_at": nullable({**DATE_TIME, "description": "檢舉案件處理結果通知寄送時間"}),
    "closed_at": nullable(DATE_TIME),
    "closed_at_roc": nullable(STRING),
    "timeline": {"type": "array", "items": ref("TimelineEvent")},
    "notices": {"type": "array", "items": ref("Notice")},
    "media": {"type": "array", "items": ref("Media")},
}
RESPONSES["CaseDetail"] = obj(
    {**RESPONSES["CaseSummary"]["properties"], **DETAIL_EXTRA},
    description="案件明細（個人資料遮罩）與完整歷程（含內部註記）",
)

RESPONSES.update(
    {
        "CaseList": obj(
            {
                "items": {"type": "array", "items": ref("CaseSummary")},
                "next_cursor": nullable({**STRING, "description": "下一頁 cursor；null 為末頁"}),
                "counts": nullable(
                    obj(
                        {status: {"type": "integer", "minimum": 0} for status in codes.STATUSES},
                        description="同樣條件下（不含 status）各狀態的案件數；"
                        "文字搜尋（q）時為 null，以免全表計數",
                    )
                ),
            }
        ),
        "CaseResponse": obj({"case": ref("CaseDetail")}),
        "CaseNoticeResponse": obj(
            {
                "case": ref("CaseDetail"),
                "notices": {
                    "type": "array",
                    "items": ref("Delivery"),
                    "description": "這項操作排入 LINE 傳給反映者的訊息；空陣列表示未傳送"
                    "（簽會、非經由 LINE 反映、反映者已封鎖本帳號，或狀態變更不需通知）",
                },
            }
        ),
        "ReplyResponse": obj({"case": ref("CaseDetail"), "delivery": ref("Delivery")}),
        "RevealResponse": obj({"number": STRING, "personal_data": ref("RevealedPersonalData")}),
        "UnitList": obj(
            {
                "items": {
                    "type": "array",
                    "items": obj(
                        {"id": {"type": "integer"}, "name": STRING, "active": {"type": "boolean"}}
                    ),
                }
            }
        ),
        "AgencyList": obj(
            {
                "items": {
                    "type": "array",
                    "items": obj(
                        {"id": {"type": "integer"}, "name": STRING, "active": {"type": "boolean"}}
                    ),
                }
            }
        ),
        "ReplyTemplateList": obj(
            {
                "items": {
                    "type": "array",
                    "items": obj(
                        {
                            "id": {"type": "integer"},
                            "title": STRING,
                            "body": STRING,
                            "active": {"type": "boolean"},
                        }
                    ),
                }
            }
        ),
        "NoticeResponse": obj({"notice": ref("Notice")}),
        "NoticeList": obj(
            {
                "items": {"type": "array", "items": ref("Notice")},
                "total": {"type": "integer", "minimum": 0, "description": "待寄送的總件數"},
            }
        ),
        "OpenApiDocument": {"type": "object", "required": ["openapi", "paths"]},
    }
)

# ---------------------------------------------------------------- query parameters

# One schema per CaseFilter field (``operations`` checks none is missing), plus paging.
CASE_FILTER_PARAMETERS: dict[str, Schema] = {
    "status": enum([*codes.STATUSES, "open"], "狀態；open 為所有未結狀態"),
    "nature": NATURE,
    "sub_item": SUB_ITEM,
    "theme": THEME,
    "unit_id": identifier("承辦單位 id"),
    "agency_id": identifier("受文機關 id"),
    "officer_id": identifier("承辦人 id"),
    "channel": CHANNEL,
    "overdue": {"type": "boolean", "description": "僅逾期未回覆"},
    "resident_update": {"type": "boolean", "description": "僅反映者有新補充"},
    "extension_pending": {"type": "boolean", "description": "僅有待主管核定的延長期限"},
    "date_from": {**DATE, "description": "收案日（臺北）起"},
    "date_to": {**DATE, "description": "收案日（臺北）迄"},
    "q": text(100, description="關鍵字：案件編號或內容"),
    "sort": {**enum(SORTS, "排序：newest 新到舊、oldest 舊到新、due 依期限"), "default": "newest"},
}
PAGING_PARAMETERS: dict[str, Schema] = {
    "cursor": {
        "type": "string",
        "maxLength": 200,
        "pattern": "^[A-Za-z0-9_-]+$",
        "description": "上一頁回傳的 next_cursor",
    },
    "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": PAGE_SIZE},
}
CASE_NUMBER: Schema = {
    "type": "string",
    "pattern": "^[0-9]{7}-[0-9]{4,6}$",
    "description": "案件編號：民國日期 7 碼 + 當日序號，例：1151121-0001",
}

# The biweekly 工作成果彙報表 (附件2): its query and its JSON (reports.biweekly_model.to_json).
BIWEEKLY_PARAMETERS: dict[str, Schema] = {
    "from": {
        **DATE,
        "description": "統計期間起日（臺北日期，含）；與 to 一併指定，省略則為最近一期",
    },
    "to": {**DATE, "description": "統計期間迄日（臺北日期，含）"},
    "format": {
        **enum(["json", "ods", "xlsx", "csv"], "json（預設）、ods、xlsx 或 csv（UTF-8 含 BOM）"),
        "default": "json",
    },
}
REPORT_ROW: Schema = obj(
    {
        "title": {**STRING, "description": "實施方式：民情需求事項、施政興革反映、反貪倡廉宣導"},
        "count": {"type": "integer", "minimum": 0, "description": "件數（計N案），系統計算"},
        "summaries": {
            "type": "array",
            "items": STRING,
            "description": "內容摘要，每行一項（系統草稿依細項歸納；經編修者為編修後文字）",
        },
        "handling": {"type": "array", "items": STRING, "description": "處理意見，每行一句"},
        "summary_text": {**STRING, "description": "內容摘要欄全文，末尾為「（計N案）。」"},
        "handling_text": {**STRING, "description": "處理意見欄全文"},
        "edited": obj(
            {"summary": {"type": "boolean"}, "handling": {"type": "boolean"}},
            description="各欄是否為編修後文字（否則為系統草稿）",
        ),
    }
)
REPORT_ROWS = ["need", "reform", "promotion"]
RESPONSES["BiweeklyReport"] = obj(
    {
        "agency": {**STRING, "description": "政風機構全銜"},
        "title": {
            **STRING,
            "description": "表頭：（政風機構全銜）○年○月辦理村里廉政平臺工作成果彙報表",
        },
        "period": obj(
            {
                "from": DATE,
                "to": DATE,
                "text": {**STRING, "description": "資料統計期間：○年○月○-○日"},
            }
        ),
        "rows": obj({key: REPORT_ROW for key in REPORT_ROWS}),
        "edited_rows": {
            "type": "array",
            "items": enum(REPORT_ROWS),
            "description": "內容摘要或處理意見經編修的列",
        },
    },
    description="工作成果彙報表（附件2）；檢舉案件不列入，原為檢舉、改列民情需求或施政興革者"
    "計入件數但保密不摘述",
)
REPORT_TEXT = text(4000, 1)
REQUESTS["BiweeklyDraftRequest"] = obj(
    {
        "from": {**DATE, "description": "統計期間起日（臺北日期，含）"},
        "to": {**DATE, "description": "統計期間迄日（臺北日期，含）"},
        "row": enum(REPORT_ROWS, "列：need、reform 或 promotion"),
        "summary": {
            **REPORT_TEXT,
            "description": "內容摘要（不含「（計N案）。」，件數由系統計算）",
        },
        "handling": {**REPORT_TEXT, "description": "處理意見"},
    },
    required=["from", "to", "row"],
    description="編修一列的內容摘要及（或）處理意見；與系統草稿相同者視為未編修",
)
REQUESTS["BiweeklyRevertRequest"] = obj(
    {
        "from": {**DATE, "description": "統計期間起日（臺北日期，含）"},
        "to": {**DATE, "description": "統計期間迄日（臺北日期，含）"},
        "row": enum(REPORT_ROWS, "列：need、reform 或 promotion"),
    },
    description="將一列還原為系統草稿",
)
REQUESTS["BiweeklySubmitRequest"] = obj(
    {
        "from": {**DATE, "description": "統計期間起日（臺北日期，含）"},
        "to": {**DATE, "description": "統計期間迄日（臺北日期，含）"},
        "approved_by": text(100, 1, "核可人（首長姓名及職稱），實施計畫玖、四簽陳首長"),
        "approved_on": {**DATE, "description": "核可日期（不得晚於今天）"},
        "confirm_unfinished": {
            "type": "boolean",
            "default": False,
            "description": "統計期間尚未結束（迄日為今天或以後）時須為 true，否則 422 且不送出",
        },
        "digest": {
            "type": "string",
            "pattern": "^[0-9a-f]{64}$",
            "description": "核對時彙報表內容的雜湊；與送出時不同者 409 且不送出",
        },
    },
    required=["from", "to", "approved_by", "approved_on"],
)
RESPONSES["BiweeklySubmission"] = obj(
    {
        "id": {"type": "integer", "minimum": 1},
        "period": obj({"from": DATE, "to": DATE}),
        "submitted_at": {**STRING, "format": "date-time"},
        "approved_by": STRING,
        "approved_on": DATE,
        "sha256": {**STRING, "description": "凍結 ODS 檔的 SHA-256"},
        "report": ref("BiweeklyReport"),
    },
    description="已送出（凍結）的工作成果彙報表",
)

# ---------------------------------------------------------------- broadcasts (反貪倡廉宣導)


def _const(value: str) -> Schema:
    return {"type": "string", "const": value}


def _names(max_length: int, description: str, min_items: int = 0) -> Schema:
    return {
        "type": "array",
        "items": text(max_length, 1),
        "minItems": min_items,
        "maxItems": 200,
        "description": description,
    }


BROADCAST_STATUS = enum(codes.BROADCAST_STATUSES, "推播狀態：" + words(codes.BROADCAST_STATUSES))
BROADCAST_ID: Schema = identifier("推播 id")
NOTICE_ID: Schema = identifier("通知 id（案件明細的 notices）")
NOTICE_PARAMETERS: dict[str, Schema] = {
    "format": {
        **enum(["json", "pdf", "odt"], "json（預設）或書面通知（函）的 pdf、odt 檔"),
        "default": "json",
    },
}
HTTPS_URL: Schema = {
    "type": "string",
    "minLength": 9,
    "maxLength": 1000,
    "pattern": "^https://[^\\s\\u0000]+$",
    "description": "https:// 開頭的網址；發送時改為計數轉址 /l/{token}",
}
REQUESTS.update(
    {
        "PromotionText": obj(
            {"type": _const("text"), "text": text(5000, 1, "文字（LINE 以 UTF-16 計 5,000 字內）")}
        ),
        "PromotionImage": obj(
            {"type": _const("image"), "image_id": identifier("上傳的宣導圖片 id")}
        ),
        "PromotionCard": obj(
            {
                "type": _const("card"),
                "title": text(40, 1, "卡片標題（亦為通知文字）"),
                "body": text(500, 1, "卡片內文"),
                "image_id": nullable(identifier("卡片上方圖片 id")),
                "link_label": nullable(text(20, 1, "連結按鈕文字；與 link_url 一併填寫")),
                "link_url": nullable(HTTPS_URL),
            },
            required=["type", "title", "body"],
        ),
        "PromotionQuiz": obj(
            {
                "type": _const("quiz"),
                "question": text(200, 1, "題目"),
                "choices": {**_names(20, "選項（2 至 4 個，不可重複）", 2), "maxItems": 4},
                "answer": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 3,
                    "description": "正確選項索引",
                },
                "explanation": text(300, description="答題後的解說"),
            },
            required=["type", "question", "choices", "answer"],
        ),
        "PromotionMessage": {
            "oneOf": [
                ref("PromotionText"),
                ref("PromotionImage"),
                ref("PromotionCard"),
                ref("PromotionQuiz"),
            ],
            "description": "宣導訊息：" + words(codes.PROMOTION_MESSAGE_TYPES),
        },
        "AudienceAll": obj({"kind": _const("all")}, description="全部追蹤者"),
        "AudienceArea": obj(
            {
                "kind": _const("area"),
                "district": text(20, 1, "區"),
                "villages": _names(20, "村里；空陣列為全區"),
            },
            required=["kind", "district"],
            description="依區／村里（居民於 LINE 訂閱設定所選）",
        ),
        "AudienceTag": obj(
            {"kind": _const("tag"), "tags": _names(40, "標籤（符合任一即可）", 1)},
            description="依標籤",
        ),
        "AudienceTest": obj({"kind": _const("test")}, description="測試對象：同仁的 LINE 帳號"),
        "Audience": {
            "oneOf": [
                ref("AudienceAll"),
                ref("AudienceArea"),
                ref("AudienceTag"),
                ref("AudienceTest"),
            ],
            "description": "發送對象：" + words(codes.AUDIENCES) + "。未追蹤或已退訂宣導者不會收到",
        },
        "BroadcastDraftRequest": obj(
            {
                "title": text(100, 1, "推播名稱（內部）"),
                "messages": {
                    "type": "array",
                    "items": ref("PromotionMessage"),
                    "minItems": 1,
                    "maxItems": 5,
                },
                "audience": ref("Audience"),
            },
            description="推播草稿；儲存前依 LINE 的格式與長度限制檢查",
        ),
        "SendBroadcastRequest": obj(
            {
                "at": nullable({**DATE_TIME, "description": "排程時間（含時區）；省略為立即發送"}),
                "confirm_over_quota": {
                    "type": "boolean",
                    "default": False,
                    "description": "超出本月額度仍要發送（僅系統管理者）",
                },
            },
            required=[],
        ),
    }
)
BROADCAST_PROGRESS: Schema = obj(
    {
        "id": {"type": "integer"},
        "status": BROADCAST_STATUS,
        "status_label": STRING,
        "recipients": nullable({"type": "integer", "description": "發送開始時凍結的收訊人數"}),
        "estimated_recipients": nullable({"type": "integer"}),
        "reached": {
            "type": "integer",
            "description": "已送出批次的收訊人數（中止時少於 recipients）",
        },
        "chunks_total": nullable(
            {"type": "integer", "description": "LINE 請求數（每批 ≤ 500 人）"}
        ),
        "chunks_sent": {"type": "integer"},
        "chunks_failed": {"type": "integer"},
        "percent": {"type": "integer", "minimum": 0, "maximum": 100},
        "finished": {"type": "boolean"},
        "last_error": nullable({**STRING, "description": "LINE 的錯誤訊息"}),
        **{
            f"{name}{suffix}": nullable(DATE_TIME if suffix == "" else ROC)
            for name in ("scheduled_at", "started_at", "finished_at")
            for suffix in ("", "_roc")
        },
    }
)
BROADCAST_SUMMARY: dict[str, Schema] = {
    "id": {"type": "integer"},
    "title": STRING,
    "status": BROADCAST_STATUS,
    "status_label": STRING,
    "audience": ref("Audience"),
    "audience_label": STRING,
    "message_types": {"type": "array", "items": enum(codes.PROMOTION_MESSAGE_TYPES)},
    "created_at": DATE_TIME,
    "created_at_roc": ROC,
    "progress": BROADCAST_PROGRESS,
}
BROADCAST_RESULTS: Schema = obj(
    {
        "quizzes": {
            "type": "array",
            "items": obj(
                {
                    "message_index": {"type": "integer"},
                    "question": STRING,
                    "answers": {"type": "integer"},
                    "correct": {"type": "integer", "description": "答對人數"},
                    "choices": {
                        "type": "array",
                        "items": obj(
                            {
                                "label": STRING,
                                "count": {"type": "integer"},
                                "correct": {"type": "boolean"},
                            }
                        ),
                    },
                }
            ),
        },
        "links": {
            "type": "array",
            "items": obj(
                {"label": STRING, "url": STRING, "token": STRING, "clicks": {"type": "integer"}}
            ),
        },
    },
    description="成效：有獎徵答作答（每人一次）與連結點擊數",
)
RESPONSES.update(
    {
        "BroadcastSummary": obj(BROADCAST_SUMMARY),
        "BroadcastDetail": obj(
            {
                **BROADCAST_SUMMARY,
                "messages": {"type": "array", "items": ref("PromotionMessage")},
                "results": BROADCAST_RESULTS,
            }
        ),
        "BroadcastList": obj({"items": {"type": "array", "items": ref("BroadcastSummary")}}),
        "BroadcastResponse": obj({"broadcast": ref("BroadcastDetail")}),
    }
)
BROADCAST_LIST_PARAMETERS: dict[str, Schema] = {
    "status": BROADCAST_STATUS,
    "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
}

# ---------------------------------------------------------------- 平臺地點, 聯絡人, activities

PLACE_ID: Schema = identifier("平臺地點 id")
CONTACT_ID: Schema = identifier("聯絡人 id")
ACTIVITY_ID: Schema = identifier("平臺活動 id")
PLACE_KIND = enum(codes.PLACE_KINDS, "地點類別：" + words(codes.PLACE_KINDS))
CONTACT_ROLE = enum(codes.CONTACT_ROLES, "聯絡人角色：" + words(codes.CONTACT_ROLES))
ACTIVITY_KIND = enum(codes.ACTIVITY_KINDS, "活動類別：" + words(codes.ACTIVITY_KINDS))
REQUESTS.update(
    {
        "PlaceRequest": obj(
            {
                "name": text(200, 1, "地點名稱"),
                "kind": PLACE_KIND,
                "district": text(20, 1, "區（設定了區域時須為其中之一）"),
                "village": nullable(text(20, description="村里")),
                "address": nullable(text(300, description="地址")),
                "note": nullable(text(1000, description="備註")),
            },
            required=["name", "kind", "district"],
            description="平臺地點（修改時送出完整內容）",
        ),
        "ContactRequest": obj(
            {
                "role": CONTACT_ROLE,
                "name": text(100, 1, "姓名"),
                "phone": nullable(text(40, description="聯絡電話（臺灣手機或市話，可加分機）")),
                "email": nullable(text(200, description="電子郵件")),
                "note": nullable(text(1000, description="備註")),
            },
            required=["role", "name"],
            description="平臺聯絡人（個人資料；修改時送出完整內容）",
        ),
        "ActivityRequest": obj(
            {
                "kind": ACTIVITY_KIND,
                "held_on": {**DATE, "description": "活動日期（不得晚於今天，不得早於一年前）"},
                "topic": text(200, 1, "活動主題"),
                "place_id": nullable(PLACE_ID),
                "venue": nullable(text(300, description="非登錄地點時的活動地點")),
                "district": nullable(text(20, description="非登錄地點時所在的區")),
                "theme": nullable(THEME),
                "participants": {"type": "integer", "minimum": 0, "maximum": 100000,
                                 "default": 0, "description": "參加人數"},
                "promotion": nullable({"type": "boolean", "description":
                                       "宣揚反貪倡廉資訊；省略或 null 時，有宣導品即為 true"}),
                "materials": {
                    "type": "array",
                    "maxItems": 20,
                    "items": obj({"name": text(60, 1, "宣導品項"),
                                  "quantity": {"type": "integer", "minimum": 1,
                                               "maximum": 1000000, "description": "數量（份）"}}),
                    "description": "發放的宣導品及數量",
                },
                "summary": text(2000, description="活動摘要"),
                "officer_id": nullable(identifier("辦理同仁（使用者 id）")),
                "contact_ids": {"type": "array", "maxItems": 50, "items": CONTACT_ID,
                                "description": "參與的聯絡人（須為所選平臺地點的聯絡人）"},
            },
            required=["kind", "held_on", "topic"],
            description="平臺活動：於登錄的平臺地點（place_id），或其他地點（venue 與 district）",
        ),
    }
)  # fmt: skip
PLACE: Schema = obj(
    {
        "id": {"type": "integer"},
        "name": STRING,
        "kind": PLACE_KIND,
        "district": STRING,
        "village": nullable(STRING),
        "address": nullable(STRING),
        "note": nullable(STRING),
        "active": {"type": "boolean"},
    }
)
CONTACT: Schema = obj(
    {
        "id": {"type": "integer"},
        "place_id": {"type": "integer"},
        "role": CONTACT_ROLE,
        "name": nullable(STRING),
        "phone": nullable(STRING),
        "email": nullable(STRING),
        "note": nullable(STRING),
        "active": {"type": "boolean"},
        "ended_at": nullable(DATE_TIME),
        "purged": {"type": "boolean", "description": "個人資料已依保存期限刪除"},
        "masked": {"type": "boolean",
                   "description": "角色無法檢視個人資料：姓名、電話、電子郵件已遮蔽"},
    }
)  # fmt: skip
ACTIVITY: Schema = obj(
    {
        "id": {"type": "integer"},
        "kind": ACTIVITY_KIND,
        "held_on": DATE,
        "held_on_roc": ROC,
        "place_id": nullable({"type": "integer"}),
        "venue": nullable(STRING),
        "district": nullable(STRING),
        "where": {**STRING, "description": "地點（文字）"},
        "topic": STRING,
        "theme": nullable(THEME),
        "participants": {"type": "integer"},
        "promotion": {"type": "boolean"},
        "materials": {"type": "array",
                      "items": obj({"name": STRING, "quantity": {"type": "integer"}})},
        "summary": STRING,
        "officer_id": nullable({"type": "integer"}),
        "contact_ids": {"type": "array", "items": {"type": "integer"}},
        "photos": {"type": "integer", "description": "照片張數"},
        "cases": {"type": "array", "items": STRING,
                  "description": "本場受理的案件編號（可開啟者）"},
    }
)  # fmt: skip
RESPONSES.update(
    {
        "Place": PLACE,
        "Contact": CONTACT,
        "Activity": ACTIVITY,
        "PlaceList": obj({"items": {"type": "array", "items": ref("Place")}}),
        "PlaceResponse": obj(
            {"place": ref("Place"), "contacts": {"type": "array", "items": ref("Contact")}}
        ),
        "ContactResponse": obj({"contact": ref("Contact")}),
        "ActivityList": obj(
            {
                "items": {"type": "array", "items": ref("Activity")},
                "total": {"type": "integer", "description": "符合條件的活動數"},
            }
        ),
        "ActivityResponse": obj({"activity": ref("Activity")}),
    }
)
PLACE_LIST_PARAMETERS: dict[str, Schema] = {"district": text(20, 1, "區")}
ACTIVITY_LIST_PARAMETERS: dict[str, Schema] = {
    "from": {**DATE, "description": "活動日期起日（含）"},
    "to": {**DATE, "description": "活動日期迄日（含）"},
    "kind": ACTIVITY_KIND,
    "district": text(20, 1, "區"),
    "place_id": PLACE_ID,
    "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50},
    "offset": {"type": "integer", "minimum": 0, "maximum": 1000000, "default": 0},
}

COMPONENTS: dict[str, Schema] = {**REQUESTS, **RESPONSES}
