"""Reading requests: JSON bodies and query strings, validated against the published schemas.

The validators are built from the same OpenAPI document ``GET /api/v1/openapi.json``
serves, so what the document says is exactly what is enforced.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import cache
from typing import Any

from flask import request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from lianping.admin.api.errors import ApiError
from lianping.admin.api.schemas import COMPONENTS

MAX_BODY = 256 * 1024
MAX_DEPTH = 32
BASE_URI = "urn:lianping:api:v1"
_INTEGER = re.compile(r"-?[0-9]{1,20}")
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
FIELD_WORDS = {
    "type": "型別不正確，應為 {expected}",
    "required": "缺少必填欄位",
    "additionalProperties": "不接受的欄位",
    "enum": "須為下列之一：{expected}",
    "const": "須為 {expected}",
    "maxLength": "長度不可超過 {expected} 字",
    "minLength": "長度至少 {expected} 字",
    "minimum": "不可小於 {expected}",
    "maximum": "不可大於 {expected}",
    "pattern": "格式不正確",
    "format": "格式不正確，應為 {expected}",
    "oneOf": "內容不符任何一種格式",
    "anyOf": "內容不符格式",
}
TYPE_WORDS = {
    "string": "字串",
    "integer": "整數",
    "number": "數字",
    "boolean": "布林值",
    "object": "物件",
    "array": "陣列",
    "null": "null",
}


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    # The same components the published document holds, at the same JSON pointers.
    document = {"components": {"schemas": COMPONENTS}}
    return Registry().with_resource(BASE_URI, DRAFT202012.create_resource(document))


@cache
def validator(component: str) -> Draft202012Validator:
    """A validator for ``#/components/schemas/<component>`` of the published document."""
    schema = {"$ref": f"{BASE_URI}#/components/schemas/{component}"}
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def _field(path: Iterable[Any]) -> str:
    return ".".join(str(part) for part in path) or "(body)"


def _describe(error: ValidationError) -> list[dict[str, Any]]:
    """zh-TW wording of one schema violation, field by field."""
    rule = str(error.validator)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    path = list(error.absolute_path)
    if rule == "additionalProperties" and isinstance(instance, dict):
        allowed = set(schema.get("properties", {}))
        return [
            {"field": _field([*path, name]), "rule": rule, "message": "不接受的欄位"}
            for name in sorted(set(instance) - allowed)
        ]
    if rule == "required" and isinstance(instance, dict):
        return [
            {"field": _field([*path, name]), "rule": rule, "message": "缺少必填欄位"}
            for name in error.validator_value
            if name not in instance
        ]
    expected = error.validator_value
    if rule == "type":
        types = expected if isinstance(expected, list) else [expected]
        expected = "或".join(TYPE_WORDS.get(str(t), str(t)) for t in types)
    elif rule == "enum":
        expected = "、".join("null" if v is None else str(v) for v in expected)
    elif rule == "format":
        expected = {"date": "YYYY-MM-DD 日期", "date-time": "ISO 8601 時間"}.get(expected, expected)
    elif rule == "pattern" and schema.get("format") == "date":
        rule, expected = "format", "1912 至 2999 年間的 YYYY-MM-DD 日期"
    message = FIELD_WORDS.get(rule, "內容不正確").format(expected=expected)
    return [{"field": _field(path), "rule": rule, "message": message}]


def check(component: str, value: Any, code: str = "validation_error") -> None:
    """Raise ``ApiError(code)`` listing every violation of the component's schema."""
    discriminator = COMPONENTS[component].get("discriminator")
    if discriminator and isinstance(value, dict):
        # A oneOf with a discriminator: check the branch the body names, for clear messages.
        name, mapping = discriminator["propertyName"], discriminator["mapping"]
        chosen = value.get(name)
        if not isinstance(chosen, str) or chosen not in mapping:
            words = "須為下列之一：" + "、".join(mapping)
            detail = {"field": name, "rule": "enum", "message": words}
            raise ApiError(code, f"欄位 {name}：{words}", details=[detail])
        component = mapping[chosen].rsplit("/", 1)[-1]
    raise_for(validator(component), value, code)


def raise_for(checker: Draft202012Validator, value: Any, code: str) -> None:
    details: list[dict[str, Any]] = []
    for error in checker.iter_errors(value):
        details.extend(_describe(error))
    if details:
        details.sort(key=lambda d: (d["field"], d["rule"]))
        first = details[0]
        message = f"欄位 {first['field']}：{first['message']}"
        if len(details) > 1:
            message += f"（另有 {len(details) - 1} 項錯誤）"
        raise ApiError(code, message, details=details)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_text(body: Any) -> None:
    """No unpaired surrogates, no NUL (neither can be stored); bounded nesting."""
    stack = [(body, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ApiError("invalid_json", f"請求內容巢狀層數不可超過 {MAX_DEPTH} 層")
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(
                    "invalid_json", "請求內容含有無效的 Unicode 字元（未成對的代理字元）"
                ) from None
            # Most text fields' schemas refuse NUL too; this also covers free-form ones.
            if "\x00" in value:
                raise ApiError("validation_error", "請求內容含有無法儲存的控制字元（NUL）")
        elif isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def read_body(component: str, *, optional: bool = False) -> dict[str, Any]:
    """The request's JSON object, validated against ``component`` (400/413/415 otherwise)."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise ApiError("payload_too_large", f"請求內容不可超過 {MAX_BODY // 1024} KB")
    raw = request.stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise ApiError("payload_too_large", f"請求內容不可超過 {MAX_BODY // 1024} KB")
    if not raw.strip():
        if optional:
            return {}
        raise ApiError("validation_error", "請求內容須為 JSON 物件")
    if not request.is_json:
        raise ApiError("unsupported_media_type")
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ApiError("invalid_json", details={"reason": str(exc)[:200]}) from exc
    _check_text(body)
    if not isinstance(body, dict):
        raise ApiError("validation_error", "請求內容須為 JSON 物件")
    check(component, body)
    return body


_QUERY_VALIDATORS: dict[str, Draft202012Validator] = {}


def read_query(
    operation_id: str, parameters: Mapping[str, dict[str, Any]], args: Mapping[str, str]
) -> dict[str, Any]:
    """Typed query parameters (unknown names refused) validated against their schemas."""
    values: dict[str, Any] = {}
    details = []
    for name in args:
        schema = parameters.get(name)
        if schema is None:
            details.append(
                {"field": name, "rule": "additionalProperties", "message": "不支援的查詢參數"}
            )
            continue
        raw = args[name]
        if raw == "":
            continue
        try:
            values[name] = _convert(raw, schema)
        except ValueError:
            kind = TYPE_WORDS.get(schema.get("type", ""), "字串")
            details.append({"field": name, "rule": "type", "message": f"型別不正確，應為{kind}"})
    if details:
        first = details[0]
        raise ApiError(
            "invalid_query", f"查詢參數 {first['field']}：{first['message']}", details=details
        )
    checker = _QUERY_VALIDATORS.get(operation_id)
    if checker is None:
        schema = {"type": "object", "additionalProperties": False, "properties": parameters}
        checker = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        _QUERY_VALIDATORS[operation_id] = checker
    raise_for(checker, values, "invalid_query")
    return values


def _convert(raw: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        if not _INTEGER.fullmatch(raw):
            raise ValueError(raw)
        return int(raw)
    if kind == "boolean":
        if raw.lower() not in _BOOLEANS:
            raise ValueError(raw)
        return _BOOLEANS[raw.lower()]
    return raw


def as_date(value: str) -> date:
    """An ISO date the schema has already checked."""
    return date.fromisoformat(value)
