"""A resident's copy of their personal data (個資法 §10 製給複製本): a PDF listing what is
held, and the photos of their cases, in one zip."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from lianping import rocdate
from lianping.reports.pdf import plain_pdf
from lianping.services.data_request_chat import my_data_text
from lianping.storage.data_requests import HeldData
from lianping.storage.models import MediaFile

TITLE = "個人資料複製本"
PDF_NAME = "個人資料.pdf"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def copy_zip(
    held: HeldData,
    photos: list[MediaFile],
    case_numbers: dict[int, str],
    media_dir: Path,
    agency: str,
    now: datetime,
) -> bytes:
    """The zip: the PDF, then each stored photo as 照片/<case number>-<n>.<ext>."""
    heading = f"{agency}\n製給日期：{rocdate.roc_date(now)}"
    body = my_data_text(held, now, limit=None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PDF_NAME, plain_pdf(TITLE, [heading, body]))
        counts: dict[int, int] = {}
        root = media_dir.resolve()
        for photo in photos:
            path = (root / str(photo.path)).resolve()
            if not path.is_relative_to(root) or not path.is_file() or photo.case_id is None:
                continue
            counts[photo.case_id] = counts.get(photo.case_id, 0) + 1
            extension = EXTENSIONS.get(photo.content_type or "", "jpg")
            name = f"照片/{case_numbers[photo.case_id]}-{counts[photo.case_id]}.{extension}"
            archive.write(path, name)
    return buffer.getvalue()
