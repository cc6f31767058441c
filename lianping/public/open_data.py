"""Open data: published cases and 成果統計 as CSV (UTF-8 with BOM, for Excel) and JSON, with
JSON Schema documents and the 政府資料開放授權條款 licence statement."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from lianping.reports.public_statistics import PublicStatistics
from lianping.services.published_cases import PublicCase

LICENCE = {
    "name": "政府資料開放授權條款－第1版",
    "name_en": "Open Government Data License, version 1.0",
    "url": "https://data.gov.tw/license",
    "statement": "本資料依「政府資料開放授權條款－第1版」釋出，使用者得於遵守該條款之前提下"
    "利用本資料，並應註明出處。",
}
CSV_TYPE = "text/csv; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"

CASE_FIELDS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("id", "案件編號", {"type": "string"}),
    ("title", "標題（機關撰寫）", {"type": "string"}),
    ("summary", "摘要（機關撰寫，已去識別化）", {"type": "string"}),
    ("outcome", "處理結果", {"type": "string"}),
    ("district", "區", {"type": ["string", "null"]}),
    ("nature", "性質代碼（need、reform）", {"type": "string", "enum": ["need", "reform"]}),
    ("nature_label", "性質", {"type": "string"}),
    ("sub_item", "細項代碼", {"type": ["string", "null"]}),
    ("sub_item_label", "細項", {"type": ["string", "null"]}),
    ("theme", "主題代碼", {"type": ["string", "null"]}),
    ("theme_label", "主題", {"type": ["string", "null"]}),
    ("status", "狀態代碼", {"type": "string"}),
    ("status_label", "狀態", {"type": "string"}),
    ("received_at", "收件時間（ISO 8601）", {"type": "string", "format": "date-time"}),
    ("updated_at", "更新時間（ISO 8601）", {"type": "string", "format": "date-time"}),
    ("published_at", "公開時間（ISO 8601）", {"type": "string", "format": "date-time"}),
    ("closed_at", "結案時間（ISO 8601）", {"type": ["string", "null"], "format": "date-time"}),
)

_CELL = {
    "type": "object",
    "required": ["count", "shown", "suppressed"],
    "properties": {
        "count": {"type": ["integer", "null"], "description": "件數；低於門檻者為 null"},
        "shown": {"type": "string", "description": "網頁上顯示的文字，例如「<3」"},
        "suppressed": {"type": "boolean", "description": "是否因件數過少而不公開"},
    },
}
_FIGURE = {
    "type": "object",
    "required": ["value", "cases"],
    "properties": {"value": {"type": ["number", "null"]}, "cases": _CELL},
}


def cases_schema(base: str) -> dict[str, Any]:
    """The JSON Schema of ``cases.json``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}schema/cases.json",
        "title": "案件成果（去識別化）",
        "type": "object",
        "required": ["licence", "cases"],
        "properties": {
            "licence": {"type": "object"},
            "cases": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": [name for name, _, _ in CASE_FIELDS],
                    "properties": {
                        name: {**schema, "description": words}
                        for name, words, schema in CASE_FIELDS
                    },
                },
            },
        },
    }


def statistics_schema(base: str) -> dict[str, Any]:
    """The JSON Schema of ``statistics.json``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}schema/statistics.json",
        "title": "成果統計",
        "type": "object",
        "required": ["licence", "statistics"],
        "properties": {
            "licence": {"type": "object"},
            "statistics": {
                "type": "object",
                "required": ["period", "threshold", "totals", "breakdowns"],
                "properties": {
                    "period": {"type": "object"},
                    "threshold": {"type": "integer", "description": "少於此數的件數不公開"},
                    "totals": {
                        "type": "object",
                        "additionalProperties": _CELL,
                        "description": "received 收件、answered 首次回覆、transferred 函轉、"
                        "closed 結案",
                    },
                    "median_days_to_first_answer": _FIGURE,
                    "median_days_to_close": _FIGURE,
                    "satisfaction_average": _FIGURE,
                    "breakdowns": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "key": {"type": "string"},
                                "title": {"type": "string"},
                                "rows": {"type": "array"},
                            },
                        },
                    },
                },
            },
        },
    }


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    # The BOM lets Excel read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def cases_csv(cases: list[PublicCase]) -> bytes:
    """Published cases, one per row, headed by the zh-TW field names."""
    header = [words for _, words, _ in CASE_FIELDS]
    rows = []
    for case in cases:
        record = case.to_json()
        rows.append(["" if record[name] is None else record[name] for name, _, _ in CASE_FIELDS])
    return _csv(header, rows)


def cases_json(cases: list[PublicCase]) -> bytes:
    """Published cases with the licence."""
    body = {"licence": LICENCE, "cases": [c.to_json() for c in cases]}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def statistics_csv(stats: PublicStatistics) -> bytes:
    """成果統計 as rows of (period, breakdown, item, count shown)."""
    period = stats.period_text
    rows: list[list[Any]] = [[period, "總計", label, cell.shown] for _, label, cell in stats.totals]
    for name, figure in (
        ("收件至首次回覆日數中位數", stats.first_answer),
        ("收件至結案日數中位數", stats.to_close),
        ("滿意度平均", stats.satisfaction),
    ):
        rows.append([period, "指標", name, figure.shown])
    for table in stats.tables:
        rows += [[period, table.title, row.label, row.cell.shown] for row in table.rows]
    return _csv(["統計期間", "分類", "項目", "件數"], rows)


def statistics_json(stats: PublicStatistics) -> bytes:
    """成果統計 with the licence."""
    body = {"licence": LICENCE, "statistics": stats.to_json()}
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")
