"""宣導 as the public reads it: the broadcasts that went out (``storage.promotions.went_out``),
newest first, with their texts and cards. A quiz shows its question only: never its answer,
its explanation, nor anything residents answered; audiences and reach are not shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lianping.storage import promotions
from lianping.storage.models import Broadcast

PAGE = 20


@dataclass(frozen=True)
class Item:
    """One message of a broadcast: ``kind`` text, card or quiz (its question only)."""

    kind: str
    title: str
    body: str
    link_label: str | None = None
    link_url: str | None = None


@dataclass(frozen=True)
class PublicPromotion:
    """One broadcast that went out."""

    id: int
    title: str
    sent_at: datetime
    items: tuple[Item, ...]


def _items(messages: list[dict[str, Any]]) -> tuple[Item, ...]:
    found = []
    for message in messages or []:
        kind = message.get("type")
        if kind == "text":
            found.append(Item("text", "", str(message.get("text") or "")))
        elif kind == "card":
            url = message.get("link_url")
            found.append(
                Item(
                    "card",
                    str(message.get("title") or ""),
                    str(message.get("body") or ""),
                    message.get("link_label") or None,
                    url if isinstance(url, str) and url.startswith("https://") else None,
                )
            )
        elif kind == "quiz":
            found.append(Item("quiz", "有獎徵答", str(message.get("question") or "")))
    return tuple(found)


def listed(session: Session, *, offset: int = 0, limit: int = PAGE) -> list[PublicPromotion]:
    """Broadcasts that went out, newest first."""
    statement = (
        select(Broadcast)
        .where(promotions.went_out(), Broadcast.started_at.is_not(None))
        .order_by(Broadcast.started_at.desc(), Broadcast.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        PublicPromotion(b.id, b.title, b.started_at, _items(b.messages))
        for b in session.scalars(statement)
        if b.started_at is not None
    ]


def counted(session: Session) -> int:
    """How many broadcasts went out."""
    statement = (
        select(func.count())
        .select_from(Broadcast)
        .where(promotions.went_out(), Broadcast.started_at.is_not(None))
    )
    return int(session.scalar(statement) or 0)
