"""簽辦機關 is one rule: as recorded, else the agency or unit the case was routed to. The case
page, its print view and the 工作紀錄表 files say the same of each case."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from lianping.context import Context
from lianping.reports import work_record
from lianping.services import casework
from lianping.services.access import Actor
from lianping.storage.models import Agency, Unit
from tests.admin_support import logged_in, staff


def _walk_in(session: Any, actor: Actor) -> str:
    report = casework.ManualReport(
        channel="letter", nature="reform", sub_item=None, theme=None,
        description="建議公開里鄰建設經費。", reporter_name=None, reporter_phone=None,
        reporter_address=None, reporter_occupation=None, recorder="陳承辦",
        petition_confirmed=False,
        notice_method="printed",
    )  # fmt: skip
    return casework.manual_intake(session, actor, report, 30).number


def _signing_cell(html: str) -> str:
    found = re.search(r"<th[^>]*>簽辦機關</th>\s*<td[^>]*>([^<]*)</td>", html)
    assert found is not None
    return found.group(1)


def _printed_cell(html: str) -> str:
    """The form's last cell: 簽辦機關, beside 紀錄人."""
    found = re.search(r'<tr class="sign">\s*<td[^>]*>[^<]*</td>\s*<td[^>]*>([^<]*)</td>', html)
    assert found is not None
    return found.group(1)


def test_the_page_the_print_and_the_record_agree(app: Any, ctx: Context) -> None:
    user = staff(ctx, "chen.officer", "officer")
    actor = Actor.of(user)
    with ctx.sessions.begin() as session:
        unit, agency = Unit(name="民政課"), Agency(name="臺北市政府工務局")
        session.add_all([unit, agency])
        session.flush()
        recorded, routed_out, routed_in, unrouted = (_walk_in(session, actor) for _ in range(4))
        get = casework.get_case
        casework.set_opinion(session, actor, get(session, actor, recorded), "已處理", "本處政風室")
        approval = casework.Approval("處長 林○○", date(2026, 1, 2))
        casework.route_external(
            session,
            actor,
            get(session, actor, routed_out),
            agency.id,
            "字第1號",
            date(2026, 1, 2),
            approval,
        )
        casework.route_internal(
            session, actor, get(session, actor, routed_in), unit.id, "", approval
        )
    expected = {
        recorded: "本處政風室",
        routed_out: "臺北市政府工務局",
        routed_in: "民政課",
        unrouted: "",
    }
    client, _ = logged_in(app, ctx, user)
    for number, signing in expected.items():
        page = client.get(f"/admin/cases/{number}").get_data(as_text=True)
        assert _signing_cell(page) == (signing or "—"), number
        printed = client.get(f"/admin/cases/{number}/print").get_data(as_text=True)
        assert _printed_cell(printed) == signing, number
        with ctx.sessions() as session:
            assert work_record.for_number(session, actor, number).signing_agency == signing
