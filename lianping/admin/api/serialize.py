"""Cases as JSON: masked summaries for lists, masked details with the full timeline.

Times are ISO 8601 UTC (``...Z``) with a ``*_roc`` string beside those people read.
Personal data is always masked here; only ``reveal`` returns it in clear.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import codes, rocdate
from lianping.services.access import Actor, personal_data
from lianping.services.casework import REJECTION_CLAUSES, REJECTION_REASONS, status_label
from lianping.services.timeline import Delivery, Entry, Notice, case_timeline
from lianping.storage.case_search import is_overdue
from lianping.storage.models import Agency, Case, MediaFile, Unit, User, utcnow

SUMMARY_LENGTH = 80


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def roc(moment: datetime | None) -> str | None:
    return rocdate.roc_datetime(moment) if moment is not None else None


def iso_date(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def summary(case: Case, now: datetime | None = None) -> dict[str, Any]:
    """A list row: codes and words, dates, masked reporter."""
    text = case.description or ""
    return {
        "number": case.number,
        "channel": case.channel,
        "channel_label": codes.CHANNELS.get(case.channel, case.channel),
        "nature": case.nature,
        "nature_label": codes.NATURES.get(case.nature, case.nature),
        "sub_item": case.sub_item,
        "theme": case.theme,
        "status": case.status,
        "status_label": status_label(case),
        "summary": text if len(text) <= SUMMARY_LENGTH else text[: SUMMARY_LENGTH - 1] + "…",
        "anonymous": case.anonymous,
        "confidential": case.confidential,
        "reporter": personal_data(case, revealed=False),
        "officer_id": case.officer_id,
        "unit_id": case.unit_id,
        "agency_id": case.agency_id,
        "due_at": iso(case.due_at),
        "due_at_roc": rocdate.roc_date(case.due_at),
        "overdue": is_overdue(case.status, case.due_at, now or utcnow(), case.details_requested_at),
        "resident_update_at": iso(case.resident_update_at),
        "created_at": iso(case.created_at),
        "created_at_roc": rocdate.roc_datetime(case.created_at),
        "updated_at": iso(case.updated_at),
    }


def delivery(found: Delivery) -> dict[str, Any]:
    """The LINE delivery state of one outbox row (``missing`` when the row is gone)."""
    return {
        "outbox_id": found.outbox_id,
        "state": found.state,
        "sent_via": found.sent_via,
        "attempts": found.attempts,
        "sent_at": iso(found.sent_at),
        "last_error": found.last_error,
    }


def _user_name(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id else None
    return user.display_name if user else None


def _named(row: Unit | Agency | None) -> dict[str, Any] | None:
    return {"id": row.id, "name": row.name} if row is not None else None


def event(entry: Entry) -> dict[str, Any]:
    """One timeline event; one that sent the resident a LINE message carries its delivery."""
    return {
        "id": entry.id,
        "kind": entry.kind,
        "public": entry.public,
        "actor": entry.actor,
        "body": entry.body,
        "data": entry.data,
        "at": iso(entry.at),
        "at_roc": rocdate.roc_datetime(entry.at),
        "delivery": delivery(entry.delivery) if entry.delivery is not None else None,
    }


def notice(found: Notice) -> dict[str, Any]:
    """A notice the law requires, how it reached the reporter, and its letter's addresses
    (a printed one's; a LINE notice has its outbox row's state instead)."""
    letters = (
        {
            fmt: url_for(
                "api.getCaseNotice",
                number=found.case_number,
                notice_id=found.id,
                format=fmt,
            )
            for fmt in ("pdf", "odt")
        }
        if found.paper
        else None
    )
    return {
        "id": found.id,
        "case_number": found.case_number,
        "kind": found.kind,
        "kind_label": found.label,
        "body": found.body,
        "delivery": found.delivery,
        "delivery_label": found.words,
        "outbox": delivery(found.line) if found.line is not None else None,
        "delivered_at": iso(found.delivered_at),
        "delivered_at_roc": rocdate.roc_date(found.delivered_at) if found.delivered_at else None,
        "delivered_by": found.delivered_by,
        "created_by": found.created_by,
        "created_at": iso(found.created_at),
        "created_at_roc": rocdate.roc_datetime(found.created_at),
        "letters": letters,
    }


def detail(session: Session, actor: Actor, case: Case) -> dict[str, Any]:
    """The case page as JSON: masked personal data, the whole timeline, media, routing."""
    officer = session.get(User, case.officer_id) if case.officer_id else None
    merged = session.get(Case, case.merged_into_id) if case.merged_into_id else None
    media = session.scalars(
        select(MediaFile).where(MediaFile.case_id == case.id).order_by(MediaFile.id)
    )
    reason = case.rejection_reason
    entries = case_timeline(session, actor, case)
    return {
        **summary(case),
        "description": case.description,
        "location": case.location,
        "officer": {"id": officer.id, "name": officer.display_name} if officer else None,
        "unit": _named(session.get(Unit, case.unit_id) if case.unit_id else None),
        "agency": _named(session.get(Agency, case.agency_id) if case.agency_id else None),
        "letter_number": case.letter_number,
        "letter_date": iso_date(case.letter_date),
        "letter_date_roc": rocdate.roc_date(case.letter_date) if case.letter_date else None,
        "handling_opinion": case.handling_opinion,
        "recorder": case.recorder,
        "activity_id": case.activity_id,
        "signing_agency": case.signing_agency,
        "petition_confirmed": case.petition_confirmed,
        "publish_consent": case.publish_consent,
        "rejection_reason": reason if reason in REJECTION_REASONS else None,
        "rejection_reason_label": REJECTION_REASONS.get(reason or ""),
        "rejection_clause": REJECTION_CLAUSES.get(reason or ""),
        "details_requested_at": iso(case.details_requested_at),
        "extension_proposal": {
            "due_date": iso_date(case.extension_due_on),
            "reason": case.extension_reason,
            "proposed_by": _user_name(session, case.extension_by),
            "proposed_at": iso(case.extension_at),
        }
        if case.extension_due_on is not None
        else None,
        "approved_by": case.approved_by,
        "approved_on": iso_date(case.approved_on),
        "referred_to": case.referred_to,
        "merged_into": merged.number if merged else None,
        "satisfaction": case.satisfaction,
        "notice_version": case.notice_version,
        "notice_method": case.notice_method,
        "insider": case.insider,
        "acceptance_due_at": iso(case.acceptance_due_at),
        "accepted_at": iso(case.accepted_at),
        "result_notified_at": iso(case.result_notified_at),
        "closed_at": iso(case.closed_at),
        "closed_at_roc": roc(case.closed_at),
        # Events only; the notices, each with how it went out, are listed on their own.
        "timeline": [event(e) for e in entries if e.notice is None],
        "notices": [notice(e.notice) for e in entries if e.notice is not None],
        "media": [
            {
                "id": m.id,
                "kind": m.kind,
                "status": m.status,
                "content_type": m.content_type,
                "size": m.size,
            }
            for m in media
        ],
    }
