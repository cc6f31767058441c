"""Queries over residents' media files. They take a session and never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping import codes
from lianping.storage import cases
from lianping.storage.db import insert_ignoring_duplicates
from lianping.storage.models import Case, MediaFile, utcnow

PENDING, STORED, UNSENT, TOO_LARGE, FAILED = "pending", "stored", "unsent", "too_large", "failed"
PURGED = "purged"  # the file was removed (retention purge or a granted deletion)

# What the product keeps of each kind (LINE allows more for some; we store evidence, not archives).
MAX_BYTES = {
    "image": 10 * 1024 * 1024,
    "video": 50 * 1024 * 1024,
    "audio": 20 * 1024 * 1024,
    "file": 20 * 1024 * 1024,
}
MEDIA_KINDS = frozenset(MAX_BYTES)


def register(session: Session, resident_id: int, message_id: str, kind: str) -> MediaFile:
    """Record a media message to download (a redelivered event registers nothing new)."""
    insert_ignoring_duplicates(
        session.connection(),
        MediaFile,
        [
            {
                "line_message_id": message_id,
                "resident_id": resident_id,
                "kind": kind,
                "status": PENDING,
                "created_at": utcnow(),
            }
        ],
        "line_message_id",
    )
    return session.scalars(select(MediaFile).where(MediaFile.line_message_id == message_id)).one()


def by_message_id(session: Session, message_id: str) -> MediaFile | None:
    return session.scalar(select(MediaFile).where(MediaFile.line_message_id == message_id))


# The timeline entry (staff only) when a resident takes back media already filed in a case.
UNSENT_FILED_WORDS = "反映者已在 LINE 收回此則{kind}；因已附入本案，作為案件紀錄的一部分予以保留。"


def forget(session: Session, message_id: str, at: datetime) -> str | None:
    """The resident unsent the message; returns the stored file's path to delete.

    Not yet filed in a case, it is marked unsent and its file goes. Filed, the copy is
    part of the case's record and stays; the case's timeline (staff only) says so.
    """
    media = by_message_id(session, message_id)
    if media is None:
        return None
    case = session.get(Case, media.case_id) if media.case_id is not None else None
    if case is not None:
        kind = codes.MEDIA_KINDS.get(media.kind, "檔案")
        cases.add_event(
            session, case, "media_unsent", cases.RESIDENT,
            body=UNSENT_FILED_WORDS.format(kind=kind),
            data={"media_message_id": message_id, "kind": media.kind}, at=at,
        )  # fmt: skip
        return None
    path, media.path, media.status = media.path, None, UNSENT
    media.sha256 = None
    return path


def purge_file(media: MediaFile, now: datetime) -> str | None:
    """Mark ``media`` purged and return the stored file's path for the caller to delete
    once the transaction has committed (None when no file was stored).

    A download still under way sees the status and keeps nothing (jobs.media).
    """
    path = media.path
    media.path, media.sha256, media.status, media.purged_at = None, None, PURGED, now
    return path
