"""Downloads of the inbox's current filter as CSV, XLSX or ODS, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, redirect, request, url_for
from werkzeug.wrappers import Response

from lianping import codes, context, rocdate
from lianping.admin.pages.common import current_actor, not_found
from lianping.admin.pages.inbox import FILTER_NAMES
from lianping.context import Context
from lianping.reports import exports
from lianping.services import audit
from lianping.services.access import Actor
from lianping.storage.case_search import CaseFilter, FilterError

blueprint = Blueprint("exports", __name__, url_prefix="/admin/exports")
blueprint.register_error_handler(404, not_found)


def attachment(filename: str, fallback: str) -> str:
    """A Content-Disposition with an ASCII name and the zh-TW name (RFC 5987/6266)."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _stream(ctx: Context, actor: Actor, flt: CaseFilter, fmt: exports.Format) -> Iterator[bytes]:
    # The session lives as long as the response body is being sent.
    with ctx.sessions() as session:
        yield from fmt.write(exports.rows(session, actor, flt))


@blueprint.get("/cases.<fmt>")
def cases(fmt: str) -> Response:
    """The cases of the inbox filter in the query string; a bad filter goes back to the inbox."""
    if fmt not in exports.FORMATS:
        abort(404)
    actor = current_actor()
    ctx = context.of_app()
    args: dict[str, Any] = {k: v for k, v in request.args.items() if k in FILTER_NAMES and v}
    try:
        flt = CaseFilter.from_args(args)
    except FilterError:
        flt = None
    if flt is None or (flt.nature == codes.TIP and not actor.ethics):
        # The inbox names the wrong filter in words and changes nothing.
        return redirect(url_for("inbox.index", **args))
    with ctx.sessions.begin() as session:
        if exports.reveals_personal_data(actor):
            audit.record(
                session,
                actor,
                "cases.export",
                "export",
                fmt,
                after={"filter": args, "personal_data": True},
            )
        # Every view of a tip is logged: an export holding one is a view of it (its
        # reporter is not in the file; see reports.exports).
        for number in exports.confidential_numbers(session, actor, flt):
            audit.record(session, actor, "tip.view", "case", number, after={"via": f"export.{fmt}"})
    today = rocdate.taipei_today()
    name = f"案件匯出_{rocdate.roc_compact(today)}.{fmt}"
    fallback = f"cases-{today:%Y%m%d}.{fmt}"
    spec = exports.FORMATS[fmt]
    response = Response(_stream(ctx, actor, flt, spec), content_type=spec.mimetype)
    response.headers["Content-Disposition"] = attachment(name, fallback)
    response.headers["Cache-Control"] = "no-store"  # personal data stays out of caches
    return response
