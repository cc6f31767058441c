"""Queries over residents' media files. They take a session and never commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from lianping.storage.db import insert_ignoring_duplicates
from lianping.storage.models import MediaFile, utcnow

PENDING, STORED, UNSENT, TOO_LARGE, FAILED = "pending", "stored", "unsent", "too_large", "failed"

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
        session,
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


def forget(session: Session, message_id: str) -> str | None:
    """The resident unsent the message: mark it so; returns the stored file's path to delete."""
    media = by_message_id(session, message_id)
    if media is None:
        return None
    path, media.path, media.status = media.path, None, UNSENT
    media.sha256 = None
    return path
