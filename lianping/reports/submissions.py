"""Submitting the biweekly report: freeze what was sent (who, when, the ODS and its hash).

A submission keeps the report's JSON and the ODS exactly as built at that
moment, so later edits to cases never change a report that went out. A period
may be submitted again (a corrected report); every submission is kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from lianping.reports import biweekly, biweekly_files
from lianping.reports.biweekly_model import BiweeklyReport
from lianping.services import audit
from lianping.services.access import Actor, PermissionDenied
from lianping.storage.models import ReportSubmission, User, utcnow

# 主管 signs the report off (DESIGN.md); administrators may too.
SUBMITTERS = frozenset({"admin", "supervisor"})
LIST_LIMIT = 200  # about eight years of biweekly reports


def may_submit(actor: Actor) -> bool:
    """Is the actor allowed to submit (freeze) a report?"""
    return actor.role in SUBMITTERS and actor.user_id is not None


def require_submitter(actor: Actor) -> None:
    """Refuse (403) anyone but supervisors and administrators."""
    if not may_submit(actor):
        raise PermissionDenied("僅主管或系統管理者可送出工作成果彙報表")


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


def submit(
    session: Session,
    actor: Actor,
    period_from: date,
    period_to: date,
    *,
    reviewed: str | None = None,
) -> ReportSubmission:
    """Build the period's report now, store it with its ODS, and audit the submission.

    ``reviewed`` is the ``digest()`` of the report the submitter read; when the report
    built now differs, ``ReportChanged`` is raised and nothing is stored.
    """
    require_submitter(actor)
    assert actor.user_id is not None  # require_submitter refuses tokens without a user
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
        )
        for row, name in session.execute(statement)
    ]


def fetch(session: Session, submission_id: int) -> ReportSubmission | None:
    """One submission with its stored ODS, or None."""
    return session.get(ReportSubmission, submission_id)


def report_of(submission: ReportSubmission) -> BiweeklyReport:
    """The report exactly as it was submitted."""
    return BiweeklyReport.from_json(submission.data)
