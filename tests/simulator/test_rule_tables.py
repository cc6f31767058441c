"""Both tables of LINE's rules, the simulator's and the product's, held against LINE.

The two are written apart on purpose, so that a misread limit is not wrong on both sides.
Here each figure is compared with LINE's OpenAPI spec where the spec states it, with
DESIGN.md's "LINE platform facts" where the spec is silent, and the two tables with each
other everywhere. Tests that read the shared folder skip without it locally and fail
without it under CI.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import pytest
from linebot.v3.messaging import models as sdk_models

from lianping.line.limits import LIMITS, RICH_MENU_MIN_ASPECT
from lianping_dev.simulator import api_resources, line_rules
from lianping_dev.simulator.line_rules import RULES, Rule
from tests import line_spec

SEND_REQUESTS = (
    "ReplyMessageRequest",
    "PushMessageRequest",
    "MulticastRequest",
    "BroadcastRequest",
    "NarrowcastRequest",
)
# The request bodies the simulator checks, by their schema in messaging-api.yml.
CHECKED_BODIES = (*SEND_REQUESTS, "RichMenuRequest", "ShowLoadingAnimationRequest")
UPPER = frozenset({"maxItems", "maxLength", "maximum"})
LOWER = frozenset({"minItems", "minLength", "minimum"})


class SpecLimit(NamedTuple):
    """A bound the spec states: where, the simulator's rule for it, the product's entry."""

    schema: str
    prop: str
    keyword: str
    rule: str
    product: str | None = None

    def __str__(self) -> str:
        return f"{self.schema}.{self.prop} {self.keyword}"


# Bounds the spec states exactly as LINE enforces them.
SPEC_LIMITS = (
    *(SpecLimit(r, "messages", "maxItems", "messages", "messages_per_request")
      for r in SEND_REQUESTS),
    *(SpecLimit(r, "messages", "minItems", "messages") for r in SEND_REQUESTS),
    SpecLimit("MulticastRequest", "to", "maxItems", "multicast_to", "multicast_recipients"),
    SpecLimit("MulticastRequest", "to", "minItems", "multicast_to"),
    SpecLimit("QuickReply", "items", "maxItems", "quick_reply_items", "quick_reply_items"),
    SpecLimit("QuickReplyItem", "imageUrl", "maxLength", "image_url_length", "image_url_chars"),
    SpecLimit("PostbackAction", "data", "maxLength", "action_data", "postback_data_chars"),
    SpecLimit("DatetimePickerAction", "data", "maxLength", "action_data", "postback_data_chars"),
    SpecLimit("RichMenuSwitchAction", "data", "maxLength", "action_data", "postback_data_chars"),
    SpecLimit("AltUri", "desktop", "maxLength", "alt_uri_desktop"),
    SpecLimit("Sender", "name", "maxLength", "sender_name"),
    SpecLimit("Sender", "iconUrl", "maxLength", "sender_icon_url_length"),
    SpecLimit("RichMenuRequest", "name", "maxLength", "rich_menu_name"),
    SpecLimit("RichMenuRequest", "chatBarText", "maxLength", "chat_bar_text",
              "rich_menu_chat_bar_text_chars"),
    # The request schema leaves the area count out; the menu LINE hands back states it.
    SpecLimit("RichMenuResponse", "areas", "maxItems", "rich_menu_areas", "rich_menu_areas"),
    SpecLimit("ShowLoadingAnimationRequest", "loadingSeconds", "minimum", "loading_seconds"),
    SpecLimit("ShowLoadingAnimationRequest", "loadingSeconds", "maximum", "loading_seconds"),
)  # fmt: skip

# The spec only bounds rich menu sizes to positive 32-bit integers; LINE's documented
# bounds must lie within those.
SPEC_RANGES = (
    SpecLimit("RichMenuSize", "width", "minimum", "rich_menu_width", "rich_menu_width_min"),
    SpecLimit("RichMenuSize", "width", "maximum", "rich_menu_width", "rich_menu_width_max"),
    SpecLimit("RichMenuSize", "height", "minimum", "rich_menu_height", "rich_menu_height_min"),
)

# Where the spec is silent, DESIGN.md states the figure: (its wording, unit, rule, product).
DESIGN_FACTS = (
    (r"at most (\d+) messages", 1, "messages", "messages_per_request"),
    (r"≤ ([\d,]+) user ids", 1, "multicast_to", "multicast_recipients"),
    (r"text ≤ ([\d,]+) UTF-16 units", 1, "text", "text_utf16_units"),
    (r"quick reply ≤ (\d+) items", 1, "quick_reply_items", "quick_reply_items"),
    (r"label ≤ (\d+) chars", 1, "action_label", "action_label_chars"),
    (r"postback data ≤ (\d+)", 1, "action_data", "postback_data_chars"),
    (r"Flex bubble ≤ (\d+) KB", 1024, "bubble_bytes", "flex_bubble_bytes"),
)

# Every entry of the product's table beside the simulator's rule for the same limit.
PAIRS = (
    ("messages_per_request", "messages", "high"),
    ("text_utf16_units", "text", "high"),
    ("quick_reply_items", "quick_reply_items", "high"),
    ("action_label_chars", "action_label", "high"),
    ("postback_data_chars", "action_data", "high"),
    ("display_text_chars", "display_text", "high"),
    ("flex_bubble_bytes", "bubble_bytes", "high"),
    ("flex_carousel_bubbles", "carousel_bubbles", "high"),
    ("flex_carousel_bytes", "carousel_bytes", "high"),
    ("image_url_chars", "image_url_length", "high"),
    ("image_url_chars", "flex_image_url_length", "high"),
    ("template_alt_text_chars", "template_alt_text", "high"),
    ("flex_alt_text_chars", "flex_alt_text", "high"),
    ("multicast_recipients", "multicast_to", "high"),
    ("rich_menu_areas", "rich_menu_areas", "high"),
    ("rich_menu_chat_bar_text_chars", "chat_bar_text", "high"),
    ("rich_menu_width_min", "rich_menu_width", "low"),
    ("rich_menu_width_max", "rich_menu_width", "high"),
    ("rich_menu_height_min", "rich_menu_height", "low"),
)

_SDK_BOUND_ATTRIBUTE = {
    "maxItems": "max_items",
    "minItems": "min_items",
    "maxLength": "max_length",
    "minLength": "min_length",
    "maximum": "le",
    "minimum": "ge",
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return line_spec.spec_document()


def _schema_bound(spec: dict[str, Any], schema: str, prop: str, keyword: str) -> Any:
    """``keyword`` of property ``prop`` of component ``schema`` (also inside its allOf)."""
    node = spec["components"]["schemas"][schema]
    for part in (node, *node.get("allOf", [])):
        found = (part.get("properties") or {}).get(prop, {})
        if keyword in found:
            return found[keyword]
    raise LookupError(f"the spec gives no {keyword} for {schema}.{prop}")


def _rule_bound(rule: Rule, keyword: str) -> float | None:
    return rule.high if keyword in UPPER else rule.low


@pytest.mark.parametrize("limit", SPEC_LIMITS, ids=str)
def test_both_tables_hold_the_specs_figure(spec: dict[str, Any], limit: SpecLimit) -> None:
    stated = _schema_bound(spec, limit.schema, limit.prop, limit.keyword)

    assert _rule_bound(RULES[limit.rule], limit.keyword) == stated
    if limit.product is not None:
        assert LIMITS[limit.product] == stated


@pytest.mark.parametrize("limit", SPEC_RANGES, ids=str)
def test_documented_bounds_lie_within_the_specs(spec: dict[str, Any], limit: SpecLimit) -> None:
    stated = _schema_bound(spec, limit.schema, limit.prop, limit.keyword)
    assert limit.product is not None
    for figure in (_rule_bound(RULES[limit.rule], limit.keyword), LIMITS[limit.product]):
        assert figure is not None
        assert (figure <= stated) if limit.keyword in UPPER else (figure >= stated)


def _referenced(node: Any) -> set[str]:
    """Component names ``node`` refers to, by ``$ref`` or by a discriminator's mapping."""
    names: set[str] = set()
    if isinstance(node, list):
        for item in node:
            names |= _referenced(item)
    if not isinstance(node, dict):
        return names
    for key, value in node.items():
        if key == "$ref":
            names.add(value.rsplit("/", 1)[-1])
        elif key == "mapping":
            names |= {ref.rsplit("/", 1)[-1] for ref in value.values()}
        else:
            names |= _referenced(value)
    return names


def _bounds_in_reach(spec: dict[str, Any], roots: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Every ``(schema, property, keyword, figure)`` the spec sets below ``roots``."""
    schemas = spec["components"]["schemas"]
    reached, pending = set(), list(roots)
    while pending:
        name = pending.pop()
        if name not in reached:
            reached.add(name)
            pending.extend(_referenced(schemas[name]))
    found = []
    for name in sorted(reached):
        for part in (schemas[name], *schemas[name].get("allOf", [])):
            for prop, schema in (part.get("properties") or {}).items():
                for keyword in sorted((UPPER | LOWER) & schema.keys()):
                    # A lower bound of 0 on a length or a count bounds nothing.
                    if keyword in UPPER or schema[keyword] != 0:
                        found.append((name, prop, keyword, schema[keyword]))
    return found


def _sdk_bound(schema: str, prop: str, keyword: str) -> Any:
    """The bound line-bot-sdk's model for ``schema`` puts on ``prop``, if any."""
    model = getattr(sdk_models, schema)
    field = next(f for f in model.__fields__.values() if f.alias == prop)
    attribute = _SDK_BOUND_ATTRIBUTE[keyword]
    for constrained in (field.outer_type_, field.type_):
        if getattr(constrained, attribute, None) is not None:
            return getattr(constrained, attribute)
    return None


def test_every_bound_the_spec_sets_on_checked_bodies_is_enforced(spec: dict[str, Any]) -> None:
    """What the simulator's table does not hold, line-bot-sdk's models must (same figure)."""
    held = {(s.schema, s.prop, s.keyword) for s in (*SPEC_LIMITS, *SPEC_RANGES)}
    bounds = _bounds_in_reach(spec, CHECKED_BODIES)
    unenforced = [
        f"{schema}.{prop} {keyword}={figure} (the SDK's model: {_sdk_bound(schema, prop, keyword)})"
        for schema, prop, keyword, figure in bounds
        if (schema, prop, keyword) not in held and _sdk_bound(schema, prop, keyword) != figure
    ]

    assert len(bounds) > 30, "the walk through the spec found too little to be trusted"
    assert unenforced == []


def test_action_types_are_the_specs(spec: dict[str, Any]) -> None:
    mapping = spec["components"]["schemas"]["Action"]["discriminator"]["mapping"]
    assert sorted(line_rules.ACTION_TYPES) == sorted(mapping)


def test_follower_id_pages_are_the_specs(spec: dict[str, Any]) -> None:
    parameters = spec["paths"]["/v2/bot/followers/ids"]["get"]["parameters"]
    (limit,) = [p["schema"] for p in parameters if p["name"] == "limit"]
    assert limit["maximum"] == api_resources.FOLLOWERS_PAGE_MAX
    assert limit["default"] == api_resources.FOLLOWERS_PAGE_DEFAULT


def _platform_facts() -> str:
    line_spec.require_shared(line_spec.DESIGN)
    text = line_spec.DESIGN.read_text(encoding="utf-8")
    section = text.split("## LINE platform facts", 1)[1].split("\n## ", 1)[0]
    return " ".join(section.split())


@pytest.mark.parametrize(
    ("wording", "unit", "rule", "product"), DESIGN_FACTS, ids=[f[2] for f in DESIGN_FACTS]
)
def test_both_tables_hold_the_figure_design_states(
    wording: str, unit: int, rule: str, product: str
) -> None:
    match = re.search(wording, _platform_facts())
    assert match, f"DESIGN.md's LINE platform facts no longer say /{wording}/"
    stated = int(match.group(1).replace(",", "")) * unit

    assert RULES[rule].high == stated
    assert LIMITS[product] == stated


@pytest.mark.parametrize(("product", "rule", "bound"), PAIRS, ids=str)
def test_the_tables_agree(product: str, rule: str, bound: str) -> None:
    assert getattr(RULES[rule], bound) == LIMITS[product]


def test_every_entry_of_both_tables_is_compared() -> None:
    # The image size is compared on its own, below, as is the aspect ratio.
    assert {product for product, _, _ in PAIRS} | {"rich_menu_image_bytes"} == set(LIMITS)
    compared = {rule for _, rule, _ in PAIRS} | {s.rule for s in (*SPEC_LIMITS, *SPEC_RANGES)}
    bounded = {
        name
        for name, rule in RULES.items()
        if rule.measure not in (line_rules.presence, line_rules.secure_url)
    }
    assert bounded - compared == {"rich_menu_aspect"}


def test_rich_menu_aspect_and_image_size_agree() -> None:
    assert RULES["rich_menu_aspect"].low == RICH_MENU_MIN_ASPECT
    assert LIMITS["rich_menu_image_bytes"] == line_rules.RICH_MENU_IMAGE_BYTES
