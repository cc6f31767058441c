"""個資說明 in the chat: the dispatcher's answers to ShowMyData, ListCorrectable and
FileDataRequest. Takes a session and never commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.bot import messages, texts
from lianping.bot.conversation import privacy
from lianping.bot.conversation.model import FileDataRequest, ListCorrectable, Message, ShowMyData
from lianping.bot.conversation.phone import display_phone
from lianping.services import data_requests
from lianping.storage import cases
from lianping.storage import data_requests as queries
from lianping.storage.models import Resident

# Cases listed in the chat's answer (a LINE text holds 5,000 characters); a copy has all.
MAX_CASES_SHOWN = 10
MAX_TAGS_SHOWN = 20


def answer(
    session: Session,
    resident: Resident,
    effect: ShowMyData | ListCorrectable | FileDataRequest,
    now: datetime,
) -> list[Message]:
    """Carry out one 個資說明 effect; returns the messages that answer it."""
    if isinstance(effect, ShowMyData):
        data_requests.record_access(session, resident, now)
        return [messages.with_menu(my_data_text(queries.held_data(session, resident), now))]
    if isinstance(effect, ListCorrectable):
        numbers = queries.open_case_numbers(session, resident.id)
        if not numbers:
            return [messages.with_menu(texts.DATA_CORRECT_NONE)]
        items = [
            messages.postback_item(number, privacy.correct_data(number))
            for number in numbers[-messages.MAX_QUICK_REPLIES :]
        ]
        return [messages.text(texts.DATA_CORRECT_PICK, items)]
    return [messages.with_menu(_file(session, resident, effect, now))]


def _file(session: Session, resident: Resident, effect: FileDataRequest, now: datetime) -> str:
    case = None
    details: dict[str, str] = {}
    if effect.kind == "correct":
        case = cases.of_resident(session, resident.id, effect.number or "")
        if case is None or case.status not in codes.OPEN_STATUSES:
            return texts.DATA_CORRECT_REFUSED.format(number=effect.number)
        details = {"field": str(effect.field), "value": str(effect.value)}
    row, new = data_requests.file(session, resident, effect.kind, now, case=case, details=details)
    words = texts.DATA_REQUEST_FILED if new else texts.DATA_REQUEST_WAITING
    return words.format(
        kind=codes.DATA_REQUEST_KINDS[row.kind], id=row.id, due=rocdate.roc_date(row.due_at)
    )


def _tags(tags: list[str], in_chat: bool) -> str:
    if not tags:
        return texts.NO_TAGS
    if in_chat and len(tags) > MAX_TAGS_SHOWN:
        return "、".join(tags[:MAX_TAGS_SHOWN]) + texts.MY_DATA_MORE_TAGS.format(count=len(tags))
    return "、".join(tags)


def _or_none(value: str | None) -> str:
    return value or texts.NONE_GIVEN


def my_data_text(held: queries.HeldData, now: datetime, limit: int | None = MAX_CASES_SHOWN) -> str:
    """The personal data held, in words, as the chat answers 查詢我的個資 (the newest
    ``limit`` cases) and the copy lists it (every case)."""
    if held.district:
        area = f"{held.district} {held.village or ''}".strip()
    else:
        area = texts.SUBSCRIPTION_AREA_UNSET
    notice = texts.NONE_GIVEN
    if held.notice_version is not None:
        read_at = rocdate.roc_date(held.notice_read_at) if held.notice_read_at else ""
        notice = texts.MY_DATA_NOTICE.format(version=held.notice_version, date=read_at)
    parts = [
        texts.MY_DATA_HEAD.format(date=rocdate.roc_date(now)),
        texts.MY_DATA_PROFILE.format(
            name=_or_none(held.display_name),
            area=area,
            tags=_tags(held.tags, limit is not None),
            promotions=texts.SUBSCRIPTION_PAUSED
            if held.promotions_opt_out
            else texts.SUBSCRIPTION_RECEIVING,
            notice=notice,
        ),
    ]
    shown = held.cases if limit is None else held.cases[-limit:]
    for case in shown:
        parts.append(
            texts.MY_DATA_CASE.format(
                number=case.number,
                date=rocdate.roc_date(case.created_at),
                name=_or_none(case.name),
                phone=display_phone(case.phone) if case.phone else texts.NONE_GIVEN,
                address=_or_none(case.address),
                occupation=_or_none(case.occupation),
                photos=case.photos,
            )
        )
    if not held.cases:
        parts.append(texts.MY_DATA_NO_CASES)
    if len(held.cases) > len(shown):  # only in the chat
        parts.append(texts.MY_DATA_MORE_CASES.format(count=len(held.cases) - len(shown)))
    parts.append(texts.MY_DATA_QUIZ.format(count=held.quiz_answers))
    parts.append(texts.MY_DATA_MEDIA.format(count=held.unfiled_media))
    parts.append(texts.MY_DATA_FOOT)
    return "\n".join(parts)
