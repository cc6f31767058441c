"""Residents' stored photos and files, served only to staff who may open their case.

A tip's file the actor may not open is a 404 like a missing one; each file of a tip
served is in the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, send_file
from werkzeug.wrappers import Response

from lianping import context
from lianping.admin.pages.common import current_actor, not_found
from lianping.services import casework
from lianping.services.access import can_open
from lianping.storage import media as media_store
from lianping.storage.models import Case, MediaFile

blueprint = Blueprint("media", __name__, url_prefix="/admin/media")
blueprint.register_error_handler(404, not_found)

# Shown in the page; anything else (SVG, HTML, PDFs, video…) is a download.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


@blueprint.get("/<int:media_id>")
def show(media_id: int) -> Response:
    """The stored file with its own Content-Type; never sniffed, images inline, others attached."""
    actor = current_actor()
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        media = session.get(MediaFile, media_id)
        if media is None or media.case_id is None:
            abort(404)
        case = session.get(Case, media.case_id)
        if case is None or not can_open(actor, case):
            abort(404)
        if media.status != media_store.STORED or not media.path:
            abort(404)
        casework.record_view(session, actor, case, f"media.{media_id}")
        root = ctx.settings.media_dir.resolve()
        path = (root / media.path).resolve()
        content_type = media.content_type or "application/octet-stream"
        kind = media.kind
    if not path.is_relative_to(root) or not path.is_file():
        abort(404)
    inline = content_type.split(";")[0].strip().lower() in INLINE_TYPES
    response = send_file(
        path,
        mimetype=content_type,
        as_attachment=not inline,
        download_name=f"{case.number}-{kind}-{media_id}{path.suffix}",
        conditional=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if inline:
        response.headers["Content-Disposition"] = "inline"
    return response
