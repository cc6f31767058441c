"""JSON Schemas (OpenAPI 3.1 = JSON Schema 2020-12) of every request and response body.

Enums come from ``lianping.codes`` and the services; string lengths follow the
database columns, so a body that validates here always fits the database.
Request bodies are validated against these very schemas (see ``validation``).
"""

from __future__ import annotations

from typing import Any

from lianping import codes
from lianping.services.casework import REJECTION_REASONS
from lianping.storage.case_search import PAGE_SIZE, SORTS
from lianping.storage.models import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENT

Schema = dict[str, Any]

MAX_ID = 2**63 - 1
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
REASON = enum(REJECTION_REASONS, "行政程序法第173條事由：" + words(REJECTION_REASONS))
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
            "petition_confirmed": {
                "type": "boolean",
                "default": False,
                "description": "言詞陳情已向陳情人朗讀或使其閱覽，並經其簽名或蓋章確認"
                "（行政程序法第169條）；臨櫃、座談會、電話須為 true",
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
        },
        required=["to", "unit_id"],
        description="簽會本機關權責單位（實施計畫玖.一）；案件改為處理中。",
    ),
    "RouteToAgency": obj(
        {
            "to": {"type": "string", "const": "agency"},
            "agency_id": identifier("受文機關 id（GET /agencies）"),
            "letter_number": text(64, 1, "函文文號"),
            "letter_date": {**DATE, "description": "發文日期"},
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
        {"text": text(4900, 1, "回覆內容；以 LINE 推播給反映者（行政程序法第171條）")},
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
            "due_date": {**DATE, "description": "新的處理期限（臺北日期，須晚於原期限）"},
            "reason": text(500, 1, "延長理由；反映者仍追蹤本帳號的 LINE 案件會以 LINE 通知"),
        },
    ),
    "EmptyRequest": obj({}, description="不需內容；可省略或送空物件 {}"),
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
            "sent_via": nullable(enum(["reply", "push"])),
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
                "transferred、reply、status、note、opinion、extended、reveal…",
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
    "signing_agency": nullable(STRING),
    "petition_confirmed": {"type": "boolean"},
    "rejection_reason": nullable(REASON),
    "rejection_reason_label": nullable(STRING),
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
        "count": {"type": "integer", "minimum": 0, "description": "件數（計N案）"},
        "summaries": {"type": "array", "items": STRING, "description": "內容摘要，每案（則）一行"},
        "handling": {"type": "array", "items": STRING, "description": "處理意見"},
    }
)
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
        "rows": obj({"need": REPORT_ROW, "reform": REPORT_ROW, "promotion": REPORT_ROW}),
    },
    description="工作成果彙報表（附件2）；檢舉案件計入民情需求事項件數，不摘述內容",
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

COMPONENTS: dict[str, Schema] = {**REQUESTS, **RESPONSES}
