"""Download residents' media from LINE as soon as it arrives (LINE keeps it only briefly)."""

from __future__ import annotations

import logging
import mimetypes
import os
from pathlib import Path

from lianping import context, queues
from lianping.bot import messages, texts
from lianping.context import Context
from lianping.jobs import delivery
from lianping.line.client import ContentTooLarge, LineApiError
from lianping.storage import media as media_queries
from lianping.storage import outbox
from lianping.storage.models import MediaFile, Resident, utcnow

log = logging.getLogger(__name__)


def enqueue(ctx: Context, media_id: int) -> None:
    """Queue the download of a registered media file."""
    queues.enqueue(ctx.redis, queues.DEFAULT, "lianping.jobs.media.download", media_id)


def delete_file(ctx: Context, relative_path: str | None) -> None:
    """Remove a stored media file (the resident unsent it)."""
    if relative_path:
        (ctx.settings.media_dir / relative_path).unlink(missing_ok=True)


def download(media_id: int) -> str:
    """RQ job: fetch one media file into MEDIA_DIR; returns the row's final status."""
    ctx = context.current()
    with ctx.sessions() as session:
        media = session.get(MediaFile, media_id)
        if media is None or media.status != media_queries.PENDING:
            return media.status if media else "missing"
        message_id, kind = media.line_message_id, media.kind
        created = media.created_at
    relative = Path(f"{created:%Y/%m}") / message_id
    partial = ctx.settings.media_dir / ".partial" / f"{message_id}.{os.getpid()}"
    partial.parent.mkdir(parents=True, exist_ok=True)
    try:
        with partial.open("wb") as target:
            got = ctx.line.download_content(
                message_id, target, media_queries.MAX_BYTES.get(kind, 0)
            )
    except ContentTooLarge as exc:
        partial.unlink(missing_ok=True)
        return _too_large(ctx, media_id, exc.limit)
    except LineApiError as exc:
        partial.unlink(missing_ok=True)
        if exc.is_retryable:
            raise
        # 410: the resident unsent it before we fetched it; anything else is final too.
        status = media_queries.UNSENT if exc.status == 410 else media_queries.FAILED
        return _finish(ctx, media_id, status=status, error=str(exc))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    relative = relative.with_suffix(mimetypes.guess_extension(got.content_type) or ".bin")
    final = ctx.settings.media_dir / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(partial, final)
    with ctx.sessions.begin() as session:
        media = session.get(MediaFile, media_id)
        if media is None or media.status != media_queries.PENDING:
            # Unsent while we downloaded: keep nothing.
            final.unlink(missing_ok=True)
            return media.status if media else "missing"
        media.status = media_queries.STORED
        media.content_type, media.size, media.sha256 = got.content_type, got.size, got.sha256
        media.path = str(relative)
        media.stored_at = utcnow()
        return media.status


def _finish(ctx: Context, media_id: int, *, status: str, error: str | None = None) -> str:
    with ctx.sessions.begin() as session:
        media = session.get(MediaFile, media_id)
        if media is not None and media.status == media_queries.PENDING:
            media.status, media.error = status, error
    return status


def _too_large(ctx: Context, media_id: int, limit: int) -> str:
    with ctx.sessions.begin() as session:
        media = session.get(MediaFile, media_id)
        if media is None or media.status != media_queries.PENDING:
            return media.status if media else "missing"
        media.status = media_queries.TOO_LARGE
        media.error = f"larger than {limit} bytes"
        resident = session.get(Resident, media.resident_id) if media.resident_id else None
        if resident is None:
            return media_queries.TOO_LARGE
        notice = outbox.add(
            session,
            resident.line_user_id,
            [messages.text(texts.media_too_large(media.kind, limit // (1024 * 1024)))],
        )
        notice_id = notice.id
    delivery.enqueue(ctx, notice_id)
    return media_queries.TOO_LARGE
