"""Odd input gets a 4xx, never a 5xx: numbers beyond the id columns (PostgreSQL bigint),
negative numbers, NUL and other control characters, over-long strings, deep JSON.

The last test walks every GET route of the app's url_map, so a new route joins by itself; the
overflow only shows on PostgreSQL (``TEST_DATABASE_URL``), where the suite runs in CI too.
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from lianping.admin.api.operations import OPERATIONS
from lianping.context import Context
from lianping.services import casework
from lianping.services.access import SYSTEM
from lianping.storage import cases, residents
from lianping.storage.case_search import CaseFilter
from lianping.storage.models import Case, CaseNotice, utcnow
from tests.admin_support import api_token, logged_in, staff

HUGE = "99999999999999999999999"  # the figure of the report: past bigint, past any int64
PAST_BIGINT = str(2**63)
ODD_PATH_VALUES = (
    HUGE,
    PAST_BIGINT,
    "-1",
    "0",
    "\x00",
    "1\x00",
    "\x1b",
    "²",
    "9" * 5000,
    "x" * 3000,
)
ODD_QUERY_VALUES = (HUGE, "-1", "\x00", "²", "x" * 3000)
ID_FILTERS = ("unit_id", "agency_id", "officer_id")
EXPORTS = ("/admin/exports/cases.csv", "/admin/exports/cases.ods", "/admin/exports/cases.xlsx")
SOURCE = Path(__file__).resolve().parents[1] / "lianping"


@pytest.fixture
def head(app: Any, ctx: Context) -> Any:
    """A test client of an administrator with 政風 who heads it (every tip opens), carrying
    both the staff session and an API token."""
    user = staff(ctx, "odd-admin", role="admin", ethics=True)
    with ctx.sessions.begin() as session:
        session.merge(user).head_of_ethics = True
    client, _ = logged_in(app, ctx, user)
    client.environ_base["HTTP_AUTHORIZATION"] = api_token(ctx, user)["Authorization"]
    return client


def _case(ctx: Context) -> str:
    with ctx.sessions.begin() as session:
        resident = residents.get_or_create(session, "U" + "a" * 32)
        draft = {"nature": "need", "description": "路燈不亮。", "name": "王小明"}
        return cases.create_from_line(session, resident, draft, 1, utcnow(), 30).number


# -- integers beyond the id columns' range ------------------------------------------------------


@pytest.mark.parametrize("name", ID_FILTERS)
@pytest.mark.parametrize("value", [HUGE, PAST_BIGINT, "-1", "0", "²"])
def test_an_id_filter_out_of_range_is_a_400_in_the_inbox_exports_and_api(
    head: Any, ctx: Context, name: str, value: str
) -> None:
    _case(ctx)
    # An export with a bad filter goes back to the inbox, which names the filter (400).
    for path in ("/admin/cases", *EXPORTS, "/api/v1/cases"):
        response = head.get(path, query_string={name: value}, follow_redirects=True)
        assert response.status_code == 400, (path, response.status_code)
        assert response.request.path in ("/admin/cases", "/api/v1/cases")
    assert head.get("/api/v1/cases", query_string={name: value}).get_json()["error"]["code"] == (
        "invalid_query"
    )
    largest = str(2**63 - 1)  # the largest id is a filter that finds nothing, not an error
    assert head.get("/admin/cases", query_string={name: largest}).status_code == 200


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/admin/followers/", "before"),
        ("/admin/audit", "before_id"),
        ("/admin/broadcasts/", "cursor"),
        ("/admin/cases", "cursor"),
    ],
)
@pytest.mark.parametrize("value", [HUGE, PAST_BIGINT, "-1", "²"])
def test_a_page_link_out_of_range_is_a_400_with_the_first_page(
    head: Any, path: str, name: str, value: str
) -> None:
    response = head.get(path, query_string={name: value})
    assert response.status_code == 400
    assert "頁" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/admin/media/{}",
        "/admin/broadcasts/{}",
        "/admin/places/{}",
        "/admin/activities/{}",
        "/admin/data-requests/{}",
        "/admin/settings/templates/{}",
        "/admin/reports/submissions/{}",
        "/api/v1/broadcasts/{}",
        "/api/v1/places/{}",
        "/api/v1/activities/{}",
    ],
)
def test_an_id_in_the_path_out_of_range_is_a_404(head: Any, path: str) -> None:
    for value in (HUGE, PAST_BIGINT, "-1", "²", "9" * 5000):
        assert head.get(path.format(quote(value))).status_code == 404, value
    assert head.get(path.format(2**63 - 1)).status_code == 404  # the largest id: no such row


def test_a_form_id_out_of_range_is_refused_and_changes_nothing(app: Any, ctx: Context) -> None:
    number = _case(ctx)
    client, csrf = logged_in(app, ctx, staff(ctx, "odd-officer", role="admin", ethics=True))
    for value in (HUGE, PAST_BIGINT, "-1", "²"):
        form = {"csrf_token": csrf, "officer_id": value, "unit_id": ""}
        response = client.post(f"/admin/cases/{number}/assign", data=form)
        assert response.status_code == 400, value
        assert "承辦人" in response.get_data(as_text=True)
        response = client.post(
            "/admin/settings/users", data={"csrf_token": csrf, "action": "unit", "id": value}
        )
        assert response.status_code == 400, value
    with ctx.sessions() as session:
        officer = session.scalar(select(Case.officer_id).where(Case.number == number))
        assert officer is None


def test_a_walk_in_form_with_an_activity_id_out_of_range_takes_no_activity(
    head: Any, ctx: Context
) -> None:
    for value in (HUGE, "-1", "²"):
        assert head.get("/admin/cases/new", query_string={"activity_id": value}).status_code == 200


# -- control characters in the path -------------------------------------------------------------


def test_a_control_character_in_a_path_is_a_404_with_or_without_login(
    app: Any, ctx: Context, head: Any
) -> None:
    number = _case(ctx)
    anonymous = app.test_client()
    paths = [
        "/l/%00",
        "/l/abc%00",
        "/promo/%00.jpg",
        "/my-data/%00",
        f"/admin/cases/{number}%00",
        f"/admin/cases/{number}%1b/print",
        "/admin/media/1%00",
        f"/api/v1/cases/{number}%00",
        f"/api/v1/cases/{number}%7f",
        "/api/v1/broadcasts/1%00",
        "/admin/%00",
        "/callback%00",
    ]
    for path in paths:
        for client in (anonymous, head):
            response = client.get(path)
            assert response.status_code == 404, (path, response.status_code)
    # The API answers in its own error model, a staff page and the public in words.
    api = head.get(f"/api/v1/cases/{number}%00")
    assert api.get_json()["error"]["code"] == "not_found"
    assert "找不到" in anonymous.get("/l/%00").get_data(as_text=True)
    # The case itself still opens: only the odd path is refused.
    assert head.get(f"/admin/cases/{number}").status_code == 200


# -- JSON nested too deep -----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_json_nested_too_deep_is_a_400(head: Any, ctx: Context, depth: int) -> None:
    body = '{"description": ' + "[" * depth + "]" * depth + "}"
    response = head.post("/api/v1/cases", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_json"
    assert head.get("/api/v1/cases").get_json()["items"] == []


# -- every GET route, every path variable and query parameter ----------------------------------


def _query_names() -> list[str]:
    """Every query parameter the product reads: the case filter's, each API operation's, and
    each ``args.get("…")`` of its source (so a new one joins by itself)."""
    names = {f.name for f in fields(CaseFilter)} | {"cursor"}
    names |= {name for op in OPERATIONS for name in (op.query or {})}
    for path in SOURCE.rglob("*.py"):
        names |= set(re.findall(r"args\.get(?:list)?\(\s*\"(\w+)\"", path.read_text()))
    return sorted(names)


def _seeded(ctx: Context) -> dict[str, str]:
    """Real values for path variables, so a query parameter reaches the view behind them."""
    number = _case(ctx)
    with ctx.sessions.begin() as session:
        report = casework.ManualReport(
            channel="walk_in", nature="need", sub_item=None, theme=None,
            description="臨櫃反映：路燈不亮。", reporter_name="王小明", reporter_phone=None,
            reporter_address="臺北市中正區重慶南路一段122號", reporter_occupation=None,
            recorder="紀錄人", petition_confirmed=True, notice_method="printed",
        )  # fmt: skip
        walk_in = casework.manual_intake(session, SYSTEM, report, 30)
        notice_id = session.scalars(
            select(CaseNotice.id).where(CaseNotice.case_id == walk_in.id)
        ).one()
    return {"number": number, "notice_id": str(notice_id), "fmt": "pdf"}


def _path(rule: Any, values: dict[str, str]) -> str:
    """The rule's path with ``values`` in its variables, percent-encoded as a browser sends."""
    return re.sub(
        r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: quote(values.get(m.group(1), "1"), safe=""), rule.rule
    )


def test_no_get_route_answers_5xx_to_odd_path_values_or_queries(
    app: Any, ctx: Context, head: Any
) -> None:
    real = _seeded(ctx)
    rules = [r for r in app.url_map.iter_rules() if "GET" in (r.methods or ())]
    known = _query_names()
    assert {"unit_id", "before", "before_id", "cursor", "limit"} <= set(known)
    api_names = {f"api.{op.operation_id}": set(op.query or {}) for op in OPERATIONS}
    failures = []
    requests = 0
    for rule in rules:
        for variable in sorted(rule.arguments):
            for odd in ODD_PATH_VALUES:
                path = _path(rule, {**real, variable: odd})
                status = head.get(path).status_code
                requests += 1
                if status >= 500:
                    failures.append((rule.rule, variable, odd[:30], status))
        base = _path(rule, real)
        # The API refuses a name its operation does not declare: only the declared ones matter.
        declared = api_names.get(rule.endpoint)
        names = sorted(declared) if declared is not None else known
        for odd in ODD_QUERY_VALUES:
            groups = [names]
            while groups:
                group = groups.pop()
                status = head.get(base, query_string=dict.fromkeys(group, odd)).status_code
                requests += 1
                if status >= 500:
                    failures.append((rule.rule, "?" + "&".join(group), odd[:30], status))
                elif status == 400 and len(group) > 1:
                    # One of them refused: that 400 could hide what the others do, so each
                    # half again (a few requests per refused name, not one per name).
                    groups += [group[: len(group) // 2], group[len(group) // 2 :]]
    assert requests > 1000, requests
    assert failures == [], sorted({(f[0], f[1]) for f in failures})
