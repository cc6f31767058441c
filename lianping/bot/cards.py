"""Cards the resident reads about reports and cases: pure builders of LINE messages.

The engine shows ``report_summary`` before a report is sent; the dispatcher uses
the others once it has carried out an effect (CreateCase, ListCases, ShowCase,
AddToCase). Every date goes through ``rocdate``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lianping import codes, rocdate
from lianping.bot import messages, texts
from lianping.bot.messages import Message
from lianping.line.limits import LIMITS, utf16_units

MAX_BUBBLES = LIMITS["flex_carousel_bubbles"]
MAX_TEXT = LIMITS["text_utf16_units"]
# How much of the description the summary card shows.
SUMMARY_EXCERPT = 100
# A case card shows this much of the resident's own words: enough to tell cases apart.
CARD_EXCERPT = 40
# One timeline entry is a line or two, never the whole message.
TIMELINE_ENTRY_MAX = 1000
# Secondary text: 5.7:1 on the white bubble (WCAG 2.1 AA asks 4.5:1; the old mid grey was 3.5:1).
_MUTED = "#666666"
_AFTER_FULL_WIDTH_PUNCTUATION = re.compile(r"(?<=[，。、；：！？）」』])\s+")


@dataclass(frozen=True)
class CaseCard:
    """What a resident may see of one of their cases."""

    number: str
    nature: str
    sub_item: str | None
    status: str
    updated_at: datetime
    due_at: datetime | None  # None: no answer date is promised any more (or ever, for a tip)
    is_open: bool
    description: str = ""
    withdrawable: bool = False  # the resident may still withdraw it (撤回)
    awaiting_details: bool = False  # the agency asked for 補陳; the answer clock is paused


@dataclass(frozen=True)
class TimelineEntry:
    """One public event on a case's timeline."""

    at: datetime
    text: str


# -- Flex parts ---------------------------------------------------------------------


def _text(body: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": body or " ", "wrap": True, **style}


def _row(label: str, value: str) -> dict[str, Any]:
    return {
        "type": "box",
        "layout": "baseline",
        "spacing": "sm",
        "contents": [
            _text(label, size="sm", color=_MUTED, flex=2),
            _text(value, size="sm", flex=6),
        ],
    }


def _bubble(title: str, rows: list[dict[str, Any]], footer: list[dict[str, Any]]) -> dict:
    bubble: dict[str, Any] = {
        "type": "bubble",
        "header": {
            "type": "box",
            "layout": "vertical",
            "contents": [_text(title, weight="bold", size="md")],
        },
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": rows},
    }
    if footer:
        bubble["footer"] = {
            "type": "box",
            "layout": "vertical",
            "spacing": "sm",
            "contents": footer,
        }
    return bubble


def _button(label: str, data: str, display_text: str, primary: bool = False) -> dict[str, Any]:
    return {
        "type": "button",
        "style": "primary" if primary else "secondary",
        "height": "sm",
        "action": messages.postback_action(label, data, display_text),
    }


def _one_line(value: str) -> str:
    # Line breaks become spaces, except after full-width punctuation, which needs none.
    return " ".join(_AFTER_FULL_WIDTH_PUNCTUATION.sub("", value).split())


def _excerpt(value: str, limit: int) -> str:
    value = value.strip()
    return value if len(value) <= limit else value[:limit] + "…"


# -- the report before it is sent ------------------------------------------------------


def _contact_words(draft: dict[str, Any]) -> str:
    if draft.get("anonymous"):
        return texts.ANONYMOUS
    name = str(draft.get("name") or "")
    if draft.get("occupation"):
        name = f"{name}（{draft['occupation']}）"
    parts = [name, str(draft.get("phone_display") or ""), str(draft.get("address") or "")]
    return "\n".join(part for part in parts if part) or texts.NONE_GIVEN


def place_words(location: dict[str, Any] | None) -> str:
    """How a draft's location reads: its title and address, or else its coordinates."""
    if not location:
        return texts.NONE_GIVEN
    words = " ".join(str(part) for part in (location.get("title"), location.get("address")) if part)
    return words or f"{location['latitude']:.5f}, {location['longitude']:.5f}"


def report_summary(draft: dict[str, Any], due_days: int) -> Message:
    """The summary card of a draft report (a Flex bubble) with the expected answer time."""
    is_tip = draft.get("nature") == codes.TIP
    rows = [_row(texts.FIELD_NATURE, codes.NATURES.get(str(draft.get("nature")), ""))]
    sub_item = codes.SUB_ITEMS.get(str(draft.get("sub_item")))
    if sub_item is not None:
        rows.append(_row(texts.FIELD_SUB_ITEM, sub_item.plain))
    if not is_tip:
        theme = codes.THEMES.get(str(draft.get("theme")), texts.NONE_GIVEN)
        rows.append(_row(texts.FIELD_THEME, theme))
    description = str(draft.get("description") or "")
    rows.append(_row(texts.FIELD_DESCRIPTION, _excerpt(description, SUMMARY_EXCERPT)))
    media = texts.PHOTOS_COUNT.format(count=len(draft.get("photos") or []))
    if draft.get("attachments"):
        media += texts.ATTACHMENTS_COUNT.format(count=len(draft["attachments"]))
    rows.append(_row(texts.FIELD_PHOTOS, media))
    rows.append(_row(texts.FIELD_LOCATION, place_words(draft.get("location"))))
    rows.append(_row(texts.FIELD_CONTACT, _contact_words(draft)))
    if not is_tip:  # a tip is never published, so never asked
        agreed = draft.get("publish_consent") is True
        rows.append(_row(texts.FIELD_PUBLISH, texts.PUBLISH_YES if agreed else texts.PUBLISH_NO))
    if not is_tip:  # a tip is promised notices, never an answer date
        rows.append(_row(texts.FIELD_DUE, texts.DUE_IN_DAYS.format(days=due_days)))
    title = texts.SUMMARY_TITLE_TIP if is_tip else texts.SUMMARY_TITLE
    alt = texts.SUMMARY_ALT_TIP if is_tip else texts.SUMMARY_ALT
    return messages.flex(alt, _bubble(title, rows, []))


# -- after the dispatcher has acted ------------------------------------------------------


def case_created(
    number: str, nature: str, due_at: datetime, anonymous: bool, acceptance_days: int
) -> list[Message]:
    """The case number, what happens next, when the resident hears back (a report: the answer
    date; a tip: the 受理 notice's time limit), and where to follow it."""
    template = texts.CASE_CREATED_TIP if nature == codes.TIP else texts.CASE_CREATED
    body = template.format(
        number=number, due=rocdate.roc_date(due_at), acceptance_days=acceptance_days
    )
    if anonymous:
        body = f"{body}\n{texts.CASE_CREATED_ANONYMOUS}"
    return [messages.with_menu(body)]


def _case_bubble(card: CaseCard) -> dict[str, Any]:
    # One line of the resident's own words, so that several cases can be told apart.
    excerpt = _excerpt(_one_line(card.description), CARD_EXCERPT)
    rows = [
        _text(excerpt, size="sm", maxLines=2),
        _row(texts.FIELD_NATURE, codes.NATURES.get(card.nature, card.nature)),
        _text(codes.STATUS_FOR_RESIDENTS.get(card.status, card.status), weight="bold"),
        _text(texts.CASE_UPDATED.format(date=rocdate.roc_date(card.updated_at)), size="sm"),
    ]
    if card.awaiting_details:
        rows.append(_text(texts.CASE_AWAITING_DETAILS, size="sm"))
    elif card.due_at is not None:
        due = texts.CASE_DUE.format(date=rocdate.roc_date(card.due_at))
        rows.append(_text(due, size="sm", color=_MUTED))
    footer = [
        _button(
            texts.LABEL_VIEW_CASE,
            f"a=case&n={card.number}",
            f"{texts.LABEL_VIEW_CASE} {card.number}",
            primary=True,
        )
    ]
    if card.is_open:
        footer.append(
            _button(
                texts.LABEL_SUPPLEMENT,
                f"a=supplement&n={card.number}",
                f"{texts.LABEL_SUPPLEMENT} {card.number}",
            )
        )
    if card.withdrawable:
        footer.append(
            _button(
                texts.LABEL_WITHDRAW,
                f"a=withdraw&n={card.number}",
                f"{texts.LABEL_WITHDRAW} {card.number}",
            )
        )
    return _bubble(card.number, rows, footer)


def case_list(cards: list[CaseCard]) -> list[Message]:
    """The resident's cases as a carousel, most recently updated first (at most 12)."""
    if not cards:
        return [messages.with_menu(texts.CASES_NONE)]
    newest = sorted(cards, key=lambda card: card.updated_at, reverse=True)[:MAX_BUBBLES]
    carousel = {"type": "carousel", "contents": [_case_bubble(card) for card in newest]}
    alt = texts.CASES_ALT.format(count=len(newest))
    return [messages.with_quick_replies(messages.flex(alt, carousel), messages.main_menu_items())]


def case_detail(card: CaseCard, timeline: list[TimelineEntry]) -> list[Message]:
    """The case's status and public timeline (oldest first, newest last), within LINE's limits."""
    nature = codes.NATURES.get(card.nature, card.nature)
    status = codes.STATUS_FOR_RESIDENTS.get(card.status, card.status)
    head = [texts.CASE_DETAIL_HEAD.format(number=card.number, nature=nature, status=status)]
    if card.awaiting_details:
        head.append(texts.CASE_AWAITING_DETAILS)
    elif card.due_at is not None:
        head.append(texts.CASE_DETAIL_DUE.format(date=rocdate.roc_date(card.due_at)))
    head.append(texts.CASE_TIMELINE_HEAD)
    lines = [
        f"{rocdate.roc_datetime(entry.at)} {_excerpt(entry.text, TIMELINE_ENTRY_MAX)}"
        for entry in sorted(timeline, key=lambda entry: entry.at)
    ] or [texts.CASE_TIMELINE_EMPTY]
    body = "\n".join([*head, *lines])
    # Too long for one message: the newest entries matter most, drop the oldest.
    while utf16_units(body) > MAX_TEXT and len(lines) > 1:
        lines.pop(0)
        body = "\n".join([*head, texts.CASE_TIMELINE_TRIMMED, *lines])
    items = messages.main_menu_items()
    if card.is_open:
        supplement = messages.postback_item(
            texts.LABEL_SUPPLEMENT,
            f"a=supplement&n={card.number}",
            f"{texts.LABEL_SUPPLEMENT} {card.number}",
        )
        items = [supplement, *items]
    return [messages.text(body, items)]


def supplement_added(number: str) -> Message:
    """A short acknowledgement of one 補充說明; 完成 is a typed word, valid without a token."""
    done = messages.message_item(texts.LABEL_DONE)
    return messages.text(texts.SUPPLEMENT_ADDED.format(number=number), [done])


def supplement_refused(number: str) -> Message:
    """The case is not the resident's, or is closed: nothing was added."""
    return messages.with_menu(texts.SUPPLEMENT_REFUSED.format(number=number))
