"""The realistic data set: the demo seeding at working size, and the ids the tier requests.

One definition, used by the realistic tier's database and by the officer's-day browser test:
``CASES`` demo cases over two years (every nature, status and channel; long and emoji-laden
reports; photos and files on disk), staff, broadcasts, and two submitted 工作成果彙報表.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.reports import submissions
from lianping.services import accounts, content, report_periods
from lianping.services.access import Actor
from lianping.storage.models import (
    Broadcast,
    Case,
    CaseNotice,
    MediaFile,
    ReplyTemplate,
    ReportSubmission,
    User,
)
from lianping_dev import demo

CASES = 3000
SEED = 11
PASSWORD = "realistic-demo-password"
# An administrator who is also the head of ethics sees every page and every case, tips
# included (other ethics staff open only the tips assigned to them).
CHIEF = "realistic-chief"
# Two-week periods of 附件2 and 附件1 batches requested: the last year.
PERIODS = 26
# Cases whose pages and files are requested: one of every (nature, status, channel) there is,
# and this many of each extreme (see ``sample_cases``).
PER_EXTREME = 2


def seed(session: Session, media_dir: Path) -> demo.SeedSummary:
    """The demo data at working size, the chief's account and the reports staff submitted."""
    summary = demo.seed(session, CASES, seed=SEED, password=PASSWORD, media_dir=media_dir)
    chief = accounts.create_user(
        session, CHIEF, PASSWORD, "admin", display_name="廉政平臺主任", ethics=True
    )
    chief.head_of_ethics = True
    supervisor = session.scalars(select(User).where(User.username == "demo-supervisor")).one()
    for period_from, period_to in periods(session)[:2]:
        submissions.submit(
            session, Actor.of(supervisor), period_from, period_to,
            approved_by="處長 林大同", approved_on=period_to + timedelta(days=1),
        )  # fmt: skip
    return summary


def periods(session: Session) -> list[tuple[date, date]]:
    """The two-week report periods of the last year, newest (the default one) first."""
    anchor = report_periods.anchor_from_setting(content.get(session, "report_anchor_date"))
    latest = report_periods.default_period(rocdate.taipei_today(), anchor)
    return [report_periods.shift(*latest, -n) for n in range(PERIODS)]


@dataclass
class Ids:
    """Real ids and numbers from the data, for the routes that take them."""

    cases: list[str] = field(default_factory=list)
    extreme_cases: list[str] = field(default_factory=list)  # those whose 附件1 PDF is asked for
    tips: set[str] = field(default_factory=set)  # those of ``cases`` that are tips
    media: list[int] = field(default_factory=list)
    broadcasts: list[int] = field(default_factory=list)
    templates: list[int] = field(default_factory=list)
    submissions: list[int] = field(default_factory=list)
    periods: list[tuple[date, date]] = field(default_factory=list)
    total_cases: int = 0
    notices: list[tuple[str, int]] = field(default_factory=list)  # (case number, notice id)


def ids(session: Session) -> Ids:
    """The sample of the data the tier requests (the same on every run of the same data)."""
    found = Ids(periods=periods(session))
    found.total_cases = int(session.scalar(select(func.count()).select_from(Case)) or 0)
    found.cases = sample_cases(session)
    found.extreme_cases = extreme_cases(session)
    found.tips = set(
        session.scalars(
            select(Case.number).where(Case.number.in_(found.cases), Case.confidential.is_(True))
        )
    )
    found.media = sample_media(session)
    found.broadcasts = list(session.scalars(select(Broadcast.id).order_by(Broadcast.id)))
    found.templates = list(session.scalars(select(ReplyTemplate.id).order_by(ReplyTemplate.id)))
    found.submissions = list(
        session.scalars(select(ReportSubmission.id).order_by(ReportSubmission.id))
    )
    found.notices = sample_notices(session)
    return found


def sample_notices(session: Session) -> list[tuple[str, int]]:
    """The first notice of every (kind, delivery) there is, and the one with the longest body."""
    firsts = select(func.min(CaseNotice.id)).group_by(CaseNotice.kind, CaseNotice.delivery)
    longest = select(CaseNotice.id).order_by(func.length(CaseNotice.body).desc()).limit(1)
    chosen = sorted({*session.scalars(firsts), *session.scalars(longest)})
    numbers = {
        notice_id: number
        for notice_id, number in session.execute(
            select(CaseNotice.id, Case.number)
            .join(Case, Case.id == CaseNotice.case_id)
            .where(CaseNotice.id.in_(chosen))
        )
    }
    return [(numbers[notice_id], notice_id) for notice_id in chosen]


def sample_cases(session: Session) -> list[str]:
    """One case of every (nature, status, channel) there is, and the extreme ones."""
    combinations = session.execute(
        select(func.min(Case.number)).group_by(Case.nature, Case.status, Case.channel)
    )
    chosen = dict.fromkeys(sorted(combinations.scalars()))
    chosen.update(dict.fromkeys(extreme_cases(session)))
    return list(chosen)


def extreme_cases(session: Session) -> list[str]:
    """The cases that try a page or a file hardest: the longest reports and 處理意見, those with
    the most attachments or a file that was not kept, with a location, anonymous, merged, tips,
    emoji or characters outside the BMP or an extension in the report, name or phone, and one
    of every nature and channel."""
    chosen: dict[str, None] = dict.fromkeys(
        sorted(session.scalars(select(func.max(Case.number)).group_by(Case.nature, Case.channel)))
    )
    extremes = [
        select(Case.number).order_by(func.length(Case.description).desc()),
        select(Case.number).order_by(func.length(Case.handling_opinion).desc()),
        select(Case.number)
        .join(MediaFile, MediaFile.case_id == Case.id)
        .group_by(Case.number)
        .order_by(func.count(MediaFile.id).desc(), Case.number),
        select(Case.number)
        .join(MediaFile, MediaFile.case_id == Case.id)
        .where(MediaFile.status != "stored")
        .order_by(Case.number),
        select(Case.number).where(Case.location.is_not(None)).order_by(Case.number),
        select(Case.number).where(Case.anonymous.is_(True)).order_by(Case.number),
        select(Case.number).where(Case.merged_into_id.is_not(None)).order_by(Case.number),
        select(Case.number).where(Case.description.like("%👨‍👩‍👧%")).order_by(Case.number),
        select(Case.number).where(Case.reporter_name.like("%𡘙%")).order_by(Case.number),
        select(Case.number).where(Case.reporter_name.like("%．%")).order_by(Case.number),
        select(Case.number).where(Case.reporter_phone.like("%#%")).order_by(Case.number),
        select(Case.number).where(Case.nature == codes.TIP).order_by(Case.number.desc()),
    ]
    for query in extremes:
        chosen.update(dict.fromkeys(session.scalars(query.limit(PER_EXTREME))))
    return list(chosen)


def sample_media(session: Session) -> list[int]:
    """A few stored files of every kind and type, and one of every other outcome."""
    chosen: list[int] = []
    for kind, content_type in session.execute(
        select(MediaFile.kind, MediaFile.content_type)
        .where(MediaFile.status == "stored")
        .group_by(MediaFile.kind, MediaFile.content_type)
        .order_by(MediaFile.kind, MediaFile.content_type)
    ):
        chosen += session.scalars(
            select(MediaFile.id)
            .where(MediaFile.kind == kind, MediaFile.content_type == content_type)
            .order_by(MediaFile.id)
            .limit(3)
        )
    return chosen
