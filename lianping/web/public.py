"""What LINE and residents fetch without signing in: broadcast images and counted links.

- ``GET /promo/<token>.jpg|png``: a broadcast image as uploaded (LINE downloads it);
- ``GET /promo/<token>/preview.jpg``: its 240-px preview (chat list, notifications);
- ``GET /l/<token>``: a link in a broadcast; the tap is counted, then redirected;
- ``GET|POST /my-data/<token>``: a resident's copy of their personal data: the page, then
  its one download (a POST, so LINE's link preview cannot use the link up).

The blueprint is named ``public``: the access guard lets ``public.*`` endpoints
through without a staff session.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, redirect, render_template, request, send_file
from sqlalchemy import update
from werkzeug.wrappers import Response

from lianping import context, rocdate
from lianping.services import data_requests, promotion_images
from lianping.storage import data_requests as request_queries
from lianping.storage.models import BroadcastLink, utcnow

HERE = Path(__file__).resolve().parent
blueprint = Blueprint(
    "public",
    __name__,
    template_folder=str(HERE / "templates"),
    static_folder=str(HERE / "static"),
    static_url_path="/public/static",
)

# A token names one upload forever (a new image gets a new token), so caches may keep it.
IMMUTABLE = "public, max-age=31536000, immutable"
IMAGE_GONE = "這張圖片不存在或已移除。"
LINK_GONE = "這個連結不存在或已失效，可能網址有誤。"
NOT_FOUND = "找不到這個網頁"
COPY_MISSING = "這個下載連結不存在，可能網址有誤。"
COPY_GONE_TITLE = "下載連結已失效"
COPY_GONE = (
    "這個個人資料複製本的下載連結已使用過或已逾期，為保護您的個人資料，無法再次下載。"
    "如仍需要，請在 LINE 點選「個資說明」重新申請。"
)


def _not_found(message: str) -> tuple[str, int]:
    return render_template("public/error.html", title=NOT_FOUND, message=message), 404


def _image(token: str, ext: str | None) -> Response | tuple[str, int]:
    """The original (``ext`` given, must match its type) or the preview (``ext`` None)."""
    ctx = context.of_app()
    with ctx.sessions() as session:
        image = promotion_images.by_token(session, token)
        if image is None or (ext is not None and promotion_images.extension(image) != ext):
            return _not_found(IMAGE_GONE)
        if ext is None:
            relative, content_type = promotion_images.preview_path(image), "image/jpeg"
        else:
            relative, content_type = promotion_images.original_path(image), image.content_type
    root = ctx.settings.media_dir.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return _not_found(IMAGE_GONE)
    response = send_file(path, mimetype=content_type, conditional=True, etag=True)
    response.headers["Cache-Control"] = IMMUTABLE
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.get("/promo/<token>.jpg")
def promo_jpeg(token: str) -> Response | tuple[str, int]:
    """A broadcast JPEG as uploaded."""
    return _image(token, "jpg")


@blueprint.get("/promo/<token>.png")
def promo_png(token: str) -> Response | tuple[str, int]:
    """A broadcast PNG as uploaded."""
    return _image(token, "png")


@blueprint.get("/promo/<token>/preview.jpg")
def promo_preview(token: str) -> Response | tuple[str, int]:
    """A broadcast image's 240-px JPEG preview."""
    return _image(token, None)


@blueprint.get("/l/<token>")
def link(token: str) -> Response | tuple[str, int]:
    """Count the tap (one atomic UPDATE, safe under concurrent taps) and redirect."""
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        url = session.scalar(
            update(BroadcastLink)
            .where(BroadcastLink.token == token)
            .values(clicks=BroadcastLink.clicks + 1)
            .returning(BroadcastLink.url)
        )
    # Links are checked to be https when composed; anything else is never followed.
    if url is None or not url.startswith(("https://", "http://")):
        return _not_found(LINK_GONE)
    response = redirect(url, code=302)
    response.headers["Cache-Control"] = "no-store"  # every tap reaches us and is counted
    return response


def _copy_gone() -> tuple[str, int]:
    return render_template("public/error.html", title=COPY_GONE_TITLE, message=COPY_GONE), 410


@blueprint.get("/my-data/<token>")
def my_data(token: str) -> tuple[str, int]:
    """The copy's page: what it is, until when, and the button that downloads it once."""
    ctx = context.of_app()
    now = utcnow()
    with ctx.sessions() as session:
        row = request_queries.by_token_hash(session, data_requests.token_hash(token))
        if row is None:
            return _not_found(COPY_MISSING)
        expires = row.export_expires_at
        if row.export_path is None or row.export_downloaded_at or not expires or expires <= now:
            return _copy_gone()
    return render_template("public/my_data.html", expires=rocdate.roc_datetime(expires)), 200


@blueprint.post("/my-data/<token>")
def my_data_download(token: str) -> Response | tuple[str, int]:
    """The one download: claimed and logged, then the file is sent and removed."""
    ctx = context.of_app()
    root = ctx.settings.media_dir.resolve()
    with ctx.sessions.begin() as session:
        try:
            row = data_requests.take_copy(session, token, utcnow(), request.remote_addr)
        except data_requests.LinkGone:
            return _copy_gone()
        if row is None:
            return _not_found(COPY_MISSING)
        path = (root / str(row.export_path)).resolve()
        row.export_path = None
        if not path.is_relative_to(root) or not path.is_file():
            return _copy_gone()
        body = path.read_bytes()
    path.unlink(missing_ok=True)
    response = Response(body, mimetype="application/zip")
    response.headers["Content-Disposition"] = 'attachment; filename="my-data.zip"'
    response.headers["Cache-Control"] = "no-store"
    return response
