"""Submitting the biweekly report: freeze what was sent (who, when, the ODS and its hash).

Seed 004 玖.四: the report is 簽陳首長 before it goes to 廉政署, so a submission records
the head's approval (核可人, name and title, and 核可日期). It keeps the report's JSON
and the ODS exactly as built at that moment, the officer's edited texts included, so
later edits to cases or drafts never change a report that went out. A period not yet
ended is submitted only when the submitter confirms it. A period may be submitted
again (a corrected report); every submission is kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from lianping import rocdate
from lianping.reports import biweekly, biweekly_files
from lianping.reports.biweekly_model import BiweeklyReport
from lianping.reports.cells import printable
from lianping.services import audit
from lianping.services.access import Actor, PermissionDenied
from lianping.storage.models import ReportSubmission, User, utcnow

LIST_LIMIT = 200  # about eight years of biweekly reports
MAX_APPROVER = 100  # ReportSubmission.approved_by
# 主管 signs the report off and has it sent (DESIGN.md); administrators may too.
SUBMITTERS = frozenset({"admin", "supervisor"})

MSG_UNFINISHED = (
    "統計期間至{end}止，尚未結束，之後收件的案件不會列入本次送出的彙報表；"
    "如確定要提前送出，請勾選確認後再送出。"
)


def may_submit(actor: Actor) -> bool:
    """Is the actor allowed to submit (送出) the report?"""
    return actor.role in SUBMITTERS and actor.user_id is not None


def require_submitter(actor: Actor) -> None:
    """Refuse (403) anyone but supervisors and administrators."""
    if not may_submit(actor):
        raise PermissionDenied("僅主管或系統管理者可送出工作成果彙報表")


class SubmissionError(ValueError):
    """A submission refused in words (zh-TW); nothing was stored."""


def approval(approved_by: str | None, approved_on: date | None) -> tuple[str, date]:
    """The head's approval as stored: 核可人 (name and title) and 核可日期, both required."""
    name = " ".join(printable(approved_by or "").split())
    if not name:
        raise SubmissionError("請填寫核可人（首長姓名及職稱）。")
    if len(name) > MAX_APPROVER:
        raise SubmissionError(f"核可人不得超過{MAX_APPROVER}個字。")
    if approved_on is None:
        raise SubmissionError("請填寫核可日期。")
    if approved_on > rocdate.taipei_today():
        raise SubmissionError("核可日期不得晚於今天。")
    return name, approved_on


def unfinished(period_to: date) -> bool:
    """Whether the period has not ended yet (its last day is today or later, in Taipei)."""
    return period_to >= rocdate.taipei_today()


class ReportChanged(Exception):
    """The report is no longer the one the submitter reviewed (a case changed meanwhile)."""

    def __init__(self, report: BiweeklyReport) -> None:
        super().__init__("本期彙報表內容在您核對後已有異動，本次未送出；請重新核對後再送出。")
        self.report = report


@dataclass(frozen=True)
class Listed:
    """A submission as the list shows it (without the stored file)."""

    id: int
    period_from: date
    period_to: date
    submitted_at: datetime
    submitted_by: str
    sha256: str
    approved_by: str | None
    approved_on: date | None


def submit(
    session: Session,
    actor: Actor,
    period_from: date,
    period_to: date,
    *,
    approved_by: str | None,
    approved_on: date | None,
    confirm_unfinished: bool = False,
    reviewed: str | None = None,
) -> ReportSubmission:
    """Build the period's report now (with the officer's edits), store it with its ODS and
    the head's approval, and audit the submission.

    A period not yet ended needs ``confirm_unfinished``; the approval is required
    (``SubmissionError`` otherwise). ``reviewed`` is the ``digest()`` of the report the
    submitter read; when the report built now differs, ``ReportChanged`` is raised.
    Nothing is stored when anything is refused.
    """
    require_submitter(actor)
    assert actor.user_id is not None  # require_submitter refuses tokens without a user
    if unfinished(period_to) and not confirm_unfinished:
        raise SubmissionError(MSG_UNFINISHED.format(end=rocdate.roc_date(period_to)))
    approver, approved_day = approval(approved_by, approved_on)
    report = biweekly.build(session, period_from, period_to)
    if reviewed is not None and reviewed != report.digest():
        raise ReportChanged(report)
    ods = biweekly_files.to_ods(report)
    digest = hashlib.sha256(ods).hexdigest()
    submission = ReportSubmission(
        period_from=period_from,
        period_to=period_to,
        data=report.to_json(),
        ods=ods,
        sha256=digest,
        submitted_by=actor.user_id,
        submitted_at=utcnow(),
        approved_by=approver,
        approved_on=approved_day,
    )
    session.add(submission)
    session.flush()
    audit.record(
        session,
        actor,
        "report.submit",
        "report",
        submission.id,
        after={
            "period_from": period_from.isoformat(),
            "period_to": period_to.isoformat(),
            "counts": {row.key: row.count for row in report.rows},
            "sha256": digest,
            "approved_by": approver,
            "approved_on": approved_day.isoformat(),
            "edited_rows": report.edited_rows,
        },
    )
    return submission


def listed(
    session: Session,
    period: tuple[date, date] | None = None,
    limit: int = LIST_LIMIT,
    submission_id: int | None = None,
) -> list[Listed]:
    """Submissions, newest first (of ``period``, or the one ``submission_id``, when given).

    The stored files are not loaded.
    """
    statement = (
        select(ReportSubmission, User.display_name)
        .join(User, User.id == ReportSubmission.submitted_by)
        .options(defer(ReportSubmission.ods))
        .order_by(ReportSubmission.submitted_at.desc(), ReportSubmission.id.desc())
        .limit(limit)
    )
    if period is not None:
        statement = statement.where(
            ReportSubmission.period_from == period[0], ReportSubmission.period_to == period[1]
        )
    if submission_id is not None:
        statement = statement.where(ReportSubmission.id == submission_id)
    return [
        Listed(
            id=row.id,
            period_from=row.period_from,
            period_to=row.period_to,
            submitted_at=row.submitted_at,
            submitted_by=name,
            sha256=row.sha256,
            approved_by=row.approved_by,
            approved_on=row.approved_on,
        )
        for row, name in session.execute(statement)
    ]


def fetch(session: Session, submission_id: int) -> ReportSubmission | None:
    """One submission with its stored ODS, or None."""
    return session.get(ReportSubmission, submission_id)


def report_of(submission: ReportSubmission) -> BiweeklyReport:
    """The report exactly as it was submitted."""
    return BiweeklyReport.from_json(submission.data)
