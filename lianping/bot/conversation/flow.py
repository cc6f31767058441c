"""The order of the report's steps, which of them apply, and the fields 修改 can jump to."""

from __future__ import annotations

from lianping import codes
from lianping.bot.conversation import draft as drafts
from lianping.bot.conversation.model import State
from lianping.bot.conversation.state import REPORT, TIP, draft_of

# A report and a tip differ only in how they begin.
_FROM_DESCRIPTION = (
    "description",
    "location",
    "photos",
    "contact",
    "contact_details",
    "address",
    "occupation",
    "summary",
)
# The 個資法 §8 notice comes before the first question that collects anything. A report
# ends with the optional question whether its outcome may be published; a tip never asks.
ORDER = {
    REPORT: (
        "notice",
        "nature",
        "sub_item",
        "theme",
        *_FROM_DESCRIPTION[:-1],
        "publication",
        "summary",
    ),
    TIP: ("notice", "tip", *_FROM_DESCRIPTION),
}
# Steps that work on a draft; the rest are idle, offer_text, resume and supplement.
DRAFT_STEPS = frozenset({*ORDER[REPORT], *ORDER[TIP], "edit"})

# 修改 choices: the steps each one walks through before returning to the summary. The notice
# is not a choice: it is only asked again for a draft begun before it came first.
EDIT_GROUPS: dict[str, tuple[str, ...]] = {
    "notice": ("notice",),
    "category": ("nature", "sub_item"),
    "theme": ("theme",),
    "description": ("description",),
    "location": ("location",),
    "photos": ("photos",),
    "contact": ("contact", "contact_details", "address", "occupation"),
    "publication": ("publication",),
}
EDITABLE = {
    REPORT: ("category", "theme", "description", "location", "photos", "contact", "publication"),
    TIP: ("description", "location", "photos", "contact"),
}


def flow_of(state: State) -> str:
    """The flow the conversation is in (report or tip)."""
    return TIP if state.get("flow") == TIP else REPORT


def applies(step: str, state: State) -> bool:
    """Whether ``step`` is asked: location and photos only when none came with the description,
    personal details only when the resident leaves contact details."""
    draft = draft_of(state)
    if step == "location":
        return draft.get("location") is None
    if step == "photos":
        return not draft.get("photos")
    if step in ("contact_details", "address", "occupation"):
        return not draft.get("anonymous")
    return True


def next_step(state: State, current: str) -> str:
    """The step after ``current``; while editing one field, the summary once it is done."""
    order = ORDER[flow_of(state)]
    later = order[order.index(current) + 1 :] if current in order else ("summary",)
    following = next((step for step in later if applies(step, state)), "summary")
    editing = state.get("editing")
    if editing in EDIT_GROUPS and following not in EDIT_GROUPS[editing]:
        return "summary"
    return following


def group_of(step: str) -> str | None:
    """The 修改 field a step belongs to."""
    return next((name for name, steps in EDIT_GROUPS.items() if step in steps), None)


def missing_step(state: State) -> str | None:
    """The first step whose required answer is missing (None when the report can be sent)."""
    draft = draft_of(state)
    if flow_of(state) == REPORT:
        if draft.get("nature") not in (codes.NEED, codes.REFORM):
            return "nature"
        item = codes.SUB_ITEMS.get(str(draft.get("sub_item")))
        if item is None or item.nature != draft["nature"]:
            return "sub_item"
    if not isinstance(draft.get("notice_version"), int):
        return "notice"
    if not drafts.description_long_enough(draft):
        return "description"
    if not isinstance(draft.get("anonymous"), bool):
        return "contact"
    if not draft.get("anonymous") and not (draft.get("name") and draft.get("phone")):
        return "contact_details"
    return None
