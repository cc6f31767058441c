"""What a broadcast may hold: its title, 1–5 composed messages and an audience.

Every problem is reported (not just the first), in zh-TW and naming the message
number, so staff can fix a whole draft in one go. After our own rules the
messages are rendered and checked against LINE's models and size limits, so a
saved draft is one LINE will accept.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import codes
from lianping.bot import promotion_messages
from lianping.line.limits import LIMITS, LOOPBACK_HTTP, utf16_units
from lianping.storage import residents
from lianping.storage.models import Broadcast, PromotionImage

MAX_MESSAGES = LIMITS["messages_per_request"]
TITLE_MAX = 100  # Broadcast.title
TEXT_MAX_UTF16 = LIMITS["text_utf16_units"]
CARD_TITLE_MAX, CARD_BODY_MAX, LINK_URL_MAX = 40, 500, 1000
LINK_LABEL_MAX = LIMITS["action_label_chars"]  # the link is a button: a LINE action
QUESTION_MAX, CHOICE_MAX, EXPLANATION_MAX = 200, 20, 300
MIN_CHOICES, MAX_CHOICES = 2, 4
AREA_NAME_MAX, TAG_MAX, MAX_FILTER_VALUES = 20, 40, 200
# Rendering for the check needs some https base; its length barely matters (URLs ≤ 2000).
_CHECK_BASE = "https://lianping.invalid"

FIELDS: dict[str, set[str]] = {
    "text": {"type", "text"},
    "image": {"type", "image_id"},
    "card": {"type", "title", "body", "image_id", "link_label", "link_url"},
    "quiz": {"type", "question", "choices", "answer", "explanation"},
}
AUDIENCE_FIELDS: dict[str, set[str]] = {
    "all": {"kind"},
    "area": {"kind", "district", "villages"},
    "tag": {"kind", "tags"},
    "test": {"kind"},
}


class BroadcastInvalid(ValueError):
    """The broadcast cannot be saved or sent as it is; ``errors`` says why (zh-TW, one each)."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors))
        self.errors = errors


def _text_field(
    value: Any, name: str, high: int, *, low: int = 1, utf16: bool = False
) -> str | None:
    """The problem with a text field, if any (``name`` is how staff call it)."""
    if not isinstance(value, str):
        return f"{name}須為文字"
    size = utf16_units(value) if utf16 else len(value)
    if low and not value.strip():
        return f"{name}不可空白"
    if size > high:
        return f"{name}超過 {high:,} 字"
    if "\x00" in value:
        return f"{name}含有無效字元"
    return None


def _image_problem(session: Session, image_id: Any) -> str | None:
    if not isinstance(image_id, int) or isinstance(image_id, bool):
        return "請選擇圖片"
    if session.get(PromotionImage, image_id) is None:
        return "找不到選擇的圖片，請重新上傳"
    return None


def _https_url(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return "請填寫連結網址"
    if len(value) > LINK_URL_MAX:
        return f"連結網址超過 {LINK_URL_MAX:,} 字"
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        return "連結網址須為 https:// 開頭的完整網址"
    return None


def message_problems(session: Session, message: Any) -> list[str]:
    """Problems of one composed message (without the 「第 n 則」 prefix)."""
    if not isinstance(message, dict) or message.get("type") not in FIELDS:
        return ["訊息類型須為文字、圖片、圖文卡片或有獎徵答"]
    kind = message["type"]
    extra = set(message) - FIELDS[kind]
    found = [f"不接受的欄位 {name}" for name in sorted(extra)]
    if kind == "text":
        found.append(_text_field(message.get("text"), "文字", TEXT_MAX_UTF16, utf16=True) or "")
    elif kind == "image":
        found.append(_image_problem(session, message.get("image_id")) or "")
    elif kind == "card":
        found.append(_text_field(message.get("title"), "標題", CARD_TITLE_MAX) or "")
        found.append(_text_field(message.get("body"), "內文", CARD_BODY_MAX) or "")
        if message.get("image_id") is not None:
            found.append(_image_problem(session, message["image_id"]) or "")
        label, url = message.get("link_label"), message.get("link_url")
        if (label is None) != (url is None):
            found.append("連結按鈕的文字與網址須一併填寫")
        elif label is not None:
            found.append(_text_field(label, "按鈕文字", LINK_LABEL_MAX) or "")
            found.append(_https_url(url) or "")
    else:
        found += _quiz_problems(message)
    return [problem for problem in found if problem]


def _quiz_problems(message: dict[str, Any]) -> list[str]:
    found = [_text_field(message.get("question"), "題目", QUESTION_MAX) or ""]
    choices = message.get("choices")
    if not isinstance(choices, list) or not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
        found.append(f"選項須有 {MIN_CHOICES} 至 {MAX_CHOICES} 個")
        choices = []
    for number, choice in enumerate(choices, start=1):
        found.append(_text_field(choice, f"選項 {number} ", CHOICE_MAX) or "")
    if len({c for c in choices if isinstance(c, str)}) != len(choices):
        found.append("選項不可重複")
    answer = message.get("answer")
    if not isinstance(answer, int) or isinstance(answer, bool) or not 0 <= answer < len(choices):
        found.append("請指定正確答案")
    explanation = message.get("explanation", "")
    found.append(_text_field(explanation, "解說", EXPLANATION_MAX, low=0) or "")
    return found


def audience_problems(audience: Any) -> list[str]:
    """Problems of an audience filter."""
    if not isinstance(audience, dict) or audience.get("kind") not in AUDIENCE_FIELDS:
        return ["發送對象須為全部追蹤者、依區／村里、依標籤或測試對象"]
    kind = audience["kind"]
    extra = sorted(set(audience) - AUDIENCE_FIELDS[kind])
    found = [f"發送對象含有不接受的欄位 {name}" for name in extra]
    if kind == "area":
        found.append(_text_field(audience.get("district"), "區", AREA_NAME_MAX) or "")
        found += _names(audience.get("villages", []), "村里", AREA_NAME_MAX, allow_empty=True)
    elif kind == "tag":
        found += _names(audience.get("tags"), "標籤", TAG_MAX, allow_empty=False)
    return [problem for problem in found if problem]


def _names(values: Any, name: str, high: int, *, allow_empty: bool) -> list[str]:
    if not isinstance(values, list) or len(values) > MAX_FILTER_VALUES:
        return [f"{name}須為清單（最多 {MAX_FILTER_VALUES} 個）"]
    if not values and not allow_empty:
        return [f"請至少選擇一個{name}"]
    return [problem for value in values if (problem := _text_field(value, name, high))]


def check(session: Session, title: Any, messages: Any, audience: Any) -> None:
    """Raise ``BroadcastInvalid`` listing every problem of a broadcast's content."""
    found: list[str] = []
    title_problem = _text_field(title, "標題", TITLE_MAX)
    if title_problem:
        found.append(title_problem)
    if not isinstance(messages, list) or not 1 <= len(messages) <= MAX_MESSAGES:
        found.append(f"訊息須有 1 至 {MAX_MESSAGES} 則")
        messages = messages[:MAX_MESSAGES] if isinstance(messages, list) else []
    for number, message in enumerate(messages, start=1):
        found += [f"第 {number} 則：{problem}" for problem in message_problems(session, message)]
    found += audience_problems(audience)
    if not found:
        found += line_problems(session, messages)
    if found:
        raise BroadcastInvalid(found)


def reachable_images(messages: list[dict[str, Any]], public_base_url: str) -> list[str]:
    """LINE fetches pictures over HTTPS only: a picture from another address cannot go out.

    Drafts are checked against a stand-in https address; this is checked at send time
    against the address the messages will really carry.
    """
    if not any(message.get("image_id") is not None for message in messages):
        return []
    if (public_base_url.rstrip("/") + "/").startswith(("https://", *LOOPBACK_HTTP)):
        return []
    return [
        "含圖片的推播須以 https 網址提供圖片給 LINE；本系統目前的對外網址（PUBLIC_BASE_URL）為 "
        f"{public_base_url}，請系統管理者改為 https 網址後再發送。"
    ]


def line_problems(session: Session, messages: list[dict[str, Any]]) -> list[str]:
    """Render the messages and check them with line-bot-sdk's models and LINE's size limits."""
    # Imported here: the SDK's messaging models weigh some 20 MB, and only saving a
    # draft needs them — not the webhook, the inbox workers or the export streams.
    from linebot.v3.messaging.models import BroadcastRequest

    from lianping.line.validation import validate_body

    ids = [m["image_id"] for m in messages if m.get("image_id") is not None]
    images = {
        image.id: image
        for image in session.scalars(select(PromotionImage).where(PromotionImage.id.in_(ids)))
    }
    draft = Broadcast(messages=messages)
    rendered = promotion_messages.render(
        draft, images=images, links={}, public_base_url=_CHECK_BASE
    )
    found = []
    for violation in validate_body(BroadcastRequest, {"messages": rendered}):
        where, _, rest = violation.property.partition("]")
        number = where.removeprefix("messages[")
        prefix = f"第 {int(number) + 1} 則：" if number.isdigit() else ""
        field = rest.lstrip(".") or "訊息"
        found.append(f"{prefix}不符合 LINE 規格（{field}：{violation.message}）")
    return found


def normalized_audience(audience: Any) -> Any:
    """The audience as stored and matched: names trimmed, tags as followers' tags are kept.

    Anything that is not a well-formed filter is returned as is, for ``check`` to refuse.
    """
    if not isinstance(audience, dict):
        return audience
    found = dict(audience)
    if isinstance(found.get("district"), str):
        found["district"] = found["district"].strip()
    for name, clean in (("villages", str.strip), ("tags", residents.clean_tag)):
        values = found.get(name)
        if isinstance(values, list) and all(isinstance(value, str) for value in values):
            found[name] = list(dict.fromkeys(clean(value) for value in values))
    return found


def normalized(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The messages as stored: every field of their type present (optional ones as null)."""
    stored = []
    for message in messages:
        kind = message["type"]
        if kind == "card":
            message = {"image_id": None, "link_label": None, "link_url": None, **message}
        elif kind == "quiz":
            message = {"explanation": "", **message}
        stored.append({name: message[name] for name in sorted(FIELDS[kind]) if name in message})
    return stored


def type_words(messages: list[dict[str, Any]]) -> str:
    """「文字、圖文卡片」: the kinds of a broadcast's messages, for lists and the audit log."""
    return "、".join(codes.PROMOTION_MESSAGE_TYPES.get(m.get("type", ""), "?") for m in messages)
