"""The conversation engine's inputs and outputs: plain data, no I/O.

``step(state, event, content) -> Outcome`` is the whole contract. The state is
JSON (stored on the resident); effects are requests the dispatcher carries out
against storage after the engine has decided what happens.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

State = dict[str, Any]
Message = dict[str, Any]


@dataclass(frozen=True)
class Location:
    title: str | None
    address: str | None
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Subscription:
    """A resident's 訂閱設定: their 區/村里 and whether they opted out of promotions."""

    district: str | None = None
    village: str | None = None
    opt_out: bool = False


@dataclass(frozen=True)
class Incoming:
    """What the engine needs to know of one webhook event."""

    kind: str  # LINE event type, or the message type for message events
    chat: str = "user"  # user | group | room
    chat_id: str = ""
    text: str | None = None
    data: str | None = None  # postback data
    timestamp_ms: int = 0
    is_unblocked: bool = False
    message_id: str | None = None  # media and text messages
    location: Location | None = None
    # The resident's 訂閱設定 as stored when the event arrived (the dispatcher adds it).
    subscription: Subscription | None = None
    # The 個資法 §8 notice version the resident last acknowledged (「已閱讀」) and when (ms),
    # as stored when the event arrived (the dispatcher adds them).
    notice_version: int | None = None
    notice_read_ms: int | None = None


@dataclass(frozen=True)
class Content:
    """Administrator-editable texts and settings the engine shows or applies."""

    privacy_notice: str
    privacy_version: int
    reporting_channels: str
    promotion: str
    help: str
    due_days: int = 30
    # The ways to report without LINE (phone, 書面, in person), from the contact settings.
    offline_ways: str = ""
    # 區 → its 村里, in the administrator's order (the ``areas`` setting).
    areas: dict[str, list[str]] = field(default_factory=dict)


# -- effects: carried out by bot.dispatch after the engine returns ------------


@dataclass(frozen=True)
class SetFollowing:
    """Record that the resident follows (True) or blocked/unfollowed (False) the account."""

    following: bool


@dataclass(frozen=True)
class LeaveChat:
    """Leave a group or room after the goodbye message."""

    chat: str
    chat_id: str


@dataclass(frozen=True)
class ReadNotice:
    """The resident tapped 「已閱讀」 under this version of the 個資法 §8 notice."""

    version: int


@dataclass(frozen=True)
class CreateCase:
    """File the draft as a case (the dispatcher answers with its number and due date)."""

    draft: dict[str, Any]
    notice_version: int


@dataclass(frozen=True)
class ListCases:
    """Show the resident's cases (newest first, at most 12)."""


@dataclass(frozen=True)
class ShowCase:
    """Show one of the resident's cases with its public timeline."""

    number: str


@dataclass(frozen=True)
class AddToCase:
    """Add the resident's text or media to one of their open cases (補充說明)."""

    number: str
    text: str | None = None
    media_message_id: str | None = None
    media_kind: str | None = None


@dataclass(frozen=True)
class WithdrawCase:
    """The resident confirmed withdrawing (撤回) one of their cases; the dispatcher answers
    whether it was withdrawn."""

    number: str


@dataclass(frozen=True)
class RateCase:
    """The resident's 1–5 answer to the satisfaction question of a closed case."""

    number: str
    score: int


@dataclass(frozen=True)
class SetArea:
    """Record the 區 and 村里 (None: the whole 區) the resident chose in 訂閱設定."""

    district: str
    village: str | None


@dataclass(frozen=True)
class SetPromotionsOptOut:
    """Stop (True) or resume (False) promotions to the resident; case messages still go."""

    opt_out: bool


@dataclass(frozen=True)
class AnswerQuiz:
    """A tapped 有獎徵答 answer; the dispatcher checks it against the broadcast and answers."""

    broadcast_id: int
    message_index: int
    choice: int


@dataclass(frozen=True)
class ShowPromotions:
    """Show the latest published promotions (broadcasts sent) after the promotion text."""


@dataclass(frozen=True)
class LinkStaff:
    """A staff member's one-time code (its digits): link this LINE account to their account."""

    code: str


@dataclass(frozen=True)
class ShowMyData:
    """個資法 §10 查詢／閱覽: answer with the personal data held about the resident, and record
    the request as granted at once."""


@dataclass(frozen=True)
class ListCorrectable:
    """Offer the resident's open cases, whose contact details they may correct."""


@dataclass(frozen=True)
class FileDataRequest:
    """A §3 request for staff to decide: ``kind`` is copy, correct, stop or delete; a
    correction names the case and the one field (name, phone, address) with its new value."""

    kind: str
    number: str | None = None
    field: str | None = None
    value: str | None = None


Effect = (
    SetFollowing
    | ReadNotice
    | LeaveChat
    | CreateCase
    | ListCases
    | ShowCase
    | AddToCase
    | WithdrawCase
    | RateCase
    | SetArea
    | SetPromotionsOptOut
    | AnswerQuiz
    | ShowPromotions
    | LinkStaff
    | ShowMyData
    | ListCorrectable
    | FileDataRequest
)


@dataclass(frozen=True)
class Outcome:
    state: State
    messages: list[Message] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
