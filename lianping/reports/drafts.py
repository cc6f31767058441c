"""The officer's edits of a period's 附件2 texts (``ReportDraft``): saved, read, reverted.

The product drafts each row's 內容摘要 and 處理意見 (``reports.biweekly``); before 送出 the
officer rewrites what needs it. One draft per period holds the rows edited, by row key:
``{"need": {"summary": "…", "handling": "…"}, …}``; a row or text not in it keeps the
product's draft. Counts are never edited. The case officers (承辦人) who run the platform
edit the texts; 主管 and administrators edit them too and sign the report off
(``submissions.may_submit``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping.reports.biweekly_model import ROW_TITLES, TEXT_FIELDS, lines_of
from lianping.reports.cells import printable
from lianping.services import audit
from lianping.services.access import Actor, PermissionDenied
from lianping.storage.models import ReportDraft

# The officer drafts the report, 主管 reviews and signs it off (DESIGN.md); viewers only read.
EDITORS = frozenset({"admin", "supervisor", "officer"})
MAX_CHARS = 4000  # a cell of one A4 form; the PDF flows over pages beyond it anyway
FIELD_WORDS = {"summary": "內容摘要", "handling": "處理意見"}


class DraftError(ValueError):
    """An edit that cannot be saved; the message (zh-TW) says why. Nothing was stored."""


def may_edit(actor: Actor) -> bool:
    """Is the actor allowed to edit the report's texts?"""
    return actor.role in EDITORS and actor.user_id is not None


def require_editor(actor: Actor) -> None:
    """Refuse (403) viewers: only staff who handle cases edit the texts."""
    if not may_edit(actor):
        raise PermissionDenied("僅承辦人、主管或系統管理者可編修工作成果彙報表")


def _find(session: Session, period_from: date, period_to: date) -> ReportDraft | None:
    return session.scalar(
        select(ReportDraft).where(
            ReportDraft.period_from == period_from, ReportDraft.period_to == period_to
        )
    )


def texts_of(session: Session, period_from: date, period_to: date) -> dict[str, dict[str, str]]:
    """The period's edited texts by row key (empty when nothing was edited)."""
    draft = _find(session, period_from, period_to)
    if draft is None:
        return {}
    return {
        key: {name: str(value) for name, value in fields.items() if name in TEXT_FIELDS}
        for key, fields in (draft.texts or {}).items()
        if key in ROW_TITLES and isinstance(fields, dict)
    }


def clean(key: str, field: str, raw: Any) -> str:
    """An edited text as stored: printable, lines trimmed, blank lines dropped; or DraftError."""
    where = f"{ROW_TITLES[key]}的{FIELD_WORDS[field]}"
    if not isinstance(raw, str):
        raise DraftError(f"{where}須為文字。")
    text = "\n".join(lines_of(printable(raw)))
    if not text:
        raise DraftError(f"{where}不得空白；如要使用系統草稿，請按「還原為系統草稿」。")
    if len(text) > MAX_CHARS:
        raise DraftError(f"{where}不得超過{MAX_CHARS:,}字（目前{len(text):,}字）。")
    return text


def save(
    session: Session,
    actor: Actor,
    period_from: date,
    period_to: date,
    key: str,
    texts: dict[str, Any],
    drafted: dict[str, str],
) -> ReportDraft | None:
    """Keep the officer's texts of row ``key`` (``summary`` and/or ``handling``).

    ``drafted`` is the product's draft of the row: a text equal to it is no edit (the row
    follows the draft again). Refused in words (DraftError) with nothing stored.
    """
    require_editor(actor)
    assert actor.user_id is not None  # require_editor refuses tokens without a user
    if key not in ROW_TITLES:
        raise DraftError("沒有這一列（限民情需求事項、施政興革反映、反貪倡廉宣導）。")
    given = {field: texts[field] for field in TEXT_FIELDS if field in texts}
    if not given:
        raise DraftError("請填寫內容摘要或處理意見。")
    cleaned = {field: clean(key, field, raw) for field, raw in given.items()}
    draft = _find(session, period_from, period_to)
    stored: dict[str, dict[str, str]] = dict(draft.texts) if draft is not None else {}
    row = dict(stored.get(key, {}))
    for field, text in cleaned.items():
        if text == "\n".join(lines_of(drafted.get(field, ""))):
            row.pop(field, None)
        else:
            row[field] = text
    if row:
        stored[key] = row
    else:
        stored.pop(key, None)
    if draft is None:
        draft = ReportDraft(period_from=period_from, period_to=period_to, texts=stored,
                            updated_by=actor.user_id)  # fmt: skip
        session.add(draft)
    else:
        # A new dict: the JSON column notices a replaced value, not one changed in place.
        draft.texts = stored
        draft.updated_by = actor.user_id
    session.flush()
    audit.record(
        session, actor, "report.draft", "report", draft.id,
        after={"period_from": period_from.isoformat(), "period_to": period_to.isoformat(),
               "row": key, "fields": sorted(cleaned)},
    )  # fmt: skip
    return draft


def revert(session: Session, actor: Actor, period_from: date, period_to: date, key: str) -> bool:
    """Drop the officer's texts of row ``key``: it follows the product's draft again.

    False when the row was not edited (nothing changed, nothing audited).
    """
    require_editor(actor)
    if key not in ROW_TITLES:
        raise DraftError("沒有這一列（限民情需求事項、施政興革反映、反貪倡廉宣導）。")
    draft = _find(session, period_from, period_to)
    if draft is None or key not in (draft.texts or {}):
        return False
    draft.texts = {name: value for name, value in draft.texts.items() if name != key}
    assert actor.user_id is not None
    draft.updated_by = actor.user_id
    session.flush()
    audit.record(
        session, actor, "report.draft_revert", "report", draft.id,
        after={"period_from": period_from.isoformat(), "period_to": period_to.isoformat(),
               "row": key},
    )  # fmt: skip
    return True
