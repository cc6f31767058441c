"""Report files as HTTP downloads, shared by the report pages and the API."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response

from lianping.reports import biweekly_files
from lianping.reports.biweekly_model import BiweeklyReport


def _pdf(report: BiweeklyReport) -> bytes:
    # Imported here: fpdf2 and fontTools cost the web process ~25 MB, paid on the first PDF.
    from lianping.reports.pdf import biweekly_pdf

    return biweekly_pdf(report)


# What the report page offers: the spreadsheets and CSV, and a PDF of the form.
RENDERERS: dict[str, Callable[[BiweeklyReport], bytes]] = {
    **biweekly_files.RENDERERS,
    "pdf": _pdf,
}
MEDIA_TYPES = {**biweekly_files.MEDIA_TYPES, "pdf": "application/pdf"}


def file_response(report: BiweeklyReport, extension: str, data: bytes, media_type: str) -> Response:
    """The file as an attachment named for the report (zh-TW name per RFC 5987)."""
    response = Response(data, content_type=media_type)
    response.headers["Content-Disposition"] = biweekly_files.content_disposition(report, extension)
    response.headers["Cache-Control"] = "no-store"
    return response


def rendered(report: BiweeklyReport, extension: str) -> Response:
    """The report rendered now as ODS, XLSX, CSV or PDF."""
    return file_response(report, extension, RENDERERS[extension](report), MEDIA_TYPES[extension])
