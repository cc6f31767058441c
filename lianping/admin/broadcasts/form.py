"""The compose form: posted fields ↔ a broadcast's title, composed messages and audience.

Fields are numbered per block (``m-0-type``, ``m-0-text``, …). Without scripts the
officer adds, removes and reorders blocks with submit buttons (``action`` =
``add-card``, ``remove-1``, ``up-2``, ``down-0``), and the page comes back with
the change; with scripts the same happens in the page and only ``save`` posts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from lianping import codes

MAX_BLOCKS = 5
MAX_CHOICES = 4
AUDIENCE_KINDS = tuple(codes.AUDIENCES)
BLOCK_FIELDS = ("text", "title", "body", "link_label", "link_url", "question", "explanation")
_ERROR_PREFIX = re.compile(r"^第 (\d+) 則：")
_MOVE = re.compile(r"^(remove|up|down)-(\d)$")


@dataclass
class Block:
    """One message block as the form holds it (strings, as typed)."""

    type: str
    text: str = ""
    image_id: int | None = None
    title: str = ""
    body: str = ""
    link_label: str = ""
    link_url: str = ""
    question: str = ""
    choices: list[str] = field(default_factory=lambda: [""] * MAX_CHOICES)
    answer: int | None = None
    explanation: str = ""
    errors: list[str] = field(default_factory=list)

    def message(self) -> dict[str, Any]:
        """The composed message of the broadcast contract (blank optional fields left out)."""
        if self.type == "text":
            return {"type": "text", "text": self.text}
        if self.type == "image":
            return {"type": "image", "image_id": self.image_id}
        if self.type == "card":
            card: dict[str, Any] = {
                "type": "card",
                "title": self.title.strip(),
                "body": self.body,
                "image_id": self.image_id,
                "link_label": self.link_label.strip() or None,
                "link_url": self.link_url.strip() or None,
            }
            return card
        choices = [choice.strip() for choice in self.choices if choice.strip()]
        answer = self.answer
        if answer is not None:
            # The correct answer names a filled box; blanks before it shift its index.
            filled = [n for n, choice in enumerate(self.choices) if choice.strip()]
            answer = filled.index(answer) if answer in filled else len(choices)
        return {
            "type": "quiz",
            "question": self.question.strip(),
            "choices": choices,
            "answer": answer,
            "explanation": self.explanation.strip(),
        }

    @classmethod
    def of(cls, message: dict[str, Any]) -> Block:
        """A stored composed message as a form block."""
        block = cls(type=str(message.get("type", "text")))
        for name in BLOCK_FIELDS:
            value = message.get(name)
            if isinstance(value, str):
                setattr(block, name, value)
        image_id = message.get("image_id")
        block.image_id = image_id if isinstance(image_id, int) else None
        if block.type == "quiz":
            choices = [c for c in message.get("choices", []) if isinstance(c, str)]
            block.choices = (choices + [""] * MAX_CHOICES)[:MAX_CHOICES]
            answer = message.get("answer")
            block.answer = answer if isinstance(answer, int) else None
        return block


@dataclass
class Compose:
    """Everything the compose page shows and posts."""

    title: str = ""
    blocks: list[Block] = field(default_factory=lambda: [Block(type="card")])
    audience: dict[str, Any] = field(default_factory=lambda: {"kind": "test"})
    errors: list[str] = field(default_factory=list)

    def messages(self) -> list[dict[str, Any]]:
        return [block.message() for block in self.blocks]

    def image_ids(self) -> set[int]:
        return {block.image_id for block in self.blocks if block.image_id is not None}

    @classmethod
    def of(cls, title: str, messages: list[dict[str, Any]], audience: dict[str, Any]) -> Compose:
        """A saved broadcast as the form shows it."""
        return cls(
            title=title,
            blocks=[Block.of(message) for message in messages] or [Block(type="card")],
            audience=dict(audience) or {"kind": "test"},
        )

    def place_errors(self, errors: list[str]) -> None:
        """Hang 「第 n 則：…」 errors on their block; the rest are the form's own."""
        for error in errors:
            found = _ERROR_PREFIX.match(error)
            number = int(found.group(1)) if found else 0
            if 1 <= number <= len(self.blocks):
                self.blocks[number - 1].errors.append(error[found.end() :] if found else error)
            else:
                self.errors.append(error)


def _int(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def parse(form: MultiDict[str, str]) -> Compose:
    """The posted form as a Compose (no checks beyond shape: the service validates)."""
    blocks = []
    for index in range(MAX_BLOCKS + 1):
        kind = form.get(f"m-{index}-type")
        if kind is None:
            break
        if kind not in codes.PROMOTION_MESSAGE_TYPES:
            kind = "text"
        block = Block(type=kind)
        for name in BLOCK_FIELDS:
            setattr(block, name, form.get(f"m-{index}-{name}", ""))
        if form.get(f"m-{index}-drop_image") != "1":
            block.image_id = _int(form.get(f"m-{index}-image_id"))
        choices = form.getlist(f"m-{index}-choice")[:MAX_CHOICES]
        block.choices = choices + [""] * (MAX_CHOICES - len(choices))
        block.answer = _int(form.get(f"m-{index}-answer"))
        blocks.append(block)
    return Compose(title=form.get("title", "").strip(), blocks=blocks, audience=audience(form))


def audience(form: MultiDict[str, str]) -> dict[str, Any]:
    """The audience filter chosen on the form (or in the live-count query string)."""
    kind = form.get("audience_kind", "")
    if kind == "area":
        district = form.get("district", "").strip()
        # Village boxes of every district are on the page; only the chosen one's count.
        villages = [
            value.partition("|")[2]
            for value in form.getlist("villages")
            if value.partition("|")[0] == district and value.partition("|")[2]
        ]
        return {"kind": "area", "district": district, "villages": villages}
    if kind == "tag":
        return {"kind": "tag", "tags": [tag for tag in form.getlist("tags") if tag.strip()]}
    if kind in ("all", "test"):
        return {"kind": kind}
    return {"kind": kind or ""}


def restructure(compose: Compose, action: str) -> str | None:
    """Apply an add/remove/move button to ``compose``; the problem in words, if any."""
    if action.startswith("add-"):
        kind = action.removeprefix("add-")
        if kind not in codes.PROMOTION_MESSAGE_TYPES:
            return "不明的訊息類型"
        if len(compose.blocks) >= MAX_BLOCKS:
            return f"每則推播最多 {MAX_BLOCKS} 則訊息"
        compose.blocks.append(Block(type=kind))
        return None
    found = _MOVE.match(action)
    if found is None:
        return "不明的操作"
    verb, index = found.group(1), int(found.group(2))
    if index >= len(compose.blocks):
        return "不明的操作"
    if verb == "remove":
        if len(compose.blocks) == 1:
            return "推播至少需要 1 則訊息"
        del compose.blocks[index]
        return None
    other = index - 1 if verb == "up" else index + 1
    if 0 <= other < len(compose.blocks):
        compose.blocks[index], compose.blocks[other] = compose.blocks[other], compose.blocks[index]
    return None


def describe(target: dict[str, Any]) -> str:
    """An audience filter in words: 「中正區：建國里、光復里」, 「標籤：志工」…"""
    kind = target.get("kind")
    if kind == "area":
        villages = target.get("villages") or []
        where = "、".join(villages) if villages else "全區"
        return f"{target.get('district', '')}：{where}"
    if kind == "tag":
        return "標籤：" + "、".join(target.get("tags") or [])
    return codes.AUDIENCES.get(str(kind), "未指定")
