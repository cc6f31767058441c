"""Every GET route of the admin and the API, with the requests the realistic tier makes of it.

``ROUTES`` maps each endpoint of the app's url_map (under /admin and /api) to the requests
that exercise it on the realistic data, with real ids; ``test_routes`` fails when the app
has a GET route this table does not know, so a new page joins the tier when it is added.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import func, select

from lianping import codes, rocdate
from lianping.admin.dashboard.period import quick_ranges
from lianping.reports import biweekly
from lianping.services import report_periods
from lianping.storage import case_search
from lianping.storage.case_search import CaseFilter
from lianping.storage.models import (
    ActivityPhoto,
    Agency,
    Case,
    CasePublication,
    DataRequest,
    FieldActivity,
    MediaFile,
    MisconductPattern,
    Place,
    PlaceContact,
    Unit,
    User,
)
from tests.realistic.data import CHIEF
from tests.realistic.readers import CSV, HTML, JSON, ODS, ODT, PDF, XLSX
from tests.realistic.tier import Get, Realistic

OFFICER = "demo-officer1"  # no 政風 flag: tips are hidden, personal data masked in lists
VIEWER = "demo-viewer"

Routes = Callable[[Realistic], list[Get]]


def url(path: str, **query: Any) -> str:
    """``path`` with the non-empty ``query`` values."""
    args = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{path}?{urlencode(args)}" if args else path


def period_args(period: tuple[date, date]) -> dict[str, str]:
    return {"from": period[0].isoformat(), "to": period[1].isoformat()}


# -- the inbox and the case ----------------------------------------------------------------------


def inbox_filters(r: Realistic) -> list[dict[str, str]]:
    """Every value of every inbox filter, one at a time, and a few searches people type."""
    with r.session() as session:
        units = list(session.scalars(select(Unit.id).order_by(Unit.id)))
        agencies = list(session.scalars(select(Agency.id).order_by(Agency.id)))
        officers = list(
            session.scalars(select(User.id).where(User.role != "viewer").order_by(User.id))
        )
    last_from, last_to = r.ids.periods[0]
    filters: list[dict[str, str]] = [{}]
    filters += [{"status": s} for s in [*codes.STATUSES, "open"]]
    filters += [{"nature": n} for n in codes.NATURES]
    filters += [{"sub_item": s} for s in codes.SUB_ITEMS]
    filters += [{"theme": t} for t in codes.THEMES]
    filters += [{"channel": c} for c in codes.CHANNELS]
    filters += [{"unit_id": str(u)} for u in units]
    filters += [{"agency_id": str(a)} for a in agencies]
    filters += [{"officer_id": str(o)} for o in officers]
    filters += [{"overdue": "1"}, {"resident_update": "1"}]
    filters += [{"date_from": last_from.isoformat(), "date_to": last_to.isoformat()}]
    first_case = r.ids.cases[0]
    filters += [{"q": q} for q in ("路燈", "🙏", "𡘙", first_case, first_case[:7], "0912")]
    return filters


def _inbox(r: Realistic) -> list[Get]:
    gets = [Get(url("/admin/cases", **f), HTML) for f in inbox_filters(r)]
    # Every page of the whole inbox, in each order; staff without 政風 and viewers, the first
    # pages (their lists differ by the tips and the masking, not by the paging).
    for sort in case_search.SORTS:
        gets.append(Get(url("/admin/cases", sort=sort), HTML, follow_pages=True))
        for user in (OFFICER, VIEWER):
            gets.append(Get(url("/admin/cases", sort=sort), HTML, user=user, max_pages=3))
    return gets


def _case_pages(r: Realistic, view: str = "") -> list[Get]:
    gets = []
    for number in r.ids.cases:
        if number in r.ids.tips and view == "/print":  # never a 工作紀錄表, refused in words
            gets.append(Get(f"/admin/cases/{number}{view}", HTML, status=403))
        else:
            gets.append(Get(f"/admin/cases/{number}{view}", HTML, contains=(number,)))
        if number in r.ids.tips:  # to staff it is not assigned to, as if it did not exist
            gets.append(Get(f"/admin/cases/{number}{view}", HTML, status=404, user=OFFICER))
        elif not view:
            gets.append(Get(f"/admin/cases/{number}", HTML, user=VIEWER, contains=(number,)))
    return gets


def _data_request_pages(r: Realistic) -> list[Get]:
    """Every seeded 個資請求's page, to a decider; an officer may read it too, masked."""
    with r.session() as session:
        ids = list(session.scalars(select(DataRequest.id).order_by(DataRequest.id)))
    gets = [Get(f"/admin/data-requests/{request_id}", HTML) for request_id in ids]
    return [*gets, Get(f"/admin/data-requests/{ids[0]}", HTML, user=OFFICER)] if ids else gets


def _notice_letters(r: Realistic) -> list[Get]:
    """The sampled notices as letters, ODT and PDF, each with its case number."""
    return [
        Get(f"/admin/cases/{number}/notices/{notice_id}.{fmt}", kind, contains=(number,))
        for number, notice_id in r.ids.notices
        for fmt, kind in (("odt", ODT), ("pdf", PDF))
    ]


def _record_files(r: Realistic) -> list[Get]:
    """附件1 of every sampled case as ODT, and of the extreme ones as PDF too (a PDF costs a
    second of font work), with the report's first words (the form prints no case number)."""
    gets = []
    with r.session() as session:
        for number in r.ids.cases:
            description = session.scalar(select(Case.description).where(Case.number == number))
            words = (_opening_words(description or ""),)
            if number in r.ids.tips:  # never a 工作紀錄表, refused in words
                gets.append(Get(f"/admin/cases/{number}/record.odt", HTML, status=403))
                continue
            gets.append(Get(f"/admin/cases/{number}/record.odt", ODT, contains=words))
            if number in r.ids.extreme_cases:
                gets.append(Get(f"/admin/cases/{number}/record.pdf", PDF, contains=words))
    return gets


def _opening_words(text: str, length: int = 12) -> str:
    """The report's first words: Chinese characters and punctuation up to the first anything
    else (an emoji, a Latin letter), without line breaks: what any PDF reader extracts alike."""
    found = re.match(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]*", "".join(text.split()))
    return found.group()[:length] if found else ""


def _media(r: Realistic) -> list[Get]:
    with r.session() as session:
        rows = session.execute(
            select(MediaFile.id, MediaFile.content_type).where(MediaFile.id.in_(r.ids.media))
        ).all()
    return [Get(f"/admin/media/{media_id}", str(kind)) for media_id, kind in rows]


# -- 平臺地點 and field activities -------------------------------------------------------------


def _place_ids(r: Realistic) -> list[int]:
    with r.session() as session:
        return list(session.scalars(select(Place.id).order_by(Place.id)))


def _place_pages(r: Realistic, view: str = "") -> list[Get]:
    """Every place's page (contacts in full, and masked to a viewer) or its form."""
    gets = [Get(f"/admin/places/{p}{view}", HTML) for p in _place_ids(r)]
    if not view:
        gets += [Get(f"/admin/places/{p}", HTML, user=VIEWER) for p in _place_ids(r)[:2]]
    return gets


def _contact_forms(r: Realistic) -> list[Get]:
    with r.session() as session:
        rows = session.execute(
            select(PlaceContact.place_id, PlaceContact.id).where(PlaceContact.active.is_(True))
        ).all()
    return [Get(f"/admin/places/{p}/contacts/{c}/edit", HTML) for p, c in rows]


def _activity_ids(r: Realistic) -> list[int]:
    """The newest 40 activities and those that took reports or have photos."""
    with r.session() as session:
        newest = session.scalars(select(FieldActivity.id).order_by(FieldActivity.id.desc()))
        linked = session.scalars(select(Case.activity_id).where(Case.activity_id.is_not(None)))
        pictured = session.scalars(select(ActivityPhoto.activity_id))
        return sorted({*list(newest)[:40], *(i for i in linked if i), *pictured})


def _activity_list(r: Realistic) -> list[Get]:
    """The whole list page by page, and every filter on its own."""
    today = rocdate.taipei_today()
    gets = [Get("/admin/activities/", HTML), Get("/admin/activities/", HTML, user=VIEWER)]
    with r.session() as session:
        districts = list(session.scalars(select(Place.district).distinct()))
        total = int(session.scalar(select(func.count()).select_from(FieldActivity)) or 0)
    gets += [Get(url("/admin/activities/", page=n), HTML) for n in range(2, 2 + total // 50)]
    gets += [Get(url("/admin/activities/", kind=k), HTML) for k in codes.ACTIVITY_KINDS]
    gets += [Get(url("/admin/activities/", district=d), HTML) for d in districts]
    gets += [Get(url("/admin/activities/", place_id=p), HTML) for p in _place_ids(r)]
    last_year = {"from": (today - timedelta(days=365)).isoformat(), "to": today.isoformat()}
    return [*gets, Get(url("/admin/activities/", **last_year), HTML)]


def _activity_pages(r: Realistic, view: str = "") -> list[Get]:
    return [Get(f"/admin/activities/{a}{view}", HTML) for a in _activity_ids(r)]


def _activity_photos(r: Realistic) -> list[Get]:
    with r.session() as session:
        rows = session.execute(select(ActivityPhoto.activity_id, ActivityPhoto.id)).all()
    return [Get(f"/admin/activities/{a}/photos/{p}", "image/jpeg") for a, p in rows]


# -- exports and reports ----------------------------------------------------------------------


def count(r: Realistic, args: dict[str, str], tips: bool = True) -> int:
    """How many cases the inbox lists for ``args`` (with every tip, the head of ethics's
    view, or none): what an export of them must hold."""
    flt = CaseFilter.from_args(args)
    scope = case_search.ALL_TIPS if tips else case_search.NO_TIPS
    with r.session() as session:
        statement = case_search.filtered(select(func.count()).select_from(Case), flt, scope)
        return int(session.scalar(statement) or 0)


def _exports(r: Realistic) -> list[Get]:
    """Every case, and the tips, emoji searches and overdue ones, in the three formats; each
    status and nature as CSV; and what an officer without 政風 gets (no tips)."""
    gets = []
    for args in ({}, {"nature": codes.TIP}, {"q": "🙏"}, {"overdue": "1"}):
        rows = count(r, args) + 1  # the heading
        for fmt, kind in (("csv", CSV), ("xlsx", XLSX), ("ods", ODS)):
            gets.append(Get(url(f"/admin/exports/cases.{fmt}", **args), kind, rows=rows))
    for args in [{"status": s} for s in codes.STATUSES] + [{"nature": n} for n in codes.NATURES]:
        gets.append(Get(url("/admin/exports/cases.csv", **args), CSV, rows=count(r, args) + 1))
    rows = count(r, {}, tips=False) + 1
    gets.append(Get("/admin/exports/cases.csv", CSV, user=OFFICER, rows=rows))
    return gets


def report_words(r: Realistic, period: tuple[date, date]) -> tuple[str, ...]:
    """What every form of the period's 附件2 shows: 「（附件2）」, its period, its rows' titles."""
    with r.session() as session:
        report = biweekly.build(session, *period)
    return ("（附件2）", report.period_text, *(row.title for row in report.rows))


def _pdf_words(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple("".join(w.split()) for w in words)


def biweekly_files(r: Realistic, fmt: str) -> list[Get]:
    """The period's 附件2 as ``fmt``, for every two-week period of the last year."""
    kinds = {"ods": ODS, "xlsx": XLSX, "csv": CSV, "pdf": PDF}
    gets = []
    for period in r.ids.periods:
        words = report_words(r, period)
        if fmt == "pdf":
            words = _pdf_words(words)
        gets.append(
            Get(
                url(f"/admin/reports/biweekly/{fmt}", **period_args(period)),
                kinds[fmt],
                contains=words,
            )
        )
    return gets


def _biweekly_downloads(r: Realistic) -> list[Get]:
    return [g for fmt in ("ods", "xlsx", "csv", "pdf") for g in biweekly_files(r, fmt)]


def record_batches(r: Realistic, fmt: str) -> list[Get]:
    """Every period's 工作紀錄表 in one file: each case of the period in it."""
    gets = []
    for period in r.ids.periods:
        start, end = report_periods.utc_bounds(*period)
        with r.session() as session:
            numbers = tuple(
                _opening_words(description)
                for description in session.scalars(
                    select(Case.description).where(
                        Case.created_at >= start,
                        Case.created_at < end,
                        Case.confidential.is_(False),  # a tip is never on 附件1
                    )
                )
            )
        query = {"date_from": period[0].isoformat(), "date_to": period[1].isoformat()}
        kind = PDF if fmt == "pdf" else ODT
        gets.append(
            Get(
                url(f"/admin/records/batch.{fmt}", **query),
                kind,
                contains=numbers,
                min_pages=len(numbers) if fmt == "pdf" else None,
            )
        )
    return gets


def _record_batches(r: Realistic) -> list[Get]:
    return record_batches(r, "odt") + record_batches(r, "pdf")


def _report_pages(r: Realistic, path: str) -> list[Get]:
    return [
        Get(url(path, **period_args(p)), HTML, contains=report_words(r, p)[:1])
        for p in r.ids.periods
    ]


def _dashboard(r: Realistic) -> list[Get]:
    today = rocdate.taipei_today()
    ranges = [(q.period_from, q.period_to) for q in quick_ranges(today)]
    two_years = (today - timedelta(days=730), today)
    gets = [Get("/admin/dashboard", HTML), Get("/admin/dashboard", HTML, user=OFFICER)]
    gets += [Get(url("/admin/dashboard", **period_args(p)), HTML) for p in [*ranges, two_years]]
    return gets


# -- broadcasts, followers, settings -----------------------------------------------------------


def _broadcast_pages(r: Realistic, view: str, kind: str = HTML) -> list[Get]:
    return [Get(f"/admin/broadcasts/{b}{view}", kind) for b in r.ids.broadcasts]


def _static(r: Realistic) -> list[Get]:
    """Every file of the staff site's static folder (styles, scripts, the vendored charts)."""
    folder = Path(r.app.blueprints["admin"].static_folder)
    gets = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        kind = "text/javascript" if guessed == "application/javascript" else guessed
        gets.append(Get(f"/admin/static/{path.relative_to(folder).as_posix()}", kind))
    return gets


def _audit(r: Realistic) -> list[Get]:
    first_case = r.ids.cases[0]
    gets = [Get("/admin/audit", HTML, follow_pages=True)]
    gets += [Get(url("/admin/audit", type=t), HTML) for t in ("case", "broadcast", "report")]
    gets += [Get(url("/admin/audit", action=a), HTML) for a in ("case.", "broadcast.", "x")]
    gets.append(Get(url("/admin/audit", target=first_case), HTML))
    return gets


# -- 公開 -------------------------------------------------------------------------------------


def _publication_panels(r: Realistic) -> list[Get]:
    """Every sampled case's 公開 panel (a tip's is a 404), and the published ones'."""
    with r.session() as session:
        published = list(
            session.scalars(
                select(Case.number)
                .join(CasePublication, CasePublication.case_id == Case.id)
                .order_by(Case.id)
                .limit(10)
            )
        )
        tips = set(session.scalars(select(Case.number).where(Case.confidential.is_(True))))
    numbers = [*r.ids.cases, *published]
    return [
        Get(f"/admin/cases/{n}/public", HTML, status=404 if n in tips else 200, contains=(n,)
            if n not in tips else ())
        for n in numbers
    ]  # fmt: skip


def _pattern_forms(r: Realistic) -> list[Get]:
    with r.session() as session:
        ids = list(session.scalars(select(MisconductPattern.id).order_by(MisconductPattern.id)))
    return [Get(f"/admin/public/patterns/{i}", HTML) for i in ids]


# -- the API ------------------------------------------------------------------------------------


def _api_cases(r: Realistic) -> list[Get]:
    gets = [Get("/api/v1/cases?limit=100", JSON, follow_pages=True, items=r.ids.total_cases)]
    for status in codes.STATUSES:
        total = count(r, {"status": status})
        gets.append(
            Get(
                url("/api/v1/cases", status=status, limit=100), JSON, follow_pages=True, items=total
            )
        )
    gets.append(Get(url("/api/v1/cases", q="🙏"), JSON))
    return gets


def _api_reports(r: Realistic) -> list[Get]:
    gets = [Get("/api/v1/reports/biweekly", JSON)]
    gets += [Get(url("/api/v1/reports/biweekly", **period_args(p)), JSON) for p in r.ids.periods]
    latest = period_args(r.ids.periods[0])
    gets += [
        Get(url("/api/v1/reports/biweekly", format=fmt, **latest), kind)
        for fmt, kind in (("ods", ODS), ("xlsx", XLSX), ("csv", CSV))
    ]
    return gets


ROUTES: dict[str, Routes] = {
    # the inbox and the case
    "inbox.home": lambda r: [Get("/admin/", HTML)],
    "inbox.index": _inbox,
    "case.show": _case_pages,
    "case.print_view": lambda r: _case_pages(r, "/print"),
    "intake.new": lambda r: [
        Get("/admin/cases/new", HTML),
        *[Get(url("/admin/cases/new", activity_id=a), HTML) for a in _activity_ids(r)[:5]],
    ],
    "intake.notice": lambda r: [Get("/admin/cases/new/notice", HTML)],
    "data_requests.index": lambda r: [
        Get(url("/admin/data-requests/", show=show), HTML) for show in ("open", "overdue", "all")
    ],
    "data_requests.show": _data_request_pages,
    "work_records.one": _record_files,
    "notices.letter": _notice_letters,
    "notices.pending": lambda r: [
        Get("/admin/notices/", HTML, contains=("待寄送通知",)),
        Get("/admin/notices/", HTML, user=OFFICER),
    ],
    "work_records.form": lambda r: [Get("/admin/records", HTML)],
    "work_records.batch": _record_batches,
    "media.show": _media,
    "places.index": lambda r: [
        Get("/admin/places/", HTML),
        Get(url("/admin/places/", all="1"), HTML),
        *[Get(url("/admin/places/", district=d), HTML) for d in ("中正區", "大同區", "萬華區")],
    ],
    "places.new": lambda r: [Get("/admin/places/new", HTML)],
    "places.show": _place_pages,
    "places.edit": lambda r: _place_pages(r, "/edit"),
    "places.edit_contact": _contact_forms,
    "activities.index": _activity_list,
    "activities.new": lambda r: [
        Get("/admin/activities/new", HTML),
        *[Get(url("/admin/activities/new", place_id=p), HTML) for p in _place_ids(r)[:3]],
    ],
    "activities.show": _activity_pages,
    "activities.edit": lambda r: _activity_pages(r, "/edit"),
    "activities.photo": _activity_photos,
    "exports.cases": _exports,
    # reports and the dashboard
    "reports.index": lambda r: [Get("/admin/reports/", HTML)],
    "reports.biweekly_page": lambda r: [
        Get("/admin/reports/biweekly", HTML),
        *_report_pages(r, "/admin/reports/biweekly"),
    ],
    "reports.print_view": lambda r: _report_pages(r, "/admin/reports/biweekly/print"),
    "reports.download": _biweekly_downloads,
    "reports.submission_list": lambda r: [Get("/admin/reports/submissions", HTML)],
    "reports.submission_view": lambda r: [
        Get(f"/admin/reports/submissions/{s}", HTML) for s in r.ids.submissions
    ],
    "reports.submission_file": lambda r: [
        Get(f"/admin/reports/submissions/{s}/ods", ODS) for s in r.ids.submissions
    ],
    "dashboard.index": _dashboard,
    # broadcasts and followers
    "broadcasts.index": lambda r: [Get("/admin/broadcasts/", HTML)],
    "broadcasts.new": lambda r: [Get("/admin/broadcasts/new", HTML)],
    "broadcasts.show": lambda r: _broadcast_pages(r, ""),
    "broadcasts.edit": lambda r: _broadcast_pages(r, "/edit"),
    "broadcasts.progress": lambda r: _broadcast_pages(r, "/progress.json", JSON),
    "broadcasts.audience_count": lambda r: [
        Get(url("/admin/broadcasts/audience-count", audience_kind=a), JSON) for a in ("all", "test")
    ],
    "followers.index": lambda r: [
        Get(url("/admin/followers/", opt_out=o), HTML, follow_pages=True) for o in ("", "no", "yes")
    ],
    # settings and the audit log
    "settings.index": lambda r: [Get("/admin/settings/", HTML)],
    "settings.agencies": lambda r: [Get("/admin/settings/agencies", HTML)],
    "settings.units": lambda r: [Get("/admin/settings/units", HTML)],
    "settings.privacy": lambda r: [Get("/admin/settings/privacy", HTML)],
    "settings.retention_schedule": lambda r: [Get("/admin/settings/retention", HTML)],
    "settings.texts": lambda r: [Get("/admin/settings/texts", HTML)],
    "settings.users": lambda r: [Get("/admin/settings/users", HTML)],
    "settings.templates": lambda r: [Get("/admin/settings/templates", HTML)],
    "settings.template_edit": lambda r: [
        Get(f"/admin/settings/templates/{t}", HTML) for t in r.ids.templates
    ],
    "settings.audit": _audit,
    # the rest of the staff site
    "account.show": lambda r: [Get("/admin/account", HTML, user=u) for u in (CHIEF, VIEWER)],
    "admin.index": lambda r: [Get("/admin/status", HTML)],
    "admin.static": _static,
    "auth.login": lambda r: [Get("/admin/login", HTML), Get("/admin/login", HTML, user=None)],
    # The sign-in's second step without a password step before it: back to the login form.
    "second_step.code": lambda r: [Get("/admin/login/code", HTML, status=401, user=None)],
    "second_step.enrol": lambda r: [Get("/admin/login/enrol", HTML, status=401, user=None)],
    "second_step.account": lambda r: [
        Get("/admin/account/two-factor", HTML, user=u) for u in (CHIEF, VIEWER)
    ],
    # 公開: the staff side of the public site
    "publication.index": lambda r: [Get("/admin/public", HTML)],
    "publication.panel": _publication_panels,
    "publication.settings": lambda r: [
        Get("/admin/public/settings", HTML),
        Get("/admin/public/settings", HTML, user=VIEWER),
    ],
    "patterns.index": lambda r: [Get("/admin/public/patterns", HTML)],
    "patterns.new": lambda r: [Get("/admin/public/patterns/new", HTML)],
    "patterns.edit": _pattern_forms,
    # the API
    "api.listCases": _api_cases,
    "api.getCase": lambda r: [Get(f"/api/v1/cases/{n}", JSON, contains=(n,)) for n in r.ids.cases],
    "api.listBroadcasts": lambda r: [
        Get(url("/api/v1/broadcasts", status=s, limit=100), JSON)
        for s in ["", *codes.BROADCAST_STATUSES]
    ],
    "api.getBroadcast": lambda r: [Get(f"/api/v1/broadcasts/{b}", JSON) for b in r.ids.broadcasts],
    "api.listUnits": lambda r: [Get("/api/v1/units", JSON)],
    "api.listPlaces": lambda r: [
        Get("/api/v1/places", JSON),
        Get("/api/v1/places", JSON, user=VIEWER),
    ],
    "api.getPlace": lambda r: [Get(f"/api/v1/places/{p}", JSON) for p in _place_ids(r)],
    "api.listActivities": lambda r: [
        Get("/api/v1/activities", JSON),
        *[Get(url("/api/v1/activities", kind=k, limit=100), JSON) for k in codes.ACTIVITY_KINDS],
    ],
    "api.getActivity": lambda r: [Get(f"/api/v1/activities/{a}", JSON) for a in _activity_ids(r)],
    "api.listAgencies": lambda r: [Get("/api/v1/agencies", JSON)],
    "api.listReplyTemplates": lambda r: [Get("/api/v1/reply-templates", JSON)],
    "api.getBiweeklyReport": _api_reports,
    "api.getOpenApi": lambda r: [Get("/api/v1/openapi.json", JSON)],
    "api.getCaseNotice": lambda r: (
        [
            Get(f"/api/v1/cases/{number}/notices/{notice_id}", JSON, contains=(number,))
            for number, notice_id in r.ids.notices
        ]
        + [
            Get(f"/api/v1/cases/{number}/notices/{notice_id}?format=pdf", PDF, contains=(number,))
            for number, notice_id in r.ids.notices[:2]
        ]
    ),
    "api.listPendingNotices": lambda r: [Get("/api/v1/notices/pending", JSON)],
    "api.not_found": lambda r: [
        Get("/api/", JSON, status=404),
        Get("/api/v2/cases", JSON, status=404),
    ],
}

# Which test file requests which routes (the heavy ones apart, so test workers share them).
GROUPS: dict[str, tuple[str, ...]] = {
    "case_files": ("work_records.one", "media.show", "notices.letter"),
    "exports": ("exports.cases",),
    "record_batches": ("work_records.batch",),
    "biweekly_files": ("reports.download",),
    "api": tuple(endpoint for endpoint in ROUTES if endpoint.startswith("api.")),
}
GROUPS["pages"] = tuple(e for e in ROUTES if not any(e in group for group in GROUPS.values()))
