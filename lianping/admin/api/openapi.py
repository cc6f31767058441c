"""The OpenAPI 3.1 document, generated from the operation table and the schemas."""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

from lianping.admin.api.errors import ERRORS
from lianping.admin.api.errors import __doc__ as ERROR_MODEL
from lianping.admin.api.operations import OPERATIONS, PATH_PARAMETERS, PREFIX, Operation
from lianping.admin.api.schemas import COMPONENTS, ref

DESCRIPTION = """\
村里廉政平臺（lianping）承辦人員 JSON API：案件查詢、登錄、分類、分案、簽會／函轉、
回覆、狀態變更、期限延長與個人資料檢視，與管理網頁使用同一組服務函式。

- 認證：每個 `/api/` 路徑都需要 `Authorization: Bearer <token>`（含本文件）。
- 角色：`viewer` 只能讀；寫入需 `admin`、`supervisor` 或 `officer`（否則 403）。
- 檢舉（`tip`）案件僅 `ethics` 人員可見：清單不列出，單筆與各項操作一律 404。
- 個人資料在清單與明細皆遮罩；僅 `POST /cases/{number}/reveal` 回傳原文，並記入稽核紀錄。
- 請求內容為 JSON 物件；未定義的欄位、錯誤型別一律 400。時間為 ISO 8601 UTC，
  並附 `*_roc` 民國日期字串供閱讀。

錯誤格式 `{"error": {"code", "message", "details"?}}`：

""" + "\n".join(
    line.replace("``", "`") for line in (ERROR_MODEL or "").splitlines() if line.startswith("|")
)

STATUS_WORDS = {
    200: "成功",
    201: "已建立",
    400: "請求格式或參數不正確",
    401: "未提供有效的存取權杖",
    403: "角色無此權限",
    404: "找不到（含無權開啟的檢舉案件）",
    409: "狀態不允許此操作（案件狀態，或彙報表核對後已異動）",
    413: "請求內容過大",
    415: "請求內容須為 application/json",
    422: "處理規則不允許（訊息說明原因）",
    503: "暫時無法連線 LINE 平臺（見 Retry-After）",
}


def _parameters(op: Operation) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": PATH_PARAMETERS[name]}
        for name in op.path_parameters
    ]
    for name, schema in op.query.items():
        params.append(
            {
                "name": name,
                "in": "query",
                "required": False,
                "description": schema.get("description", ""),
                "schema": schema,
            }
        )
    return params


def _error_response(status: int) -> dict[str, Any]:
    codes = [code for code, (code_status, _) in ERRORS.items() if code_status == status]
    return {
        "description": f"{STATUS_WORDS[status]}（error.code：{'、'.join(codes)}）",
        "content": {"application/json": {"schema": ref("Error")}},
    }


def _operation(op: Operation) -> dict[str, Any]:
    success: dict[str, Any] = {
        "description": STATUS_WORDS[op.status],
        "content": {"application/json": {"schema": ref(op.response)}},
    }
    for media_type in op.files:
        success["content"][media_type.split(";")[0]] = {
            "schema": {"type": "string", "contentMediaType": media_type.split(";")[0]}
        }
    if op.status == 201:
        success["headers"] = {
            "Location": {"description": "新建資源的網址", "schema": {"type": "string"}}
        }
    found: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "responses": {
            str(op.status): success,
            **{str(status): _error_response(status) for status in op.error_statuses()},
        },
    }
    if op.description:
        found["description"] = op.description
    params = _parameters(op)
    if params:
        found["parameters"] = params
    if op.body:
        found["requestBody"] = {
            "required": not op.body_optional,
            "content": {"application/json": {"schema": ref(op.body)}},
        }
    return found


@cache
def shared() -> dict[str, Any]:
    """The document itself (cached; read it, never change it)."""
    paths: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        paths.setdefault(PREFIX + op.path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lianping 村里廉政平臺 API",
            "version": "1.0.0",
            "description": DESCRIPTION,
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "tags": [
            {"name": "cases", "description": "案件查詢與登錄"},
            {"name": "casework", "description": "案件處理（生命週期見 DESIGN.md）"},
            {"name": "notices", "description": "法定通知：LINE 送達情形、書面通知（函）與寄送登錄"},
            {"name": "reference", "description": "表單選項"},
            {"name": "reports", "description": "工作成果彙報表"},
            {"name": "broadcasts", "description": "反貪倡廉宣導推播"},
            {"name": "fieldwork", "description": "平臺地點、聯絡人與平臺活動"},
            {"name": "meta", "description": "本文件"},
        ],
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "管理者發給的 API 權杖（lp_…）",
                }
            },
        },
    }


def document() -> dict[str, Any]:
    """The OpenAPI document (a fresh copy: callers may not change the cached one)."""
    return copy.deepcopy(shared())
