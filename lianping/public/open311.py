"""Open311 GeoReport v2, read only, over the published cases (``/open311/v2``).

- ``services.{json,xml}``: the service list (seed 004's sub-items, grouped by nature, and each
  nature for a case without a sub-item);
- ``services/{code}.{json,xml}``: a service definition (no attributes are collected);
- ``requests.{json,xml}``: published cases by ``service_request_id``, ``service_code``,
  ``status`` (open/closed), ``start_date`` and ``end_date`` (ISO 8601; at most 90 days,
  the last 90 days by default);
- ``requests/{id}.{json,xml}``: one published case.

Only what the public pages show: the staff's words, the 區 as the address and no
coordinates, no media, never a tip. Errors are GeoReport's list of ``{code, description}``.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, request

from lianping import codes, context
from lianping.public.caching import cached
from lianping.rocdate import TAIPEI
from lianping.services import content, published_cases
from lianping.services.published_cases import Filters, PublicCase
from lianping.storage.models import utcnow

blueprint = Blueprint("open311", __name__, url_prefix="/open311/v2")
MAX_SPAN = timedelta(days=90)
MAX_REQUESTS = 1000
FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
REQUEST_FIELDS = (
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
)


class Open311Error(Exception):
    """A request GeoReport answers with an error list."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def services_list() -> list[dict[str, Any]]:
    """Every service: the sub-items, then each nature for cases without one."""
    listed = [
        {
            "service_code": item.code,
            "service_name": item.label,
            "description": item.wording,
            "metadata": False,
            "type": "batch",
            "keywords": codes.NATURES[item.nature],
            "group": codes.NATURES[item.nature],
        }
        for item in codes.SUB_ITEMS.values()
    ]
    listed += [
        {
            "service_code": nature,
            "service_name": f"{codes.NATURES[nature]}（未分細項）",
            "description": codes.NATURES[nature],
            "metadata": False,
            "type": "batch",
            "keywords": codes.NATURES[nature],
            "group": codes.NATURES[nature],
        }
        for nature in (codes.NEED, codes.REFORM)
    ]
    return listed


def _service_name(case: PublicCase) -> str:
    return case.sub_item_label or f"{case.nature_label}（未分細項）"


def as_request(case: PublicCase, agency: str) -> dict[str, Any]:
    """A published case as a GeoReport service request."""
    return {
        "service_request_id": case.number,
        "status": "open" if case.is_open else "closed",
        "status_notes": case.outcome,
        "service_name": _service_name(case),
        "service_code": case.sub_item or case.nature,
        "description": f"{case.title}\n{case.summary}",
        "agency_responsible": agency,
        "service_notice": case.status_label,
        "requested_datetime": _iso(case.received_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": None,
        # The 區 at most: never an address or a point.
        "address": case.district or "",
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _iso(moment: datetime) -> str:
    """ISO 8601 with the Taipei offset, as GeoReport asks (``2026-11-21T09:30:00+08:00``)."""
    return moment.astimezone(TAIPEI).replace(microsecond=0).isoformat()


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, "format must be json or xml")
    return fmt


def _answer(fmt: str, body: Any, root: str, item: str) -> Response:
    if fmt == "json":
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    else:
        data = _xml(body, root, item)
    return Response(data, content_type=FORMATS[fmt])


def _xml(body: Any, root: str, item: str) -> bytes:
    top = ET.Element(root)
    records = body if isinstance(body, list) else [body]
    for record in records:
        node = ET.SubElement(top, item) if item else top
        for name, value in record.items():
            child = ET.SubElement(node, name)
            if isinstance(value, list):
                for entry in value:
                    sub = ET.SubElement(child, "attribute")
                    for k, v in entry.items():
                        ET.SubElement(sub, k).text = _xml_text(v)
            else:
                child.text = _xml_text(value)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _xml_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _error(fmt: str, error: Open311Error) -> Response:
    body = [{"code": error.status, "description": error.description}]
    response = _answer(fmt if fmt in FORMATS else "json", body, "errors", "error")
    response.status_code = error.status
    return response


@blueprint.get("/services.<fmt>")
@cached
def services(fmt: str) -> Response:
    """The service list."""
    try:
        return _answer(_format(fmt), services_list(), "services", "service")
    except Open311Error as exc:
        return _error(fmt, exc)


@blueprint.get("/services/<code>.<fmt>")
@cached
def service_definition(code: str, fmt: str) -> Response:
    """A service definition: no attributes (reports are filed on LINE, not here)."""
    try:
        _format(fmt)
        if code not in {s["service_code"] for s in services_list()}:
            raise Open311Error(404, "no such service_code")
        body = {"service_code": code, "attributes": []}
        return _answer(fmt, body, "service_definition", "")
    except Open311Error as exc:
        return _error(fmt, exc)


def _moment(name: str) -> datetime | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TAIPEI)
    if not (2000 <= moment.year <= 2999):
        raise Open311Error(400, f"{name} is out of range")
    return moment


def _filters() -> Filters:
    status = request.args.get("status")
    if status not in (None, "", "open", "closed"):
        raise Open311Error(400, "status must be open or closed")
    given_start, given_end = _moment("start_date"), _moment("end_date")
    if given_start is None:
        end = given_end or utcnow()
        start = end - MAX_SPAN
    else:
        start = given_start
        end = given_end or start + MAX_SPAN
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may be at most 90 days apart")
    return Filters(
        open=None if not status else status == "open",
        received_from=start,
        received_before=end,
    )


@blueprint.get("/requests.<fmt>")
@cached
def requests(fmt: str) -> Response:
    """Published cases as service requests, newest publication first."""
    try:
        _format(fmt)
        filters = _filters()
        wanted_codes = [c for c in (request.args.get("service_code") or "").split(",") if c]
        wanted_ids = [i for i in (request.args.get("service_request_id") or "").split(",") if i]
        with context.of_app().sessions() as session:
            agency = str(content.get(session, "agency_name"))
            if wanted_ids:
                found = [published_cases.by_number(session, i[:20]) for i in wanted_ids[:100]]
                listed = [c for c in found if c is not None]
            else:
                listed = published_cases.listed(session, filters, limit=MAX_REQUESTS)
        if wanted_codes:
            listed = [c for c in listed if (c.sub_item or c.nature) in wanted_codes]
        body = [as_request(c, agency) for c in listed]
        return _answer(fmt, body, "service_requests", "request")
    except Open311Error as exc:
        return _error(fmt, exc)


@blueprint.get("/requests/<request_id>.<fmt>")
@cached
def request_one(request_id: str, fmt: str) -> Response:
    """One published case as a one-element list, as GeoReport answers it."""
    try:
        _format(fmt)
        with context.of_app().sessions() as session:
            agency = str(content.get(session, "agency_name"))
            found = published_cases.by_number(session, request_id[:20])
        if found is None:
            raise Open311Error(404, "no such service_request_id")
        return _answer(fmt, [as_request(found, agency)], "service_requests", "request")
    except Open311Error as exc:
        return _error(fmt, exc)
