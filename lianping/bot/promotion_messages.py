"""A broadcast's composed messages (text, image, card, quiz) as LINE message objects.

The composed form is ours (``Broadcast.messages``); what LINE receives is built
here, at preview time with plain link URLs and at send time with the counting
redirects ``/l/<token>``.
"""

from __future__ import annotations

from typing import Any

from lianping.bot import texts
from lianping.storage.models import Broadcast, PromotionImage

Message = dict[str, Any]

_MUTED = "#666666"
_ACCENT = "#1F5FAD"


def image_url(image: PromotionImage, public_base_url: str) -> str:
    """The public URL of an uploaded image, as LINE fetches it."""
    extension = "png" if image.content_type == "image/png" else "jpg"
    return f"{public_base_url.rstrip('/')}/promo/{image.token}.{extension}"


def preview_url(image: PromotionImage, public_base_url: str) -> str:
    """The public URL of an image's small JPEG preview (longest side 240 px)."""
    return f"{public_base_url.rstrip('/')}/promo/{image.token}/preview.jpg"


def quiz_data(broadcast_id: int, message_index: int, choice_index: int) -> str:
    """Postback data of a quiz answer button."""
    return f"quiz:{broadcast_id}:{message_index}:{choice_index}"


def render(
    broadcast: Broadcast,
    *,
    images: dict[int, PromotionImage],
    links: dict[int, str],
    public_base_url: str,
) -> list[Message]:
    """LINE message JSON of every composed message of ``broadcast``, in order.

    ``images`` holds the PromotionImage rows the messages refer to; ``links`` maps
    a card's index to the URL its button opens (its counting redirect); a card not
    in it links to its own ``link_url`` (a preview).
    A missing image is a ``KeyError``: callers validate first.
    """
    broadcast_id = broadcast.id or 0
    return [
        render_one(message, index, broadcast_id, images, links, public_base_url)
        for index, message in enumerate(broadcast.messages)
    ]


def render_one(
    message: dict[str, Any],
    index: int,
    broadcast_id: int,
    images: dict[int, PromotionImage],
    links: dict[int, str],
    public_base_url: str,
) -> Message:
    """One composed message as a LINE message object."""
    kind = message["type"]
    if kind == "text":
        return {"type": "text", "text": message["text"]}
    if kind == "image":
        image = images[message["image_id"]]
        return {
            "type": "image",
            "originalContentUrl": image_url(image, public_base_url),
            "previewImageUrl": preview_url(image, public_base_url),
        }
    if kind == "card":
        return _card(message, images, links.get(index), public_base_url)
    if kind == "quiz":
        return _quiz(message, index, broadcast_id)
    raise ValueError(f"unknown promotion message type {kind!r}")


def _text(body: str, **style: Any) -> dict[str, Any]:
    return {"type": "text", "text": body, "wrap": True, **style}


def _card(
    message: dict[str, Any],
    images: dict[int, PromotionImage],
    counted_link: str | None,
    public_base_url: str,
) -> Message:
    bubble: dict[str, Any] = {"type": "bubble"}
    if message.get("image_id") is not None:
        image = images[message["image_id"]]
        bubble["hero"] = {
            "type": "image",
            "url": image_url(image, public_base_url),
            "size": "full",
            "aspectMode": "cover",
            "aspectRatio": f"{max(image.width, 1)}:{max(image.height, 1)}"
            if _fits_aspect(image)
            else "20:13",
        }
    bubble["body"] = {
        "type": "box",
        "layout": "vertical",
        "spacing": "md",
        "contents": [
            _text(message["title"], weight="bold", size="lg"),
            _text(message["body"], size="sm", color=_MUTED),
        ],
    }
    label, url = message.get("link_label"), message.get("link_url")
    if label and url:
        bubble["footer"] = {
            "type": "box",
            "layout": "vertical",
            "contents": [
                {
                    "type": "button",
                    "style": "primary",
                    "color": _ACCENT,
                    "action": {"type": "uri", "label": label, "uri": counted_link or url},
                }
            ],
        }
    return {"type": "flex", "altText": message["title"], "contents": bubble}


def _fits_aspect(image: PromotionImage) -> bool:
    # LINE takes a hero aspect ratio "W:H" with each side ≤ 100000 and H ≤ 3 × W.
    return 0 < image.height <= 3 * image.width and max(image.width, image.height) <= 100_000


def _quiz(message: dict[str, Any], index: int, broadcast_id: int) -> Message:
    buttons = [
        {
            "type": "button",
            "style": "secondary",
            "height": "sm",
            "action": {
                "type": "postback",
                "label": choice,
                "data": quiz_data(broadcast_id, index, number),
                "displayText": choice,
            },
        }
        for number, choice in enumerate(message["choices"])
    ]
    bubble = {
        "type": "bubble",
        "header": {
            "type": "box",
            "layout": "vertical",
            "contents": [_text(texts.QUIZ_TITLE, weight="bold", size="md", color=_ACCENT)],
        },
        "body": {
            "type": "box",
            "layout": "vertical",
            "contents": [_text(message["question"], size="md")],
        },
        "footer": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": buttons},
    }
    alt = texts.QUIZ_ALT.format(question=message["question"])
    return {"type": "flex", "altText": alt, "contents": bubble}
