"""The 廉政宣導 menu's list of the latest promotions sent: a carousel, one bubble each.

Each bubble shows the broadcast's title, its date (ROC) and the start of its
first text, card or quiz; it does not send the broadcast again.
"""

from __future__ import annotations

from typing import Any

from lianping import rocdate
from lianping.bot import messages, texts
from lianping.bot.messages import Message
from lianping.line.limits import LIMITS
from lianping.storage.models import Broadcast

EXCERPT = 120
# Secondary text: 5.7:1 on the white bubble (WCAG 2.1 AA asks 4.5:1; the old mid grey was 3.5:1).
_MUTED = "#666666"
_ACCENT = "#1B5E20"


def excerpt(broadcast: Broadcast) -> str:
    """The words of the broadcast's first text, card or quiz, cut at ``EXCERPT`` characters."""
    words = ""
    for message in broadcast.messages or []:
        kind = message.get("type")
        if kind == "text":
            words = str(message.get("text") or "")
        elif kind == "card":
            words = f"{message.get('title') or ''}\n{message.get('body') or ''}".strip()
        elif kind == "quiz":
            words = texts.QUIZ_ALT.format(question=message.get("question") or "")
        if words:
            break
    words = words.strip()
    return words if len(words) <= EXCERPT else words[: EXCERPT - 1] + "…"


def _text(body: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": body or " ", "wrap": True, **style}


def _bubble(broadcast: Broadcast) -> dict[str, Any]:
    sent_at = broadcast.started_at or broadcast.created_at
    contents = [
        _text(texts.PROMOTIONS_HEADER, size="xs", color=_ACCENT, weight="bold"),
        _text(broadcast.title, size="md", weight="bold"),
        _text(
            texts.PROMOTION_SENT_ON.format(date=rocdate.roc_date(sent_at)), size="xs", color=_MUTED
        ),
    ]
    words = excerpt(broadcast)
    if words:
        contents.append(_text(words, size="sm", margin="md"))
    return {
        "type": "bubble",
        "size": "kilo",
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": contents},
    }


def carousel(broadcasts: list[Broadcast]) -> list[Message]:
    """The promotions as one carousel with the main menu (nothing when there are none)."""
    if not broadcasts:
        return []
    kept = broadcasts[: LIMITS["flex_carousel_bubbles"]]
    shown = {"type": "carousel", "contents": [_bubble(item) for item in kept]}
    alt = texts.PROMOTIONS_ALT.format(count=len(shown["contents"]))
    return [messages.with_quick_replies(messages.flex(alt, shown), messages.main_menu_items())]
