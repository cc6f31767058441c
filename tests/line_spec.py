"""Validate request bodies and webhook events against LINE's own OpenAPI documents.

LINE's specs live outside the repository (``../shared/line-openapi``, or
``$LIANPING_SHARED_DIR/line-openapi``). Tests that need them skip when they are absent,
except under CI (``CI`` set to ``true`` or ``1``), where the absence fails them:
:func:`shared_present` is the one place that rule lives.

OpenAPI 3.0 schemas are turned into JSON Schema (2020-12) here: ``$ref`` points into
``$defs``, ``nullable`` widens ``type``, ``allOf`` is kept, and ``discriminator`` — which
JSON Schema does not know — becomes an explicit dispatch: the parent's definition checks
the discriminator value and applies the mapped subtype, whose own ``allOf`` reference to
the parent is redirected to the parent's plain ("base") properties so the dispatch does
not recurse. The simulator's own table of
LINE's rules (``lianping_dev.simulator.line_rules``) is applied on top, so what the
product sends is judged by rules written apart from the product's own.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from lianping_dev.simulator import line_rules

# The shared folder sits beside the checkout; LIANPING_SHARED_DIR names another one.
SHARED_DIR = Path(
    os.environ.get("LIANPING_SHARED_DIR") or Path(__file__).resolve().parents[2] / "shared"
)
SPEC_DIR = SHARED_DIR / "line-openapi"
MESSAGING_SPEC = SPEC_DIR / "messaging-api.yml"
WEBHOOK_SPEC = SPEC_DIR / "webhook.yml"
DESIGN = SHARED_DIR / "DESIGN.md"

_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "patch"})
_REF_PREFIX = "#/components/schemas/"
_BASE_SUFFIX = "__base"
# OpenAPI-only keywords that JSON Schema would ignore or misread.
_DROPPED = frozenset({"discriminator", "externalDocs", "example", "examples", "nullable", "xml"})


def in_ci() -> bool:
    """Whether this is a CI run (``CI`` is ``true`` or ``1``)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def shared_present(*paths: Path) -> bool:
    """Whether all of ``paths`` (files of the shared folder) are there.

    Under CI a missing one fails the calling test or fixture, naming it: a check that
    reads the shared folder must never switch itself off there. Locally the answer is
    False and the caller skips (or leaves its check out).
    """
    missing = [str(path) for path in paths if not path.is_file()]
    if missing and in_ci():
        pytest.fail(
            f"CI run without {', '.join(missing)}: the shared folder must sit beside the "
            "checkout (or be named by LIANPING_SHARED_DIR)",
            pytrace=False,
        )
    return not missing


def require_shared(*paths: Path) -> None:
    """Skip the calling test when one of ``paths`` is missing; under CI, fail it instead."""
    if not shared_present(*paths):
        missing = ", ".join(str(path) for path in paths if not path.is_file())
        pytest.skip(f"not present: {missing} (the shared folder, or LIANPING_SHARED_DIR)")


def spec_available() -> bool:
    """Whether LINE's spec files are there (under CI their absence fails the caller)."""
    return shared_present(MESSAGING_SPEC, WEBHOOK_SPEC)


class SchemaSet:
    """All component schemas of one OpenAPI document, converted to one JSON Schema."""

    def __init__(self, components: dict[str, Any]) -> None:
        self._source = components
        defs: dict[str, Any] = {}
        for name, schema in components.items():
            discriminator = schema.get("discriminator")
            if discriminator:
                defs[name + _BASE_SUFFIX] = self._convert(schema, owner=name)
                defs[name] = self._dispatch(name, discriminator)
            else:
                defs[name] = self._convert(schema, owner=name)
        self.defs = defs

    def validator(self, name: str) -> jsonschema.Draft202012Validator:
        """A validator for component ``name``."""
        schema = {"$defs": self.defs, "$ref": f"#/$defs/{name}"}
        return jsonschema.Draft202012Validator(schema)

    def validator_for(self, schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
        """A validator for an inline OpenAPI schema (e.g. a request body's)."""
        converted = self._convert(schema, owner=None)
        return jsonschema.Draft202012Validator({"$defs": self.defs, **converted})

    def _dispatch(self, name: str, discriminator: dict[str, Any]) -> dict[str, Any]:
        prop = discriminator["propertyName"]
        mapping = {
            value: ref.removeprefix(_REF_PREFIX) for value, ref in discriminator["mapping"].items()
        }
        branches = [
            {
                "if": {"properties": {prop: {"const": value}}, "required": [prop]},
                "then": {"$ref": f"#/$defs/{target}"},
            }
            for value, target in mapping.items()
        ]
        return {
            "allOf": [
                {"$ref": f"#/$defs/{name}{_BASE_SUFFIX}"},
                {"required": [prop], "properties": {prop: {"enum": sorted(mapping)}}},
                *branches,
            ]
        }

    def _convert(self, node: Any, owner: str | None, in_all_of: bool = False) -> Any:
        if isinstance(node, list):
            return [self._convert(item, owner, in_all_of) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = node["$ref"].removeprefix(_REF_PREFIX)
            # A subtype's allOf names its parent: take the parent's plain properties,
            # not its dispatch, or validation would loop back into the subtype.
            if in_all_of and self._source.get(target, {}).get("discriminator"):
                return {"$ref": f"#/$defs/{target}{_BASE_SUFFIX}"}
            return {"$ref": f"#/$defs/{target}"}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _DROPPED:
                continue
            if key == "allOf":
                out[key] = [self._convert(item, owner, in_all_of=True) for item in value]
            elif key == "properties":
                out[key] = {p: self._convert(s, owner) for p, s in value.items()}
            elif key in ("items", "additionalProperties", "not"):
                out[key] = self._convert(value, owner)
            elif key in ("oneOf", "anyOf"):
                out[key] = [self._convert(item, owner) for item in value]
            else:
                out[key] = value
        if node.get("nullable") and "type" in out:
            out["type"] = [out["type"], "null"]
        return out


def _format_error(error: jsonschema.ValidationError) -> str:
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    # Long instances (a 501-id list) would flood the message: name the rule instead.
    message = (
        error.message
        if len(error.message) <= 200
        else (f"violates {error.validator}={error.validator_value!r}")
    )
    return f"{path or '(body)'}: {message}"


def _unique(errors: list[str]) -> list[str]:
    # A parent's base and its dispatch can both flag the same missing discriminator.
    return list(dict.fromkeys(errors))


class SpecValidator:
    """Request body validation for the Messaging API operations."""

    def __init__(self, spec_path: Path = MESSAGING_SPEC) -> None:
        document = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        self.schemas = SchemaSet(document["components"]["schemas"])
        self._operations: list[tuple[re.Pattern[str], str, dict[str, Any] | None]] = []
        for template, item in document["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^/]+\}", "[^/]+", template) + "$")
            for method, operation in item.items():
                if method.lower() not in _HTTP_METHODS:
                    continue
                body = operation.get("requestBody", {}).get("content", {})
                schema = body.get("application/json", {}).get("schema")
                self._operations.append((pattern, method.lower(), schema))

    def request_schema(self, method: str, path: str) -> dict[str, Any] | None:
        """The JSON request body schema of the operation matching ``method path``."""
        matches = [
            (pattern, schema)
            for pattern, verb, schema in self._operations
            if verb == method.lower() and pattern.match(path)
        ]
        if not matches:
            raise LookupError(f"no operation {method.upper()} {path} in the spec")
        # Prefer a literal path over a template (e.g. /richmenu/list over /richmenu/{id}).
        matches.sort(key=lambda m: m[0].pattern.count("[^/]+"))
        return matches[0][1]

    def validate(self, method: str, path: str, body: Any) -> list[str]:
        """Errors in ``body`` for ``method path``: spec violations then limit violations."""
        try:
            schema = self.request_schema(method, path)
        except LookupError as error:
            return [str(error)]
        if schema is None:
            return []
        validator = self.schemas.validator_for(schema)
        errors = _unique([_format_error(e) for e in validator.iter_errors(body)])
        return errors + [f"{v.property}: {v.message}" for v in _limit_violations(path, body)]


def _limit_violations(path: str, body: Any) -> list[line_rules.Detail]:
    if path.rstrip("/").endswith("/richmenu"):
        return line_rules.check_rich_menu(body)
    if path.endswith("/chat/loading/start"):
        return line_rules.check(line_rules.LOADING, body)
    return line_rules.check(line_rules.SEND, body)


class WebhookValidator:
    """Validation of webhook bodies and events against ``webhook.yml``."""

    def __init__(self, spec_path: Path = WEBHOOK_SPEC) -> None:
        document = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
        self.schemas = SchemaSet(document["components"]["schemas"])
        self._event = self.schemas.validator("Event")
        self._body = self.schemas.validator("CallbackRequest")

    def validate_event(self, event: Any) -> list[str]:
        """Errors in one webhook event object."""
        return _unique([_format_error(e) for e in self._event.iter_errors(event)])

    def validate_body(self, body: Any) -> list[str]:
        """Errors in a whole webhook request body (``destination`` + ``events``)."""
        return _unique([_format_error(e) for e in self._body.iter_errors(body)])


def messaging_spec() -> SpecValidator:
    """The Messaging API spec from the shared folder (loaded once); skips when it is absent."""
    require_shared(MESSAGING_SPEC)
    return _loaded(SpecValidator, MESSAGING_SPEC)


def webhook_spec() -> WebhookValidator:
    """The webhook spec from the shared folder (loaded once); skips when it is absent."""
    require_shared(WEBHOOK_SPEC)
    return _loaded(WebhookValidator, WEBHOOK_SPEC)


def spec_document() -> dict[str, Any]:
    """The Messaging API spec as plain data; skips when it is absent."""
    require_shared(MESSAGING_SPEC)
    return _loaded(_yaml, MESSAGING_SPEC)


@functools.cache
def _loaded(kind: Any, path: Path) -> Any:
    return kind(path)


def _yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def validate(method: str, path: str, body: Any) -> list[str]:
    """Errors in a Messaging API request body, per LINE's spec and the limits table."""
    return messaging_spec().validate(method, path, body)


def validate_webhook_event(event: Any) -> list[str]:
    """Errors in a webhook event object, per LINE's webhook spec."""
    return webhook_spec().validate_event(event)
