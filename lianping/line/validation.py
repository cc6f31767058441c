"""Request body validation with line-bot-sdk's own models plus the limits table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from linebot.v3.messaging.models import Message
from pydantic.v1 import ValidationError

from lianping.line import limits
from lianping.line.limits import Violation

# pydantic's wording for "absent" is mapped to LINE's.
_MISSING_CODES = frozenset({"value_error.missing", "type_error.none.not_allowed"})


def validate_body(model: Any, body: Any) -> list[Violation]:
    """Check ``body`` against an SDK request model (e.g. ``PushMessageRequest``) and limits.

    Messages are first parsed one by one so an error can be pinned to ``messages[i]``;
    the whole request is parsed only when every message is sound, so one mistake is
    not reported twice.
    """
    if not isinstance(body, dict):
        return [Violation("", "The request body must be a JSON object")]
    found: list[Violation] = []
    messages = body.get("messages")
    if isinstance(messages, list):
        for index, message in enumerate(messages):
            found += model_errors(Message, message, f"messages[{index}]")
    if not found:
        found += model_errors(model, body, "")
    extra = limits.check_messages(messages)
    if "to" in body:
        extra += limits.check_recipients(body["to"])
    # The models already enforce some sizes (e.g. five messages): report each property once.
    reported = {v.property for v in found}
    return found + [v for v in dict.fromkeys(extra) if v.property not in reported]


def model_errors(model: Any, value: Any, path: str) -> list[Violation]:
    """Parse ``value`` with ``model.from_dict`` (an SDK model class) into violations."""
    if not isinstance(value, dict):
        return [Violation(path, "Must be an object")]
    try:
        model.from_dict(value)
    except ValidationError as error:
        return [_from_pydantic(item, path) for item in error.errors()]
    except KeyError as error:
        # The SDK's discriminator lookup raises KeyError when ``type`` is absent.
        return [Violation(_join(path, str(error.args[0])), "Must be specified")]
    except (ValueError, TypeError, AttributeError) as error:
        # Unknown discriminator values and wrongly shaped nested values end up here.
        first_line = str(error).split(". Discriminator", 1)[0]
        return [Violation(path, first_line)]
    return []


def _from_pydantic(item: Mapping[str, Any], path: str) -> Violation:
    where = path
    for part in item["loc"]:
        where = f"{where}[{part}]" if isinstance(part, int) else _join(where, str(part))
    message = "Must be specified" if item["type"] in _MISSING_CODES else item["msg"]
    return Violation(where, message)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def error_body(found: list[Violation]) -> dict[str, Any]:
    """LINE's 400 body for a request with validation errors."""
    return {
        "message": f"The request body has {len(found)} error(s)",
        "details": [{"message": v.message, "property": v.property} for v in found],
    }
