"""The API's broadcast views: create a draft, send or schedule it, cancel it, read its figures.

Same shape as ``views``: validated input → one service call → one commit → the
follow-up job (the start of a sending broadcast) → JSON. Service refusals become
the API's error model: rules 422, status 409, permissions 403, unknown ids 404.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from lianping import codes, context, rocdate
from lianping.admin.api.errors import ApiError
from lianping.admin.api.views import Body, Payload, unit_of_work
from lianping.jobs import broadcasts as broadcast_jobs
from lianping.line.client import LineApiError, LineTransportError
from lianping.services import broadcasts
from lianping.services.access import Actor
from lianping.storage import broadcast_list, ids
from lianping.storage.models import Broadcast

log = logging.getLogger(__name__)

LIST_LIMIT = 50


def _id(broadcast_id: str) -> int:
    """The path's id, or 404 (ids are positive 64-bit integers)."""
    found = ids.parse_id(broadcast_id)
    if found is None:
        raise ApiError("not_found", f"找不到推播 {broadcast_id}")
    return found


@contextmanager
def _refusals(broadcast_id: int | None = None) -> Iterator[None]:
    """Service refusals as API errors."""
    try:
        yield
    except LookupError as exc:
        raise ApiError("not_found", f"找不到推播 {broadcast_id}") from exc
    except broadcasts.BroadcastConflict as exc:
        raise ApiError("lifecycle_conflict", exc.errors[0], details=exc.errors) from exc
    except broadcasts.BroadcastInvalid as exc:
        message = exc.errors[0] + (
            f"（另有 {len(exc.errors) - 1} 項）" if len(exc.errors) > 1 else ""
        )
        raise ApiError("unprocessable", message, details=exc.errors) from exc
    except broadcasts.QuotaExceeded as exc:
        raise ApiError(
            "unprocessable",
            f"{exc}；系統管理者確認後可送出（confirm_over_quota: true）",
            details={"estimate": _estimate(exc.estimate)},
        ) from exc


def _estimate(found: broadcasts.Estimate) -> dict[str, Any]:
    return {
        "recipients": found.recipients,
        "cost": found.cost,
        "quota_limit": found.quota_limit,
        "quota_used": found.quota_used,
        "remaining": found.remaining,
        "exceeds": found.exceeds,
    }


def summary(session: Session, broadcast: Broadcast) -> dict[str, Any]:
    """A list row: title, status, audience and where sending stands."""
    return {
        "id": broadcast.id,
        "title": broadcast.title,
        "status": broadcast.status,
        "status_label": codes.BROADCAST_STATUSES.get(broadcast.status, broadcast.status),
        "audience": broadcast.audience,
        "audience_label": broadcasts.audience_words(broadcast.audience),
        "message_types": [m.get("type") for m in broadcast.messages],
        "created_at": broadcast.created_at.isoformat().replace("+00:00", "Z"),
        "created_at_roc": rocdate.roc_datetime(broadcast.created_at),
        "progress": broadcasts.progress(session, broadcast.id),
    }


def detail(session: Session, broadcast: Broadcast) -> dict[str, Any]:
    """The broadcast with its composed messages and its effect (quiz answers, link taps)."""
    return {
        **summary(session, broadcast),
        "messages": broadcast.messages,
        "results": broadcasts.results(session, broadcast.id),
    }


def list_broadcasts(actor: Actor, query: Body, args: Any) -> Payload:
    with unit_of_work() as (_, session):
        found = broadcast_list.page(
            session, limit=query.get("limit", LIST_LIMIT), status=query.get("status")
        )
        return {"items": [summary(session, listed.broadcast) for listed in found.items]}


def create_broadcast(actor: Actor, body: Body) -> Payload:
    with unit_of_work() as (_, session), _refusals():
        broadcast = broadcasts.save_draft(
            session,
            actor,
            broadcast_id=None,
            title=body["title"],
            messages=body["messages"],
            audience=body["audience"],
        )
        session.commit()
        found = detail(session, broadcast)
    location = url_for("api.getBroadcast", broadcast_id=broadcast.id)
    return {"broadcast": found}, {"Location": location}


def get_broadcast(actor: Actor, broadcast_id: str) -> Payload:
    number = _id(broadcast_id)
    with unit_of_work() as (_, session), _refusals(number):
        return {"broadcast": detail(session, broadcasts.get(session, number))}


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        return moment
    except ValueError as exc:
        detail = {"field": "at", "rule": "format", "message": "須為含時區的 ISO 8601 時間"}
        raise ApiError(
            "validation_error", "欄位 at：須為含時區的 ISO 8601 時間", details=[detail]
        ) from exc


def send_broadcast(actor: Actor, broadcast_id: str, body: Body) -> Payload:
    number = _id(broadcast_id)
    at = _when(body.get("at"))
    ctx = context.of_app()
    try:
        # Asked before the transaction: no database lock waits on LINE.
        quota = broadcasts.read_quota(ctx.line)
    except (LineApiError, LineTransportError) as exc:
        log.warning("quota not read for broadcast %s: %s", number, exc)
        raise ApiError(
            "line_unavailable",
            "目前無法向 LINE 查詢本月訊息額度，未發送；請稍後再試",
            headers={"Retry-After": "30"},
        ) from exc
    with unit_of_work() as (ctx, session), _refusals(number):
        broadcast = broadcasts.send(
            session,
            actor,
            number,
            quota=quota,
            public_base_url=ctx.settings.public_base_url,
            at=at,
            confirm_over_quota=body.get("confirm_over_quota", False),
        )
        session.commit()
        found = detail(session, broadcast)
    broadcast_jobs.start_after_commit(ctx, broadcast.id, broadcast.status)
    return {"broadcast": found}


def cancel_broadcast(actor: Actor, broadcast_id: str, body: Body) -> Payload:
    number = _id(broadcast_id)
    with unit_of_work() as (_, session), _refusals(number):
        broadcast = broadcasts.cancel(session, actor, number)
        session.commit()
        return {"broadcast": detail(session, broadcast)}
