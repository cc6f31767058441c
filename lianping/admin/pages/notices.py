"""Printed notices: each as a letter to print (ODT or PDF), and the letters still to mail.

A letter is served to staff who may open its case (a tip's only to its ethics staff);
a notice that is not of the case in the address is not found. A letter with the
reporter's name and address is a reveal, logged as 附件1's is.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, render_template

from lianping import codes, context
from lianping.admin.pages.common import current_actor, not_found
from lianping.admin.pages.exports import attachment
from lianping.reports import notice_letter
from lianping.reports.notice_letter import NoticeLetter
from lianping.services import notice_delivery

blueprint = Blueprint("notices", __name__, url_prefix="/admin")
blueprint.register_error_handler(404, not_found)


def _odt(letter: NoticeLetter) -> bytes:
    # Imported on the first letter: the PDF writer beside it costs the web process ~25 MB.
    from lianping.reports import notice_letter_files

    return notice_letter_files.to_odt(letter)


def _pdf(letter: NoticeLetter) -> bytes:
    from lianping.reports import notice_letter_files

    return notice_letter_files.to_pdf(letter)


MEDIA_TYPES = {"pdf": "application/pdf", "odt": "application/vnd.oasis.opendocument.text"}
FORMATS: dict[str, tuple[str, Callable[[NoticeLetter], bytes]]] = {
    "odt": (MEDIA_TYPES["odt"], _odt),
    "pdf": (MEDIA_TYPES["pdf"], _pdf),
}


def letter_file(letter: NoticeLetter, fmt: str) -> Response:
    """The letter as a download, named by its kind and case (zh-TW, with an ASCII fallback)."""
    mimetype, render = FORMATS[fmt]
    response = Response(render(letter), content_type=mimetype)
    kind = codes.NOTICE_KINDS.get(letter.kind, "通知")
    response.headers["Content-Disposition"] = attachment(
        f"{kind}_{letter.number}.{fmt}", f"notice-{letter.number}-{letter.notice_id}.{fmt}"
    )
    response.headers["Cache-Control"] = "no-store"  # personal data stays out of caches
    return response


@blueprint.get("/cases/<number>/notices/<int:notice_id>.<fmt>")
def letter(number: str, notice_id: int, fmt: str) -> Response:
    """Notice ``notice_id`` of the case as a letter to print; a full one is a logged reveal."""
    if fmt not in FORMATS:
        abort(404)
    actor = current_actor()
    ctx = context.of_app()
    with ctx.sessions.begin() as session:
        try:
            found = notice_letter.for_number(session, actor, number, notice_id)
        except LookupError:
            abort(404)
    return letter_file(found, fmt)


@blueprint.get("/notices/")
def pending() -> str:
    """「待寄送通知」: letters not yet mailed or handed over, oldest first."""
    actor = current_actor()
    with context.of_app().sessions() as session:
        rows, total = notice_delivery.pending(session, actor)
        return render_template(
            "admin/notices.html",
            rows=rows,
            no_address=notice_delivery.without_address(session, [row.id for row in rows]),
            total=total,
            limit=notice_delivery.PENDING_LIMIT,
        )
