"""The 追蹤者 page: followers with their 區/村里, tags and opt-out, filtered and keyset-paged;
and tagging the selected ones (officers, supervisors and administrators)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from lianping import context, rocdate
from lianping.admin.auth import current_actor
from lianping.services import content, follower_tags
from lianping.services.access import mask_name
from lianping.services.follower_tags import FollowersError
from lianping.storage import areas, ids, residents
from lianping.storage.models import Resident
from lianping.storage.residents import FollowerFilter

blueprint = Blueprint("followers", __name__, url_prefix="/admin/followers")

PAGE = 50
FILTER_NAMES = ("district", "village", "tag", "opt_out")
OPT_OUT_CHOICES = {"": "全部", "no": "接收中", "yes": "已暫停"}
MAX_AREA_NAME = 20
EMPTY = "—"


@dataclass(frozen=True)
class Row:
    """One follower as the list shows them (the display name already masked)."""

    id: int
    name: str
    district: str
    village: str
    tags: list[str]
    opted_out: bool
    opted_out_at: str
    followed_at: str
    unfollowed_at: str


def _when(value: Any) -> str:
    return rocdate.roc_datetime(value) if value else EMPTY


def _row(resident: Resident, tags: list[str]) -> Row:
    return Row(
        id=resident.id,
        # Display names are personal data: lists show them masked, as the inbox does.
        name=mask_name(resident.display_name) or "（未取得名稱）",
        district=resident.district or EMPTY,
        village=resident.village or ("（不指定）" if resident.district else EMPTY),
        tags=tags,
        opted_out=resident.promotions_opt_out,
        opted_out_at=_when(resident.promotions_opt_out_at),
        followed_at=_when(resident.followed_at or resident.created_at),
        unfollowed_at=_when(resident.unfollowed_at),
    )


def _filter(args: dict[str, str]) -> tuple[FollowerFilter, int | None, str | None]:
    """The filter and cursor in ``args``, and what is wrong with them (in words)."""
    problems = []
    for name, label in (("district", "區"), ("village", "村里")):
        if len(args.get(name, "")) > MAX_AREA_NAME:
            problems.append(label)
    if len(args.get("tag", "")) > follower_tags.MAX_TAG:
        problems.append("標籤")
    if args.get("opt_out", "") not in OPT_OUT_CHOICES:
        problems.append("宣導訊息")
    before = ids.parse_id(args.get("before"))
    if args.get("before") and before is None:
        problems.append("頁碼")
    if problems:
        message = "篩選條件有誤：「" + "」、「".join(problems) + "」的值無法使用，請重新選擇。"
        return FollowerFilter(), None, message
    opt_out = {"yes": True, "no": False}.get(args.get("opt_out", ""))
    flt = FollowerFilter(
        district=args.get("district") or None,
        village=args.get("village") or None,
        tag=residents.clean_tag(args.get("tag")) or None,
        opt_out=opt_out,
    )
    return flt, before, None


def _page(
    args: dict[str, str], *, error: str | None = None, tag_value: str = "", status: int = 200
) -> Response:
    actor = current_actor()
    flt, before, problem = _filter(args)
    error = error or problem
    with context.of_app().sessions() as session:
        found = residents.followers(session, flt, before_id=before, limit=PAGE + 1)
        shown = found[:PAGE]
        tags = residents.tags_of(session, [resident.id for resident in shown])
        rows = [_row(resident, tags.get(resident.id, [])) for resident in shown]
        total = residents.count_followers(session, flt)
        known_tags = residents.all_tags(session)
        area_choices = areas.read(content.get(session, "areas"))
    filters: dict[str, Any] = {
        name: args[name] for name in FILTER_NAMES if args.get(name) and not problem
    }
    done = {"added": "已加上標籤。", "removed": "已移除標籤。"}.get(request.args.get("done", ""))
    body = render_template(
        "admin/followers/index.html",
        rows=rows,
        total=total,
        filters=filters,
        areas=area_choices,
        known_tags=known_tags,
        opt_out_choices=OPT_OUT_CHOICES,
        error=error,
        done=done if status == 200 else None,
        tag_value=tag_value,
        can_tag=actor.can_write,
        next_url=url_for("followers.index", **filters, before=shown[-1].id)
        if len(found) > PAGE
        else None,
        first_url=url_for("followers.index", **filters) if before else None,
    )
    return Response(body, status=400 if error else status, mimetype="text/html")


@blueprint.get("/")
def index() -> Response:
    """The followers matching the filters, newest first, 50 a page."""
    args = {k: v.strip() for k, v in request.args.items() if k in (*FILTER_NAMES, "before")}
    return _page({k: v for k, v in args.items() if v})


@blueprint.post("/tags")
def tags() -> BaseResponse:
    """Add a tag to, or remove it from, the selected followers; back to the same filters."""
    actor = current_actor()
    form = request.form
    given = {name: form.get(f"f_{name}", "").strip() for name in FILTER_NAMES}
    filters: dict[str, Any] = {k: v for k, v in given.items() if v}
    action = form.get("action", "")
    selected = [found for v in form.getlist("resident_id") if (found := ids.parse_id(v))]
    tag = form.get("tag", "")
    if action not in ("add", "remove"):
        return _page(filters, error="無法辨識的操作。", tag_value=tag)
    try:
        with context.of_app().sessions.begin() as session:
            follower_tags.change_tag(session, actor, selected, tag, add=action == "add")
    except FollowersError as exc:
        return _page(filters, error=str(exc), tag_value=tag)
    done = "added" if action == "add" else "removed"
    return redirect(url_for("followers.index", **filters, done=done))
