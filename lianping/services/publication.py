"""Staff publish a case's outcome on the public 案件成果 page: draft, publish, edit, unpublish.

A case may be published only when its reporter agreed when filing (``publish_consent``),
it is not a tip (nor a former tip), and it has reached a stage with something to report.
The public words are the staff's own: a title, a summary and the outcome, written for the
public, checked here not to repeat the resident's text or contact data. Every change is
audited; the public pages read only published rows (``services.published_cases``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lianping import codes
from lianping.services import audit, content
from lianping.services.access import Actor, PermissionDenied, require_open, require_write
from lianping.storage import areas
from lianping.storage.models import Case, CasePublication, utcnow

MAX_TITLE = 60
MAX_TEXT = 1000
MIN_TEXT = 10
# The public summary may not copy this long a run of the resident's own description.
COPIED_RUN = 15
# A published case says what came of it: only once staff acted on it.
PUBLISHABLE_STATUSES = frozenset(
    {codes.IN_PROGRESS, codes.TRANSFERRED, codes.REPLIED, codes.CLOSED}
)
# Who approves what the public reads (the prompt residents see says 「經本機關審核」).
APPROVERS = frozenset({"admin", "supervisor"})


class PublicationError(ValueError):
    """The draft or the action is refused; the message (zh-TW) says why."""


@dataclass(frozen=True)
class Draft:
    """The public words a staff member typed."""

    title: str
    summary: str
    outcome: str
    district: str | None


def refusal(case: Case) -> str | None:
    """Why this case cannot be published now (None: it can)."""
    if case.confidential or case.nature == codes.TIP:
        return "檢舉案件一律不公開。"
    if not case.publish_consent:
        return "反映者未表示處理結果可以公開，不得公開。"
    if case.status not in PUBLISHABLE_STATUSES:
        return "案件尚未處理或已不予處理、併案、撤回，無處理結果可公開。"
    return None


def of_case(session: Session, case: Case) -> CasePublication | None:
    """The case's public words, published or not."""
    return session.get(CasePublication, case.id)


def districts(session: Session) -> list[str]:
    """The 區 staff may name: the areas setting's."""
    return list(areas.read(content.get(session, "areas")))


def _check(session: Session, case: Case, draft: Draft) -> Draft:
    title = " ".join(draft.title.split())
    summary = draft.summary.replace("\r\n", "\n").strip()
    outcome = draft.outcome.replace("\r\n", "\n").strip()
    if not title or len(title) > MAX_TITLE:
        raise PublicationError(f"請填寫標題（{MAX_TITLE}字以內）。")
    for name, text in (("摘要", summary), ("處理結果", outcome)):
        if not MIN_TEXT <= len(text) <= MAX_TEXT:
            raise PublicationError(f"請填寫{name}（{MIN_TEXT}至{MAX_TEXT}字）。")
    district = (draft.district or "").strip() or None
    if district is not None and district not in districts(session):
        raise PublicationError("區請從清單中選擇。")
    words = f"{title}\n{summary}\n{outcome}"
    _refuse_identifying(case, words)
    return Draft(title, summary, outcome, district)


def _refuse_identifying(case: Case, words: str) -> None:
    """The public words may not carry the reporter's data nor copy their own text."""
    compact = "".join(words.split())
    for value, name in (
        (case.reporter_name, "反映者姓名"),
        (case.reporter_phone, "電話"),
        (case.reporter_address, "地址"),
    ):
        if value and "".join(value.split()) in compact:
            raise PublicationError(f"公開內容含有{name}，請刪除。")
    digits = "".join(ch for ch in compact if ch.isdigit())
    phone = "".join(ch for ch in (case.reporter_phone or "") if ch.isdigit())
    if len(phone) >= 8 and phone[-8:] in digits:
        raise PublicationError("公開內容含有電話，請刪除。")
    original = "".join(case.description.split())
    for start in range(max(0, len(original) - COPIED_RUN + 1)):
        if original[start : start + COPIED_RUN] in compact:
            raise PublicationError(
                f"公開內容與反映者原文有連續{COPIED_RUN}字以上相同，請改以機關的文字撰寫摘要。"
            )


def _snapshot(row: CasePublication) -> dict[str, object]:
    return {
        "title": row.title,
        "summary": row.summary,
        "outcome": row.outcome,
        "district": row.district,
        "published": row.published,
    }


def save(session: Session, actor: Actor, case: Case, draft: Draft) -> CasePublication:
    """Write (or rewrite) the public words; a published case shows the new words at once."""
    require_write(actor)
    require_open(actor, case)
    # A draft may be written while the case is still being handled; never for a tip or
    # without the reporter's agreement.
    reason = refusal(case)
    if reason is not None and (case.confidential or not case.publish_consent):
        raise PublicationError(reason)
    checked = _check(session, case, draft)
    row = of_case(session, case)
    before = _snapshot(row) if row else None
    now = utcnow()
    if row is None:
        row = CasePublication(case_id=case.id, created_at=now, published=False)
        session.add(row)
    row.title, row.summary, row.outcome = checked.title, checked.summary, checked.outcome
    row.district = checked.district
    row.updated_by, row.updated_at = actor.user_id, now
    audit.record(
        session, actor, "publication.save", "case", case.number,
        before=before, after=_snapshot(row),
    )  # fmt: skip
    return row


def publish(session: Session, actor: Actor, case: Case) -> CasePublication:
    """Show the saved words on the public pages (supervisors and administrators)."""
    _require_approver(actor, case)
    reason = refusal(case)
    if reason is not None:
        raise PublicationError(reason)
    row = of_case(session, case)
    if row is None:
        raise PublicationError("請先撰寫並儲存公開內容。")
    _check(session, case, Draft(row.title, row.summary, row.outcome, row.district))
    if row.published:
        return row
    now = utcnow()
    row.published, row.published_at, row.published_by = True, now, actor.user_id
    row.unpublished_at = None
    row.updated_at = now
    audit.record(session, actor, "publication.publish", "case", case.number, after=_snapshot(row))
    return row


def unpublish(session: Session, actor: Actor, case: Case) -> CasePublication:
    """Take the case off the public pages; its words stay as a draft."""
    _require_approver(actor, case)
    row = of_case(session, case)
    if row is None or not row.published:
        raise PublicationError("此案件目前未公開。")
    now = utcnow()
    row.published, row.unpublished_at, row.updated_at = False, now, now
    audit.record(session, actor, "publication.unpublish", "case", case.number, after=_snapshot(row))
    return row


def _require_approver(actor: Actor, case: Case) -> None:
    require_write(actor)
    require_open(actor, case)
    if actor.role not in APPROVERS:
        raise PermissionDenied("公開或撤下由主管或系統管理者核定")
